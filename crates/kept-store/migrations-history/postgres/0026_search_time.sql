-- A date range is found through the time column too: at a million messages PostgreSQL
-- otherwise walked the index newest-first through every later month for a common word in an
-- older month (0.6 s); with this index it combines both and sorts the few hundred matches
-- (30 ms). SQLite needs no such index: its full-text index finds the month tokens itself.
CREATE INDEX search_index_at ON search_index (at_ms);
