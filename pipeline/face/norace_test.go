//go:build !race

package face

// raceDetector is set when the tests run under the race detector, which
// makes the nets tens of times slower.
const raceDetector = false
