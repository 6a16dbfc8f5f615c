package schedule

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata"

	"grantpipe/pipeline/programme"
)

// TestDefaultJobsOverAYearInBerlin follows every default job through 2026
// in Europe/Berlin, across both daylight saving changes (29 March, 25
// October): every run in order, none in the quiet hour, none skipped, none
// twice.
func TestDefaultJobsOverAYearInBerlin(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	def := programme.DefaultSchedule()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, loc)
	want := map[string]int{"ingest": 365 * 23 * 4, "quarterly": 4, "reminders": 4, "annual": 1}
	for _, name := range programme.JobNames {
		sched, err := Parser.Parse(def.Jobs[name])
		if err != nil {
			t.Fatal(err)
		}
		perDay := map[string]int{}
		n := 0
		prev := start.Add(-time.Second)
		for at := sched.Next(start.Add(-time.Second)); at.Before(end); at = sched.Next(at) {
			if !at.After(prev) {
				t.Fatalf("%s: %v does not follow %v", name, at, prev)
			}
			if at.Hour() == 2 {
				t.Errorf("%s runs at %v, in the quiet hour", name, at)
			}
			perDay[at.Format("2006-01-02")]++
			prev = at
			n++
		}
		if n != want[name] {
			t.Errorf("%s runs %d times in 2026, want %d", name, n, want[name])
		}
		if name == "ingest" {
			for _, day := range []string{"2026-03-29", "2026-10-25", "2026-06-01"} {
				if perDay[day] != 92 {
					t.Errorf("ingest runs %d times on %s, want 92", perDay[day], day)
				}
			}
		}
	}
}

type memRecorder struct {
	mu   sync.Mutex
	runs []string
}

func (m *memRecorder) Start(job, trigger string, at time.Time) (int64, error) { return 1, nil }
func (m *memRecorder) Finish(id int64, at time.Time, outcome string, c Counts, errText string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.runs = append(m.runs, outcome)
	return nil
}

func TestASlowJobIsNotStartedAgainWhileItRuns(t *testing.T) {
	loc := time.UTC
	release := make(chan struct{})
	var started atomic.Int32
	rec := &memRecorder{}
	s, err := New(loc, []Job{{Name: "slow", Spec: "* * * * *", Run: func(ctx context.Context) (Counts, error) {
		started.Add(1)
		<-release
		return Counts{}, nil
	}}}, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	run := s.cron.Entries()[0].WrappedJob // what cron calls at each tick
	first := make(chan struct{})
	go func() { run.Run(); close(first) }()
	for started.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	run.Run() // the next tick while the first run still runs: skipped
	close(release)
	<-first
	if n := started.Load(); n != 1 {
		t.Errorf("the job started %d times, want 1", n)
	}
	run.Run()
	if n := started.Load(); n != 2 {
		t.Errorf("after the first run ended the job started %d times in all, want 2", n)
	}
}

func TestAPanickingJobDoesNotStopLaterRuns(t *testing.T) {
	var calls atomic.Int32
	rec := &memRecorder{}
	s, err := New(time.UTC, []Job{{Name: "fragile", Spec: "* * * * *", Run: func(ctx context.Context) (Counts, error) {
		if calls.Add(1) == 1 {
			panic("broken workbook")
		}
		return Counts{Files: 1}, nil
	}}}, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	run := s.cron.Entries()[0].WrappedJob
	run.Run()
	run.Run()
	run.Run()
	if calls.Load() != 3 {
		t.Errorf("the job ran %d times, want 3", calls.Load())
	}
	if len(rec.runs) != 3 || rec.runs[0] != Panicked || rec.runs[1] != OK {
		t.Errorf("history %v, want panicked, ok, ok", rec.runs)
	}
}

func TestJobsNeverOverlap(t *testing.T) {
	var running, most atomic.Int32
	job := func(ctx context.Context) (Counts, error) {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
		return Counts{}, nil
	}
	s, err := New(time.UTC, []Job{{Name: "a", Spec: "* * * * *", Run: job}, {Name: "b", Spec: "* * * * *", Run: job}},
		&memRecorder{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 5 {
		for _, e := range s.cron.Entries() {
			wg.Add(1)
			go func() { defer wg.Done(); e.WrappedJob.Run() }()
		}
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d jobs ran at once, want 1", most.Load())
	}
}

func TestShutdownCancelsARunningJobAfterTheGracePeriod(t *testing.T) {
	rec := &memRecorder{}
	started := make(chan struct{})
	s, err := New(time.UTC, []Job{{Name: "long", Spec: "* * * * *", Run: func(ctx context.Context) (Counts, error) {
		close(started)
		<-ctx.Done()
		return Counts{}, ctx.Err()
	}}}, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	go s.Execute("long", Manual)
	<-started
	s.Shutdown(10 * time.Millisecond)
	// Execute records after the job returns; wait for it.
	for i := 0; i < 1000; i++ {
		rec.mu.Lock()
		n := len(rec.runs)
		rec.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if len(rec.runs) != 1 || rec.runs[0] != Cancelled {
		t.Errorf("history %v, want cancelled", rec.runs)
	}
	if s.Execute("long", Manual) != Cancelled {
		t.Error("a job started after shutdown ran")
	}
}

func TestEachRunHasItsOwnDeadline(t *testing.T) {
	rec := &memRecorder{}
	var deadlines []time.Time
	s, err := New(time.UTC, []Job{{Name: "hangs", Spec: "* * * * *", Timeout: 30 * time.Millisecond, Run: func(ctx context.Context) (Counts, error) {
		d, _ := ctx.Deadline()
		deadlines = append(deadlines, d)
		<-ctx.Done()
		return Counts{}, ctx.Err()
	}}}, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Execute("hangs", Manual); got != Failed {
		t.Errorf("a run past its deadline: %s, want %s", got, Failed)
	}
	if got := s.Execute("hangs", Manual); got != Failed {
		t.Errorf("the next run: %s, want %s", got, Failed)
	}
	if len(deadlines) != 2 || !deadlines[1].After(deadlines[0]) {
		t.Errorf("deadlines %v: each run wants its own", deadlines)
	}
}
