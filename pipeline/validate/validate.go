// Package validate checks the stored submissions against the funding rules
// and computes the grant per district and year. A run writes the programme
// configuration into the cfg_* tables, runs the line rules, marks the
// receipts they find in error as ineligible, runs the aggregate rules and the
// grant computation, and stores findings and figures under a new run id, so
// earlier runs stay readable. All of it is one transaction. Before any of
// it, every rule is vetted: one SELECT statement over the programme's tables
// and nothing else (see Check); analysts write rules too.
package validate

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/xlsx"
)

// Validator runs the rules over one store. It is not safe for concurrent
// use.
type Validator struct {
	Store     *store.Store
	Programme *programme.Programme
	Rules     []rules.Rule
	Now       func() time.Time

	refresh string          // the statements that fix a run's eligible receipts
	vetted  map[string]bool // the rule texts vetted so far, so that Run after Check does not vet again
}

// Options narrow a run's output (the rules always see all data, since
// cumulative rules need earlier quarters).
type Options struct {
	Year    int       // 0: every year
	Quarter int       // 0: every quarter
	AsOf    time.Time // the day the rules look from: deadlines passed, payouts due
}

// Finding is one finding of a run.
type Finding struct {
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
	Message      map[string]string // by language
}

// Grant is the grant computation of one district and year.
type Grant struct {
	District       string
	Year           int
	Approved       money.Cents
	Eligible       money.Cents
	Fundable       money.Cents
	Paid           money.Cents
	Balance        money.Cents // paid − fundable: positive means to be repaid
	InterestAtRisk money.Cents
	ByCategory     map[string]money.Cents
}

// Result is what a run found and computed.
type Result struct {
	RunID    int64
	AsOf     time.Time
	RuleSet  string
	Findings []Finding
	Grants   []Grant
}

// Check vets every rule, as Run does before it runs any: its query must be
// one SELECT statement that only reads the programme's tables (see
// rules.Rule.Vet), bind, and return the columns its messages need. Nothing
// of a rule runs: its statement is only prepared, in a read-only
// transaction. Errors name the rule's file, one problem a line.
func (v *Validator) Check(ctx context.Context) error {
	conn, err := v.Store.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	defer conn.Close()
	var problems []string
	for _, r := range v.Rules {
		if err := v.checkOne(ctx, conn, r); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

func (v *Validator) checkOne(ctx context.Context, conn *sql.Conn, r rules.Rule) error {
	begin, err := v.Store.Query("validate/begin_read_only.sql")
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	rollback, err := v.Store.Query("validate/rollback.sql")
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), rollback)
	cols, err := v.vet(ctx, conn, r)
	if err != nil {
		return err
	}
	return checkColumns(r, cols)
}

// vet checks that rule r may run: DuckDB's parser reads its query (nothing
// is bound or read yet) and rules.Rule.Vet checks the parse tree; then the
// query is prepared, bound but not run, as one SELECT statement. It returns
// the query's columns.
func (v *Validator) vet(ctx context.Context, conn *sql.Conn, r rules.Rule) ([]string, error) {
	parse, err := v.Store.Query("validate/parse_rule.sql")
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	var tree string
	if err := conn.QueryRowContext(ctx, parse, r.SQL).Scan(&tree); err != nil {
		return nil, fmt.Errorf("rule %s: parse: %w", r.Source, err)
	}
	if err := r.Vet([]byte(tree)); err != nil {
		return nil, err
	}
	var cols []string
	err = prepare(conn, r, func(stmt *duckdb.Stmt) error {
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
	if err != nil {
		return nil, err
	}
	if v.vetted == nil {
		v.vetted = map[string]bool{}
	}
	v.vetted[r.SQL] = true
	return cols, nil
}

// prepare prepares rule r's query on conn as the one SELECT statement it
// must be and hands it to use. It goes to the driver's Prepare because that
// refuses text holding more than one statement before any of it runs,
// where a query through database/sql runs every statement but the last
// unseen; and a rule runs through the very statement prepared here.
func prepare(conn *sql.Conn, r rules.Rule, use func(*duckdb.Stmt) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("rule %s: the database connection is not DuckDB's (%T)", r.Source, dc)
		}
		s, err := c.Prepare(r.SQL)
		if err != nil {
			return fmt.Errorf("rule %s: the query does not run: %v", r.Source, firstLine(err.Error()))
		}
		stmt := s.(*duckdb.Stmt)
		defer stmt.Close()
		if t, err := stmt.StatementType(); err != nil || t != duckdb.STATEMENT_TYPE_SELECT {
			return fmt.Errorf("rule %s: one SELECT statement only", r.Source)
		}
		return use(stmt)
	})
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func checkColumns(r rules.Rule, cols []string) error {
	have := map[string]bool{}
	for _, c := range cols {
		have[c] = true
	}
	var missing []string
	for _, c := range rules.Required {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("rule %s: the query lacks the columns %s (every rule returns %s)", r.Source, strings.Join(missing, ", "), strings.Join(rules.Required, ", "))
	}
	for _, p := range r.Placeholders() {
		if !have[p] {
			return fmt.Errorf("rule %s: a message names {%s}, but the query returns no column %s", r.Source, p, p)
		}
	}
	return nil
}

// queryNames are the statements of queries/validate a run uses.
var queryNames = []string{"clear_config", "insert_year", "insert_deadline", "insert_category",
	"set_as_of", "submission_files", "grants", "grant_categories", "next_run_id", "insert_run", "refresh_eligible",
	"begin", "commit", "rollback"}

// Run validates and computes, and stores the run.
func (v *Validator) Run(ctx context.Context, opt Options) (*Result, error) {
	if v.Now == nil {
		v.Now = time.Now
	}
	if opt.AsOf.IsZero() {
		opt.AsOf = v.Now()
	}
	asOf := opt.AsOf.Format("2006-01-02")
	conn, err := v.Store.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	defer conn.Close()
	sqlText := map[string]string{}
	for _, name := range queryNames {
		s, err := v.Store.Query("validate/" + name + ".sql")
		if err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
		sqlText[name] = s
	}
	q := func(name string) string { return sqlText[name] }
	// A rule that may not run stops the run before it changes anything
	// (Check has vetted the rules if it was called; each rule is prepared
	// again, as one SELECT statement, when it runs).
	for _, r := range v.Rules {
		if v.vetted[r.SQL] {
			continue
		}
		if _, err := v.vet(ctx, conn, r); err != nil {
			return nil, err
		}
	}
	if _, err := conn.ExecContext(ctx, q("begin")); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			conn.ExecContext(context.WithoutCancel(ctx), q("rollback"))
		}
	}()
	v.refresh = q("refresh_eligible")
	exec := func(name string, args ...any) error {
		if _, err := conn.ExecContext(ctx, q(name), args...); err != nil {
			return fmt.Errorf("validate: %s: %w", name, err)
		}
		return nil
	}
	if err := exec("clear_config"); err != nil {
		return nil, err
	}
	if err := v.writeConfig(ctx, conn, exec); err != nil {
		return nil, err
	}
	if err := exec("set_as_of", asOf); err != nil {
		return nil, err
	}
	files, err := v.files(ctx, conn, q("submission_files"))
	if err != nil {
		return nil, err
	}
	res := &Result{AsOf: opt.AsOf, RuleSet: rules.Version(v.Rules)}
	lineDone := false
	for _, r := range v.Rules {
		if r.Phase != rules.PhaseLine && !lineDone {
			// Line rules are done: their errors make receipts ineligible
			// for the aggregate rules and the grant.
			if err := v.markIneligible(ctx, conn, res.Findings); err != nil {
				return nil, err
			}
			lineDone = true
		}
		fs, err := runRule(ctx, conn, r, opt.AsOf)
		if err != nil {
			return nil, err
		}
		for i := range fs {
			fs[i].File = files[fs[i].SubmissionID]
		}
		res.Findings = append(res.Findings, fs...)
	}
	if !lineDone {
		if err := v.markIneligible(ctx, conn, res.Findings); err != nil {
			return nil, err
		}
	}
	// The year as of the as-of day, and each quarter's cumulative figures
	// (for the quarterly reports), from the same computation.
	if res.Grants, err = grants(ctx, conn, q("grants"), q("grant_categories"), 4, asOf); err != nil {
		return nil, err
	}
	byQuarter := map[int][]Grant{}
	for quarter := 1; quarter <= 4; quarter++ {
		var all []Grant
		for _, y := range v.Programme.Years {
			end := time.Date(y.Year, time.Month(3*quarter+1), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
			if opt.AsOf.Before(end) {
				end = opt.AsOf
			}
			gs, err := grants(ctx, conn, q("grants"), q("grant_categories"), quarter, end.Format("2006-01-02"))
			if err != nil {
				return nil, err
			}
			for _, g := range gs {
				if g.Year == y.Year {
					all = append(all, g)
				}
			}
		}
		byQuarter[quarter] = all
	}
	sortFindings(res.Findings)
	res.Findings = filter(res.Findings, opt)
	var keep []Grant
	for _, g := range res.Grants {
		if opt.Year == 0 || g.Year == opt.Year {
			keep = append(keep, g)
		}
	}
	res.Grants = keep
	if err := conn.QueryRowContext(ctx, q("next_run_id")).Scan(&res.RunID); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	var ids []string
	for _, r := range v.Rules {
		ids = append(ids, r.ID)
	}
	if err := exec("insert_run", res.RunID, v.Now().UTC(), asOf, res.RuleSet, strings.Join(ids, ","), store.NullInt(opt.Year), store.NullInt(opt.Quarter)); err != nil {
		return nil, err
	}
	var findingRows, grantRows, categoryRows [][]any
	for i, f := range res.Findings {
		findingRows = append(findingRows, []any{res.RunID, int32(i + 1), f.Rule, f.Severity, store.NullString(f.District), store.NullInt(f.Year),
			store.NullInt(f.Quarter), nullInt64(f.SubmissionID), store.NullString(f.File), store.NullString(f.Sheet), store.NullString(f.Cell),
			store.NullInt(f.Row), f.Message["de"], f.Message["en"]})
	}
	byQuarter[0] = res.Grants
	for quarter := 0; quarter <= 4; quarter++ {
		for _, g := range byQuarter[quarter] {
			grantRows = append(grantRows, []any{res.RunID, g.District, int32(g.Year), int32(quarter), store.Money(g.Approved), store.Money(g.Eligible),
				store.Money(g.Fundable), store.Money(g.Paid), store.Money(g.Balance), store.Money(g.InterestAtRisk)})
			for _, c := range sortedKeys(g.ByCategory) {
				categoryRows = append(categoryRows, []any{res.RunID, g.District, int32(g.Year), int32(quarter), c, store.Money(g.ByCategory[c])})
			}
		}
	}
	for _, t := range []struct {
		table string
		rows  [][]any
	}{{"findings", findingRows}, {"grant_figures", grantRows}, {"grant_categories", categoryRows}} {
		if err := store.Append(ctx, conn, t.table, t.rows); err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, q("commit")); err != nil {
		return nil, fmt.Errorf("validate: commit: %w", err)
	}
	committed = true
	return res, nil
}

func (v *Validator) writeConfig(ctx context.Context, conn *sql.Conn, exec func(string, ...any) error) error {
	var districts, plan, payouts [][]any
	for _, y := range v.Programme.Years {
		interest := y.BaseRatePct + y.InterestPointsAboveBase
		if err := exec("insert_year", y.Year, y.StateBudget.String(), y.DistrictCap.String(), y.MaxCoordinators,
			fraction(y.FundingRatePct), y.PostCapPerFTE.String(), fraction(y.LineTolerancePct), y.SpendingWindowDays,
			fraction(interest), fraction(y.UnderspendingPct), y.FinalReportDeadline.String()); err != nil {
			return err
		}
		for i, d := range y.QuarterDeadlines {
			if err := exec("insert_deadline", y.Year, i+1, d.String()); err != nil {
				return err
			}
		}
		for i, c := range y.Categories {
			if err := exec("insert_category", y.Year, c.Code, c.NameDE, c.NameEN, i+1, c.Staff); err != nil {
				return err
			}
		}
		year := int32(y.Year)
		for _, d := range y.Districts {
			districts = append(districts, []any{year, d.AGS, d.Name, d.Kind, int32(d.Population), store.Money(d.Approved), store.Money(d.PlanTotal), d.FileNumber})
			for _, c := range y.Categories {
				plan = append(plan, []any{year, d.AGS, c.Code, store.Money(d.Plan[c.Code])})
			}
			for _, p := range d.Payouts {
				payouts = append(payouts, []any{year, d.AGS, p.Date.Time(), store.Money(p.Amount), p.Reference})
			}
		}
	}
	for _, t := range []struct {
		table string
		rows  [][]any
	}{{"cfg_districts", districts}, {"cfg_plan", plan}, {"cfg_payouts", payouts}} {
		if err := store.Append(ctx, conn, t.table, t.rows); err != nil {
			return fmt.Errorf("validate: %w", err)
		}
	}
	return nil
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

func (v *Validator) markIneligible(ctx context.Context, conn *sql.Conn, fs []Finding) error {
	seen := map[[2]int64]bool{}
	var rows [][]any
	for _, f := range fs {
		if f.Severity != "error" || f.SubmissionID == 0 || f.Row == 0 {
			continue
		}
		k := [2]int64{f.SubmissionID, int64(f.Row)}
		if seen[k] {
			continue
		}
		seen[k] = true
		rows = append(rows, []any{f.SubmissionID, int32(f.Row)})
	}
	if err := store.Append(ctx, conn, "run_line_errors", rows); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, v.refresh); err != nil {
		return fmt.Errorf("validate: refresh_eligible: %w", err)
	}
	return nil
}

func (v *Validator) files(ctx context.Context, conn *sql.Conn, query string) (map[int64]string, error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

// runRule runs one rule and renders its findings in every language. The
// rule runs as the one SELECT statement prepare makes of it, inside the
// run's transaction: it reads the configuration and the eligible receipts
// the run has written so far.
func runRule(ctx context.Context, conn *sql.Conn, r rules.Rule, asOf time.Time) ([]Finding, error) {
	var out []Finding
	err := prepare(conn, r, func(stmt *duckdb.Stmt) error {
		rs, err := stmt.QueryContext(ctx, nil)
		if err != nil {
			return fmt.Errorf("rule %s: %w", r.Source, err)
		}
		defer rs.Close()
		cols := rs.Columns()
		if err := checkColumns(r, cols); err != nil {
			return err
		}
		types := make([]string, len(cols))
		if tn, ok := rs.(driver.RowsColumnTypeDatabaseTypeName); ok {
			for i := range cols {
				types[i] = tn.ColumnTypeDatabaseTypeName(i)
			}
		}
		vals := make([]driver.Value, len(cols))
		for {
			err := rs.Next(vals)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("rule %s: %w", r.Source, err)
			}
			out = append(out, finding(r, cols, types, vals, asOf))
		}
	})
	return out, err
}

// finding makes a finding of one row of rule r.
func finding(r rules.Rule, cols, types []string, vals []driver.Value, asOf time.Time) Finding {
	row := map[string]any{}
	args := messages.Args{}
	for i, c := range cols {
		v := vals[i]
		if b, ok := v.([]byte); ok {
			v = bytes.Clone(b) // the driver may reuse its buffer
		}
		row[c] = v
		args[c] = argument(c, types[i], v)
	}
	f := Finding{
		Rule: r.ID, Severity: r.Severity,
		District: str(row["district"]), Year: int(num(row["year"])), Quarter: int(num(row["quarter"])),
		SubmissionID: num(row["submission_id"]), Sheet: str(row["sheet"]), Cell: str(row["cell"]), Row: int(num(row["row_no"])),
		Message: map[string]string{},
	}
	if s := str(row["severity"]); s == "error" || s == "warning" || s == "info" {
		f.Severity = s
	}
	if r.SeverityYearEnd != "" && f.Year > 0 && (f.Quarter == 4 || asOf.After(time.Date(f.Year, 12, 31, 23, 59, 59, 0, time.UTC))) {
		f.Severity = r.SeverityYearEnd
	}
	for _, lang := range messages.Langs {
		f.Message[lang] = render(r.Message[lang], lang, args)
	}
	return f
}

// render fills {column} placeholders.
func render(tmpl, lang string, args messages.Args) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		name := tmpl[i+1 : i+j]
		switch a := args[name].(type) {
		case messages.Localizer:
			b.WriteString(a.Localize(lang))
		case string:
			b.WriteString(a)
		case nil:
			b.WriteString("–")
		default:
			fmt.Fprint(&b, a)
		}
		tmpl = tmpl[i+j+1:]
	}
}

// argument turns a column value into a message argument shown in each
// language's form: DECIMAL(18,2) as money, *_pct as a percentage, other
// decimals with the language's decimal separator, dates as dates.
func argument(col, dbType string, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		return dateArg(x)
	case duckdb.Decimal:
		s := decimalString(x)
		switch {
		case strings.HasSuffix(col, "_pct"):
			return percentArg(s)
		case x.Scale == 2 && x.Width == 18:
			c, err := money.Parse(s)
			if err == nil {
				return c
			}
		}
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return messages.Decimal(s)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func decimalString(d duckdb.Decimal) string {
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

type dateArg time.Time

func (d dateArg) Localize(lang string) string {
	if lang == "en" {
		return time.Time(d).Format("2006-01-02")
	}
	return time.Time(d).Format("02.01.2006")
}

type percentArg string

func (p percentArg) Localize(lang string) string {
	s := string(p)
	if lang == "en" {
		return s + " %"
	}
	return strings.Replace(s, ".", ",", 1) + " %"
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func num(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint64:
		return int64(x)
	case uint32:
		return int64(x)
	case int:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

func grants(ctx context.Context, conn *sql.Conn, figures, categories string, throughQuarter int, paidUntil string) ([]Grant, error) {
	rows, err := conn.QueryContext(ctx, figures, throughQuarter, paidUntil)
	if err != nil {
		return nil, fmt.Errorf("validate: grants: %w", err)
	}
	var out []Grant
	index := map[string]int{}
	for rows.Next() {
		var g Grant
		var a [6]string
		if err := rows.Scan(&g.District, &g.Year, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]); err != nil {
			rows.Close()
			return nil, fmt.Errorf("validate: grants: %w", err)
		}
		for i, p := range []*money.Cents{&g.Approved, &g.Eligible, &g.Fundable, &g.Paid, &g.Balance, &g.InterestAtRisk} {
			if *p, err = money.Parse(a[i]); err != nil {
				rows.Close()
				return nil, fmt.Errorf("validate: grants: %w", err)
			}
		}
		g.ByCategory = map[string]money.Cents{}
		index[g.District+"/"+strconv.Itoa(g.Year)] = len(out)
		out = append(out, g)
	}
	rows.Close()
	rows, err = conn.QueryContext(ctx, categories, throughQuarter)
	if err != nil {
		return nil, fmt.Errorf("validate: grants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var district, cat, amount string
		var year int
		if err := rows.Scan(&district, &year, &cat, &amount); err != nil {
			return nil, fmt.Errorf("validate: grants: %w", err)
		}
		c, err := money.Parse(amount)
		if err != nil {
			return nil, fmt.Errorf("validate: grants: %w", err)
		}
		if i, ok := index[district+"/"+strconv.Itoa(year)]; ok {
			out[i].ByCategory[cat] = c
		}
	}
	return out, rows.Err()
}

// sortFindings gives findings a stable order: district, year, quarter, then
// by place (file, sheet, row, column), then rule.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		switch {
		case a.District != b.District:
			return a.District < b.District
		case a.Year != b.Year:
			return a.Year < b.Year
		case a.Quarter != b.Quarter:
			return a.Quarter < b.Quarter
		case a.File != b.File:
			return a.File < b.File
		case a.Sheet != b.Sheet:
			return a.Sheet < b.Sheet
		case a.Row != b.Row:
			return a.Row < b.Row
		}
		ca, _, _ := xlsx.ParseRef(a.Cell)
		cb, _, _ := xlsx.ParseRef(b.Cell)
		if ca != cb {
			return ca < cb
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message["de"] < b.Message["de"]
	})
}

func filter(fs []Finding, opt Options) []Finding {
	var out []Finding
	for _, f := range fs {
		if (opt.Year == 0 || f.Year == 0 || f.Year == opt.Year) && (opt.Quarter == 0 || f.Quarter == 0 || f.Quarter == opt.Quarter) {
			out = append(out, f)
		}
	}
	return out
}

func sortedKeys(m map[string]money.Cents) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func nullInt64(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
