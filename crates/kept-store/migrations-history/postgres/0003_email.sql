-- E-mail: a subject per message, and whether a message waits for an answer (auto-replies do not).
ALTER TABLE messages ADD COLUMN subject TEXT;
ALTER TABLE messages ADD COLUMN needs_reply BIGINT NOT NULL DEFAULT 1;
