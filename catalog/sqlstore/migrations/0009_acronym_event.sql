-- The conference's short name as its schedule gives it (frab <acronym>,
-- pretalx "acronym"), so that an import of another conference's schedule
-- is recognised as one; and the event a recording's archive files it under
-- (a pyvideo category's title).

ALTER TABLE conference ADD COLUMN acronym TEXT NOT NULL DEFAULT '';
ALTER TABLE recordings ADD COLUMN event TEXT NOT NULL DEFAULT '';
