-- Someone who left the team: they cannot log in, their tokens stop working and they get no
-- new work; their name stays on the history they made.
ALTER TABLE staff ADD COLUMN active BIGINT NOT NULL DEFAULT 1;

-- API tokens get a name and an id, to be listed and revoked by (the token itself is only
-- ever stored as its hash).
ALTER TABLE api_tokens ADD COLUMN id TEXT;
ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE api_tokens SET id = substr(token_hash, 1, 26) WHERE id IS NULL;
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (id);

-- One-time links to set a password: an invitation to a new staff member, or a reset by the
-- owner. The token is kept in the clear only until the link is used or replaced, because the
-- e-mail carrying it is written when it is delivered (a retry after a crash sends the same
-- link); lookups go by its hash.
CREATE TABLE password_links (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    token_hash TEXT NOT NULL UNIQUE,
    token TEXT,
    created_by TEXT REFERENCES staff(id),
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT
);
CREATE INDEX password_links_staff ON password_links (staff_id);
