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
    value_cents INTEGER,
    -- 'active', 'renewed', 'left' or 'undecided'.
    status TEXT NOT NULL,
    -- When the next outreach promise appears, and that promise once it has.
    outreach_ms INTEGER NOT NULL,
    outreach_id TEXT REFERENCES promises(id),
    outcome_note TEXT,
    outcome_ms INTEGER,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX contracts_outreach_due ON contracts (outreach_ms) WHERE outreach_id IS NULL;
CREATE INDEX contracts_customer ON contracts (customer_id);
CREATE INDEX contracts_end ON contracts (end_date);
