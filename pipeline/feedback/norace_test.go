//go:build !race

package feedback_test

const raceEnabled = false
