package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/schedule"
)

func runSchedule(ctx context.Context, a *app, args []string) error {
	fs := a.flags("schedule", true)
	runNow := fs.String("run-now", "", "run this `job` at once (ingest, quarterly, reminders, annual), through the same code path, and exit")
	grace := fs.Duration("grace", -1, "how long a running job may finish after SIGTERM before it is cancelled (default: the configuration's)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments"}
	}
	command := "grantpipe schedule"
	if *runNow != "" {
		command += " --run-now " + *runNow
	}
	if err := a.lockData(command); err != nil {
		return err
	}
	a.setLogger(slog.LevelInfo)
	p, err := a.programme()
	if err != nil {
		return err
	}
	sc := p.Schedule
	if *grace < 0 {
		*grace = sc.GracePeriod
	}
	loc, err := sc.Location()
	if err != nil {
		return err
	}
	pl, err := a.pipeline("")
	if err != nil {
		return err
	}
	s, err := a.scheduler(pl, pl.History(), nil)
	if err != nil {
		return err
	}
	if *runNow != "" {
		known := false
		for _, n := range programme.JobNames {
			known = known || n == *runNow
		}
		if !known {
			return usageError{fmt.Sprintf("--run-now %q: the jobs are %s", *runNow, strings.Join(programme.JobNames, ", "))}
		}
		done := make(chan string, 1)
		go func() { done <- s.Execute(*runNow, schedule.Manual) }()
		var outcome string
		select {
		case outcome = <-done:
		case <-ctx.Done():
			a.log.Info("signal received: stopping", "grace", grace.String())
			s.Shutdown(*grace)
			outcome = <-done
			a.log.Info("stopped", "outcome", outcome)
			return nil
		}
		if outcome != schedule.OK {
			return fmt.Errorf("job %s: %s (see the log and grantpipe status)", *runNow, outcome)
		}
		return nil
	}
	s.Start()
	now := a.now()
	for _, name := range programme.JobNames {
		next, _ := schedule.Next(sc.Jobs[name], loc, now, 1)
		if len(next) == 1 {
			a.log.Info("scheduled", "job", name, "spec", sc.Jobs[name], "next", next[0].In(loc).Format(time.RFC3339))
		}
	}
	<-ctx.Done()
	a.log.Info("signal received: stopping", "grace", grace.String())
	s.Shutdown(*grace)
	a.log.Info("stopped")
	return nil
}

// scheduler is the pipeline's scheduler for schedule and serve: its runs
// recorded with history, each job's work wrapped by wrap (nil: as it is),
// and the running job named in the data directory's lock file.
func (a *app) scheduler(pl *jobs.Pipeline, history schedule.Recorder, wrap func(jobs.Work) jobs.Work) (*schedule.Scheduler, error) {
	s, err := pl.Scheduler(a.log, history, wrap)
	if err != nil {
		return nil, err
	}
	s.OnJob = func(name string) {
		if err := a.held.SetJob(name); err != nil {
			a.log.Warn("lock file", "err", err)
		}
	}
	return s, nil
}
