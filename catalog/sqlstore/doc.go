// Package sqlstore keeps the catalog in a SQL database: SQLite (through the
// pure-Go modernc.org/sqlite driver) for a single host, PostgreSQL (through
// pgx) for everything larger. One implementation serves both; the few places
// where the dialects differ are collected in dialect.go.
//
// # Schema
//
// The schema is created and upgraded by the numbered files in migrations/,
// embedded in the binary and applied in one transaction by Open; the
// schema_migrations table records which have run. The files are written in
// the subset of SQL both databases accept, with these placeholders:
// {{timestamp}} (TEXT holding fixed-width RFC 3339 UTC in SQLite, TIMESTAMPTZ
// in PostgreSQL), {{bytes}} (BLOB, BYTEA), and {{each talk_ids}} and
// {{each speaker_ids}}, a FROM item that yields the elements of the media
// row's JSON array as j.value (json_each, json_array_elements_text).
//
// List fields of a row (a media item's talks, speakers, people, subjects,
// candidates and renditions; a talk's speakers; a recording's speakers and
// candidates) are JSON arrays in TEXT columns; a media item's talks and
// speakers are also rows of media_talks and media_speakers, written with
// it, which the talk and speaker filters read through their indexes.
// Durations are int64 nanoseconds, camera times their catalog.CameraTime
// string form. Times are
// kept to the microsecond, PostgreSQL's resolution, in both dialects, so that
// both behave alike; they come back in UTC, except talk times, which come
// back in the venue's zone.
//
// # Concurrency
//
// The web server and the workers may open the same SQLite file at once. The
// file is in WAL mode with a 10 s busy timeout; writes go through a pool of
// one connection whose transactions begin IMMEDIATE, so a read-modify-write
// never has to upgrade a read lock (the case SQLite fails at once with
// SQLITE_BUSY), and writers from other processes wait for the lock instead
// of failing. Reads use a separate pool of read-only connections. In
// PostgreSQL read-modify-writes lock their row with SELECT … FOR UPDATE.
package sqlstore
