package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"grantpipe/pipeline/money"
)

// The reads the reports are made of (package report turns these rows into
// its data model). A span of quarters is a year and its quarters first
// through last; a year as a whole is quarters 1 through 4.
var (
	reportLatestRun        = declare("report/latest_run.sql")
	reportPeriods          = declare("report/periods.sql")
	reportFigures          = declare("report/figures.sql")
	reportFigureCategories = declare("report/figure_categories.sql")
	reportTrend            = declare("report/trend.sql")
	reportFindings         = declare("report/findings.sql")
	reportActivities       = declare("report/activities.sql")
	reportNarrative        = declare("report/narrative.sql")
	reportSources          = declare("report/sources.sql")
	reportCoordinators     = declare("report/coordinators.sql")
	reportDataTime         = declare("report/data_time.sql")
	reportReceiptTexts     = declare("report/receipt_texts.sql")
	reportReceipts         = declare("report/receipts.sql")
)

// ValidationRun is one run of the checks.
type ValidationRun struct {
	ID      int64
	AsOf    time.Time // the day the checks looked from
	RuleSet string
}

// LatestRun returns the latest validation run, or ErrNoValidation when
// none has run yet.
func (s *Store) LatestRun(ctx context.Context) (ValidationRun, error) {
	var r ValidationRun
	err := s.db.QueryRowContext(ctx, s.text(reportLatestRun)).Scan(&r.ID, &r.AsOf, &r.RuleSet)
	if errors.Is(err, sql.ErrNoRows) {
		return ValidationRun{}, ErrNoValidation
	}
	if err != nil {
		return ValidationRun{}, fmt.Errorf("latest validation run: %w", err)
	}
	return r, nil
}

// Quarter is a quarter of a budget year.
type Quarter struct {
	Year    int
	Quarter int // 1–4
}

// AcceptedQuarters lists every quarter with an accepted submission, in
// order.
func (s *Store) AcceptedQuarters(ctx context.Context) ([]Quarter, error) {
	return allRows(ctx, s, "accepted quarters", reportPeriods, nil, func(r *sql.Rows, q *Quarter) error {
		return r.Scan(&q.Year, &q.Quarter)
	})
}

// Figure is a district's grant computation of a run, cumulative from
// 1 January.
type Figure struct {
	District       string
	Approved       money.Cents
	Eligible       money.Cents
	Income         money.Cents
	PlannedIncome  money.Cents
	Grant          money.Cents
	Paid           money.Cents
	Balance        money.Cents // Paid − Grant: positive means more paid out than the grant
	InterestAtRisk money.Cents
	Settled        bool
}

// DistrictFigures returns every district's grant figures of run runID for
// year, up to the end of quarter through (0: the year as of the run's day).
func (s *Store) DistrictFigures(ctx context.Context, runID int64, year, through int) ([]Figure, error) {
	return allRows(ctx, s, "grant figures", reportFigures, []any{runID, year, through}, func(r *sql.Rows, f *Figure) error {
		return r.Scan(&f.District, &f.Approved, &f.Eligible, &f.Income, &f.PlannedIncome, &f.Grant, &f.Paid, &f.Balance, &f.InterestAtRisk, &f.Settled)
	})
}

// CategoryFigure is a district's eligible costs in one cost category.
type CategoryFigure struct {
	District string
	Category string // code
	Eligible money.Cents
}

// CategoryFigures returns the eligible costs per district and category,
// as DistrictFigures does the totals.
func (s *Store) CategoryFigures(ctx context.Context, runID int64, year, through int) ([]CategoryFigure, error) {
	return allRows(ctx, s, "grant figures by category", reportFigureCategories, []any{runID, year, through}, func(r *sql.Rows, c *CategoryFigure) error {
		return r.Scan(&c.District, &c.Category, &c.Eligible)
	})
}

// TrendQuarter is what one district sent for one quarter and what it adds
// up to.
type TrendQuarter struct {
	District   string
	Quarter    int
	Status     string      // "accepted", "late", "rejected", "missing", "open"
	Eligible   money.Cents // eligible costs of this quarter
	Cumulative money.Cents // eligible costs from 1 January to the quarter's end
	Errors     int         // findings of run runID
	Warnings   int
}

// Trend returns every district's quarters 1 through last of year, as run
// runID judged them, in district and quarter order.
func (s *Store) Trend(ctx context.Context, runID int64, year, last int) ([]TrendQuarter, error) {
	return allRows(ctx, s, "trend", reportTrend, []any{year, last, runID}, func(r *sql.Rows, q *TrendQuarter) error {
		return r.Scan(&q.District, &q.Quarter, &q.Status, &q.Eligible, &q.Cumulative, &q.Errors, &q.Warnings)
	})
}

// RunFinding is a finding of a validation run. A text the finding lacks is
// "" and a quarter it lacks 0.
type RunFinding struct {
	Rule      string
	Severity  string // "error", "warning", "info"
	District  string
	Quarter   int
	File      string
	Sheet     string
	Cell      string
	MessageDE string // at most 32,767 characters, as an Excel cell holds
	MessageEN string
}

// EachRunFinding calls f with each finding of run runID for year and
// quarters first through last (and those of no year or quarter), in the
// run's order. A run may have a million findings: they are handed over one
// by one, not as a slice, so only the caller's form of them is held.
func (s *Store) EachRunFinding(ctx context.Context, runID int64, year, first, last int, f func(RunFinding) error) error {
	return eachRow(ctx, s, "findings", reportFindings, []any{runID, year, first, last}, func(r *sql.Rows) error {
		var x RunFinding
		if err := r.Scan(&x.Rule, &x.Severity, &x.District, &x.Quarter, &x.File, &x.Sheet, &x.Cell, &x.MessageDE, &x.MessageEN); err != nil {
			return err
		}
		return f(x)
	})
}

// ActivityCount is how often a district held activities of one type, and
// for how many participants.
type ActivityCount struct {
	District     string
	Type         string // activity type code
	Count        int
	Participants int64
}

// Activities returns the activities of the current submissions for year
// and quarters first through last, per district and type.
func (s *Store) Activities(ctx context.Context, year, first, last int) ([]ActivityCount, error) {
	return allRows(ctx, s, "activities", reportActivities, []any{year, first, last}, func(r *sql.Rows, a *ActivityCount) error {
		return r.Scan(&a.District, &a.Type, &a.Count, &a.Participants)
	})
}

// Paragraph is a paragraph of a district's narrative.
type Paragraph struct {
	District string
	Text     string // at most 32,767 characters, as an Excel cell holds
}

// Narrative returns the narrative paragraphs of the current submissions
// for year and quarters first through last, per district in quarter and
// row order.
func (s *Store) Narrative(ctx context.Context, year, first, last int) ([]Paragraph, error) {
	return allRows(ctx, s, "narrative", reportNarrative, []any{year, first, last}, func(r *sql.Rows, p *Paragraph) error {
		return r.Scan(&p.District, &p.Text)
	})
}

// SourceFile is an accepted submission a report draws on.
type SourceFile struct {
	District     string
	SubmissionID int64
	File         string
	SHA256       string
	Quarter      int
	Received     time.Time // local wall-clock time of arrival, as stored
	Current      bool      // false: replaced by a later version
	ReaderVer    string
}

// SourceFiles returns the accepted submissions of year and quarters first
// through last, current or replaced, per district in quarter and arrival
// order.
func (s *Store) SourceFiles(ctx context.Context, year, first, last int) ([]SourceFile, error) {
	return allRows(ctx, s, "source files", reportSources, []any{year, first, last}, func(r *sql.Rows, f *SourceFile) error {
		return r.Scan(&f.District, &f.SubmissionID, &f.File, &f.SHA256, &f.Quarter, &f.Received, &f.Current, &f.ReaderVer)
	})
}

// CoordinatorCount is how many coordinators a district employed on a
// quarter's last day.
type CoordinatorCount struct {
	District string
	Count    int
	FTE      string // their full-time equivalents, two decimals: "2.75"
}

// Coordinators returns the coordinators employed on the last day of
// quarter last of year (or of the latest quarter a district reported
// before it), per district.
func (s *Store) Coordinators(ctx context.Context, year, last int) ([]CoordinatorCount, error) {
	return allRows(ctx, s, "coordinators", reportCoordinators, []any{year, last}, func(r *sql.Rows, c *CoordinatorCount) error {
		return r.Scan(&c.District, &c.Count, &c.FTE)
	})
}

// LatestArrival returns when the latest file of year up to quarter last
// arrived (local wall-clock time, as stored); ok is false when none did.
func (s *Store) LatestArrival(ctx context.Context, year, last int) (t time.Time, ok bool, err error) {
	var dt sql.NullTime
	if err := s.db.QueryRowContext(ctx, s.text(reportDataTime), year, last).Scan(&dt); err != nil {
		return time.Time{}, false, fmt.Errorf("latest arrival: %w", err)
	}
	return dt.Time, dt.Valid, nil
}

// ReceiptLine is one receipt of a district's current submissions, with the
// cell its amount was read from and whether it counts.
type ReceiptLine struct {
	District     string
	Quarter      int
	Category     string // code; "" when unknown
	CategoryRaw  string // as written
	InvoiceDate  sql.NullTime
	PaymentDate  sql.NullTime
	Payee        string
	Purpose      string
	Amount       money.NullCents
	ReceiptNo    string
	Coordinator  string
	Eligible     bool // as the view eligible_receipts judges the line
	File         string
	Sheet        string
	Cell         string // the amount's cell
	SubmissionID int64
}

// DistrictReceipts returns district's receipts of year and quarters first
// through last: by cost category in plan order, then by payment date.
//
// A text longer than 200 characters is read once however many lines name
// it (see receipts.sql), and the lines share that one copy: a workbook may
// name one text of 32,767 characters in every row.
//
// Ask only for quarters the district has a current submission in. DuckDB
// narrows its scan of the receipts to the range of the submission ids its
// join finds; with none found there is no range, and it reads every
// receipt of every district to return none (at 400 districts × 20,000
// lines, 0.25 s a district instead of a few milliseconds).
func (s *Store) DistrictReceipts(ctx context.Context, district string, year, first, last int) ([]ReceiptLine, error) {
	args := []any{year, first, last, district}
	long, err := allRows(ctx, s, "receipts of "+district, reportReceiptTexts, args, func(r *sql.Rows, t *string) error {
		return r.Scan(t)
	})
	if err != nil {
		return nil, err
	}
	text := func(p *string, id sql.NullInt64) error {
		if !id.Valid {
			return nil
		}
		if id.Int64 < 1 || id.Int64 > int64(len(long)) {
			return fmt.Errorf("long text %d of %d", id.Int64, len(long))
		}
		*p = long[id.Int64-1]
		return nil
	}
	return allRows(ctx, s, "receipts of "+district, reportReceipts, args, func(r *sql.Rows, x *ReceiptLine) error {
		var ids [5]sql.NullInt64
		if err := r.Scan(&x.District, &x.Quarter, &x.Category, &x.CategoryRaw, &ids[0], &x.InvoiceDate, &x.PaymentDate,
			&x.Payee, &ids[1], &x.Purpose, &ids[2], &x.Amount, &x.ReceiptNo, &ids[3], &x.Coordinator, &ids[4],
			&x.Eligible, &x.File, &x.Sheet, &x.Cell, &x.SubmissionID); err != nil {
			return err
		}
		for i, p := range []*string{&x.CategoryRaw, &x.Payee, &x.Purpose, &x.ReceiptNo, &x.Coordinator} {
			if err := text(p, ids[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
