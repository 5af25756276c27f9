-- A date range's newest index row is found by reading only this index (see newest_in_range in
-- kept-store's search module): (at_ms, rowid) serves that and everything (at_ms) served.
CREATE INDEX search_index_at_rowid ON search_index (at_ms, rowid);
DROP INDEX search_index_at;
-- Reading only the index needs the visibility map to know the rows are visible to all; by
-- default PostgreSQL vacuums a table after inserts of 20 % of its size, which at a million
-- entries would leave the newest 200,000 (the ranges people search most) to be checked row by
-- row in the table.
ALTER TABLE search_index SET (autovacuum_vacuum_insert_scale_factor = 0.01);
