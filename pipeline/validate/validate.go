// Package validate checks the stored submissions against the funding rules
// and computes the grant per district and year. A run writes the programme
// configuration into the cfg_* tables, runs the line rules, marks the
// receipts they find in error as ineligible, runs the aggregate rules and the
// grant computation, and stores findings and figures under a new run id, so
// earlier runs stay readable. All of it is one transaction. Every rule is
// vetted before any runs (New does it): one SELECT statement over the
// programme's tables and nothing else; analysts write rules too.
package validate

import (
	"context"
	"errors"
	"fmt"
	"grantpipe/pipeline/finding"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/xlsx"
)

// Validator runs the rules over one store. Runs one after another share
// nothing but what is stored; a Validator is not for concurrent use, since
// the database has one writer.
type Validator struct {
	store     *store.Store
	programme *programme.Programme
	rules     []rules.Rule
	now       func() time.Time // the clock of a run's start
	log       *slog.Logger     // each rule's time, at debug
}

// Option changes how New builds a Validator.
type Option func(*Validator)

// WithClock gives the clock runs take their start time (and, without an
// as-of day, their day) from.
func WithClock(now func() time.Time) Option { return func(v *Validator) { v.now = now } }

// WithLog gives the logger a run tells, at debug, each rule's time and
// number of findings, and the time of marking the ineligible lines, of
// the grants and of storing the run.
func WithLog(l *slog.Logger) Option { return func(v *Validator) { v.log = l } }

// New makes a Validator of the rules rs for programme p over store st, and
// vets every rule as Run needs it (see check): a rule that may not run stops
// here, before anything is written.
func New(ctx context.Context, st *store.Store, p *programme.Programme, rs []rules.Rule, opts ...Option) (*Validator, error) {
	switch {
	case st == nil:
		return nil, errors.New("validate: no store")
	case p == nil:
		return nil, errors.New("validate: no programme")
	}
	v := &Validator{store: st, programme: p, rules: rs, now: time.Now}
	for _, o := range opts {
		o(v)
	}
	if v.now == nil {
		return nil, errors.New("validate: no clock")
	}
	if v.log == nil { // no WithLog, or WithLog(nil)
		v.log = slog.New(slog.DiscardHandler)
	}
	if err := v.check(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// Options narrow a run's output (the rules always see all data, since
// cumulative rules need earlier quarters).
type Options struct {
	Year    int       // 0: every year
	Quarter int       // 0: every quarter
	AsOf    time.Time // the day the rules look from: deadlines passed, payouts due; zero: today
}

// Finding is one finding of a run.
type Finding struct {
	Rule         string
	Severity     finding.Severity
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

// Grant is the grant computation of one district and year
// (FUNDING_RULES.md): Grant = min(rate × (Eligible − Income), approved,
// cap), never below 0.
type Grant struct {
	District       string
	Year           int
	Approved       money.Cents
	Eligible       money.Cents // eligible expenditure (zuwendungsfähige Ausgaben)
	Income         money.Cents // income received for the purpose (Einnahmen)
	PlannedIncome  money.Cents // income in the financing plan
	Grant          money.Cents // the grant (Zuwendung)
	Paid           money.Cents
	Balance        money.Cents // paid − grant: positive means more paid out than the grant
	InterestAtRisk money.Cents
	// Settled: the year is over and its fourth quarter in (or the final
	// report's deadline passed) as of the run's day. Until then every
	// figure is provisional: payouts are advances and a positive balance is
	// not yet a claim.
	Settled    bool
	ByCategory map[string]money.Cents
}

// Result is what a run found and computed.
type Result struct {
	RunID   int64
	AsOf    time.Time
	RuleSet string
	// Findings is every finding, in order; nil in a result answered from a
	// stored run (see Stored), which carries only their Tally.
	Findings []Finding
	Tally    []Tally // the findings counted per rule and severity
	Grants   []Grant
}

// check vets every rule: its query must be one SELECT statement that only
// reads the programme's tables (see rules.Rule.Vet), bind, and return the
// columns its messages need. Nothing of a rule runs: its statement is only
// prepared, in a read-only transaction. The error lists every problem, one
// a line, each naming the rule's file.
func (v *Validator) check(ctx context.Context) error {
	var problems []error
	for _, r := range v.rules {
		if err := v.vet(ctx, r); err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("validate: %w", errors.Join(problems...))
	}
	return nil
}

// vet checks that rule r may run: DuckDB's parser reads its query (nothing
// is bound or read yet) and rules.Rule.Vet checks the parse tree; then the
// query is prepared, bound but not run, as one SELECT statement, and its
// columns checked.
func (v *Validator) vet(ctx context.Context, r rules.Rule) error {
	tree, err := v.store.ParseRule(ctx, r.SQL)
	if err != nil {
		return fmt.Errorf("rule %s: parse: %w", r.Source, err)
	}
	if err := r.Vet(tree); err != nil {
		return err
	}
	cols, err := v.store.RuleColumns(ctx, r.SQL)
	if err != nil {
		return ruleError(r, err)
	}
	return checkColumns(r, cols)
}

// ruleError words what the store said of a rule's statement.
func ruleError(r rules.Rule, err error) error {
	var pe *store.PrepareError
	switch {
	case errors.Is(err, store.ErrNotOneSelect):
		return fmt.Errorf("rule %s: one SELECT statement only", r.Source)
	case errors.As(err, &pe):
		return fmt.Errorf("rule %s: the query does not run: %v", r.Source, firstLine(pe.Error()))
	}
	return fmt.Errorf("rule %s: %w", r.Source, err)
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

// run is the state of one Run.
type run struct {
	tx    *store.ValidationTx
	asOf  time.Time // a day, UTC midnight
	files map[int64]string
}

// Run validates and computes, and stores the run.
func (v *Validator) Run(ctx context.Context, opt Options) (_ *Result, err error) {
	started := v.now()
	asOf := opt.AsOf
	if asOf.IsZero() {
		asOf = started
	}
	asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	tx, err := v.store.BeginValidation(ctx)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	defer func() {
		if cerr := tx.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("validate: %w", cerr))
		}
	}()
	r := &run{tx: tx, asOf: asOf}
	start := time.Now()
	if err := tx.ShareClaims(ctx); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	v.log.DebugContext(ctx, "claims shared", "took", time.Since(start).Round(time.Millisecond))
	if err := tx.WriteProgramme(ctx, v.programme, asOf); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if r.files, err = tx.SubmissionFiles(ctx); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	findings, err := v.runRules(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	start = time.Now()
	byQuarter, err := v.grants(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	v.log.DebugContext(ctx, "grants computed", "took", time.Since(start).Round(time.Millisecond))
	sortFindings(findings)
	res := &Result{AsOf: asOf, RuleSet: rules.Version(v.rules), Findings: filter(findings, opt)}
	res.Tally = TallyOf(res.Findings)
	for _, g := range byQuarter[0] {
		if opt.Year == 0 || g.Year == opt.Year {
			res.Grants = append(res.Grants, g)
		}
	}
	start = time.Now()
	if res.RunID, err = v.save(ctx, r, res, opt, started, byQuarter); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	v.log.DebugContext(ctx, "run stored", "run", res.RunID, "findings", len(findings), "took", time.Since(start).Round(time.Millisecond))
	return res, nil
}

// runRules runs every rule in order. Once the line rules are done (they
// come first), the lines they found in error are marked ineligible: the
// aggregate rules and the grant see only eligible spending.
func (v *Validator) runRules(ctx context.Context, r *run) ([]Finding, error) {
	var findings []Finding
	lineDone := false
	markIneligible := func() error {
		start := time.Now()
		lines := errorLines(findings)
		if err := r.tx.MarkIneligible(ctx, lines); err != nil {
			return err
		}
		lineDone = true
		v.log.DebugContext(ctx, "lines marked ineligible", "lines", len(lines), "took", time.Since(start).Round(time.Millisecond))
		return nil
	}
	for _, rule := range v.rules {
		if rule.Phase != rules.PhaseLine && !lineDone {
			if err := markIneligible(); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		fs, err := runRule(ctx, r, rule)
		if err != nil {
			return nil, err
		}
		v.log.DebugContext(ctx, "rule done", "rule", rule.ID, "findings", len(fs), "took", time.Since(start).Round(time.Millisecond))
		findings = append(findings, fs...)
	}
	if !lineDone {
		if err := markIneligible(); err != nil {
			return nil, err
		}
	}
	return findings, nil
}

// errorLines are the lines with an error finding, once each.
func errorLines(fs []Finding) []store.LineRef {
	seen := map[store.LineRef]bool{}
	var out []store.LineRef
	for _, f := range fs {
		l := store.LineRef{SubmissionID: f.SubmissionID, Sheet: f.Sheet, Row: f.Row}
		if f.Severity != finding.Error || f.SubmissionID == 0 || f.Row == 0 || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out
}

// runRule runs one rule and renders its findings in every language.
func runRule(ctx context.Context, r *run, rule rules.Rule) ([]Finding, error) {
	var out []Finding
	var cols store.RuleColumns
	var colErr error
	err := r.tx.RunRule(ctx, rule.SQL, func(c store.RuleColumns) error {
		cols, colErr = c, checkColumns(rule, c.Names)
		return colErr
	}, func(values []any) error {
		f := findingOf(rule, cols, values, r.asOf)
		f.File = r.files[f.SubmissionID]
		out = append(out, f)
		return nil
	})
	switch {
	case colErr != nil:
		return nil, colErr
	case err != nil:
		return nil, ruleError(rule, err)
	}
	return out, nil
}

// findingOf makes a finding of one row of rule r.
func findingOf(r rules.Rule, cols store.RuleColumns, values []any, asOf time.Time) Finding {
	row := map[string]any{}
	args := messages.Args{}
	for i, c := range cols.Names {
		row[c] = values[i]
		args[c] = argument(c, cols.Types[i], values[i])
	}
	f := Finding{
		Rule: r.ID, Severity: r.Severity,
		District: str(row["district"]), Year: int(num(row["year"])), Quarter: int(num(row["quarter"])),
		SubmissionID: num(row["submission_id"]), Sheet: str(row["sheet"]), Cell: str(row["cell"]), Row: int(num(row["row_no"])),
		Message: map[string]string{},
	}
	if s, err := finding.Parse(str(row["severity"])); err == nil {
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
// language's form: *_pct decimals as a percentage, DECIMAL(18,2) as money,
// other decimals with the language's decimal separator, dates as dates.
func argument(col, dbType string, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		return dateArg(x)
	case store.Decimal:
		if strings.HasSuffix(col, "_pct") {
			return percentArg(x.Text)
		}
		if dbType == "DECIMAL(18,2)" {
			var c money.Cents
			if err := c.Scan(x.Text); err == nil {
				return c
			}
		}
		s := x.Text
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return messages.Decimal(s)
	case string:
		return x
	}
	return fmt.Sprint(v)
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

// grants computes the grant of every district and year as of the as-of day
// (through quarter 0: every quarter's receipts, payouts up to the as-of
// day) and cumulated to the end of each quarter 1–4 (payouts up to the
// quarter's end or the as-of day, whichever is earlier), for the quarterly
// reports.
func (v *Validator) grants(ctx context.Context, r *run) (map[int][]Grant, error) {
	byQuarter := map[int][]Grant{}
	var err error
	if byQuarter[0], err = grantsThrough(ctx, r.tx, 4, r.asOf); err != nil {
		return nil, err
	}
	for quarter := 1; quarter <= 4; quarter++ {
		for _, y := range v.programme.Years {
			end := time.Date(y.Year, time.Month(3*quarter+1), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
			if r.asOf.Before(end) {
				end = r.asOf
			}
			gs, err := grantsThrough(ctx, r.tx, quarter, end)
			if err != nil {
				return nil, err
			}
			for _, g := range gs {
				if g.Year == y.Year {
					byQuarter[quarter] = append(byQuarter[quarter], g)
				}
			}
		}
	}
	return byQuarter, nil
}

// grantsThrough computes the grants from the receipts of quarters 1 to
// through and the payouts made by paidUntil, in order of year and district.
func grantsThrough(ctx context.Context, tx *store.ValidationTx, through int, paidUntil time.Time) ([]Grant, error) {
	figures, err := tx.GrantFigures(ctx, through, paidUntil)
	if err != nil {
		return nil, err
	}
	categories, err := tx.GrantCategories(ctx, through)
	if err != nil {
		return nil, err
	}
	type key struct {
		district string
		year     int
	}
	out := make([]Grant, len(figures))
	index := map[key]int{}
	for i, f := range figures {
		index[key{f.District, f.Year}] = i
		out[i] = Grant{District: f.District, Year: f.Year, Approved: f.Approved, Eligible: f.Eligible, Income: f.Income,
			PlannedIncome: f.PlannedIncome, Grant: f.Grant, Paid: f.Paid, Balance: f.Balance, InterestAtRisk: f.InterestAtRisk,
			Settled: f.Settled, ByCategory: map[string]money.Cents{}}
	}
	for _, c := range categories {
		if i, ok := index[key{c.District, c.Year}]; ok {
			out[i].ByCategory[c.Category] = c.Eligible
		}
	}
	return out, nil
}

// save stores the run: its findings, the result's grants as through
// quarter 0, and every quarter's cumulative grants.
func (v *Validator) save(ctx context.Context, r *run, res *Result, opt Options, started time.Time, byQuarter map[int][]Grant) (int64, error) {
	ids := make([]string, len(v.rules))
	for i, rule := range v.rules {
		ids[i] = rule.ID
	}
	findings := make([]store.NewFinding, len(res.Findings))
	for i, f := range res.Findings {
		findings[i] = store.NewFinding{Rule: f.Rule, Severity: string(f.Severity), District: f.District, Year: f.Year, Quarter: f.Quarter,
			SubmissionID: f.SubmissionID, File: f.File, Sheet: f.Sheet, Cell: f.Cell, Row: f.Row,
			MessageDE: f.Message["de"], MessageEN: f.Message["en"]}
	}
	var figures []store.GrantFigure
	var categories []store.GrantCategory
	for quarter := 0; quarter <= 4; quarter++ {
		gs := byQuarter[quarter]
		if quarter == 0 {
			gs = res.Grants
		}
		for _, g := range gs {
			figures = append(figures, store.GrantFigure{District: g.District, Year: g.Year, ThroughQuarter: quarter,
				Approved: g.Approved, Eligible: g.Eligible, Income: g.Income, PlannedIncome: g.PlannedIncome, Grant: g.Grant,
				Paid: g.Paid, Balance: g.Balance, InterestAtRisk: g.InterestAtRisk, Settled: g.Settled})
			for _, c := range slices.Sorted(maps.Keys(g.ByCategory)) {
				categories = append(categories, store.GrantCategory{District: g.District, Year: g.Year, ThroughQuarter: quarter,
					Category: c, Eligible: g.ByCategory[c]})
			}
		}
	}
	run := store.RunRecord{StartedAt: started, AsOf: r.asOf, RuleSet: res.RuleSet, Rules: ids, Year: opt.Year, Quarter: opt.Quarter}
	return r.tx.SaveRun(ctx, run, findings, figures, categories)
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
