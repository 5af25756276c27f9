-- Search terms carry the month (UTC) each record was said in, so a date range is found through
-- the full-text index instead of by scanning every match (see kept-domain's search module).
-- The index is built anew rather than updated row by row: an UPDATE of every row of an FTS5
-- table deletes and re-adds each row's terms (with secure-delete), which took over ten minutes
-- at a million messages; one bulk insert into a fresh table takes a fraction of that.
CREATE VIRTUAL TABLE search_index_rebuilt USING fts5(
    terms,
    kind UNINDEXED,
    ref_id UNINDEXED,
    customer_id UNINDEXED,
    at_ms UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search_index_rebuilt (rowid, terms, kind, ref_id, customer_id, at_ms)
    SELECT rowid, terms || ' zzmonth' || strftime('%Y%m', at_ms / 1000, 'unixepoch'), kind, ref_id, customer_id, at_ms
    FROM search_index ORDER BY rowid;
DROP TABLE search_index;
ALTER TABLE search_index_rebuilt RENAME TO search_index;
-- Erased text must not linger in the index's pages (as set up in 0009).
INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1);
