-- IMAP SEARCH over the decoded text in blob_facts (docs/adr/0005-search-with-character-bigrams.md).
--
-- RFC 3501 §6.4.4 asks for a case-insensitive substring match. header_text and body_text are stored in search form
-- already (NFKC, lower case), so a match is strpos(text, query) > 0. To avoid reading every body of a mailbox, a
-- GIN index holds each text's distinct character bigrams: a text can only contain the query if it contains every
-- bigram of the query, so "grams(text) @> grams(query)" narrows the candidates and strpos rechecks them.
--
-- Not pg_trgm: its trigrams come from "words", and what is a word character depends on the database's LC_CTYPE;
-- under the C locale (the embedded server's) it extracts nothing from Japanese text, and a query without trigrams
-- scans the whole index. Character bigrams need no locale, and two characters are already a selective key in
-- Japanese, where words are one to three characters long and are not separated by spaces.

-- The two-character substrings of t (characters, not octets: the database encoding is UTF-8), as many times as they
-- occur (GIN keeps each key once per row anyway). A text shorter than two characters has none, so a one-character
-- query cannot use the index and is answered by strpos alone.
--
-- Written with a few C-implemented string functions instead of a loop or unnest, which cost about 20 times as much
-- per character (measured in docs/adr/0005-search-with-character-bigrams.md); substr(t, i, 2) in a loop is even
-- quadratic in UTF-8, where finding character i means walking from the start. The pairs at odd offsets come from
-- cutting t after every two characters (E'\x01' as the cut), those at even offsets from doing the same to t without
-- its first character; a single character left over at either end is dropped. A \x01 already in the text is
-- changed to \x02 first; the same function is applied to the query, so a query found in a text always has its
-- grams among the text's.
--
-- COST tells the planner what the function really costs: about 0.5 ms for a body of 1,300 characters, some 20,000
-- times cpu_operator_cost. With the default (100) the planner, facing a query whose bigrams are in every message,
-- preferred to scan the mailbox's messages and compute search_grams(body_text) for each of them as a filter: 48 s for
-- 100,000 messages instead of half a second through the index, whose entries are computed already.
CREATE FUNCTION search_grams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 20000
AS $$
    SELECT array_remove(string_to_array(
        regexp_replace(regexp_replace(translate(t, E'\x01', E'\x02'), '(..)', E'\\1\x01', 'g'),
            E'(^|\x01)[^\x01]$', E'\\1')
        || E'\x01' ||
        regexp_replace(regexp_replace(substr(translate(t, E'\x01', E'\x02'), 2), '(..)', E'\\1\x01', 'g'),
            E'(^|\x01)[^\x01]$', E'\\1'),
        E'\x01'), '')
$$;

CREATE INDEX blob_facts_header_grams_idx ON blob_facts USING gin (search_grams(header_text));
CREATE INDEX blob_facts_body_grams_idx ON blob_facts USING gin (search_grams(body_text));

-- The join from a candidate blob back to the searched mailbox: messages by blob (the primary key starts with the
-- account and mailbox, which a bitmap of blob ids cannot use).
CREATE INDEX message_blob_idx ON message (blob_id, account_id, mailbox_id);
