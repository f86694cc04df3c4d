//go:build race

package face

// raceEnabled: the race detector makes the nets some 20 times slower.
const raceEnabled = true
