package report

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
)

// Periods lists the periods that have data: every quarter with an accepted
// submission, in order, then each of their years as a whole.
func Periods(ctx context.Context, st *store.Store) ([]Period, error) {
	qs, err := st.AcceptedQuarters(ctx)
	if err != nil {
		return nil, fmt.Errorf("report periods: %w", err)
	}
	var out []Period
	var years []int
	for _, q := range qs {
		out = append(out, Period{Year: q.Year, Quarter: q.Quarter})
		if !slices.Contains(years, q.Year) {
			years = append(years, q.Year)
		}
	}
	slices.Sort(years)
	for _, y := range years {
		out = append(out, Period{Year: y})
	}
	return out, nil
}

// Load gathers a period's report data from the latest validation run: its
// findings and grant figures, and the submissions behind them. The
// districts' receipts are left to LoadReceipts. When no validation has run
// yet, the error wraps store.ErrNoValidation.
func Load(ctx context.Context, st *store.Store, prog *programme.Programme, period Period, lang string) (*Data, error) {
	d, err := load(ctx, st, prog, period, lang)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", period.Slug(), err)
	}
	return d, nil
}

func load(ctx context.Context, st *store.Store, prog *programme.Programme, period Period, lang string) (*Data, error) {
	y, ok := prog.Year(period.Year)
	if !ok {
		return nil, fmt.Errorf("%d is not a budget year of the programme", period.Year)
	}
	run, err := st.LatestRun(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := prog.Schedule.Location()
	if err != nil {
		return nil, err
	}
	d := newData(y, period, lang, run)
	d.Location = loc
	l := newLoader(ctx, st, d)
	for _, step := range []func() error{
		l.figures, l.trend, l.findings, l.activities, l.narrative, l.sources, l.coordinators, l.dataTime, l.payouts,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	l.d.sumState(y)
	return l.d, nil
}

// newData is the period's data as the programme configures it, before
// anything is read from the database.
func newData(y *programme.Year, period Period, lang string, run store.ValidationRun) *Data {
	d := &Data{Period: period, Lang: lang, AsOf: run.AsOf, RunID: run.ID, RuleSet: run.RuleSet,
		StateBudget: y.StateBudget, DistrictCap: y.DistrictCap,
		FundingRatePct: int64(y.FundingRatePct), LineTolerance: int64(y.LineTolerancePct), ByRule: map[string][3]int{}}
	for _, c := range y.Categories {
		d.Categories = append(d.Categories, Category{c.Code, c.NameDE, c.NameEN})
	}
	for _, a := range y.ActivityTypes {
		d.ActivityTypes = append(d.ActivityTypes, ActivityType{a.Code, a.NameDE, a.NameEN})
	}
	for _, t := range y.IncomeTypes {
		d.IncomeTypes = append(d.IncomeTypes, IncomeType{t.Code, t.NameDE, t.NameEN})
	}
	for _, pd := range y.Districts {
		d.Districts = append(d.Districts, District{AGS: pd.AGS, Name: pd.Name, Kind: pd.Kind, Population: pd.Population,
			FileNumber: pd.FileNumber, PlanTotal: pd.PlanTotal, Plan: pd.Plan,
			Figures: Figures{Approved: pd.Approved, ByCategory: map[string]money.Cents{}}})
		d.Population += pd.Population
	}
	return d
}

// loader fills a Data from the database, one step per kind of row. Rows
// of a district the programme does not name are left out (the state's
// findings per rule count them).
type loader struct {
	ctx   context.Context
	st    *store.Store
	d     *Data
	index map[string]*District
	// first and last are the quarters the period covers; through is the
	// quarter the grant figures run to (0: the year as of the run's day).
	first, last, through int
}

func newLoader(ctx context.Context, st *store.Store, d *Data) *loader {
	l := &loader{ctx: ctx, st: st, d: d, index: map[string]*District{}}
	for i := range d.Districts {
		l.index[d.Districts[i].AGS] = &d.Districts[i]
	}
	l.first, l.last = d.Period.span()
	l.through = d.Period.Quarter
	return l
}

// span is the first and last quarter a period covers.
func (p Period) span() (first, last int) {
	if p.Annual() {
		return 1, 4
	}
	return p.Quarter, p.Quarter
}

// figures reads the grant computation, in total and per category.
func (l *loader) figures() error {
	fs, err := l.st.DistrictFigures(l.ctx, l.d.RunID, l.d.Period.Year, l.through)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if dist := l.index[f.District]; dist != nil {
			g := &dist.Figures
			g.Approved, g.Eligible, g.Income, g.PlannedIncome = f.Approved, f.Eligible, f.Income, f.PlannedIncome
			g.Grant, g.Paid, g.Balance, g.InterestAtRisk, g.Settled = f.Grant, f.Paid, f.Balance, f.InterestAtRisk, f.Settled
		}
	}
	cs, err := l.st.CategoryFigures(l.ctx, l.d.RunID, l.d.Period.Year, l.through)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if dist := l.index[c.District]; dist != nil {
			dist.Figures.ByCategory[c.Category] = c.Eligible
		}
	}
	return nil
}

// trend reads each district's quarters up to the period's last.
func (l *loader) trend() error {
	qs, err := l.st.Trend(l.ctx, l.d.RunID, l.d.Period.Year, l.d.Period.Last())
	if err != nil {
		return err
	}
	for _, q := range qs {
		if dist := l.index[q.District]; dist != nil {
			dist.Trend = append(dist.Trend, QuarterFigures{Quarter: q.Quarter, Status: q.Status, Eligible: q.Eligible,
				Cumulative: q.Cumulative, Errors: q.Errors, Warnings: q.Warnings})
		}
	}
	return nil
}

// findings reads the period's findings in the report's language and
// counts them per rule.
func (l *loader) findings() error {
	texts := textPool{}
	return l.st.EachRunFinding(l.ctx, l.d.RunID, l.d.Period.Year, l.first, l.last, func(x store.RunFinding) error {
		f := Finding{Rule: x.Rule, Severity: x.Severity, District: x.District, Quarter: x.Quarter,
			File: x.File, Sheet: x.Sheet, Cell: x.Cell, Message: x.MessageDE}
		if l.d.Lang == "en" {
			f.Message = x.MessageEN
		}
		texts.intern(&f.Rule, &f.District, &f.File, &f.Sheet, &f.Message)
		counts := l.d.ByRule[f.Rule]
		switch f.Severity {
		case "error":
			counts[0]++
		case "warning":
			counts[1]++
		default:
			counts[2]++
		}
		l.d.ByRule[f.Rule] = counts
		if dist := l.index[f.District]; dist != nil {
			dist.Findings = append(dist.Findings, f)
		}
		return nil
	})
}

// activities reads the activities per district and sums the state's, both
// in the programme's order of types. A type the programme does not name is
// shown by its code in the district's report and left out of the state's.
func (l *loader) activities() error {
	as, err := l.st.Activities(l.ctx, l.d.Period.Year, l.first, l.last)
	if err != nil {
		return err
	}
	types := map[string]ActivityType{}
	for _, a := range l.d.ActivityTypes {
		types[a.Code] = a
	}
	state := map[string]*Activity{}
	for _, a := range as {
		t, ok := types[a.Type]
		if !ok {
			t = ActivityType{Code: a.Type, NameDE: a.Type, NameEN: a.Type}
		}
		if dist := l.index[a.District]; dist != nil {
			dist.Activities = append(dist.Activities, Activity{Type: t, Count: a.Count, Participants: a.Participants})
		}
		if state[a.Type] == nil {
			state[a.Type] = &Activity{Type: t}
		}
		state[a.Type].Count += a.Count
		state[a.Type].Participants += a.Participants
	}
	order := map[string]int{}
	for i, a := range l.d.ActivityTypes {
		order[a.Code] = i
		if s := state[a.Code]; s != nil {
			l.d.Activities = append(l.d.Activities, *s)
		}
	}
	for i := range l.d.Districts {
		acts := l.d.Districts[i].Activities
		sort.Slice(acts, func(a, b int) bool { return order[acts[a].Type.Code] < order[acts[b].Type.Code] })
	}
	return nil
}

// narrative reads the districts' narrative paragraphs.
func (l *loader) narrative() error {
	ps, err := l.st.Narrative(l.ctx, l.d.Period.Year, l.first, l.last)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if dist := l.index[p.District]; dist != nil {
			dist.Narrative = append(dist.Narrative, p.Text)
		}
	}
	return nil
}

// sources reads the files the period draws on.
func (l *loader) sources() error {
	fs, err := l.st.SourceFiles(l.ctx, l.d.Period.Year, l.first, l.last)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if dist := l.index[f.District]; dist != nil {
			dist.Sources = append(dist.Sources, Source{SubmissionID: f.SubmissionID, File: f.File, SHA256: f.SHA256,
				Quarter: f.Quarter, Received: f.Received, Current: f.Current, ReaderVer: f.ReaderVer})
		}
	}
	return nil
}

// coordinators reads who was employed at the period's end.
func (l *loader) coordinators() error {
	cs, err := l.st.Coordinators(l.ctx, l.d.Period.Year, l.d.Period.Last())
	if err != nil {
		return err
	}
	for _, c := range cs {
		if dist := l.index[c.District]; dist != nil {
			dist.Coordinators, dist.FTE = c.Count, c.FTE
		}
	}
	return nil
}

// dataTime sets the reports' timestamp: the latest file they draw on, else
// the run's day; the state's documents draw on every district's files, a
// district's on its own.
func (l *loader) dataTime() error {
	t, ok, err := l.st.LatestArrival(l.ctx, l.d.Period.Year, l.d.Period.Last())
	if err != nil {
		return err
	}
	l.d.DataTime = l.d.AsOf
	if ok {
		l.d.DataTime = t
	}
	byDistrict, err := l.st.DistrictDataTimes(l.ctx, l.d.Period.Year, l.d.Period.Last())
	if err != nil {
		return err
	}
	for i := range l.d.Districts {
		dist := &l.d.Districts[i]
		dist.DataTime = l.d.AsOf
		if t, ok := byDistrict[dist.AGS]; ok {
			dist.DataTime = t
		}
	}
	return nil
}

// payouts reads the payout ledger: every payout made by the end of the
// period's last quarter (or the run's day, if earlier), with its interest
// periods.
func (l *loader) payouts() error {
	until := time.Date(l.d.Period.Year, time.Month(3*l.d.Period.Last()+1), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	if l.d.AsOf.Before(until) {
		until = l.d.AsOf
	}
	ps, err := l.st.Payouts(l.ctx, l.d.Period.Year, until)
	if err != nil {
		return err
	}
	periods, err := l.st.InterestPeriods(l.ctx, l.d.Period.Year, until)
	if err != nil {
		return err
	}
	type key struct {
		ags  string
		date time.Time
		ref  string
	}
	byPayout := map[key][]InterestPeriod{}
	for _, p := range periods {
		k := key{p.District, p.PayoutDate, p.Reference}
		byPayout[k] = append(byPayout[k], InterestPeriod{From: p.From, To: p.To, Open: p.Open, RatePPM: p.RatePPM, Days: p.Days, Interest: p.Interest})
	}
	for _, p := range ps {
		if dist := l.index[p.District]; dist != nil {
			dist.Payouts = append(dist.Payouts, Payout{Date: p.Date, Amount: p.Amount, Reference: p.Reference, Due: p.Due,
				UnspentAtDue: p.UnspentAtDue, CoveredOn: p.CoveredOn, OpenNow: p.OpenNow, Interest: p.Interest,
				Periods: byPayout[key{p.District, p.Date, p.Reference}]})
		}
	}
	return nil
}

// loadIncome fills dist.Income for d's period (LoadReceipts calls it).
func loadIncome(ctx context.Context, st *store.Store, d *Data, dist *District) error {
	first, last := d.Period.span()
	lines, err := st.DistrictIncome(ctx, dist.AGS, d.Period.Year, first, last)
	if err != nil {
		return fmt.Errorf("report %s: %w", d.Period.Slug(), err)
	}
	dist.Income = make([]IncomeLine, 0, len(lines))
	for _, x := range lines {
		in := IncomeLine{Quarter: x.Quarter, Type: x.Type, TypeRaw: x.TypeRaw, Source: x.Source, Purpose: x.Purpose,
			Counted: x.Counted, File: x.File, Sheet: x.Sheet, Cell: x.Cell}
		if x.Date.Valid {
			t := x.Date.Time
			in.Date = &t
		}
		if x.Amount.Valid {
			c := x.Amount.Cents
			in.Amount = &c
		}
		dist.Income = append(dist.Income, in)
	}
	return nil
}

// sumState adds the districts' figures up to the state's and projects
// each district's year.
func (d *Data) sumState(y *programme.Year) {
	d.State.ByCategory = map[string]money.Cents{}
	d.State.Settled = len(d.Districts) > 0
	for i := range d.Districts {
		f := d.Districts[i].Figures
		d.State.Approved += f.Approved
		d.State.Eligible += f.Eligible
		d.State.Income += f.Income
		d.State.PlannedIncome += f.PlannedIncome
		d.State.Settled = d.State.Settled && f.Settled
		d.State.Grant += f.Grant
		d.State.Paid += f.Paid
		d.State.Balance += f.Balance
		d.State.InterestAtRisk += f.InterestAtRisk
		for c, v := range f.ByCategory {
			d.State.ByCategory[c] += v
		}
		d.Projections = append(d.Projections, project(&d.Districts[i], y))
	}
}

// LoadReceipts fills dist.Receipts and dist.Income for d's period. The reports load them one
// district at a time, right before rendering it, and drop them after, so
// memory does not grow with the number of districts.
func LoadReceipts(ctx context.Context, st *store.Store, d *Data, dist *District) error {
	first, last := d.Period.span()
	var lines []store.ReceiptLine
	// A district that sent nothing for the period (its current sources,
	// which Load reads, say so) is not asked for receipts: see
	// store.DistrictReceipts. At 400 districts the reports of a quarter
	// not yet due took 105 s of reading every receipt for each district,
	// now 6 s.
	if slices.ContainsFunc(dist.Sources, func(s Source) bool { return s.Current }) {
		var err error
		if lines, err = st.DistrictReceipts(ctx, dist.AGS, d.Period.Year, first, last); err != nil {
			return fmt.Errorf("report %s: %w", d.Period.Slug(), err)
		}
	}
	texts := textPool{}
	dist.Receipts = make([]Receipt, 0, len(lines))
	for i := range lines {
		x := &lines[i]
		r := Receipt{Quarter: x.Quarter, Category: x.Category, CategoryRaw: x.CategoryRaw, Payee: x.Payee, Purpose: x.Purpose,
			ReceiptNo: x.ReceiptNo, Coordinator: x.Coordinator, Eligible: x.Eligible,
			File: x.File, Sheet: x.Sheet, Cell: x.Cell, SubmissionID: x.SubmissionID}
		texts.intern(&r.Category, &r.File, &r.Sheet)
		// Copies: a pointer into lines would keep all of them alive.
		if x.InvoiceDate.Valid {
			t := x.InvoiceDate.Time
			r.InvoiceDate = &t
		}
		if x.PaymentDate.Valid {
			t := x.PaymentDate.Time
			r.PaymentDate = &t
		}
		if x.Amount.Valid {
			c := x.Amount.Cents
			r.Amount = &c
		}
		dist.Receipts = append(dist.Receipts, r)
	}
	if err := loadSachbericht(ctx, st, d, dist); err != nil {
		return err
	}
	return loadIncome(ctx, st, d, dist)
}

// project extrapolates a district's grant amount to the year's end at the
// pace of the quarters reported so far.
func project(d *District, y *programme.Year) Projection {
	quarters := 0
	for _, q := range d.Trend {
		if q.Status == "accepted" || q.Status == "late" {
			quarters = q.Quarter
		}
	}
	p := Projection{AGS: d.AGS}
	if quarters == 0 {
		p.Unspent = d.Figures.Approved
		return p
	}
	net := money.Cents(int64(d.Figures.Net()) * 4 / int64(quarters))
	projected := max(0, y.FundingRatePct.Of(net))
	limit := min(d.Figures.Approved, y.DistrictCap)
	p.Projected = min(projected, limit)
	p.Unspent = max(0, d.Figures.Approved-p.Projected)
	return p
}

// textPool keeps one copy of each text loaded. A workbook may fill every
// row with the same shared string of 32,767 characters (a file of a few
// MB), and every row scanned from the database is a copy of its own: the
// receipts of 20,000 such rows took 800 MB, now one copy.
type textPool map[string]string

// intern points each of ps at the pool's copy of its text.
func (t textPool) intern(ps ...*string) {
	for _, p := range ps {
		if v, ok := t[*p]; ok {
			*p = v
		} else {
			t[*p] = *p
		}
	}
}
