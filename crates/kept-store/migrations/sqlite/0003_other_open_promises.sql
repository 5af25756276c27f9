-- The home page's open promises of the kinds without a list of their own (follow-ups,
-- call-aheads, recovery calls …), soonest due first, without reading past the replies and
-- callbacks — nearly all promises, which do not enter this index at all.
CREATE INDEX promises_open_others ON promises (status, due_ms, id)
    WHERE status = 'open' AND kind NOT IN ('reply', 'callback', 'callback_retry');
