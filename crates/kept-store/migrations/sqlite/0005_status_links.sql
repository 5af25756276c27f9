-- The customer's own page of a request (/p/<token>): one link per conversation or callback
-- request, made when first needed. Revoking deletes it (the next one is a new token); erasing
-- the customer deletes it, and so does merging them into another (register).
CREATE TABLE status_links (
    token TEXT PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    created_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX status_links_subject ON status_links (subject_kind, subject_id);
CREATE INDEX status_links_customer ON status_links (customer_id);

-- When the customer opened their page: on their timeline ("klant bekeek de status 10:02").
CREATE TABLE status_views (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX status_views_customer ON status_views (customer_id, at_ms);
CREATE INDEX status_views_subject ON status_views (subject_id, at_ms);
