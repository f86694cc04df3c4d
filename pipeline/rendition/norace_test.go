//go:build !race

package rendition

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
