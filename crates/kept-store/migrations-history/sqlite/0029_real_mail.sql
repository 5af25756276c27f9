-- A customer's e-mail address a mail server returned kept's mail for: why, and when. Shown on
-- the customer page; the reply that bounced is marked in its outbox row (status 'bounced').
ALTER TABLE customer_handles ADD COLUMN bounce_reason TEXT;
ALTER TABLE customer_handles ADD COLUMN bounced_ms INTEGER;
-- Answers to an appointment's calendar invitation (accepted, tentative, declined), in order.
CREATE TABLE appointment_answers (
    id TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    answer TEXT NOT NULL,
    comment TEXT,
    at_ms INTEGER NOT NULL
);
CREATE INDEX appointment_answers_appointment ON appointment_answers (appointment_id, at_ms);
CREATE INDEX appointment_answers_customer ON appointment_answers (customer_id);
-- Each mailbox kept fetches from (by user, host and folder): the UIDs it has imported up to,
-- under which UIDVALIDITY, since when it watches, and how fetching goes.
CREATE TABLE mailboxes (
    key TEXT PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid INTEGER NOT NULL,
    started_ms INTEGER NOT NULL,
    polled_ms INTEGER,
    fetched_ms INTEGER,
    error TEXT,
    failing_since_ms INTEGER,
    alerted_ms INTEGER,
    waiting INTEGER NOT NULL DEFAULT 0
);
