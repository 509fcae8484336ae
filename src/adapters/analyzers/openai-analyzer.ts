import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import sharp from 'sharp';
import type { CallEstimate, StructuredOutputMode, Usage } from '../../core/analysis/analysis.ts';
import { imageTokens, planImage } from '../../core/analysis/image-tokens.ts';
import { type ModelOutput, modelOutputJsonSchema, modelOutputSchema } from '../../core/analysis/model-output.ts';
import { costUsd, estimateCostUsd, estimateInputTokens, type ModelPrice, priceFor } from '../../core/analysis/pricing.ts';
import type { UpstreamCode } from '../../core/errors.ts';
import { type Analyzer, AnalyzerFailure, type AnalyzerInput, type AnalyzerResult, type SentImage } from '../../ports/analyzer.ts';

export interface OpenAIAnalyzerOptions {
  baseURL?: string;
  apiKey: string;
  model: string;
  /**
   * `auto`: plan the image per model (planImage: the size and `detail` that keep the chart legible
   * for the fewest image tokens; it may re-size the PNG). `low` / `high`: send the image as it is,
   * at that detail.
   */
  imageDetail: 'low' | 'high' | 'auto';
  /** Per HTTP attempt. */
  timeoutMs: number;
  /** The SDK's retries on 408/409/429/5xx and timeouts; it honours Retry-After. */
  maxRetries: number;
  maxOutputTokens: number;
  /**
   * Refuse a call (llm_budget) when what the request spent plus the most the call can cost (its
   * estimated input plus maxOutputTokens of output) would go past this. Needs the model's price.
   */
  budgetUsd: number | null;
  prices: Readonly<Record<string, ModelPrice>>;
}

const MODE_ORDER: StructuredOutputMode[] = ['json_schema', 'json_object', 'prompt'];
const MAX_REPORTED_ERRORS = 20;

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** What one analysis has done so far: HTTP attempts, reported usage, and the first call's estimate. */
interface RunState {
  attempts: number;
  usage: Usage | null;
  estimate: CallEstimate | null;
}

/** Pull the JSON object out of a reply that may wrap it in prose or a code fence. */
export function extractJson(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const body = (fenced ? fenced[1] : text).trim();
  try {
    return JSON.parse(body);
  } catch {
    const start = body.indexOf('{');
    const end = body.lastIndexOf('}');
    if (start >= 0 && end > start) return JSON.parse(body.slice(start, end + 1));
    throw new SyntaxError('no JSON object in the reply');
  }
}

type Parsed = { ok: true; output: ModelOutput } | { ok: false; errors: string[] };

function parseReply(text: string): Parsed {
  let json: unknown;
  try {
    json = extractJson(text);
  } catch (e) {
    return { ok: false, errors: [`not valid JSON: ${(e as Error).message}`] };
  }
  const result = modelOutputSchema.safeParse(json);
  if (result.success) return { ok: true, output: result.data };
  return {
    ok: false,
    errors: result.error.issues.slice(0, MAX_REPORTED_ERRORS).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
  };
}

function isResponseFormatRejection(err: unknown): boolean {
  return (
    err instanceof OpenAI.BadRequestError &&
    (err.param === 'response_format' || /response_format|json_schema|json_object|structured output/i.test(err.message))
  );
}

/**
 * Classify what the SDK threw, once, here at the boundary. Only the SDK's own errors (HTTP
 * statuses, connection failures, aborts and timeouts) are upstream failures; anything else is a bug
 * in this code and must surface as one (null: rethrow it).
 */
function failureFor(err: unknown): { code: UpstreamCode; detail: string } | null {
  if (!(err instanceof OpenAI.APIError)) return null;
  const detail = err.message;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return { code: 'llm_timeout', detail };
  if (err instanceof OpenAI.APIUserAbortError) return { code: 'llm_deadline', detail: 'the request deadline passed' };
  if (err instanceof OpenAI.RateLimitError) return { code: 'llm_rate_limited', detail };
  if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError) return { code: 'llm_auth', detail };
  if (err instanceof OpenAI.BadRequestError || err instanceof OpenAI.NotFoundError || err instanceof OpenAI.UnprocessableEntityError) {
    return { code: 'llm_bad_request', detail };
  }
  // 5xx, other statuses, and connection failures (APIConnectionError).
  return { code: 'llm_unavailable', detail };
}

function addUsage(total: Usage | null, u: OpenAI.CompletionUsage | undefined): Usage | null {
  if (!u) return total;
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    inputTokens: (total?.inputTokens ?? 0) + u.prompt_tokens,
    outputTokens: (total?.outputTokens ?? 0) + u.completion_tokens,
    cachedInputTokens: (total?.cachedInputTokens ?? 0) + cached,
  };
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The text of a message, as far as the token estimate is concerned (image parts are counted apart). */
function messageText(m: Message): string {
  if (typeof m.content === 'string') return m.content;
  if (!Array.isArray(m.content)) return '';
  return m.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * Any OpenAI-compatible vision endpoint (OpenAI, Azure OpenAI, OpenRouter, vLLM, Ollama, LM Studio)
 * through the official SDK. Structured output is tried strictest first (json_schema, then
 * json_object, then the schema in the prompt); the mode that worked is remembered per model.
 * The reply is always validated with zod, with one repair call that quotes the errors.
 */
export class OpenAIAnalyzer implements Analyzer {
  readonly id = 'openai' as const;
  readonly kind = 'llm' as const;
  private readonly modes = new Map<string, StructuredOutputMode>();
  private readonly schema = modelOutputJsonSchema();

  private readonly options: OpenAIAnalyzerOptions;

  constructor(options: OpenAIAnalyzerOptions) {
    this.options = options;
  }

  modelFor(input: { model?: string }): string {
    return input.model ?? this.options.model;
  }

  /** The structured-output mode this analyzer will start with for a model. */
  modeFor(model: string): StructuredOutputMode {
    return this.modes.get(model) ?? 'json_schema';
  }

  async analyze(input: AnalyzerInput): Promise<AnalyzerResult> {
    const model = this.modelFor(input);
    const price = priceFor(model, this.options.prices);
    const state: RunState = { attempts: 0, usage: null, estimate: null };
    const spent = () => ({ usage: state.usage, costUsd: state.usage ? costUsd(state.usage, price) : null, attempts: state.attempts });
    const remaining = input.deadline - Date.now();
    if (remaining <= 0) throw new AnalyzerFailure('llm_deadline', 'the request deadline passed before the call', spent());
    const image = await this.imageFor(model, input.image);

    const abort = new AbortController();
    const client = new OpenAI({
      baseURL: this.options.baseURL,
      apiKey: this.options.apiKey,
      timeout: this.options.timeoutMs,
      maxRetries: this.options.maxRetries,
      // Counting at the fetch layer sees the SDK's own retries too.
      fetch: (url, init) => {
        state.attempts++;
        return fetch(url, init);
      },
    });

    // The SDK's backoff sleep is not abortable, so the deadline is enforced around the whole call.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new AnalyzerFailure('llm_deadline', `no valid answer within ${remaining} ms`, spent()));
      }, remaining);
    });
    try {
      return await Promise.race([this.run(client, input, image, model, price, state, abort.signal, spent), deadline]);
    } catch (err) {
      if (err instanceof AnalyzerFailure) throw err;
      const failure = failureFor(err);
      if (!failure) throw err;
      throw new AnalyzerFailure(failure.code, failure.detail, spent(), { cause: err });
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }

  /**
   * The image to send: with `imageDetail: 'auto'`, planned for this model (re-sized with sharp when
   * the plan is smaller, same aspect); otherwise as it came, at the configured detail.
   */
  private async imageFor(model: string, img: AnalyzerInput['image']): Promise<SentImage> {
    const detail = this.options.imageDetail;
    if (detail !== 'auto') return { ...img, detail, tokens: imageTokens(model, img.width, img.height, detail) };
    const plan = planImage(model, img.width, img.height);
    if (!plan.resized) return { ...img, detail: plan.detail, tokens: plan.tokens };
    const png = await sharp(img.png).resize(plan.width, plan.height, { fit: 'fill' }).png({ compressionLevel: 6 }).toBuffer();
    return { png, width: plan.width, height: plan.height, sha256: sha256(png), detail: plan.detail, tokens: plan.tokens };
  }

  private async run(
    client: OpenAI,
    input: AnalyzerInput,
    image: SentImage,
    model: string,
    price: ModelPrice | null,
    state: RunState,
    signal: AbortSignal,
    spent: () => { usage: Usage | null; costUsd: number | null; attempts: number },
  ): Promise<AnalyzerResult> {
    const startMode = this.modeFor(model);
    const baseMessages = (mode: StructuredOutputMode): Message[] => [
      {
        role: 'system',
        content:
          mode === 'json_schema'
            ? input.prompt.system
            : `${input.prompt.system}\n\nReply with one JSON object that matches this JSON schema exactly:\n${JSON.stringify(this.schema)}`,
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: input.prompt.user },
          {
            type: 'image_url',
            image_url: { url: `data:image/png;base64,${image.png.toString('base64')}`, detail: image.detail },
          },
        ],
      },
    ];
    const schemaText = JSON.stringify(this.schema);
    const call = async (mode: StructuredOutputMode, messages: Message[]) => {
      const inputTokens = estimateInputTokens(messages.map(messageText), image.tokens, mode === 'json_schema' ? schemaText : null);
      const estimate: CallEstimate | null =
        inputTokens === null
          ? null
          : { inputTokens, inputCostUsd: estimateCostUsd(inputTokens, 0, price), maxCostUsd: estimateCostUsd(inputTokens, this.options.maxOutputTokens, price) };
      state.estimate ??= estimate;
      // Without a price nothing can be held to a budget. With one, the call must fit whole, before
      // it is made: spent so far plus its estimated ceiling. A model whose image tokens are not
      // known has no estimate: then only a spent budget stops a further call.
      const budget = this.options.budgetUsd;
      if (budget !== null && price) {
        const cost = spent().costUsd ?? 0;
        const ceiling = estimate?.maxCostUsd ?? null;
        if (ceiling !== null && cost + ceiling > budget) {
          throw new AnalyzerFailure(
            'llm_budget',
            `the call could cost up to ${ceiling} USD (${inputTokens} input tokens estimated, ${this.options.maxOutputTokens} output at most) on top of ${cost} USD spent; the budget is ${budget} USD`,
            spent(),
          );
        }
        if (ceiling === null && state.usage && cost >= budget) throw new AnalyzerFailure('llm_budget', `spent ${cost} USD of a ${budget} USD budget`, spent());
      }
      const res = await client.chat.completions.create(
        {
          model,
          messages,
          max_completion_tokens: this.options.maxOutputTokens,
          ...(mode === 'json_schema'
            ? { response_format: { type: 'json_schema', json_schema: { name: 'chart_analysis', strict: true, schema: this.schema } } }
            : mode === 'json_object'
              ? { response_format: { type: 'json_object' } }
              : {}),
        },
        { signal },
      );
      state.usage = addUsage(state.usage, res.usage);
      return res;
    };

    let mode = startMode;
    let response: OpenAI.Chat.Completions.ChatCompletion | undefined;
    for (const candidate of MODE_ORDER.slice(MODE_ORDER.indexOf(startMode))) {
      mode = candidate;
      try {
        response = await call(mode, baseMessages(mode));
        break;
      } catch (err) {
        if (!isResponseFormatRejection(err) || mode === 'prompt') throw err;
      }
    }
    if (!response) throw new AnalyzerFailure('llm_bad_request', 'no structured output mode was accepted', spent());
    this.modes.set(model, mode);

    let reply = this.readReply(response, spent);
    let parsed = parseReply(reply.text);
    if (!parsed.ok || reply.truncated) {
      const errors = parsed.ok ? ['the reply was cut off at the token limit'] : parsed.errors;
      const repairMessages: Message[] = [
        ...baseMessages(mode),
        { role: 'assistant', content: reply.text },
        {
          role: 'user',
          content: `Your reply does not match the required JSON schema:\n- ${errors.join('\n- ')}\nReply again with only the corrected JSON object. Be concise.`,
        },
      ];
      const repaired = await call(mode, repairMessages);
      reply = this.readReply(repaired, spent);
      parsed = parseReply(reply.text);
      if (!parsed.ok || reply.truncated) {
        const why = parsed.ok ? 'the repaired reply was cut off' : parsed.errors.join('; ');
        throw new AnalyzerFailure('llm_invalid_output', `invalid output after one repair: ${why}`, spent());
      }
    }
    const s = spent();
    return {
      output: parsed.output,
      raw: reply.text,
      model: response.model || model,
      usage: s.usage,
      costUsd: s.costUsd,
      attempts: s.attempts,
      structuredOutput: mode,
      image,
      ...(state.estimate ? { estimate: state.estimate } : {}),
    };
  }

  private readReply(
    res: OpenAI.Chat.Completions.ChatCompletion,
    spent: () => { usage: Usage | null; costUsd: number | null; attempts: number },
  ): { text: string; truncated: boolean } {
    const choice = res.choices?.[0];
    if (choice?.message?.refusal) {
      throw new AnalyzerFailure('llm_refusal', `the model refused: ${choice.message.refusal}`, spent());
    }
    return { text: choice?.message?.content ?? '', truncated: choice?.finish_reason === 'length' };
  }
}
