-- Full-text search over messages, notes and logged calls. `terms` holds folded words with
-- their Dutch and English stems plus filter tokens (see kept-domain's search module); the
-- rowid grows with insertion, so "newest first" is the index's own order.
CREATE VIRTUAL TABLE search_index USING fts5(
    terms,
    kind UNINDEXED,
    ref_id UNINDEXED,
    customer_id UNINDEXED,
    at_ms UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
