-- The catalog: the schedule, media items, cameras, recordings and tokens.
-- {{timestamp}} and {{bytes}} are replaced per dialect (see doc.go).

CREATE TABLE conference (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	title    TEXT NOT NULL,
	timezone TEXT NOT NULL
);

CREATE TABLE talks (
	id            TEXT PRIMARY KEY,
	title         TEXT NOT NULL,
	start_at      {{timestamp}},
	end_at        {{timestamp}},
	room          TEXT NOT NULL,
	speaker_ids   TEXT NOT NULL DEFAULT '[]',
	track         TEXT NOT NULL DEFAULT '',
	type          TEXT NOT NULL DEFAULT '',
	guid          TEXT NOT NULL DEFAULT '',
	code          TEXT NOT NULL DEFAULT '',
	slug          TEXT NOT NULL DEFAULT '',
	url           TEXT NOT NULL DEFAULT '',
	do_not_record BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE INDEX talks_start ON talks (start_at, id);

CREATE TABLE speakers (
	id   TEXT PRIMARY KEY,
	name TEXT NOT NULL
);

CREATE TABLE media (
	id                 TEXT PRIMARY KEY,
	kind               TEXT NOT NULL,
	source_name        TEXT NOT NULL,
	content_type       TEXT NOT NULL,
	bytes              BIGINT NOT NULL,
	original_key       TEXT NOT NULL,
	photographer       TEXT NOT NULL,
	room               TEXT NOT NULL,
	speaker_hint       TEXT NOT NULL,
	clock_offset       BIGINT NOT NULL,
	has_offset         BOOLEAN NOT NULL,
	uploaded_at        {{timestamp}},
	status             TEXT NOT NULL,
	reason             TEXT NOT NULL,
	generation         BIGINT NOT NULL,
	camera             TEXT NOT NULL,
	make               TEXT NOT NULL,
	model              TEXT NOT NULL,
	serial             TEXT NOT NULL,
	camera_time        TEXT NOT NULL,
	camera_time_source TEXT NOT NULL,
	taken_at           {{timestamp}},
	width              INTEGER NOT NULL,
	height             INTEGER NOT NULL,
	people             TEXT NOT NULL DEFAULT '[]',
	subjects           TEXT NOT NULL DEFAULT '[]',
	rating             INTEGER NOT NULL,
	has_gps            BOOLEAN NOT NULL,
	artist             TEXT NOT NULL,
	copyright          TEXT NOT NULL,
	license            TEXT NOT NULL,
	talk_ids           TEXT NOT NULL DEFAULT '[]',
	speaker_ids        TEXT NOT NULL DEFAULT '[]',
	candidates         TEXT NOT NULL DEFAULT '[]',
	renditions         TEXT NOT NULL DEFAULT '[]',
	processed_at       {{timestamp}}
);

CREATE INDEX media_order ON media (taken_at, id);
CREATE INDEX media_status ON media (status);
CREATE INDEX media_camera ON media (camera);

CREATE TABLE cameras (
	key          TEXT PRIMARY KEY,
	clock_offset BIGINT NOT NULL,
	has_offset   BOOLEAN NOT NULL,
	photographer TEXT NOT NULL
);

CREATE TABLE recordings (
	id          TEXT PRIMARY KEY,
	url         TEXT NOT NULL,
	title       TEXT NOT NULL,
	speakers    TEXT NOT NULL DEFAULT '[]',
	description TEXT NOT NULL,
	recorded    TEXT NOT NULL,
	room        TEXT NOT NULL,
	start_wall  TEXT NOT NULL,
	duration    BIGINT NOT NULL,
	source_id   TEXT NOT NULL,
	talk_ref    TEXT NOT NULL,
	thumbnail   TEXT NOT NULL,
	raw         {{bytes}},
	state       TEXT NOT NULL,
	talk_id     TEXT NOT NULL,
	reason      TEXT NOT NULL,
	candidates  TEXT NOT NULL DEFAULT '[]',
	generation  BIGINT NOT NULL
);

CREATE TABLE tokens (
	hash    TEXT PRIMARY KEY,
	role    TEXT NOT NULL,
	name    TEXT NOT NULL,
	created {{timestamp}},
	expires {{timestamp}}
);
