//go:build race

package throttle

// raceEnabled reports that the tests run under the race detector, which
// makes each mutex operation some twenty times slower.
const raceEnabled = true
