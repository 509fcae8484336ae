-- Issue 12: an analysis stored its chart PNG and the request's candles (as JSONB) in its own row,
-- so the same chart or the same bars analysed again (another model, other news, a degraded
-- answer) were stored again. Now bytes live once in blobs, keyed by their SHA-256, and the row
-- keeps the answer, the request without its candles, the prompt and the raw output as one
-- brotli-compressed JSON document (`body`), plus the columns the history list reads.

CREATE TABLE blobs (
  sha256 text PRIMARY KEY,             -- hex SHA-256 of bytes, exactly as stored
  bytes bytea NOT NULL                 -- a chart image, or an input in compact form (candles: brotli of float64 columns)
);
-- Already compressed: Postgres's own compression would only spend time on it.
ALTER TABLE blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;

ALTER TABLE analyses
  ADD COLUMN image_sha256 text REFERENCES blobs (sha256),    -- the exact image the model saw
  ADD COLUMN candles_sha256 text REFERENCES blobs (sha256),  -- the request's candles, when it sent any
  ADD COLUMN body bytea,                                     -- brotli JSON {v, analysis, request, prompt, rawOutput}
  ADD COLUMN symbol text,
  ADD COLUMN timeframe text,
  ADD COLUMN source text,
  ADD COLUMN action text,
  ADD COLUMN exposure float8,
  ADD COLUMN confidence float8,
  ADD COLUMN verification text,
  ADD COLUMN analyzer text;

-- Rows saved before this migration keep their JSON columns (read as they are: SQL cannot
-- compress them); new rows leave them null and fill body.
ALTER TABLE analyses ALTER COLUMN analysis DROP NOT NULL;
ALTER TABLE analyses ALTER COLUMN request DROP NOT NULL;
ALTER TABLE analyses ALTER COLUMN prompt DROP NOT NULL;
ALTER TABLE analyses ALTER COLUMN body SET STORAGE EXTERNAL;

-- Their images move to blobs (one copy per distinct image) and their summaries into the columns.
INSERT INTO blobs (sha256, bytes)
  SELECT DISTINCT ON (h) h, image FROM (SELECT encode(sha256(image), 'hex') AS h, image FROM analyses) AS old
  ON CONFLICT (sha256) DO NOTHING;
UPDATE analyses SET
  image_sha256 = encode(sha256(image), 'hex'),
  symbol = analysis->>'symbol',
  timeframe = analysis->>'timeframe',
  source = analysis->'input'->>'source',
  action = analysis->'decision'->>'action',
  exposure = (analysis->'decision'->>'exposure')::float8,
  confidence = (analysis->'decision'->>'confidence')::float8,
  verification = analysis->'verification'->>'status',
  analyzer = analysis->'provider'->>'analyzer';
ALTER TABLE analyses DROP COLUMN image;
ALTER TABLE analyses ALTER COLUMN image_sha256 SET NOT NULL;

-- The purge finds what is older than the retention, and which blobs no analysis uses any more.
CREATE INDEX analyses_created_at_idx ON analyses (created_at);
CREATE INDEX analyses_image_sha256_idx ON analyses (image_sha256);
CREATE INDEX analyses_candles_sha256_idx ON analyses (candles_sha256) WHERE candles_sha256 IS NOT NULL;
