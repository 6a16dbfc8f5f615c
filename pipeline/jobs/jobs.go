// Package jobs is grantpipe's work as its front ends call it: the main job
// (ingest what arrived, check everything, write the reports and the
// feedback), the scheduled jobs, and the status of a data directory. The
// command line and the scheduler (and any other front end) call the same
// functions; each job opens the database once and closes it when done, so
// read-only commands can look in between.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/feedback"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/report"
	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/schedule"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/validate"
)

// Config is what a Pipeline is made from.
type Config struct {
	Dir       datadir.Dir
	Programme *programme.Programme
	Catalog   *messages.Catalog
	Queries   fs.FS // the SQL files (queries.FS)
	// RulesDir, when set, holds the analysts' own rule files, added to the
	// built-in ones.
	RulesDir string
	Lang     string           // of messages and reports: "de" (default) or "en"
	Log      *slog.Logger     // nil: discard
	Now      func() time.Time // the clock; nil: time.Now
	Hook     store.Hook       // crash-test hook of ingest (see ingest.Ingester.Hook); nil in production
	Progress func(done, total, lines int, file string)
}

// Pipeline runs the jobs on one data directory.
type Pipeline struct {
	cfg   Config
	loc   *time.Location
	rules []rules.Rule
	ver   *versions // see version
	// onMade, when set (by tests), hears of every report and feedback
	// file made, whether its bytes changed or not.
	onMade func(path string)
}

func (p *Pipeline) made(paths ...string) {
	if p.onMade != nil {
		for _, path := range paths {
			p.onMade(path)
		}
	}
}

// New checks the configuration and loads the rules; a rule file that does
// not parse or that does what a rule may not is an error here, before any
// job runs.
func New(cfg Config) (*Pipeline, error) {
	switch {
	case cfg.Programme == nil:
		return nil, errors.New("jobs: no programme configuration")
	case cfg.Catalog == nil:
		return nil, errors.New("jobs: no message catalogue")
	case cfg.Queries == nil:
		return nil, errors.New("jobs: no queries")
	case cfg.Dir.Root == "":
		return nil, errors.New("jobs: no data directory")
	}
	if cfg.Lang == "" {
		cfg.Lang = "de"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	loc, err := cfg.Programme.Schedule.Location()
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	rs, err := loadRules(cfg.Queries, cfg.RulesDir)
	if err != nil {
		return nil, err
	}
	return &Pipeline{cfg: cfg, loc: loc, rules: rs, ver: &versions{}}, nil
}

// loadRules reads the built-in rules and, from dir, the analysts' own.
func loadRules(queries fs.FS, dir string) ([]rules.Rule, error) {
	builtin, err := rules.Load(queries, "rules")
	if err != nil {
		return nil, err
	}
	var extra []rules.Rule
	if dir != "" {
		if extra, err = rules.Load(os.DirFS(dir), "."); err != nil {
			return nil, fmt.Errorf("--rules %s: %w", dir, err)
		}
		for i := range extra {
			extra[i].Source = dir + "/" + extra[i].Source
		}
	}
	return rules.Merge(builtin, extra)
}

// Location is the programme's time zone: deadlines, received times and
// reports are in its local time.
func (p *Pipeline) Location() *time.Location { return p.loc }

// Today is the current day in the programme's time zone, as a date (UTC
// midnight).
func (p *Pipeline) Today() time.Time {
	n := p.cfg.Now().In(p.loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// CurrentYear is the budget year of today, or, when the programme has no
// such year, its last one.
func (p *Pipeline) CurrentYear() int {
	y := p.Today().Year()
	if _, ok := p.cfg.Programme.Year(y); !ok && len(p.cfg.Programme.Years) > 0 {
		y = p.cfg.Programme.Years[len(p.cfg.Programme.Years)-1].Year
	}
	return y
}

// Open prepares the data directory and opens its database for writing.
func (p *Pipeline) Open(ctx context.Context) (*store.Store, error) {
	if err := p.cfg.Dir.Ensure(p.cfg.Programme.AllDistricts()); err != nil {
		return nil, err
	}
	return store.Open(ctx, p.cfg.Dir.Database(), p.cfg.Queries)
}

// Ingest takes the given files, or everything waiting in the inbox when
// none are given (files changed less than the configuration's settle time
// ago wait for the next run).
func (p *Pipeline) Ingest(ctx context.Context, st *store.Store, files []string) (*ingest.Result, error) {
	in := &ingest.Ingester{
		Dir: p.cfg.Dir, Store: st, Programme: p.cfg.Programme, Catalog: p.cfg.Catalog, Log: p.cfg.Log,
		Now: p.cfg.Now, Hook: p.cfg.Hook, Lang: p.cfg.Lang, Settle: p.cfg.Programme.Schedule.Settle, Progress: p.cfg.Progress,
	}
	return in.Run(ctx, files)
}

// ManualIngest is the ingest command: Ingest on its own database, recorded
// as a run of ingest started by hand.
func (p *Pipeline) ManualIngest(ctx context.Context, files []string) (res *ingest.Result, err error) {
	err = p.Manual(ctx, "ingest", func(ctx context.Context, st *store.Store) (c schedule.Counts, err error) {
		if res, err = p.Ingest(ctx, st, files); res != nil {
			c.Files = len(res.Files)
		}
		return c, err
	})
	return res, err
}

// Check says what a validation covers.
type Check struct {
	Year, Quarter int       // 0: all
	AsOf          time.Time // zero: today
}

// Validate checks the stored submissions against the rules and computes
// the grants. When nothing the check reads changed since the latest run
// (the stored data, the configuration, the rules, the as-of day: see
// checkInputs), that run's result is the answer and no run is written.
func (p *Pipeline) Validate(ctx context.Context, st *store.Store, c Check) (*validate.Result, error) {
	if c.AsOf.IsZero() {
		c.AsOf = p.Today()
	}
	return p.validate(ctx, st, c, true)
}

// ManualValidate is the validate command: Validate on its own database,
// recorded as a run of validate started by hand.
func (p *Pipeline) ManualValidate(ctx context.Context, c Check) (res *validate.Result, err error) {
	if c.AsOf.IsZero() {
		c.AsOf = p.Today()
	}
	err = p.Manual(ctx, "validate", func(ctx context.Context, st *store.Store) (n schedule.Counts, err error) {
		// Asked for by name, the check runs, changed inputs or not.
		if res, err = p.validate(ctx, st, c, false); res != nil {
			n.Findings = res.Count()
		}
		return n, err
	})
	return res, err
}

// RuleSet is the fingerprint of the rules the pipeline checks with.
func (p *Pipeline) RuleSet() string { return rules.Version(p.rules) }

// Reports writes the reports of the given periods into dir (the data
// directory's reports folder when empty), from the latest validation run.
// Only documents whose inputs changed since they were written (or whose
// file is missing or altered) are rendered; the others are returned
// unchanged.
func (p *Pipeline) Reports(ctx context.Context, st *store.Store, dir string, periods []report.Period) ([]report.Written, error) {
	if dir == "" {
		dir = p.cfg.Dir.Reports()
	}
	rs, err := p.renderedUnder(ctx, st, dir)
	if err != nil {
		return nil, err
	}
	key, err := p.reportsKey(ctx, st)
	if err != nil {
		return nil, err
	}
	lines := map[int][]store.QuarterLines{}
	var written []report.Written
	for _, period := range periods {
		if w, ok := rs.periodCurrent(period, key); ok {
			written = append(written, w...)
			continue
		}
		start := time.Now()
		w, err := p.eachPeriod(ctx, st, dir, []report.Period{period}, func(dir string, d *report.Data, load func(*report.District) error) ([]report.Written, error) {
			ql, ok := lines[d.Period.Year]
			if !ok {
				var err error
				if ql, err = st.DistrictLines(ctx, d.Period.Year); err != nil {
					return nil, err
				}
				lines[d.Period.Year] = ql
			}
			return p.reportsOf(ctx, rs, d, load, ql)
		})
		written = append(written, w...)
		if err != nil {
			// What was written is recorded even when a period failed.
			return written, errors.Join(err, rs.save(ctx, st))
		}
		p.stepDone("reports", start, "period", period.Slug(), "changed", changed(w))
		rs.periodDone(period, key)
	}
	return written, rs.save(ctx, st)
}

// eachPeriod loads each period's data from the latest validation run and
// hands it to write with dir (the data directory's reports folder when
// empty) and the loader of a district's lines, stopping at the first
// error; it returns every file written.
func (p *Pipeline) eachPeriod(ctx context.Context, st *store.Store, dir string, periods []report.Period,
	write func(dir string, d *report.Data, load func(*report.District) error) ([]report.Written, error)) ([]report.Written, error) {
	if dir == "" {
		dir = p.cfg.Dir.Reports()
	}
	var all []report.Written
	for _, period := range periods {
		start := time.Now()
		d, err := report.Load(ctx, st, p.cfg.Programme, period, p.cfg.Lang)
		if err != nil {
			return all, err
		}
		p.cfg.Log.Debug("period loaded", "period", period.Slug(), "districts", len(d.Districts), "took", time.Since(start).Round(time.Millisecond))
		w, err := write(dir, d, func(dist *report.District) error { return report.LoadReceipts(ctx, st, d, dist) })
		all = append(all, w...)
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// Feedback writes the feedback workbook of every file whose findings (or
// anything else it is made from) changed since it was written; it returns
// how many changed.
func (p *Pipeline) Feedback(ctx context.Context, st *store.Store) (int, error) {
	key, err := p.reportsKey(ctx, st)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	n, made, err := feedback.WriteChanged(ctx, st, p.cfg.Dir, p.cfg.Catalog, p.cfg.Lang, p.loc, p.cfg.Log, p.version(), key)
	p.made(made...)
	p.stepDone("feedback", start, "changed", n)
	return n, err
}

// ReportAll writes the reports of every period with data and the feedback
// of every file; it returns how many files changed.
func (p *Pipeline) ReportAll(ctx context.Context, st *store.Store) (int, error) {
	periods, err := report.Periods(ctx, st)
	if err != nil {
		return 0, err
	}
	written, err := p.Reports(ctx, st, "", periods)
	if err != nil {
		return 0, err
	}
	fb, err := p.Feedback(ctx, st)
	return changed(written) + fb, err
}

func changed(ws []report.Written) int {
	n := 0
	for _, w := range ws {
		if w.Changed {
			n++
		}
	}
	return n
}

// RunOptions shape the main job.
type RunOptions struct {
	Check Check
	// Fill, when set, is called when the inbox is empty and the database
	// holds no file yet (the demo fills it); it returns how many files it
	// wrote.
	Fill func() (int, error)
}

// RunResult is what the main job did. A field is nil when the job stopped
// before that step.
type RunResult struct {
	Filled  int // files written by RunOptions.Fill
	Ingest  *ingest.Result
	Check   *validate.Result
	Changed int // report and feedback files written
}

// Run is the main job, on one open database: ingest what waits in the
// inbox, check everything, write the reports of every period with data and
// the feedback of every file. What was done before an error is in the
// result. It is started by hand (the run command), and recorded so.
func (p *Pipeline) Run(ctx context.Context, opt RunOptions) (*RunResult, error) {
	res := &RunResult{}
	err := p.Manual(ctx, "run", func(ctx context.Context, st *store.Store) (c schedule.Counts, err error) {
		err = p.run(ctx, st, opt, res)
		if res.Ingest != nil {
			c.Files = len(res.Ingest.Files)
		}
		if res.Check != nil {
			c.Findings = res.Check.Count()
		}
		c.Reports = res.Changed
		return c, err
	})
	return res, err
}

func (p *Pipeline) run(ctx context.Context, st *store.Store, opt RunOptions, res *RunResult) error {
	if opt.Fill != nil {
		inbox, err := p.cfg.Dir.ScanInbox(p.cfg.Now(), 0)
		if err != nil {
			return err
		}
		n, err := st.CountSubmissions(ctx)
		if err != nil {
			return err
		}
		if len(inbox.Files) == 0 && n == 0 {
			if res.Filled, err = opt.Fill(); err != nil {
				return err
			}
		}
	}
	var err error
	start := time.Now()
	if res.Ingest, err = p.Ingest(ctx, st, nil); err != nil {
		return err
	}
	p.stepDone("ingest", start, "files", len(res.Ingest.Files))
	start = time.Now()
	if res.Check, err = p.Validate(ctx, st, opt.Check); err != nil {
		return err
	}
	p.stepDone("check", start, "run", res.Check.RunID, "findings", res.Check.Count())
	res.Changed, err = p.ReportAll(ctx, st)
	return err
}

// stepDone logs, at info, that a step of a job is done: its name, what
// attrs say and how long it took since start (where a slow run's time went).
func (p *Pipeline) stepDone(step string, start time.Time, attrs ...any) {
	p.cfg.Log.Info("step done", append(append([]any{"step", step}, attrs...), "took", time.Since(start).Round(time.Millisecond))...)
}

// ManualReport is the report command: check as c says, then write the reports of
// periods into dir (the data directory's reports folder when empty). As of
// a day given (c.AsOf), they are a statement of that day, frozen (see
// Statements); else the rolling reports as of today (see Reports). It is
// recorded as a run of report started by hand.
func (p *Pipeline) ManualReport(ctx context.Context, c Check, dir string, periods []report.Period) (written []report.Written, err error) {
	err = p.Manual(ctx, "report", func(ctx context.Context, st *store.Store) (n schedule.Counts, err error) {
		// Reports show a fresh check of the data: validate first, then
		// render from that run.
		res, err := p.Validate(ctx, st, c)
		if err != nil {
			return n, err
		}
		n.Findings = res.Count()
		if c.AsOf.IsZero() {
			written, err = p.Reports(ctx, st, dir, periods)
		} else {
			written, err = p.Statements(ctx, st, dir, periods)
		}
		n.Reports = changed(written)
		return n, err
	})
	return written, err
}
