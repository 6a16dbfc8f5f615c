package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"grantpipe/pipeline/finding"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/submission"
)

var (
	findBySHA256     = declare("ingest/find_by_sha256.sql")
	submissionPeriod = declare("ingest/submission_period.sql")
	submissionCounts = declare("ingest/summary.sql")
	amountByCategory = declare("ingest/amount_by_category.sql")
	incomeByType     = declare("ingest/income_by_type.sql")
	findingsOf       = declare("ingest/findings_of.sql")
	submissionFile   = declare("ingest/submission_file.sql")
	beginBatch       = declare("ingest/begin_batch.sql")
	checkpoint       = declare("ingest/checkpoint.sql")
	endBatch         = declare("ingest/end_batch.sql")
)

// IngestBatch sets DuckDB up for a batch of submissions saved one after
// another: the write-ahead log grows through the batch instead of being
// checkpointed every 16 MB (which cost the single writer 40-47 % of its
// time, issue 15), and DuckDB works in one thread (the batch's statements
// are small; a second thread only spun). The returned function ends the
// batch: it restores DuckDB's settings and checkpoints once. Durability is
// unchanged: each commit still syncs the log. Call it even when the batch
// fails, with a context that is not cancelled.
func (s *Store) IngestBatch(ctx context.Context) (end func(context.Context) error, err error) {
	if _, err := s.db.ExecContext(ctx, s.text(beginBatch)); err != nil {
		return nil, fmt.Errorf("begin ingest batch: %w", err)
	}
	return func(ctx context.Context) error {
		// Settings first: the checkpoint compresses every column the
		// batch wrote, and with DuckDB's threads back (the reading is
		// done) it took 0.40 s instead of 0.65 s of a 2.5 s batch of
		// 280,000 lines.
		_, err := s.db.ExecContext(ctx, s.text(endBatch))
		if _, cerr := s.db.ExecContext(ctx, s.text(checkpoint)); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("end ingest batch: %w", err)
		}
		return nil
	}, nil
}

// Known is the record of a file already ingested.
type Known struct {
	ID         int64
	Outcome    string // "accepted" or "rejected"
	StoredPath string // relative to the data directory
	SourcePath string // where it was found, as stored
	Sender     string // the inbox folder it came through, else the district it names
}

// KnownBytes returns the records of files with this sha256, an accepted one
// first, then the latest rejected ones.
func (s *Store) KnownBytes(ctx context.Context, sha256 string) ([]Known, error) {
	return allRows(ctx, s, "known bytes", findBySHA256, []any{sha256}, func(rows *sql.Rows, k *Known) error {
		return rows.Scan(&k.ID, &k.Outcome, &k.StoredPath, &k.SourcePath, &k.Sender)
	})
}

// Summary is what one stored submission holds, in counts and sums.
type Summary struct {
	District                        string
	Year, Quarter                   int
	Lines, Coordinators, Activities int
	AmountByCategory                map[string]money.Cents
	// Income is the number of income lines; IncomeByType sums those of a
	// known type with a readable amount, by income type code.
	Income       int
	IncomeByType map[string]money.Cents
}

// SubmissionSummary returns the period, counts and amounts per category of
// a stored submission.
func (s *Store) SubmissionSummary(ctx context.Context, id int64) (*Summary, error) {
	var district sql.NullString
	var year, quarter sql.NullInt64
	if err := s.db.QueryRowContext(ctx, s.text(submissionPeriod), id).Scan(&district, &year, &quarter); err != nil {
		return nil, fmt.Errorf("submission %d: %w", id, err)
	}
	sum := &Summary{District: district.String, Year: int(year.Int64), Quarter: int(quarter.Int64),
		AmountByCategory: map[string]money.Cents{}, IncomeByType: map[string]money.Cents{}}
	if err := s.db.QueryRowContext(ctx, s.text(submissionCounts), id).Scan(&sum.Lines, &sum.Coordinators, &sum.Activities, &sum.Income); err != nil {
		return nil, fmt.Errorf("submission %d: %w", id, err)
	}
	if err := eachRow(ctx, s, fmt.Sprintf("income of submission %d", id), incomeByType, []any{id}, func(rows *sql.Rows) error {
		var code string
		var amount money.Cents
		if err := rows.Scan(&code, &amount); err != nil {
			return err
		}
		sum.IncomeByType[code] = amount
		return nil
	}); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.text(amountByCategory), id)
	if err != nil {
		return nil, fmt.Errorf("submission %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var cat string
		var amount money.Cents
		if err := rows.Scan(&cat, &amount); err != nil {
			return nil, fmt.Errorf("submission %d: %w", id, err)
		}
		sum.AmountByCategory[cat] = amount
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("submission %d: %w", id, err)
	}
	return sum, nil
}

// FileFinding is a finding about a file as it was read, in both languages.
type FileFinding struct {
	Rule        string
	Severity    finding.Severity
	Sheet, Cell string
	Message     map[string]string // by language
}

// FileFindings returns the reading findings of a stored submission, in order.
func (s *Store) FileFindings(ctx context.Context, id int64) ([]FileFinding, error) {
	return allRows(ctx, s, fmt.Sprintf("findings of submission %d", id), findingsOf, []any{id}, func(rows *sql.Rows, f *FileFinding) error {
		var de, en string
		if err := rows.Scan(&f.Rule, &f.Severity, &f.Sheet, &f.Cell, &de, &en); err != nil {
			return err
		}
		f.Message = map[string]string{"de": de, "en": en}
		return nil
	})
}

// SubmissionFile returns the name a submission arrived under and when it
// was received.
func (s *Store) SubmissionFile(ctx context.Context, id int64) (name string, received time.Time, err error) {
	if err := s.db.QueryRowContext(ctx, s.text(submissionFile), id).Scan(&name, &received); err != nil {
		return "", time.Time{}, fmt.Errorf("submission %d: %w", id, err)
	}
	return name, received, nil
}

// income appends a submission's income lines (the Einnahmen sheet), in the
// transaction of the rest of the submission.
func (w *appendWriter) income(lines []submission.IncomeLine) error {
	return w.table("income", len(lines), func(a *duckdb.Appender) error {
		for _, in := range lines {
			var line, amount any
			if in.LineNo != nil {
				line = *in.LineNo
			}
			if in.Amount != nil {
				amount = cents(*in.Amount)
			}
			if err := a.AppendRow(w.id, in.Sheet, int32(in.Row),
				line, nullString(in.LineNoRaw), nullString(in.LineNoCell),
				nullString(in.Type), nullString(in.TypeRaw), nullString(in.TypeCell),
				nullDate(in.Date), nullString(in.DateRaw), nullString(in.DateCell),
				nullString(in.Source), nullString(in.SourceCell),
				nullString(in.Purpose), nullString(in.PurposeCell),
				amount, nullString(in.AmountRaw), nullString(in.AmountCell)); err != nil {
				return err
			}
			w.rows++
			w.hook("row", w.rows)
		}
		return nil
	})
}
