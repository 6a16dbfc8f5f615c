package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"grantpipe/pipeline/money"
)

var (
	startJob          = declare("jobs/start.sql")
	finishJob         = declare("jobs/finish.sql")
	lastJobRuns       = declare("jobs/last_runs.sql")
	submissionMatrix  = declare("jobs/matrix.sql")
	acceptedDistricts = declare("jobs/accepted_districts.sql")
	rejectedDistricts = declare("jobs/rejected_districts.sql")
	countSubmissions  = declare("ingest/count_submissions.sql")
	statementPayouts  = declare("jobs/statement_payouts.sql")
)

// StartJobRun records that a job started and returns the run's id.
func (s *Store) StartJobRun(ctx context.Context, job, trigger string, at time.Time) (int64, error) {
	var id int64
	if err := s.db.QueryRowContext(ctx, s.text(startJob), job, trigger, at.UTC()).Scan(&id); err != nil {
		return 0, fmt.Errorf("start job run: %w", err)
	}
	return id, nil
}

// JobCounts are what a job run did.
type JobCounts struct{ Files, Findings, Reports int }

// FinishJobRun records how a job run ended; errText is empty when it worked.
func (s *Store) FinishJobRun(ctx context.Context, id int64, at time.Time, outcome string, c JobCounts, errText string) error {
	var e any
	if errText != "" {
		e = errText
	}
	if _, err := s.db.ExecContext(ctx, s.text(finishJob), id, at.UTC(), outcome, c.Files, c.Findings, c.Reports, e); err != nil {
		return fmt.Errorf("finish job run: %w", err)
	}
	return nil
}

// JobRun is one run of a scheduled job.
type JobRun struct {
	ID                    int64 // set by JobRuns only
	Job, Trigger, Outcome string
	Started               time.Time
	Ended                 sql.NullTime
	Counts                JobCounts
	Error                 string
}

// LastJobRuns returns the latest run of each job and trigger, by job name
// and trigger.
func (s *Store) LastJobRuns(ctx context.Context) ([]JobRun, error) {
	return allRows(ctx, s, "last job runs", lastJobRuns, nil, func(rows *sql.Rows, r *JobRun) error {
		return rows.Scan(&r.Job, &r.Trigger, &r.Started, &r.Ended, &r.Outcome, &r.Counts.Files, &r.Counts.Findings, &r.Counts.Reports, &r.Error)
	})
}

// ErrNoValidation means no validation has run yet (see LatestRun).
var ErrNoValidation = errors.New("no validation run yet")

// QuarterState is what the database knows of one district and quarter.
type QuarterState struct {
	District string
	Quarter  int
	Received sql.NullTime // the day the current accepted submission arrived (local), if any
	Rejected int          // rejected files the district sent
	Errors   int          // errors of the latest validation run
}

// SubmissionMatrix returns the state of every district and quarter of year
// that has anything to show.
func (s *Store) SubmissionMatrix(ctx context.Context, year int) ([]QuarterState, error) {
	return allRows(ctx, s, "submission matrix", submissionMatrix, []any{year}, func(rows *sql.Rows, q *QuarterState) error {
		return rows.Scan(&q.District, &q.Quarter, &q.Received, &q.Rejected, &q.Errors)
	})
}

// DistrictsAccepted returns the districts with an accepted submission for a
// quarter.
func (s *Store) DistrictsAccepted(ctx context.Context, year, quarter int) (map[string]bool, error) {
	return s.districtSet(ctx, acceptedDistricts, year, quarter)
}

// DistrictsRejected returns the districts (the senders, where known) with a
// rejected file for a quarter.
func (s *Store) DistrictsRejected(ctx context.Context, year, quarter int) (map[string]bool, error) {
	return s.districtSet(ctx, rejectedDistricts, year, quarter)
}

func (s *Store) districtSet(ctx context.Context, st statement, year, quarter int) (map[string]bool, error) {
	out := map[string]bool{}
	err := eachRow(ctx, s, "districts", st, []any{year, quarter}, func(rows *sql.Rows) error {
		var ags sql.NullString
		if err := rows.Scan(&ags); err != nil {
			return err
		}
		out[ags.String] = true
		return nil
	})
	return out, err
}

// CountSubmissions returns how many files the database holds.
func (s *Store) CountSubmissions(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, s.text(countSubmissions)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count submissions: %w", err)
	}
	return n, nil
}

// Payout is a payout as a statement records it.
type Payout struct {
	District  string
	Date      time.Time
	Amount    money.Cents
	Reference string
}

// StatementPayouts returns the payouts dated by the latest validation run's
// as-of day, from the configuration and imported: what a statement as of
// that day draws on.
func (s *Store) StatementPayouts(ctx context.Context) ([]Payout, error) {
	return allRows(ctx, s, "statement payouts", statementPayouts, nil, func(rows *sql.Rows, p *Payout) error {
		return rows.Scan(&p.District, &p.Date, &p.Amount, &p.Reference)
	})
}
