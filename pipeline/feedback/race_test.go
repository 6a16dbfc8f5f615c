//go:build race

package feedback_test

// raceEnabled tells timing assertions that the race detector slows every
// memory access several times over.
const raceEnabled = true
