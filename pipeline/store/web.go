package store

import (
	"context"
	"database/sql"
	"time"
)

var (
	webSubmissions    = declare("web/submissions.sql")
	webFindingsByRule = declare("web/findings_by_rule.sql")
	webFindingsOfRule = declare("web/findings_of_rule.sql")
	webJobRuns        = declare("jobs/runs.sql")
)

// SentFile is a file as grantpipe serve lists it to its sender and to the
// ministry.
type SentFile struct {
	ID       int64
	File     string // the name it arrived under
	Sender   string // the AGS it belongs to: its inbox folder, else the district it names
	District string // the AGS it names ("" when unreadable)
	Year     int    // 0 when unreadable
	Quarter  int
	Accepted bool // else rejected
	Replaced bool // a later file for the same district and quarter replaced it
	// Received is the local wall-clock time of arrival.
	Received   time.Time
	StoredPath string // relative to the data directory
}

// SentBy returns the files district sent (every file when district is
// empty), newest period first (see web/submissions.sql).
func (s *Store) SentBy(ctx context.Context, district string) ([]SentFile, error) {
	return allRows(ctx, s, "sent files of "+district, webSubmissions, []any{district}, func(rows *sql.Rows, f *SentFile) error {
		return rows.Scan(&f.ID, &f.File, &f.Sender, &f.District, &f.Year, &f.Quarter, &f.Accepted, &f.Replaced, &f.Received, &f.StoredPath)
	})
}

// RuleCount is how often a rule found something in a validation run, and
// in how many districts.
type RuleCount struct {
	Rule, Severity string
	Findings       int
	Districts      int
}

// FindingsByRule counts the findings of validation run runID for year per
// rule and severity, errors first (see web/findings_by_rule.sql).
func (s *Store) FindingsByRule(ctx context.Context, runID int64, year int) ([]RuleCount, error) {
	return allRows(ctx, s, "findings by rule", webFindingsByRule, []any{runID, year}, func(rows *sql.Rows, c *RuleCount) error {
		return rows.Scan(&c.Rule, &c.Severity, &c.Findings, &c.Districts)
	})
}

// RuleFinding is one finding of a rule, where it points.
type RuleFinding struct {
	Severity    string
	District    string
	Quarter     int
	Submission  int64
	File        string
	Sheet, Cell string
	DE, EN      string // the message
}

// FindingsOfRule returns the first limit findings of rule in validation run
// runID for year, in the run's order.
func (s *Store) FindingsOfRule(ctx context.Context, runID int64, year int, rule string, limit int) ([]RuleFinding, error) {
	return allRows(ctx, s, "findings of "+rule, webFindingsOfRule, []any{runID, year, rule, limit}, func(rows *sql.Rows, f *RuleFinding) error {
		return rows.Scan(&f.Severity, &f.District, &f.Quarter, &f.Submission, &f.File, &f.Sheet, &f.Cell, &f.DE, &f.EN)
	})
}

// JobRuns returns the latest limit runs of every job, newest first.
func (s *Store) JobRuns(ctx context.Context, limit int) ([]JobRun, error) {
	return allRows(ctx, s, "job runs", webJobRuns, []any{limit}, func(rows *sql.Rows, r *JobRun) error {
		return rows.Scan(&r.ID, &r.Job, &r.Trigger, &r.Started, &r.Ended, &r.Outcome, &r.Counts.Files, &r.Counts.Findings, &r.Counts.Reports, &r.Error)
	})
}
