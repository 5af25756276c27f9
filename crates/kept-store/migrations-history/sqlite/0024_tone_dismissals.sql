-- Findings of the tone checker that staff marked "not a problem here": the same words are not
-- flagged for that rule again in this business. The owner sees them on the settings page and
-- can take each back. The words are kept as compared: lower case, single spaces.
CREATE TABLE tone_dismissals (
    id TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    staff_id TEXT REFERENCES staff(id),
    created_ms INTEGER NOT NULL,
    UNIQUE (rule, excerpt)
);
