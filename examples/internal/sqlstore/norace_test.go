//go:build !race

package sqlstore_test

// raceStride is the fraction of the generated searches the differential
// test runs; see race_test.go.
const raceStride = 1
