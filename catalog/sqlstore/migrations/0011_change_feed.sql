-- The change feed (Store.Changes): which catalog version last changed each
-- media item, the schedule and the recordings, so that a publisher reads
-- and rewrites only what changed since the version it last published.
-- Rows written before this migration carry 0: a publisher that remembers
-- nothing reads the whole catalog anyway.

ALTER TABLE media ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX media_changed_at ON media (changed_at);

-- An item deleted from media leaves its id here, with the version of its
-- removal, so that the feed reports removals too.
CREATE TABLE media_removed (
	id         TEXT PRIMARY KEY,
	changed_at BIGINT NOT NULL
);
CREATE INDEX media_removed_changed_at ON media_removed (changed_at);

CREATE TABLE catalog_parts (
	part       TEXT PRIMARY KEY,
	changed_at BIGINT NOT NULL
);
INSERT INTO catalog_parts (part, changed_at) VALUES ('schedule', 0);
INSERT INTO catalog_parts (part, changed_at) VALUES ('recordings', 0);
