-- The search index's keys computed in Java as each row is written, not by PostgreSQL at every insert (docs/adr/0007).
--
-- V7 indexed the expression search_grams(text): PostgreSQL computed every delivered message's character bigrams with
-- regexp_replace while inserting it, about 0.4 ms per thousand characters. With the index maintenance that is what
-- took most of the database's CPU per delivered message (at 10 KiB per message: about 4 of 5 ms; 1 ms without the two
-- indexes; docs/benchmarks.md). Hato now hands each text's distinct bigrams over with the row, as integers
-- (SearchGrams: first character's code point times 65,536 plus the second's, modulo 2^32, which is exact for every
-- pair of characters of the Basic Multilingual Plane; a pair with a supplementary character may share its key with
-- another pair, which only adds a candidate that strpos then rejects). Integer keys are also smaller in the index
-- and cheaper to compare than the two-character texts.
ALTER TABLE blob_facts ADD COLUMN header_grams int4[], ADD COLUMN body_grams int4[];

-- The keys are read only to build the index (and never by a search, which finds them in the index), so they may
-- live out of line; the texts, which every recheck reads, stay in the row (V8) and are compressed only when the row
-- is over a page even without the keys.
ALTER TABLE blob_facts ALTER COLUMN header_grams SET STORAGE EXTERNAL, ALTER COLUMN body_grams SET STORAGE EXTERNAL,
    ALTER COLUMN header_text SET STORAGE MAIN, ALTER COLUMN body_text SET STORAGE MAIN;

-- The same keys as the gateway's SearchGrams, in SQL: for the rows stored before this migration and for any row
-- inserted without them (the trigger below). Slow (a row per character), but it runs only where Java did
-- not compute the keys; SearchGramsTest checks that both give the same keys.
CREATE FUNCTION pair_grams(t text) RETURNS int4[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT k ORDER BY k), '{}')
    FROM (SELECT ((ascii(c) * 65536::bigint + ascii(lead(c) OVER (ORDER BY i)) + 2147483648) % 4294967296
                  - 2147483648)::int4 AS k
          FROM unnest(string_to_array(t, NULL)) WITH ORDINALITY AS s (c, i)) p
    WHERE k IS NOT NULL
$$;

DROP INDEX blob_facts_header_grams_idx;
DROP INDEX blob_facts_body_grams_idx;
DROP FUNCTION search_grams(text);

UPDATE blob_facts SET header_grams = pair_grams(header_text), body_grams = pair_grams(body_text);

CREATE FUNCTION blob_facts_grams() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    -- Keys not given with the row, or a text changed without its keys.
    IF NEW.header_grams IS NULL OR (TG_OP = 'UPDATE' AND NEW.header_text IS DISTINCT FROM OLD.header_text
            AND NEW.header_grams IS NOT DISTINCT FROM OLD.header_grams) THEN
        NEW.header_grams := pair_grams(NEW.header_text);
    END IF;
    IF NEW.body_grams IS NULL OR (TG_OP = 'UPDATE' AND NEW.body_text IS DISTINCT FROM OLD.body_text
            AND NEW.body_grams IS NOT DISTINCT FROM OLD.body_grams) THEN
        NEW.body_grams := pair_grams(NEW.body_text);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER blob_facts_grams BEFORE INSERT OR UPDATE OF header_text, body_text ON blob_facts
    FOR EACH ROW EXECUTE FUNCTION blob_facts_grams();

ALTER TABLE blob_facts ALTER COLUMN header_grams SET NOT NULL, ALTER COLUMN body_grams SET NOT NULL;

CREATE INDEX blob_facts_header_grams_idx ON blob_facts USING gin (header_grams);
CREATE INDEX blob_facts_body_grams_idx ON blob_facts USING gin (body_grams);
