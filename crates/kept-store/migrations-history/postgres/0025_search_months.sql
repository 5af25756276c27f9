-- Search terms carry the month (UTC) each record was said in, so a date range is found through
-- the full-text index instead of by scanning every match (see kept-domain's search module).
UPDATE search_index SET terms = terms || ' zzmonth' || to_char(to_timestamp(at_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYYMM');
