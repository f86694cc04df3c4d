//go:build race

package jpegscale

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = true
