package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCrashThenAnotherSessionLosesNothing kills the ingest right after a
// submission's commit, lets one other process open the database for
// writing, write and close it (DuckDB replays the crashed run's write-ahead
// log and checkpoints it), and only then reruns the ingest: every file must
// still be stored exactly once. The session in between is what the
// scheduler does before each job (its run history opens the database,
// records the start and closes it), or any command that writes.
func TestCrashThenAnotherSessionLosesNothing(t *testing.T) {
	between := []struct {
		name string
		args func(root string) []string
	}{
		// The scheduler records the start in a session of its own, then
		// the job opens the database again and ingests: both at once.
		{"the scheduled ingest", func(root string) []string {
			return []string{"schedule", "--data", root, "--run-now", "ingest"}
		}},
		// A job that does not ingest, then the ingest by hand.
		{"the scheduled reminders", func(root string) []string {
			return []string{"schedule", "--data", root, "--run-now", "reminders"}
		}},
		// Commands that write without reading the submissions first.
		{"a payout import", func(root string) []string {
			return []string{"payouts", "import", "--data", root, filepath.Join("..", "..", "testdata", "payouts", "auszahlungen_2026-06.csv")}
		}},
		{"a validation", func(root string) []string {
			return []string{"validate", "--data", root}
		}},
	}
	// Killed after the commit of an accepted file (at move) and of a
	// rejected one (at errors): the submissions committed so far are in the
	// write-ahead log only.
	for _, point := range []string{"move", "errors"} {
		for _, b := range between {
			t.Run("killed at "+point+", then "+b.name+", then the ingest stores each file once", func(t *testing.T) {
				d := crashData(t)
				out, err := child(t, []string{"GRANTPIPE_CRASH_AT=" + point}, "ingest", "--data", d.Root).CombinedOutput()
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != 86 {
					t.Fatalf("ingest did not crash as asked: %v\n%s", err, out)
				}
				checkNothingLost(t, d)
				// validate exits 1 when it finds errors, and a payout list
				// may name a payout the demo does not know; what matters
				// here is that the command wrote and closed the database.
				out, err = child(t, nil, b.args(d.Root)...).CombinedOutput()
				if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 1) {
					t.Fatalf("%s: %v\n%s", b.name, err, out)
				}
				checkNothingLost(t, d)
				if out, err := child(t, nil, "ingest", "--data", d.Root).CombinedOutput(); err != nil {
					t.Fatalf("rerun: %v\n%s", err, out)
				}
				checkFinished(t, d)
			})
		}
	}
}
