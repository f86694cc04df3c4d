// Package pipeline holds confmedia's pure verbs: reading metadata (exif),
// rendering (rendition), deciding (match) and parsing imports (schedule,
// recording, filetype). They take bytes, values, a zone and a clock, and
// never read the wall clock or the server's zone, or touch the network, a
// database, the queue or the bucket; pure_test.go keeps it that way.
package pipeline
