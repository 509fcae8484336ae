-- One row per analysis: the answer and everything needed to audit it.
CREATE TABLE analyses (
  id text PRIMARY KEY,                 -- caller-made (UUIDs); text so any malformed id is just "not found"
  seq bigint GENERATED ALWAYS AS IDENTITY, -- breaks ties between equal created_at values
  created_at timestamptz NOT NULL,     -- for ordering and queries
  created_at_text text NOT NULL,       -- the createdAt string exactly as saved (timestamptz would reformat it)
  cache_key text NOT NULL,
  degraded boolean NOT NULL,           -- copy of analysis.provider.degraded, so cache lookups skip JSONB
  analysis json NOT NULL,              -- json, not jsonb: keeps the key order the API answered with
  request jsonb NOT NULL,
  prompt jsonb NOT NULL,
  raw_output text,
  image bytea NOT NULL                 -- the exact PNG the model saw
);

-- findByCacheKey: newest non-degraded row for a key.
CREATE INDEX analyses_cache_key_idx ON analyses (cache_key, created_at DESC, seq DESC) WHERE NOT degraded;

-- PNGs are already compressed: storing them uncompressed out of line saves Postgres a futile
-- compression attempt on every insert (1.4 ms of 5.6 ms per save, measured on PGlite).
ALTER TABLE analyses ALTER COLUMN image SET STORAGE EXTERNAL;
