// Package schedule runs grantpipe's jobs unattended: on cron schedules in
// the programme's time zone, one job at a time (one writer), never two
// runs of the same job at once, each run recorded with its outcome, a
// panicking job logged and the schedule going on, and a clean shutdown that
// lets the running job finish or, past a grace period, cancels it.
package schedule

import (
	"grantpipe/pipeline/programme"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
)

// Counts are what a run did.
type Counts struct {
	Files, Findings, Reports int
}

// Job is one named job.
type Job struct {
	Name string
	Spec string // cron expression
	Run  func(ctx context.Context) (Counts, error)
	// Timeout is each run's own deadline; 0 means DefaultTimeout. A run
	// past it is cancelled and recorded as failed.
	Timeout time.Duration
}

// Outcomes of a run.
const (
	OK        = "ok"
	Failed    = "failed"
	Panicked  = "panicked"
	Cancelled = "cancelled"
)

// Triggers of a run.
const (
	Scheduled = "scheduled"
	Manual    = "manual"
)

// Recorder keeps the run history.
type Recorder interface {
	Start(job, trigger string, at time.Time) (int64, error)
	Finish(id int64, at time.Time, outcome string, c Counts, errText string) error
}

// Scheduler runs jobs.
type Scheduler struct {
	log      *slog.Logger
	rec      Recorder
	now      func() time.Time
	cron     *cron.Cron
	jobs     map[string]Job
	writer   sync.Mutex // one job at a time: they share the data directory
	base     context.Context
	cancel   context.CancelFunc
	stopping atomic.Bool
	// OnJob is told when a job starts (its name) and ends (""), e.g. to
	// note it in the lock file for anyone who finds the directory busy.
	OnJob func(name string)
}

// Parser reads five-field cron expressions and descriptors (@daily): the
// configuration's own parser, so that what it accepts is what runs.
var Parser = programme.Parser

// DefaultTimeout is how long a run may take unless its Job says otherwise:
// far beyond the largest batch measured (400 districts × 4 quarters × 5,000
// lines, about 20 minutes), short enough that a run that hangs frees the
// writer for the next.
const DefaultTimeout = 3 * time.Hour

// New prepares a scheduler for jobs in loc. Nothing runs before Start.
func New(loc *time.Location, jobs []Job, rec Recorder, log *slog.Logger) (*Scheduler, error) {
	s := &Scheduler{log: log, rec: rec, now: time.Now, jobs: map[string]Job{}}
	s.base, s.cancel = context.WithCancel(context.Background())
	cl := cronLogger{log}
	// SkipIfStillRunning outside, Recover inside: a panic must not leave the
	// job's slot taken for ever (robfig/cron v3.0.1).
	s.cron = cron.New(cron.WithLocation(loc), cron.WithParser(Parser),
		cron.WithChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)))
	for _, j := range jobs {
		j := j
		if _, err := s.cron.AddFunc(j.Spec, func() { s.Execute(j.Name, Scheduled) }); err != nil {
			return nil, fmt.Errorf("schedule: job %s: %q: %w", j.Name, j.Spec, err)
		}
		s.jobs[j.Name] = j
	}
	return s, nil
}

// Start starts the schedule.
func (s *Scheduler) Start() { s.cron.Start() }

// Jobs lists the job names.
func (s *Scheduler) Jobs() []string {
	var names []string
	for n := range s.jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Execute runs a job now, through the same path as a scheduled run: the
// writer lock, the history, the log, panic recovery. It returns the outcome.
func (s *Scheduler) Execute(name, trigger string) string {
	job, ok := s.jobs[name]
	if !ok {
		s.log.Error("no such job", "job", name)
		return Failed
	}
	s.writer.Lock()
	defer s.writer.Unlock()
	if s.stopping.Load() {
		s.log.Info("job not started: shutting down", "job", name, "trigger", trigger)
		return Cancelled
	}
	if s.OnJob != nil {
		s.OnJob(name)
		defer s.OnJob("")
	}
	start := s.now()
	id, err := s.rec.Start(name, trigger, start)
	if err != nil {
		s.log.Error("run history", "job", name, "err", err)
	}
	s.log.Info("job started", "job", name, "trigger", trigger, "run", id)
	var counts Counts
	var runErr error
	outcome := OK
	func() {
		defer func() {
			if r := recover(); r != nil {
				outcome = Panicked
				runErr = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		timeout := job.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		ctx, cancel := context.WithTimeout(s.base, timeout)
		defer cancel()
		counts, runErr = job.Run(ctx)
	}()
	switch {
	case outcome == Panicked:
	case runErr != nil && (errors.Is(runErr, context.Canceled) || s.base.Err() != nil):
		outcome = Cancelled
	case runErr != nil:
		outcome = Failed
	}
	errText := ""
	if runErr != nil {
		errText = runErr.Error()
	}
	end := s.now()
	if err := s.rec.Finish(id, end, outcome, counts, errText); err != nil {
		s.log.Error("run history", "job", name, "err", err)
	}
	attrs := []any{"job", name, "trigger", trigger, "run", id, "outcome", outcome, "seconds", end.Sub(start).Round(time.Millisecond).Seconds(),
		"files", counts.Files, "findings", counts.Findings, "reports", counts.Reports}
	if runErr != nil {
		s.log.Error("job ended", append(attrs, "err", errText)...)
	} else {
		s.log.Info("job ended", attrs...)
	}
	return outcome
}

// Shutdown stops taking new runs and waits for the running one; past grace
// it cancels it through its context (its transaction rolls back, its files
// stay where they were) and waits for it to return.
func (s *Scheduler) Shutdown(grace time.Duration) {
	s.stopping.Store(true)
	done := s.cron.Stop()
	select {
	case <-done.Done():
	case <-time.After(grace):
		s.log.Warn("grace period over: cancelling the running job", "grace", grace.String())
		s.cancel()
		<-done.Done()
	}
	s.cancel()
}

// Next returns the next n run times of a cron expression after from, in loc.
func Next(spec string, loc *time.Location, from time.Time, n int) ([]time.Time, error) {
	sched, err := Parser.Parse(spec)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	t := from.In(loc)
	for range n {
		t = sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out, nil
}

// cronLogger lets robfig/cron log through slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
