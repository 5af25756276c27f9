-- Whether a staff reply reached the customer is read from its outbox item (by message id),
-- every time a conversation is shown.
CREATE INDEX outbox_subject ON outbox (subject_id);
