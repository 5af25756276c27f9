-- Reminders to customers before their appointment, each sent exactly once: a row per moment,
-- marked when it went into the outbox (or was skipped because the appointment had started or
-- was cancelled) in the same transaction, on the condition that it was not marked yet.
CREATE TABLE appointment_reminders (
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    due_ms INTEGER NOT NULL,
    done_ms INTEGER,
    -- 'sent' or 'skipped' once done.
    outcome TEXT,
    PRIMARY KEY (appointment_id, due_ms)
);
CREATE INDEX appointment_reminders_pending ON appointment_reminders (due_ms) WHERE done_ms IS NULL;

-- A field visit's call-ahead promise, and the technician's "on my way".
ALTER TABLE appointments ADD COLUMN call_ahead_id TEXT;
ALTER TABLE appointments ADD COLUMN on_my_way_ms INTEGER;
ALTER TABLE appointments ADD COLUMN eta_ms INTEGER;

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
    created_ms INTEGER NOT NULL,
    -- When a freed time was last offered to them; they stay on the list until they book.
    offered_ms INTEGER,
    booked_ms INTEGER
);
CREATE INDEX waiting_list_wanted ON waiting_list (location_id, service_id, created_ms);
CREATE INDEX waiting_list_customer ON waiting_list (customer_id);
