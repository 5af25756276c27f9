-- Fans: customers who score high and stay long. A staff member who thanked one records it
-- here (once per customer; thanking again replaces the note).
CREATE TABLE fan_thanks (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id),
    staff_id TEXT REFERENCES staff(id),
    note TEXT,
    thanked_ms INTEGER NOT NULL
);
