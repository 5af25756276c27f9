-- Full-text search over messages, notes and logged calls. `terms` holds folded words with
-- their Dutch and English stems plus filter tokens (see kept-domain's search module), so the
-- `simple` configuration only has to split on spaces.
CREATE TABLE search_index (
    rowid BIGSERIAL PRIMARY KEY,
    terms TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED
);
CREATE INDEX search_index_tsv ON search_index USING GIN (tsv);
CREATE INDEX search_index_ref ON search_index (ref_id);
CREATE INDEX search_index_customer ON search_index (customer_id);
