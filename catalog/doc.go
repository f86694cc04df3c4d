// Package catalog holds confmedia's domain: the nouns of a conference's media
// catalog (talks, speakers, media items, renditions, recordings, cameras),
// the small store and blob interfaces the adapters implement, the error type
// shared by every layer, and the catalog document that is exported and
// published.
//
// It imports only the standard library. Adapters live beside it:
// catalog/sqlstore (SQLite and PostgreSQL), catalog/s3store (any
// S3-compatible store); catalog/catalogtest holds the conformance suites that
// every implementation, the in-memory fakes included, must pass.
package catalog
