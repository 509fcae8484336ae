import { z } from 'zod';

export const MAX_NEWS_ITEMS = 20;

/** One news item as the caller sends it. All of it is untrusted text. */
export const newsItemSchema = z
  .object({
    headline: z.string().trim().min(1).max(300),
    summary: z.string().max(2000).optional(),
    source: z.string().max(200).optional(),
    publishedAt: z.string().max(40).optional(),
    url: z.string().max(2000).optional(),
  })
  .strict();

export const newsSchema = z.array(newsItemSchema).max(MAX_NEWS_ITEMS);

export type NewsItem = z.output<typeof newsItemSchema>;
