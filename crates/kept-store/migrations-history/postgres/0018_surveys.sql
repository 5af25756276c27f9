-- Asking customers how it went. A survey is planned with its moment to be sent, marked sent
-- (and later reminded, once) in the transaction that queues its e-mail, and answered at most
-- once per field: answering again changes the answer.
CREATE TABLE surveys (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    -- 'csat', 'nps' or 'exit'.
    kind TEXT NOT NULL,
    -- What made kept ask: 'callback', 'conversation', 'appointment', 'schedule', 'contract_left'.
    trigger_kind TEXT NOT NULL,
    -- The callback request, conversation, appointment or contract it is about.
    about_id TEXT,
    -- Who handled the contact: the owner of a recovery call.
    handler_id TEXT REFERENCES staff(id),
    email TEXT NOT NULL,
    name TEXT,
    lang TEXT NOT NULL,
    -- 'planned', 'sent' or 'answered'.
    status TEXT NOT NULL,
    send_ms BIGINT NOT NULL,
    sent_ms BIGINT,
    reminded_ms BIGINT,
    score BIGINT,
    reason TEXT,
    comment TEXT,
    answered_ms BIGINT,
    recovery_id TEXT REFERENCES promises(id),
    created_ms BIGINT NOT NULL
);
CREATE INDEX surveys_to_send ON surveys (status, send_ms);
CREATE INDEX surveys_customer ON surveys (customer_id, created_ms);

-- The frequency cap: when a customer was last asked anything. Claimed with a conditional
-- update, so two triggers at once (on two nodes) plan one survey.
ALTER TABLE customers ADD COLUMN last_survey_ms BIGINT;
