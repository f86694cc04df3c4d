-- A speaker token belongs to one speaker: the id of the speaker whose
-- page and downloads it opens. Empty for other roles, and for speaker
-- tokens made before, which open no private speaker page.

ALTER TABLE tokens ADD COLUMN speaker_id TEXT NOT NULL DEFAULT '';
