-- The conference's short name as its schedule gives it (frab <acronym>,
-- pretalx "acronym"), so that an import of another conference's schedule
-- is recognised as one.

ALTER TABLE conference ADD COLUMN acronym TEXT NOT NULL DEFAULT '';
