-- The pg_trgm against character bigrams comparison of docs/adr/0005-search-with-character-bigrams.md, on a scratch
-- database (not Hato's schema). Run against a PostgreSQL 16 cluster made like the embedded one:
--   initdb -D data --locale=C -E UTF8 -U postgres && pg_ctl -D data -o '-p 55432' start
--   psql -h 127.0.0.1 -p 55432 -U postgres -f benchmarks/scripts/search-index-compare.sql
\timing on
CREATE EXTENSION IF NOT EXISTS pg_trgm;
SELECT show_trgm('日本語のテキスト'), show_trgm('hello world');
CREATE OR REPLACE FUNCTION search_grams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT array_remove(string_to_array(
        regexp_replace(regexp_replace(translate(t, E'\x01', E'\x02'), '(..)', E'\\1\x01', 'g'),
            E'(^|\x01)[^\x01]$', E'\\1')
        || E'\x01' ||
        regexp_replace(regexp_replace(substr(translate(t, E'\x01', E'\x02'), 2), '(..)', E'\\1\x01', 'g'),
            E'(^|\x01)[^\x01]$', E'\\1'),
        E'\x01'), '')
$$;
DROP TABLE IF EXISTS f;
CREATE TABLE f (id bigserial PRIMARY KEY, body text NOT NULL);
-- 100,000 bodies of 150 words (about 1,300 characters), English and Japanese words with a number appended
INSERT INTO f (body)
SELECT lower(string_agg(w, ' ')) FROM (
  SELECT g, (ARRAY['meeting','report','budget','schedule','project','lunch','review','deadline','server','mail',
    '会議','報告書','予算','日程','打ち合わせ','締め切り','サーバー','メール','東京','大阪','お疲れ様です',
    'よろしくお願いします'])[1 + ((g * 7919 + k * 104729) % 22)] || (g * 31 + k) % 997 AS w
  FROM generate_series(1, 100000) g, generate_series(1, 150) k) s GROUP BY g;
CREATE INDEX f_trgm ON f USING gin (body gin_trgm_ops);
CREATE INDEX f_grams ON f USING gin (search_grams(body));
SELECT pg_size_pretty(pg_relation_size('f_trgm')) AS trgm, pg_size_pretty(pg_relation_size('f_grams')) AS grams;
ANALYZE f;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM f WHERE strpos(body, 'xylophone') > 0;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM f WHERE body LIKE '%xylophone%';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM f WHERE body LIKE '%budget17 %';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM f WHERE body LIKE '%東京123%';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM f WHERE body LIKE '%沖縄県%';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM f
    WHERE search_grams(body) @> search_grams('xylophone') AND strpos(body, 'xylophone') > 0;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM f
    WHERE search_grams(body) @> search_grams('budget17 ') AND strpos(body, 'budget17 ') > 0;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM f
    WHERE search_grams(body) @> search_grams('東京123') AND strpos(body, '東京123') > 0;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM f
    WHERE search_grams(body) @> search_grams('沖縄県') AND strpos(body, '沖縄県') > 0;
