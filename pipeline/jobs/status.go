package jobs

import (
	"context"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/schedule"
	"grantpipe/pipeline/store"
)

// Status is what a data directory's jobs did, what is planned, which
// submissions are in, and what waits in the inbox. Times are RFC 3339 in
// the programme's time zone.
type Status struct {
	DataDir   string    `json:"data_dir"`
	Scheduler string    `json:"scheduler"` // who holds the data directory, if anyone
	LastRuns  []JobRun  `json:"last_runs"`
	Next      []NextRun `json:"next_runs"`
	Year      int       `json:"year"`
	Matrix    []Cell    `json:"matrix"`
	// Waiting counts the files in the inbox that the next run takes; Left
	// are the entries it leaves there, and why.
	Waiting int                  `json:"inbox_waiting"`
	Left    []ingest.SkippedFile `json:"inbox_left"`
}

// JobRun is the last run of a job.
type JobRun struct {
	Job      string `json:"job"`
	Trigger  string `json:"trigger"`
	Started  string `json:"started"`
	Ended    string `json:"ended,omitempty"`
	Outcome  string `json:"outcome"`
	Files    int    `json:"files"`
	Findings int    `json:"findings"`
	Reports  int    `json:"reports"`
	Error    string `json:"error,omitempty"`
}

// NextRun is when a job runs next.
type NextRun struct {
	Job  string `json:"job"`
	Spec string `json:"spec"`
	Next string `json:"next"`
}

// Cell is one district and quarter of the submissions matrix.
type Cell struct {
	District string `json:"district"`
	Name     string `json:"name"`
	Quarter  int    `json:"quarter"`
	State    string `json:"state"` // accepted, late, rejected, missing, open
	Errors   int    `json:"open_errors"`
}

// StatusOf reads the status from st. holder names the process that holds
// the data directory ("" when none does: a run still marked running was
// then interrupted). year 0 means the current budget year.
func (p *Pipeline) StatusOf(ctx context.Context, st *store.Store, year int, holder string) (*Status, error) {
	out := &Status{DataDir: p.cfg.Dir.Root, Scheduler: holder, LastRuns: []JobRun{}, Matrix: []Cell{}, Left: []ingest.SkippedFile{}}
	now := p.cfg.Now()
	sc := p.cfg.Programme.Schedule
	for _, name := range programme.JobNames {
		n := NextRun{Job: name, Spec: sc.Jobs[name]}
		if next, _ := schedule.Next(sc.Jobs[name], p.loc, now, 1); len(next) == 1 {
			n.Next = p.stamp(next[0])
		}
		out.Next = append(out.Next, n)
	}
	runs, err := st.LastJobRuns(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		j := JobRun{Job: r.Job, Trigger: r.Trigger, Started: p.stamp(r.Started), Outcome: r.Outcome,
			Files: r.Counts.Files, Findings: r.Counts.Findings, Reports: r.Counts.Reports, Error: r.Error}
		if r.Ended.Valid {
			j.Ended = p.stamp(r.Ended.Time)
		}
		if j.Outcome == "running" && holder == "" {
			// Nobody holds the directory: the process died during the run.
			j.Outcome = "interrupted"
		}
		out.LastRuns = append(out.LastRuns, j)
	}
	out.Year = year
	if out.Year == 0 {
		out.Year = p.CurrentYear()
	}
	if err := p.matrix(ctx, st, out); err != nil {
		return nil, err
	}
	inbox, err := p.cfg.Dir.ScanInbox(now, sc.Settle)
	if err != nil {
		return nil, err
	}
	out.Waiting = len(inbox.Files)
	for _, s := range inbox.Skipped {
		out.Left = append(out.Left, ingest.SkippedFile{Path: datadir.Printable(p.cfg.Dir.Rel(s.Path)), Reason: s.Reason})
	}
	return out, nil
}

// stamp shows an instant in the programme's time zone.
func (p *Pipeline) stamp(t time.Time) string { return t.In(p.loc).Format(time.RFC3339) }

func (p *Pipeline) matrix(ctx context.Context, st *store.Store, out *Status) error {
	y, ok := p.cfg.Programme.Year(out.Year)
	if !ok {
		return nil
	}
	states, err := st.SubmissionMatrix(ctx, out.Year)
	if err != nil {
		return err
	}
	type key struct {
		ags string
		q   int
	}
	facts := map[key]store.QuarterState{}
	for _, s := range states {
		facts[key{s.District, s.Quarter}] = s
	}
	day := p.Today()
	for _, d := range y.Districts {
		for q := 1; q <= 4; q++ {
			f := facts[key{d.AGS, q}]
			deadline := y.QuarterDeadlines[q-1].Time()
			state := "open"
			switch {
			case f.Received.Valid && f.Received.Time.After(deadline):
				state = "late"
			case f.Received.Valid:
				state = "accepted"
			case f.Rejected > 0:
				state = "rejected"
			case deadline.Before(day):
				state = "missing"
			}
			out.Matrix = append(out.Matrix, Cell{District: d.AGS, Name: d.Name, Quarter: q, State: state, Errors: f.Errors})
		}
	}
	return nil
}

// JobLine is one job as status lists it: when it runs next (empty for a
// command started by hand that is no scheduled job), and its latest run
// whoever started it (nil: never run).
type JobLine struct {
	Job, Next string
	Last      *JobRun
}

// Jobs lists the scheduled jobs, then the commands started by hand that are
// none (run, validate, report), each with its latest run of either trigger.
func (s *Status) Jobs() []JobLine {
	var lines []JobLine
	at := map[string]int{}
	for _, n := range s.Next {
		at[n.Job] = len(lines)
		lines = append(lines, JobLine{Job: n.Job, Next: n.Next})
	}
	for i := range s.LastRuns {
		r := &s.LastRuns[i]
		k, ok := at[r.Job]
		if !ok {
			k, at[r.Job] = len(lines), len(lines)
			lines = append(lines, JobLine{Job: r.Job})
		}
		if last := lines[k].Last; last == nil || started(r).After(started(last)) {
			lines[k].Last = r
		}
	}
	return lines
}

// started is when a run started (RFC 3339 with summer and winter offsets
// does not sort as text).
func started(r *JobRun) time.Time {
	t, _ := time.Parse(time.RFC3339, r.Started)
	return t
}
