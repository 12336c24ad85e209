//go:build race

package sqlstore_test

// raceStride is the fraction of the generated searches the differential
// test runs: all of them normally, one in five under the race detector,
// which slows the pure-Go SQLite about twentyfold and finds nothing in a
// test that runs on one goroutine.
const raceStride = 5
