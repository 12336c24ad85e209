//go:build !race

package throttle

// raceEnabled reports that the tests run under the race detector.
const raceEnabled = false
