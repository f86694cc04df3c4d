// Package bench holds the catalog's growth benchmarks: a SQLite catalog
// seeded with 10,000 and 100,000 media items on a conference-sized
// schedule, read through the web app, published and exported (see
// docs/BENCHMARKS.md and `make bench-catalog`). It has no code of its own.
package bench
