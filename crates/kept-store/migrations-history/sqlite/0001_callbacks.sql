-- Times are milliseconds since the Unix epoch (UTC); identifiers are UUIDv7 text.
CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'agent')),
    password_hash TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'nl',
    away INTEGER NOT NULL DEFAULT 0,
    delegate_id TEXT REFERENCES staff(id),
    assignment_seq INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL
);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT,
    phone TEXT UNIQUE,
    created_ms INTEGER NOT NULL
);

CREATE TABLE callback_requests (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    phone TEXT NOT NULL,
    name TEXT,
    window_code TEXT NOT NULL,
    note TEXT,
    lang TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    promise_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    closed_ms INTEGER
);
CREATE INDEX callback_requests_status ON callback_requests (status, created_ms);
CREATE INDEX callback_requests_customer ON callback_requests (customer_id);

CREATE TABLE promises (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    customer_id TEXT REFERENCES customers(id),
    owner_id TEXT REFERENCES staff(id),
    status TEXT NOT NULL,
    not_before_ms INTEGER NOT NULL,
    due_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    closed_ms INTEGER,
    reminded_ms INTEGER,
    escalated_ms INTEGER
);
CREATE INDEX promises_open_due ON promises (status, due_ms);
CREATE INDEX promises_subject ON promises (subject_id);

CREATE TABLE promise_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    promise_id TEXT NOT NULL REFERENCES promises(id),
    at_ms INTEGER NOT NULL,
    event TEXT NOT NULL,
    actor_id TEXT,
    detail TEXT
);
CREATE INDEX promise_events_promise ON promise_events (promise_id);

CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    callback_id TEXT NOT NULL REFERENCES callback_requests(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    staff_id TEXT REFERENCES staff(id),
    outcome TEXT NOT NULL,
    note TEXT,
    at_ms INTEGER NOT NULL
);
CREATE INDEX calls_customer ON calls (customer_id);

-- The transactional outbox: written in the same transaction as the change it announces.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    event TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    recipient_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    locked_until_ms INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    delivered_ms INTEGER,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_ms);
