//go:build !race

package workers

// raceDetector is set when the tests run under the race detector, which
// makes the face nets tens of times slower.
const raceDetector = false
