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
