-- Browser logins: the sha256 of each session id, the token it was opened
-- with and when it ends. Logout, revoking the token and expiry delete it.

CREATE TABLE sessions (
	hash       TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL,
	created    {{timestamp}},
	expires    {{timestamp}} NOT NULL
);

CREATE INDEX sessions_token_hash ON sessions (token_hash);
CREATE INDEX sessions_expires ON sessions (expires);
