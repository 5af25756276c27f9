-- Attachments of inbound e-mail (the content is not kept above the configured size limit).
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES messages(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    data BYTEA,
    created_ms BIGINT NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

-- Mail kept could not read: stored raw for a human, once per content.
CREATE TABLE unreadable_mail (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    reason TEXT NOT NULL,
    raw BYTEA NOT NULL,
    received_ms BIGINT NOT NULL,
    handled_ms BIGINT,
    handled_by TEXT REFERENCES staff(id)
);
