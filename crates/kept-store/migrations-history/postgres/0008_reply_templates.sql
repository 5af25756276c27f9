-- Saved replies with merge fields (rendered by the server's template engine).
CREATE TABLE reply_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);
