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
    created_ms INTEGER NOT NULL
);
