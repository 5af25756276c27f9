-- Search terms carry the day (UTC) each record was said in too: a date range covering only part
-- of a month looks up those days instead of the whole month (see kept-domain's search module).
UPDATE search_index SET terms = terms || ' zzday' || to_char(to_timestamp(at_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYYMMDD');
