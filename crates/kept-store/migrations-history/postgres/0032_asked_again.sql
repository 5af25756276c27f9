-- A customer who asks to be called back while their earlier request is still open joins it:
-- how many times they asked, and when last.
ALTER TABLE callback_requests ADD COLUMN asks BIGINT NOT NULL DEFAULT 1;
ALTER TABLE callback_requests ADD COLUMN asked_again_ms BIGINT;
CREATE INDEX callback_requests_open_customer ON callback_requests (customer_id, status);
