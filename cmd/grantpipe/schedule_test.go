package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/lock"
	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

// waitForLine reads r until a line contains want.
func waitForLine(t *testing.T, sc *bufio.Scanner, want string) {
	t.Helper()
	for sc.Scan() {
		if strings.Contains(sc.Text(), want) {
			return
		}
	}
	t.Fatalf("the process ended without saying %q", want)
}

// TestSIGTERMDuringAnIngestLosesNothing stops the scheduler in the middle
// of a submission's transaction: that submission rolls back and stays in
// the inbox, the ones before are stored once, the run history says the run
// was cancelled, and the next run finishes the job.
func TestSIGTERMDuringAnIngestLosesNothing(t *testing.T) {
	d := crashData(t)
	cmd := child(t, []string{"GRANTPIPE_PAUSE_AT=row:30"}, "schedule", "--data", d.Root, "--run-now", "ingest", "--grace", "0s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	waitForLine(t, sc, "pausing at row:30")
	cmd.Process.Signal(syscall.SIGTERM)
	go func() {
		for sc.Scan() {
		}
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the scheduler did not exit cleanly on SIGTERM: %v", err)
	}
	checkNothingLost(t, d)
	st, err := store.OpenReadOnly(context.Background(), d.Database(), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	var outcome, errText string
	st.Raw().QueryRow("SELECT outcome, coalesce(error, '') FROM job_runs ORDER BY id DESC LIMIT 1").Scan(&outcome, &errText)
	var stored int
	st.Raw().QueryRow("SELECT count(*) FROM submissions").Scan(&stored)
	st.Close()
	if outcome != "cancelled" || !strings.Contains(errText, "context canceled") {
		t.Errorf("history says %s (%s), want cancelled", outcome, errText)
	}
	if archived := len(files(t, d.Archive())) + len(files(t, d.Rejected())); archived != stored {
		t.Errorf("%d files archived or rejected, %d submissions stored: each stored one must have left the inbox, no other", archived, stored)
	}
	if stored >= crashFiles {
		t.Errorf("all %d files were stored: the signal came too late to test anything", stored)
	}
	if out, err := child(t, nil, "schedule", "--data", d.Root, "--run-now", "ingest").CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	checkFinished(t, d)
}

// TestASecondWriterIsRefusedWhileTheSchedulerRuns: the scheduler holds the
// data directory; another writer stops at once naming it, while status can
// still read.
func TestASecondWriterIsRefusedWhileTheSchedulerRuns(t *testing.T) {
	d := datadir.New(t.TempDir())
	if code, _, errOut := run(t, "run", "--demo", "--data", d.Root); code != 0 {
		t.Fatalf("run --demo: %s", errOut)
	}
	cmd := child(t, nil, "schedule", "--data", d.Root)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for i := 0; ; i++ {
		if info, ok := lock.Read(d.Root); ok && info.Command == "grantpipe schedule" {
			break
		}
		if i > 500 {
			t.Fatal("the scheduler did not take the data directory")
		}
		time.Sleep(10 * time.Millisecond)
	}
	code, _, errOut := run(t, "ingest", "--data", d.Root)
	if code != exitError || !strings.Contains(errOut, "in use by another grantpipe process: pid") || !strings.Contains(errOut, `"grantpipe schedule"`) {
		t.Errorf("second writer: exit %d, %q", code, errOut)
	}
	code, out, errOut := run(t, "status", "--data", d.Root, "--json")
	if code != 0 {
		t.Fatalf("status while the scheduler runs: %d %s", code, errOut)
	}
	var st jobs.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(st.Scheduler, "grantpipe schedule") || len(st.Next) != 4 || len(st.Matrix) != 14*4 {
		t.Errorf("status: scheduler %q, %d next runs, %d matrix cells", st.Scheduler, len(st.Next), len(st.Matrix))
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("the scheduler did not exit cleanly on SIGTERM: %v", err)
	}
}

// TestAJobRunTwiceChangesNothingTheSecondTime: the ingest job, run twice in
// a row, writes no report and no database row the second time but its own
// history line.
func TestAJobRunTwiceChangesNothingTheSecondTime(t *testing.T) {
	d := datadir.New(t.TempDir())
	if code, _, errOut := run(t, "demo", "--data", d.Root); code != 0 {
		t.Fatal(errOut)
	}
	for i := 0; i < 2; i++ {
		if code, _, errOut := run(t, "schedule", "--data", d.Root, "--run-now", "ingest"); code != 0 {
			t.Fatalf("run-now %d: %s", i, errOut)
		}
	}
	st, err := store.OpenReadOnly(context.Background(), d.Database(), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var runs, validations, files2, reports2 int
	st.Raw().QueryRow("SELECT count(*) FROM job_runs WHERE outcome = 'ok'").Scan(&runs)
	st.Raw().QueryRow("SELECT count(*) FROM validation_runs").Scan(&validations)
	st.Raw().QueryRow("SELECT files, reports FROM job_runs ORDER BY id DESC LIMIT 1").Scan(&files2, &reports2)
	if runs != 2 || validations != 1 || files2 != 0 || reports2 != 0 {
		t.Errorf("%d ok runs, %d validations, second run %d files %d reports; want 2, 1, 0, 0", runs, validations, files2, reports2)
	}
	if _, err := os.Stat(filepath.Join(d.Reports(), "2026", "Sachsen-Anhalt_2026.pdf")); err != nil {
		t.Error(err)
	}
}
