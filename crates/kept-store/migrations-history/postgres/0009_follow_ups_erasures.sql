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
