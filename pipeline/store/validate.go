package store

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
)

// The statements of a validation run (package validate): vetting a rule
// without running it, and the run itself, one transaction on one connection.
var (
	validateBegin           = declare("validate/begin.sql")
	validateBeginReadOnly   = declare("validate/begin_read_only.sql")
	validateCommit          = declare("validate/commit.sql")
	validateRollback        = declare("validate/rollback.sql")
	validateParseRule       = declare("validate/parse_rule.sql")
	validateClearConfig     = declare("validate/clear_config.sql")
	validateInsertYear      = declare("validate/insert_year.sql")
	validateInsertDeadline  = declare("validate/insert_deadline.sql")
	validateInsertCategory  = declare("validate/insert_category.sql")
	validateSetAsOf         = declare("validate/set_as_of.sql")
	validateSubmissionFiles = declare("validate/submission_files.sql")
	validateRefresh         = declare("validate/refresh_eligible.sql")
	validateShareClaims     = declare("validate/share_claims.sql")
	validateGrants          = declare("validate/grants.sql")
	validateGrantCategories = declare("validate/grant_categories.sql")
	validateNextRunID       = declare("validate/next_run_id.sql")
	validateInsertRun       = declare("validate/insert_run.sql")
)

// ErrNotOneSelect means a rule's text is not one SELECT statement.
var ErrNotOneSelect = errors.New("not one SELECT statement")

// A PrepareError is DuckDB refusing to prepare a rule's query: it does not
// parse, or names a table, column or function that is not there, or its
// types do not fit.
type PrepareError struct{ Err error }

func (e *PrepareError) Error() string { return e.Err.Error() }
func (e *PrepareError) Unwrap() error { return e.Err }

// ParseRule returns DuckDB's parse tree of a rule's query as JSON
// (json_serialize_sql): only the parser runs, so nothing is bound or read
// before the tree has been vetted.
func (s *Store) ParseRule(ctx context.Context, query string) ([]byte, error) {
	var tree string
	if err := s.db.QueryRowContext(ctx, s.text(validateParseRule), query).Scan(&tree); err != nil {
		return nil, err
	}
	return []byte(tree), nil
}

// RuleColumns prepares a rule's query as the one SELECT statement it must
// be, in a read-only transaction of its own, and returns the names of its
// columns. Nothing of the query runs. The error is ErrNotOneSelect, a
// *PrepareError, or the database's.
func (s *Store) RuleColumns(ctx context.Context, query string) (cols []string, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, conn.Close()) }()
	if _, err := conn.ExecContext(ctx, s.text(validateBeginReadOnly)); err != nil {
		return nil, err
	}
	// A statement that failed to prepare aborts the transaction; the
	// rollback ends it whatever happened, so the connection goes back to
	// the pool clean.
	defer func() {
		_, rerr := conn.ExecContext(context.WithoutCancel(ctx), s.text(validateRollback))
		err = errors.Join(err, rerr)
	}()
	err = conn.Raw(func(dc any) (err error) {
		stmt, err := prepareSelect(dc, query)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, stmt.Close()) }()
		n, err := stmt.ColumnCount()
		if err != nil {
			return err
		}
		for i := range n {
			c, err := stmt.ColumnName(i)
			if err != nil {
				return err
			}
			cols = append(cols, c)
		}
		return nil
	})
	return cols, err
}

// prepareSelect prepares query on the driver connection dc as one SELECT
// statement. It goes to the driver's Prepare because that refuses text
// holding more than one statement before any of it runs, where
// database/sql (and the driver's PrepareContext) runs every statement but
// the last unseen; and a rule runs through the very statement prepared
// here.
func prepareSelect(dc any, query string) (*duckdb.Stmt, error) {
	c, ok := dc.(*duckdb.Conn)
	if !ok {
		return nil, fmt.Errorf("the database connection is not DuckDB's (%T)", dc)
	}
	s, err := c.Prepare(query)
	if err != nil {
		return nil, &PrepareError{Err: err}
	}
	stmt := s.(*duckdb.Stmt)
	if t, err := stmt.StatementType(); err != nil || t != duckdb.STATEMENT_TYPE_SELECT {
		return nil, errors.Join(ErrNotOneSelect, err, stmt.Close())
	}
	return stmt, nil
}

// A ValidationTx is a validation run in progress: one transaction on one
// connection, so that the run's configuration, findings and figures land
// whole or not at all. Close it when done: it rolls back what was not
// committed.
type ValidationTx struct {
	s    *Store
	conn *sql.Conn
	done bool // committed or rolled back
}

// BeginValidation starts a validation run.
func (s *Store) BeginValidation(ctx context.Context) (*ValidationTx, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, s.text(validateBegin)); err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	return &ValidationTx{s: s, conn: conn}, nil
}

// Commit stores the run.
func (t *ValidationTx) Commit(ctx context.Context) error {
	if _, err := t.conn.ExecContext(ctx, t.s.text(validateCommit)); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	t.done = true
	return nil
}

// Close rolls back what was not committed (even when the run's context is
// cancelled) and gives the connection back.
func (t *ValidationTx) Close() error {
	var err error
	if !t.done {
		_, err = t.conn.ExecContext(context.Background(), t.s.text(validateRollback))
		t.done = true
	}
	return errors.Join(err, t.conn.Close())
}

func (t *ValidationTx) exec(ctx context.Context, op string, st statement, args ...any) error {
	if _, err := t.conn.ExecContext(ctx, t.s.text(st), args...); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// ShareClaims brings shared_claims up to the submissions stored since the
// last check (validate/share_claims.sql): DUPLICATE_RECEIPT's work, done
// once for what is new.
func (t *ValidationTx) ShareClaims(ctx context.Context) error {
	return t.exec(ctx, "shared claims", validateShareClaims)
}

// WriteProgramme clears what the previous run left for the rules (the
// cfg_* tables, run_context, run_line_errors) and writes the programme's
// configuration and the run's as-of day, so that the rules hold no literal.
// Rates are stored as fractions: 90.00 % as 0.900000; the interest rate is
// the base rate plus the points above it.
func (t *ValidationTx) WriteProgramme(ctx context.Context, p *programme.Programme, asOf time.Time) error {
	if err := t.exec(ctx, "clear configuration", validateClearConfig); err != nil {
		return err
	}
	var districts, plan, payouts, baseRates [][]any
	for _, b := range p.BaseRates {
		baseRates = append(baseRates, []any{b.From.Time(), decimal(int64(b.RatePct), 4, 9, 6)})
	}
	for _, y := range p.Years {
		if err := t.exec(ctx, fmt.Sprintf("configuration %d", y.Year), validateInsertYear,
			y.Year, y.StateBudget, y.DistrictCap, y.MaxCoordinators, fraction(y.FundingRatePct), y.PostCapPerFTE,
			fraction(y.LineTolerancePct), y.SpendingWindowDays, fraction(p.BaseRateOn(time.Date(y.Year, 1, 1, 0, 0, 0, 0, time.UTC))+y.InterestPointsAboveBase),
			fraction(y.UnderspendingPct), y.FinalReportDeadline.String(), fraction(y.InterestPointsAboveBase)); err != nil {
			return err
		}
		for i, d := range y.QuarterDeadlines {
			if err := t.exec(ctx, fmt.Sprintf("deadline %d Q%d", y.Year, i+1), validateInsertDeadline, y.Year, i+1, d.String()); err != nil {
				return err
			}
		}
		for i, c := range y.Categories {
			if err := t.exec(ctx, fmt.Sprintf("category %d %s", y.Year, c.Code), validateInsertCategory,
				y.Year, c.Code, c.NameDE, c.NameEN, i+1, c.Staff); err != nil {
				return err
			}
		}
		year := int32(y.Year)
		for _, d := range y.Districts {
			districts = append(districts, []any{year, d.AGS, d.Name, d.Kind, int32(d.Population), Money(d.Approved), Money(d.PlanTotal), d.FileNumber, Money(d.PlannedIncome)})
			for _, c := range y.Categories {
				plan = append(plan, []any{year, d.AGS, c.Code, Money(d.Plan[c.Code])})
			}
			for _, p := range d.Payouts {
				payouts = append(payouts, []any{year, d.AGS, p.Date.Time(), Money(p.Amount), p.Reference})
			}
		}
	}
	for _, a := range []struct {
		table string
		rows  [][]any
	}{{"cfg_districts", districts}, {"cfg_plan", plan}, {"cfg_payouts", payouts}, {"cfg_base_rates", baseRates}} {
		if err := Append(ctx, t.conn, a.table, a.rows); err != nil {
			return err
		}
	}
	return t.exec(ctx, "as-of day", validateSetAsOf, asOf)
}

// fraction turns a rate in basis points into the decimal fraction the SQL
// uses: 9000 (90.00 %) is "0.9000".
func fraction(r programme.Rate) string {
	neg := r < 0
	if neg {
		r = -r
	}
	s := fmt.Sprintf("%d.%04d", int64(r)/10000, int64(r)%10000)
	if neg {
		s = "-" + s
	}
	return s
}

// SubmissionFiles returns every stored submission's file name, by id.
func (t *ValidationTx) SubmissionFiles(ctx context.Context) (map[int64]string, error) {
	out := map[int64]string{}
	err := t.each(ctx, "submission files", validateSubmissionFiles, nil, func(r *sql.Rows) error {
		var id int64
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		out[id] = name
		return nil
	})
	return out, err
}

// RuleColumns are the columns of a rule's result: their names and DuckDB's
// names of their types ("DECIMAL(18,2)", "DATE", "VARCHAR" …).
type RuleColumns struct {
	Names []string
	Types []string
}

// Decimal is an exact DECIMAL value as a rule returned it.
type Decimal struct {
	Width, Scale int
	// Text is the value with all Scale digits after the point: "-1234.50".
	Text string
}

// String returns the exact text.
func (d Decimal) String() string { return d.Text }

// RunRule runs a rule's query inside the run, as the one SELECT statement
// RuleColumns prepared: it sees the configuration and the eligible
// spending the run has written so far. columns is called once, before any
// row; row once per row, with the values as Go values (nil, string, bool,
// integers, float64, time.Time, Decimal for DECIMAL columns; []byte copied).
// The slice row gets is reused for the next row. The error is
// ErrNotOneSelect, a *PrepareError, one that columns or row returned, or
// the database's.
func (t *ValidationTx) RunRule(ctx context.Context, query string, columns func(RuleColumns) error, row func([]any) error) error {
	return t.conn.Raw(func(dc any) (err error) {
		stmt, err := prepareSelect(dc, query)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, stmt.Close()) }()
		rs, err := stmt.QueryContext(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, rs.Close()) }()
		cols := RuleColumns{Names: rs.Columns(), Types: make([]string, len(rs.Columns()))}
		if tn, ok := rs.(driver.RowsColumnTypeDatabaseTypeName); ok {
			for i := range cols.Types {
				cols.Types[i] = tn.ColumnTypeDatabaseTypeName(i)
			}
		}
		if err := columns(cols); err != nil {
			return err
		}
		vals := make([]driver.Value, len(cols.Names))
		out := make([]any, len(cols.Names))
		for {
			err := rs.Next(vals)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			for i, v := range vals {
				out[i] = ruleValue(v)
			}
			if err := row(out); err != nil {
				return err
			}
		}
	})
}

// ruleValue is a driver value as RunRule hands it on.
func ruleValue(v driver.Value) any {
	switch x := v.(type) {
	case []byte:
		return bytes.Clone(x) // the driver may reuse its buffer
	case duckdb.Decimal:
		return Decimal{Width: int(x.Width), Scale: int(x.Scale), Text: decimalText(x)}
	}
	return v
}

// decimalText is d with all its scale's digits (the driver's String drops
// trailing zeros: 12.50 would read 12.5).
func decimalText(d duckdb.Decimal) string {
	v := new(big.Int).Set(d.Value)
	neg := v.Sign() < 0
	v.Abs(v)
	s := v.String()
	if d.Scale > 0 {
		for len(s) <= int(d.Scale) {
			s = "0" + s
		}
		s = s[:len(s)-int(d.Scale)] + "." + s[len(s)-int(d.Scale):]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// LineRef names one line of a submission: its sheet (as the file names
// it) and row.
type LineRef struct {
	SubmissionID int64
	Sheet        string
	Row          int
}

// MarkIneligible records the lines a line rule found in error as not
// eligible, then sums the eligible spending and the payouts' coverage by it
// into eligible_sums and run_payout_coverage, which the other rules and the
// grant computation read.
func (t *ValidationTx) MarkIneligible(ctx context.Context, lines []LineRef) error {
	rows := make([][]any, len(lines))
	for i, l := range lines {
		rows[i] = []any{l.SubmissionID, int32(l.Row), nullString(l.Sheet)}
	}
	if err := Append(ctx, t.conn, "run_line_errors", rows); err != nil {
		return err
	}
	return t.exec(ctx, "eligible spending", validateRefresh)
}

// GrantFigure is the grant computation of one district and year, from
// 1 January to the end of quarter ThroughQuarter (0: the year as of the
// run's day).
type GrantFigure struct {
	District       string
	Year           int
	ThroughQuarter int
	Approved       money.Cents
	Eligible       money.Cents
	Income         money.Cents // income received for the purpose: lowers the grant
	PlannedIncome  money.Cents // income in the financing plan
	Grant          money.Cents
	Paid           money.Cents
	Balance        money.Cents // Paid − Grant: positive means more paid out than the grant
	InterestAtRisk money.Cents
	Settled        bool // the year is settled as of the run's day: the grant is fixed
}

// GrantCategory is a district's eligible costs of one cost category in a
// year, up to the end of quarter ThroughQuarter (0: the year as of the
// run's day).
type GrantCategory struct {
	District       string
	Year           int
	ThroughQuarter int
	Category       string
	Eligible       money.Cents
}

// GrantFigures computes every configured district's grant of every year
// from the eligible receipts of quarters 1 to through and the payouts made
// by paidUntil, in order of year and district.
func (t *ValidationTx) GrantFigures(ctx context.Context, through int, paidUntil time.Time) ([]GrantFigure, error) {
	var out []GrantFigure
	err := t.each(ctx, "grant figures", validateGrants, []any{through, paidUntil}, func(r *sql.Rows) error {
		g := GrantFigure{ThroughQuarter: through}
		if err := r.Scan(&g.District, &g.Year, &g.Approved, &g.Eligible, &g.Income, &g.PlannedIncome, &g.Grant, &g.Paid, &g.Balance, &g.InterestAtRisk, &g.Settled); err != nil {
			return err
		}
		out = append(out, g)
		return nil
	})
	return out, err
}

// GrantCategories returns every configured district's eligible costs per
// cost category (every category of the year, zero where nothing was
// spent) of quarters 1 to through, in order of year, district and the
// categories' order.
func (t *ValidationTx) GrantCategories(ctx context.Context, through int) ([]GrantCategory, error) {
	var out []GrantCategory
	err := t.each(ctx, "grant categories", validateGrantCategories, []any{through}, func(r *sql.Rows) error {
		c := GrantCategory{ThroughQuarter: through}
		if err := r.Scan(&c.District, &c.Year, &c.Category, &c.Eligible); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// RunRecord is what is stored of a validation run besides its findings and
// figures.
type RunRecord struct {
	StartedAt time.Time
	AsOf      time.Time // the day the rules looked from
	RuleSet   string    // the fingerprint of the rule set
	Rules     []string  // the rule ids, in the order they ran
	Year      int       // the year asked for, 0: every year
	Quarter   int       // the quarter asked for, 0: every quarter
}

// NewFinding is one finding of a run as it is stored. Zero values of the
// optional fields are stored as NULL.
type NewFinding struct {
	Rule         string
	Severity     string
	District     string
	Year         int
	Quarter      int
	SubmissionID int64
	File         string
	Sheet        string
	Cell         string
	Row          int
	MessageDE    string
	MessageEN    string
}

// SaveRun stores the run under a new run id, with its findings (numbered
// in the order given), grant figures and categories, and returns the id.
func (t *ValidationTx) SaveRun(ctx context.Context, run RunRecord, findings []NewFinding, figures []GrantFigure, categories []GrantCategory) (int64, error) {
	var id int64
	if err := t.conn.QueryRowContext(ctx, t.s.text(validateNextRunID)).Scan(&id); err != nil {
		return 0, fmt.Errorf("run id: %w", err)
	}
	if err := t.exec(ctx, "run", validateInsertRun, id, run.StartedAt.UTC(), run.AsOf, run.RuleSet, strings.Join(run.Rules, ","),
		nullInt(run.Year), nullInt(run.Quarter)); err != nil {
		return 0, err
	}
	fs := make([][]any, len(findings))
	for i, f := range findings {
		fs[i] = []any{id, int32(i + 1), f.Rule, f.Severity, nullString(f.District), nullInt(f.Year), nullInt(f.Quarter),
			nullInt64(f.SubmissionID), nullString(f.File), nullString(f.Sheet), nullString(f.Cell), nullInt(f.Row), f.MessageDE, f.MessageEN}
	}
	gs := make([][]any, len(figures))
	for i, g := range figures {
		gs[i] = []any{id, g.District, int32(g.Year), int32(g.ThroughQuarter), Money(g.Approved), Money(g.Eligible),
			Money(g.Grant), Money(g.Paid), Money(g.Balance), Money(g.InterestAtRisk), Money(g.Income), Money(g.PlannedIncome), g.Settled}
	}
	cs := make([][]any, len(categories))
	for i, c := range categories {
		cs[i] = []any{id, c.District, int32(c.Year), int32(c.ThroughQuarter), c.Category, Money(c.Eligible)}
	}
	for _, a := range []struct {
		table string
		rows  [][]any
	}{{"findings", fs}, {"grant_figures", gs}, {"grant_categories", cs}} {
		if err := Append(ctx, t.conn, a.table, a.rows); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func nullInt64(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// each runs statement st on the run's connection and calls row for every
// row; errors name op.
func (t *ValidationTx) each(ctx context.Context, op string, st statement, args []any, row func(*sql.Rows) error) error {
	rows, err := t.conn.QueryContext(ctx, t.s.text(st), args...)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}
