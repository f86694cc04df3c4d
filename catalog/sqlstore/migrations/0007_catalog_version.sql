-- The count of committed changes to the schedule, media and recordings
-- (Store.Version): every such write bumps it in its own transaction, so
-- that the web nodes rebuild their cached public view only when the
-- catalog changed, wherever the change was made.

CREATE TABLE catalog_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n  BIGINT NOT NULL
);

INSERT INTO catalog_version (id, n) VALUES (1, 0);
