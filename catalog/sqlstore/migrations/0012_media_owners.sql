-- Which media items each talk and each speaker has, one row per pair, as
-- the talk_ids and speaker_ids JSON arrays of media say: what lets a
-- filter on one talk or speaker (MediaFilter.TalkID, SpeakerID) read that
-- talk's items through an index instead of every row, so that an export
-- can read each talk's photos when it writes the talk. The store writes
-- both tables with the media row; {{each talk_ids}} and
-- {{each speaker_ids}} are the elements of the row's array as j.value.

CREATE TABLE media_talks (
	talk_id  TEXT NOT NULL,
	media_id TEXT NOT NULL,
	PRIMARY KEY (talk_id, media_id)
);
CREATE INDEX media_talks_media ON media_talks (media_id);

CREATE TABLE media_speakers (
	speaker_id TEXT NOT NULL,
	media_id   TEXT NOT NULL,
	PRIMARY KEY (speaker_id, media_id)
);
CREATE INDEX media_speakers_media ON media_speakers (media_id);

INSERT INTO media_talks (talk_id, media_id) SELECT DISTINCT j.value, media.id FROM media, {{each talk_ids}};
INSERT INTO media_speakers (speaker_id, media_id) SELECT DISTINCT j.value, media.id FROM media, {{each speaker_ids}};
