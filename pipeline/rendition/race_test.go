//go:build race

package rendition

// raceEnabled reports whether the tests run under the race detector, which
// makes resizing real photos about ten times slower.
const raceEnabled = true
