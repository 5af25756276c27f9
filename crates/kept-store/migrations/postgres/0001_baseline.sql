-- kept's schema, one migration on both databases (SQLite and PostgreSQL): the squashed
-- history of migrations-history/postgres (0001 to 0033), statement for statement; a test checks
-- that both give the same schema. From here on a change is the next number here, the same
-- number and name in both folders.

-- ── 0001_callbacks.sql ──
-- Times are milliseconds since the Unix epoch (UTC); identifiers are UUIDv7 text.
CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'agent')),
    password_hash TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'nl',
    away BIGINT NOT NULL DEFAULT 0,
    delegate_id TEXT REFERENCES staff(id),
    assignment_seq BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_ms BIGINT NOT NULL
);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT,
    phone TEXT UNIQUE,
    created_ms BIGINT NOT NULL
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
    attempts BIGINT NOT NULL DEFAULT 0,
    promise_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    closed_ms BIGINT
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
    not_before_ms BIGINT NOT NULL,
    due_ms BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    closed_ms BIGINT,
    reminded_ms BIGINT,
    escalated_ms BIGINT
);
CREATE INDEX promises_open_due ON promises (status, due_ms);
CREATE INDEX promises_subject ON promises (subject_id);

CREATE TABLE promise_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    promise_id TEXT NOT NULL REFERENCES promises(id),
    at_ms BIGINT NOT NULL,
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
    at_ms BIGINT NOT NULL
);
CREATE INDEX calls_customer ON calls (customer_id);

-- The transactional outbox: written in the same transaction as the change it announces.
CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel TEXT NOT NULL,
    event TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    recipient_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL,
    delivered_ms BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_ms);

-- ── 0002_conversations.sql ──
-- Customers recognised on other channels, conversations and their messages.
CREATE TABLE customer_handles (
    handle TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    created_ms BIGINT NOT NULL
);
CREATE INDEX customer_handles_customer ON customer_handles (customer_id);

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id TEXT REFERENCES staff(id),
    promise_id TEXT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX conversations_customer ON conversations (customer_id, channel);
CREATE INDEX conversations_status ON conversations (status, updated_ms);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    direction TEXT NOT NULL,
    channel TEXT NOT NULL,
    external_id TEXT,
    staff_id TEXT REFERENCES staff(id),
    body TEXT NOT NULL,
    frustration BIGINT,
    sent_ms BIGINT NOT NULL,
    created_ms BIGINT NOT NULL
);
-- The same message delivered twice is stored once.
CREATE UNIQUE INDEX messages_external ON messages (channel, external_id);
CREATE INDEX messages_conversation ON messages (conversation_id, sent_ms);
CREATE INDEX messages_customer ON messages (customer_id, sent_ms);

-- ── 0003_email.sql ──
-- E-mail: a subject per message, and whether a message waits for an answer (auto-replies do not).
ALTER TABLE messages ADD COLUMN subject TEXT;
ALTER TABLE messages ADD COLUMN needs_reply BIGINT NOT NULL DEFAULT 1;

-- ── 0004_customer_records.sql ──
-- Internal notes and logged phone calls on a customer (optionally on a conversation).
CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    conversation_id TEXT REFERENCES conversations(id),
    staff_id TEXT REFERENCES staff(id),
    body TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX notes_customer ON notes (customer_id, at_ms);

CREATE TABLE phone_calls (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    staff_id TEXT REFERENCES staff(id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    summary TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX phone_calls_customer ON phone_calls (customer_id, at_ms);

-- ── 0005_conversation_tags.sql ──
CREATE TABLE conversation_tags (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    tag TEXT NOT NULL,
    PRIMARY KEY (conversation_id, tag)
);

-- ── 0006_mail_details.sql ──
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

-- ── 0007_search.sql ──
-- Full-text search over messages, notes and logged calls. `terms` holds folded words with
-- their Dutch and English stems plus filter tokens (see kept-domain's search module), so the
-- `simple` configuration only has to split on spaces.
CREATE TABLE search_index (
    rowid BIGSERIAL PRIMARY KEY,
    terms TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED
);
CREATE INDEX search_index_tsv ON search_index USING GIN (tsv);
CREATE INDEX search_index_ref ON search_index (ref_id);
CREATE INDEX search_index_customer ON search_index (customer_id);

-- ── 0008_reply_templates.sql ──
-- Saved replies with merge fields (rendered by the server's template engine).
CREATE TABLE reply_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- ── 0009_follow_ups_erasures.sql ──
-- Follow-ups: something a staff member told a customer they would do, tracked as a promise
-- (kind 'follow_up') whose subject is the row here.
CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    staff_id TEXT REFERENCES staff(id),
    body TEXT NOT NULL,
    promise_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX follow_ups_customer ON follow_ups (customer_id);

-- That a customer's data was erased: when, by whom, why and how many records went. Nothing
-- here identifies the customer.
CREATE TABLE erasures (
    id TEXT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    staff_id TEXT REFERENCES staff(id),
    reason TEXT NOT NULL,
    removed TEXT NOT NULL
);

-- ── 0010_reply_deliveries.sql ──
-- Whether a staff reply reached the customer is read from its outbox item (by message id),
-- every time a conversation is shown.
CREATE INDEX outbox_subject ON outbox (subject_id);

-- ── 0011_settings.sql ──
-- The business's own settings (opening hours, callback windows, targets …) as one JSON
-- document the owner edits; kept.toml gives them until the first save.
CREATE TABLE business_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    document TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    updated_by TEXT REFERENCES staff(id)
);

-- Every change to them: who, when, which key, from what to what.
CREATE TABLE settings_changes (
    id TEXT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    staff_id TEXT REFERENCES staff(id),
    setting TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX settings_changes_at ON settings_changes (at_ms);

-- ── 0012_stand_ins.sql ──
-- Whose work a stand-in holds while they are away, so that it can go back on their return
-- (only what the stand-in still holds: what they passed on or finished stays).
ALTER TABLE promises ADD COLUMN stand_in_for TEXT;
ALTER TABLE conversations ADD COLUMN stand_in_for TEXT;

-- ── 0013_team.sql ──
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

-- ── 0014_reads.sql ──
-- When each staff member last opened each conversation: a conversation with a customer
-- message stored after that is unread for them.
CREATE TABLE conversation_reads (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    read_ms BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, staff_id)
);
CREATE INDEX messages_inbound_stored ON messages (conversation_id, direction, created_ms);

-- ── 0015_appointments.sql ──
-- Appointments: where (locations), what (services), who works when (schedules, absences), and
-- the bookings themselves. Weeks are stored as JSON {"mon": "09:00-17:30", …, "sun": "closed"}.
CREATE TABLE locations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    hours TEXT NOT NULL,
    -- JSON array of YYYY-MM-DD.
    closed_days TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_ms BIGINT NOT NULL
);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    name_nl TEXT NOT NULL,
    name_en TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    buffer_before_minutes BIGINT NOT NULL,
    buffer_after_minutes BIGINT NOT NULL,
    min_notice_minutes BIGINT NOT NULL,
    horizon_days BIGINT NOT NULL,
    field_visit BIGINT NOT NULL,
    visit_window_minutes BIGINT,
    call_ahead_minutes BIGINT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_ms BIGINT NOT NULL
);

CREATE TABLE service_locations (
    service_id TEXT NOT NULL REFERENCES services(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    PRIMARY KEY (service_id, location_id)
);

-- Who may do a service; a service without rows here can be done by anyone on the team.
CREATE TABLE service_staff (
    service_id TEXT NOT NULL REFERENCES services(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    PRIMARY KEY (service_id, staff_id)
);

-- A staff member's own hours at a location. Someone without any works every location's
-- opening hours; someone with some works only where and when these say.
CREATE TABLE staff_hours (
    staff_id TEXT NOT NULL REFERENCES staff(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    hours TEXT NOT NULL,
    PRIMARY KEY (staff_id, location_id)
);

CREATE TABLE staff_absences (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id),
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    note TEXT
);
CREATE INDEX staff_absences_staff ON staff_absences (staff_id);

CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    status TEXT NOT NULL,
    -- As the customer gave them when booking: the confirmation goes to this address.
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    note TEXT,
    address TEXT,
    lang TEXT NOT NULL,
    -- Bumped on every change, for the calendar invitation's SEQUENCE.
    sequence BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX appointments_location_start ON appointments (location_id, start_ms);
CREATE INDEX appointments_staff_start ON appointments (staff_id, start_ms);
CREATE INDEX appointments_customer ON appointments (customer_id);

-- The database's guarantee that a staff member is never booked twice at once: an active
-- appointment claims every block of 5 minutes its staff member is taken (buffers included),
-- and a second booking that needs one of those blocks fails on the primary key, whatever
-- else is running at the same moment. Cancelling releases the blocks.
CREATE TABLE appointment_claims (
    staff_id TEXT NOT NULL,
    block BIGINT NOT NULL,
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    PRIMARY KEY (staff_id, block)
);
CREATE INDEX appointment_claims_appointment ON appointment_claims (appointment_id);

-- Keys kept signs links with (manage an appointment, answer a survey), made once and shared
-- by every node.
CREATE TABLE signing_keys (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

-- ── 0016_appointment_notices.sql ──
-- Reminders to customers before their appointment, each sent exactly once: a row per moment,
-- marked when it went into the outbox (or was skipped because the appointment had started or
-- was cancelled) in the same transaction, on the condition that it was not marked yet.
CREATE TABLE appointment_reminders (
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    due_ms BIGINT NOT NULL,
    done_ms BIGINT,
    -- 'sent' or 'skipped' once done.
    outcome TEXT,
    PRIMARY KEY (appointment_id, due_ms)
);
CREATE INDEX appointment_reminders_pending ON appointment_reminders (due_ms) WHERE done_ms IS NULL;

-- A field visit's call-ahead promise, and the technician's "on my way".
ALTER TABLE appointments ADD COLUMN call_ahead_id TEXT;
ALTER TABLE appointments ADD COLUMN on_my_way_ms BIGINT;
ALTER TABLE appointments ADD COLUMN eta_ms BIGINT;

-- A staff member's secret calendar address (read-only: their own appointments). Kept in the
-- clear because it is shown to them again whenever they look it up; rotating replaces it.
ALTER TABLE staff ADD COLUMN calendar_secret TEXT;
CREATE UNIQUE INDEX staff_calendar_secret ON staff (calendar_secret);

-- Customers who found no suitable time and asked to hear when one frees up.
CREATE TABLE waiting_list (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    location_id TEXT NOT NULL REFERENCES locations(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    -- When a freed time was last offered to them; they stay on the list until they book.
    offered_ms BIGINT,
    booked_ms BIGINT
);
CREATE INDEX waiting_list_wanted ON waiting_list (location_id, service_id, created_ms);
CREATE INDEX waiting_list_customer ON waiting_list (customer_id);

-- ── 0017_location_digests.sql ──
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

-- ── 0018_surveys.sql ──
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

-- ── 0019_contracts.sql ──
-- Contracts and subscriptions, imported or saved by the business's own external id. Weeks
-- before the end an outreach promise appears (claimed once: outreach_id is set on the
-- condition that it is not yet); its outcome renews, ends, or asks again later.
CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    product TEXT NOT NULL,
    -- YYYY-MM-DD.
    start_date TEXT,
    end_date TEXT NOT NULL,
    value_cents BIGINT,
    -- 'active', 'renewed', 'left' or 'undecided'.
    status TEXT NOT NULL,
    -- When the next outreach promise appears, and that promise once it has.
    outreach_ms BIGINT NOT NULL,
    outreach_id TEXT REFERENCES promises(id),
    outcome_note TEXT,
    outcome_ms BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX contracts_outreach_due ON contracts (outreach_ms) WHERE outreach_id IS NULL;
CREATE INDEX contracts_customer ON contracts (customer_id);
CREATE INDEX contracts_end ON contracts (end_date);

-- ── 0020_fans.sql ──
-- Fans: customers who score high and stay long. A staff member who thanked one records it
-- here (once per customer; thanking again replaces the note).
CREATE TABLE fan_thanks (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id),
    staff_id TEXT REFERENCES staff(id),
    note TEXT,
    thanked_ms BIGINT NOT NULL
);

-- ── 0021_insights.sql ──
-- The figures read promises by when they were made, callbacks by their first try, answers by
-- when they came and contracts by when their outcome was recorded.
CREATE INDEX promises_created ON promises (created_ms);
CREATE INDEX calls_callback ON calls (callback_id, at_ms);
CREATE INDEX surveys_answered ON surveys (answered_ms) WHERE answered_ms IS NOT NULL;
CREATE INDEX contracts_outcome ON contracts (outcome_ms) WHERE outcome_ms IS NOT NULL;
-- A customer's open promises, looked up on every call and reply to them (their recovery calls
-- are kept by it): without it each looked through every open promise of the business.
CREATE INDEX promises_customer_open ON promises (customer_id, status);

-- The owner's weekly e-mail with last week's figures, once per week (keyed by the Monday it
-- is about): the node that inserts the row queues the e-mails in the same transaction.
CREATE TABLE weekly_digests (
    id TEXT PRIMARY KEY,
    week TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL
);

-- ── 0022_frustrated_messages.sql ──
-- Conversations in which the customer wrote in frustration (the threshold is
-- kept_domain::conversation::FRUSTRATED_FROM): the missed signals look them up.
CREATE INDEX messages_frustrated ON messages (conversation_id) WHERE direction = 'inbound' AND frustration >= 50;

-- ── 0023_promise_channel.sql ──
-- What the figures read of every promise, stored with it rather than looked up per promise in a
-- quarter of tens of thousands:
-- the channel it is kept on: a reply is on its conversation's channel; calls on the phone; what
-- staff said they would do on "other" (kept_domain's PromiseKind::usual_channel);
ALTER TABLE promises ADD COLUMN channel TEXT NOT NULL DEFAULT 'other';
UPDATE promises SET channel = CASE
    WHEN kind = 'reply' THEN COALESCE((SELECT c.channel FROM conversations c WHERE c.id = promises.subject_id), 'other')
    WHEN kind = 'follow_up' THEN 'other'
    ELSE 'phone' END;
-- and for a reply, whether the customer wrote in frustration (the threshold is
-- kept_domain::conversation::FRUSTRATED_FROM) while it was owed: set as the message comes in.
ALTER TABLE promises ADD COLUMN frustrated BIGINT NOT NULL DEFAULT 0;
UPDATE promises SET frustrated = 1 WHERE kind = 'reply' AND EXISTS (
    SELECT 1 FROM messages m WHERE m.conversation_id = promises.subject_id
    AND m.direction = 'inbound' AND m.frustration >= 50);
-- Which replies those were is now read from the promises, not looked up in their messages.
DROP INDEX messages_frustrated;
-- The channels in use (the inbox's and the figures' choices), found without reading every
-- conversation.
CREATE INDEX conversations_channel ON conversations (channel);

-- ── 0024_tone_dismissals.sql ──
-- Findings of the tone checker that staff marked "not a problem here": the same words are not
-- flagged for that rule again in this business. The owner sees them on the settings page and
-- can take each back. The words are kept as compared: lower case, single spaces.
CREATE TABLE tone_dismissals (
    id TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    staff_id TEXT REFERENCES staff(id),
    created_ms BIGINT NOT NULL,
    UNIQUE (rule, excerpt)
);

-- ── 0025_search_months.sql ──
-- Search terms carry the month (UTC) each record was said in, so a date range is found through
-- the full-text index instead of by scanning every match (see kept-domain's search module).
UPDATE search_index SET terms = terms || ' zzmonth' || to_char(to_timestamp(at_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYYMM');

-- ── 0026_search_time.sql ──
-- A date range is found through the time column too: at a million messages PostgreSQL
-- otherwise walked the index newest-first through every later month for a common word in an
-- older month (0.6 s); with this index it combines both and sorts the few hundred matches
-- (30 ms). SQLite needs no such index: its full-text index finds the month tokens itself.
CREATE INDEX search_index_at ON search_index (at_ms);

-- ── 0027_unread_without_index.sql ──
-- Whether a conversation has a customer message a staff member has not seen is answered by
-- reading that conversation's messages through messages_conversation (a handful per
-- conversation, as the inbox already does for its frustration and last message). The index
-- made for it cost every stored message one more entry keyed by a random conversation id:
-- generating 100,000 messages ran at 2,889–3,043/s with it and 3,431–3,440/s without.
DROP INDEX messages_inbound_stored;

-- ── 0028_search_range_end.sql ──
-- A date range's newest index row is found by reading only this index (see newest_in_range in
-- kept-store's search module): (at_ms, rowid) serves that and everything (at_ms) served.
CREATE INDEX search_index_at_rowid ON search_index (at_ms, rowid);
DROP INDEX search_index_at;
-- Reading only the index needs the visibility map to know the rows are visible to all; by
-- default PostgreSQL vacuums a table after inserts of 20 % of its size, which at a million
-- entries would leave the newest 200,000 (the ranges people search most) to be checked row by
-- row in the table.
ALTER TABLE search_index SET (autovacuum_vacuum_insert_scale_factor = 0.01);

-- ── 0029_search_days.sql ──
-- Search terms carry the day (UTC) each record was said in too: a date range covering only part
-- of a month looks up those days instead of the whole month (see kept-domain's search module).
UPDATE search_index SET terms = terms || ' zzday' || to_char(to_timestamp(at_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYYMMDD');

-- ── 0030_real_mail.sql ──
-- A customer's e-mail address a mail server returned kept's mail for: why, and when. Shown on
-- the customer page; the reply that bounced is marked in its outbox row (status 'bounced').
ALTER TABLE customer_handles ADD COLUMN bounce_reason TEXT;
ALTER TABLE customer_handles ADD COLUMN bounced_ms BIGINT;
-- Answers to an appointment's calendar invitation (accepted, tentative, declined), in order.
CREATE TABLE appointment_answers (
    id TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    answer TEXT NOT NULL,
    comment TEXT,
    at_ms BIGINT NOT NULL
);
CREATE INDEX appointment_answers_appointment ON appointment_answers (appointment_id, at_ms);
CREATE INDEX appointment_answers_customer ON appointment_answers (customer_id);
-- Each mailbox kept fetches from (by user, host and folder): the UIDs it has imported up to,
-- under which UIDVALIDITY, since when it watches, and how fetching goes.
CREATE TABLE mailboxes (
    key TEXT PRIMARY KEY,
    uid_validity BIGINT NOT NULL,
    last_uid BIGINT NOT NULL,
    started_ms BIGINT NOT NULL,
    polled_ms BIGINT,
    fetched_ms BIGINT,
    error TEXT,
    failing_since_ms BIGINT,
    alerted_ms BIGINT,
    waiting BIGINT NOT NULL DEFAULT 0
);

-- ── 0031_credit.sql ──
-- Who kept or ended a promise (a reply by a colleague, a call by a stand-in): the figures credit
-- a kept promise to them, not to its owner. Older promises have none and keep crediting their
-- owner, as they did.
ALTER TABLE promises ADD COLUMN closed_by TEXT;

-- ── 0032_asked_again.sql ──
-- A customer who asks to be called back while their earlier request is still open joins it:
-- how many times they asked, and when last.
ALTER TABLE callback_requests ADD COLUMN asks BIGINT NOT NULL DEFAULT 1;
ALTER TABLE callback_requests ADD COLUMN asked_again_ms BIGINT;
CREATE INDEX callback_requests_open_customer ON callback_requests (customer_id, status);

-- ── 0033_write_first_deliveries.sql ──
-- A conversation staff start may wait for the customer's answer by a moment: a follow-up of
-- the writer's, withdrawn ('answered') as soon as the customer writes back in it.
ALTER TABLE follow_ups ADD COLUMN awaits_conversation_id TEXT;
CREATE INDEX follow_ups_awaiting ON follow_ups (awaits_conversation_id) WHERE awaits_conversation_id IS NOT NULL;

-- The deliveries page lists what kept gave up on, newest first, without reading all it sent.
CREATE INDEX outbox_gave_up ON outbox (id) WHERE status IN ('failed', 'bounced');
