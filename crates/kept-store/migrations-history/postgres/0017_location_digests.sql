-- The "expected today" e-mail to a location's staff, once per location per local day: the
-- node that inserts the row queues the e-mails in the same transaction; any other node (or a
-- later tick) finds the row and does nothing.
CREATE TABLE location_digests (
    id TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations(id),
    -- The local date, YYYY-MM-DD.
    day TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    UNIQUE (location_id, day)
);
