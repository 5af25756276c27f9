-- Who kept or ended a promise (a reply by a colleague, a call by a stand-in): the figures credit
-- a kept promise to them, not to its owner. Older promises have none and keep crediting their
-- owner, as they did.
ALTER TABLE promises ADD COLUMN closed_by TEXT;
