-- Face recognition (CONFMEDIA_FACE_RECOGNITION, off by default; biometric).
-- recognized: the speakers whose face was recognised in a photo, for their
-- "photos of you"; never published. face_descriptors: the descriptor of the
-- largest face of each tagged headshot, for its speaker, as 128 float32
-- little-endian (512 bytes). The store deletes a row with its headshot and
-- whenever the headshot stops being tagged with that speaker.

ALTER TABLE media ADD COLUMN recognized TEXT NOT NULL DEFAULT '[]';

CREATE TABLE face_descriptors (
	media_id   TEXT PRIMARY KEY,
	speaker_id TEXT NOT NULL,
	descriptor {{bytes}} NOT NULL
);
