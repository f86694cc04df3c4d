-- A person's decisions on media items and recordings, which re-tagging and
-- re-matching never override, and the people who opted out of photos.

ALTER TABLE media ADD COLUMN decided BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE media ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN decided_at {{timestamp}};

ALTER TABLE recordings ADD COLUMN decided BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE recordings ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';

CREATE TABLE opt_outs (
	name       TEXT PRIMARY KEY,
	speaker_id TEXT NOT NULL,
	reason     TEXT NOT NULL,
	created    {{timestamp}}
);
