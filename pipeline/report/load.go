package report

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
)

// Load gathers a period's report data from the latest validation run: its
// findings and grant figures, and the submissions behind them.
func Load(ctx context.Context, st *store.Store, prog *programme.Programme, period Period, lang string) (*Data, error) {
	y, ok := prog.Year(period.Year)
	if !ok {
		return nil, fmt.Errorf("report: %d is not a budget year of the programme", period.Year)
	}
	l := &loader{ctx: ctx, st: st}
	d := &Data{Period: period, Lang: lang, StateBudget: y.StateBudget, DistrictCap: y.DistrictCap,
		FundingRatePct: int64(y.FundingRatePct), LineTolerance: int64(y.LineTolerancePct), ByRule: map[string][3]int{}}
	var asOf time.Time
	if err := l.row("latest_run", []any{}, &d.RunID, &asOf, &d.RuleSet); err != nil {
		return nil, fmt.Errorf("report: no validation run yet: %w", err)
	}
	d.AsOf = asOf
	for _, c := range y.Categories {
		d.Categories = append(d.Categories, Category{c.Code, c.NameDE, c.NameEN})
	}
	for _, a := range y.ActivityTypes {
		d.ActivityTypes = append(d.ActivityTypes, ActivityType{a.Code, a.NameDE, a.NameEN})
	}
	index := map[string]*District{}
	for _, pd := range y.Districts {
		d.Districts = append(d.Districts, District{AGS: pd.AGS, Name: pd.Name, Kind: pd.Kind, Population: pd.Population,
			FileNumber: pd.FileNumber, PlanTotal: pd.PlanTotal, Plan: pd.Plan,
			Figures: Figures{Approved: pd.Approved, ByCategory: map[string]money.Cents{}}})
		d.Population += pd.Population
	}
	for i := range d.Districts {
		index[d.Districts[i].AGS] = &d.Districts[i]
	}
	first, last := period.Quarter, period.Quarter
	if period.Annual() {
		first, last = 1, 4
	}
	through := period.Quarter // 0: the year as of the run's day

	// Grant figures.
	if err := l.each("figures", []any{d.RunID, period.Year, through}, func(s scanner) error {
		var ags string
		var a [6]string
		if err := s.Scan(&ags, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]); err != nil {
			return err
		}
		dist := index[ags]
		if dist == nil {
			return nil
		}
		f := &dist.Figures
		return parseAll(a[:], &f.Approved, &f.Eligible, &f.Fundable, &f.Paid, &f.Balance, &f.InterestAtRisk)
	}); err != nil {
		return nil, err
	}
	if err := l.each("figure_categories", []any{d.RunID, period.Year, through}, func(s scanner) error {
		var ags, code, amount string
		if err := s.Scan(&ags, &code, &amount); err != nil {
			return err
		}
		if dist := index[ags]; dist != nil {
			var c money.Cents
			if err := parseAll([]string{amount}, &c); err != nil {
				return err
			}
			dist.Figures.ByCategory[code] = c
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// Trend over the quarters up to the period's last.
	if err := l.each("trend", []any{period.Year, period.Last(), d.RunID}, func(s scanner) error {
		var ags, status, eligible, cumulative string
		var q QuarterFigures
		if err := s.Scan(&ags, &q.Quarter, &status, &eligible, &cumulative, &q.Errors, &q.Warnings); err != nil {
			return err
		}
		q.Status = status
		if err := parseAll([]string{eligible, cumulative}, &q.Eligible, &q.Cumulative); err != nil {
			return err
		}
		if dist := index[ags]; dist != nil {
			dist.Trend = append(dist.Trend, q)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// Findings of the period.
	texts := textPool{}
	if err := l.each("findings", []any{d.RunID, period.Year, first, last}, func(s scanner) error {
		var f Finding
		var de, en string
		if err := s.Scan(&f.Rule, &f.Severity, &f.District, &f.Quarter, &f.File, &f.Sheet, &f.Cell, &de, &en); err != nil {
			return err
		}
		f.Message = de
		if lang == "en" {
			f.Message = en
		}
		texts.intern(&f.Rule, &f.District, &f.File, &f.Sheet, &f.Message)
		counts := d.ByRule[f.Rule]
		switch f.Severity {
		case "error":
			counts[0]++
		case "warning":
			counts[1]++
		default:
			counts[2]++
		}
		d.ByRule[f.Rule] = counts
		if dist := index[f.District]; dist != nil {
			dist.Findings = append(dist.Findings, f)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// Activities.
	types := map[string]ActivityType{}
	for _, a := range d.ActivityTypes {
		types[a.Code] = a
	}
	state := map[string]*Activity{}
	if err := l.each("activities", []any{period.Year, first, last}, func(s scanner) error {
		var ags, code string
		var n int
		var participants int64
		if err := s.Scan(&ags, &code, &n, &participants); err != nil {
			return err
		}
		t, ok := types[code]
		if !ok {
			t = ActivityType{Code: code, NameDE: code, NameEN: code}
		}
		if dist := index[ags]; dist != nil {
			dist.Activities = append(dist.Activities, Activity{Type: t, Count: n, Participants: participants})
		}
		if state[code] == nil {
			state[code] = &Activity{Type: t}
		}
		state[code].Count += n
		state[code].Participants += participants
		return nil
	}); err != nil {
		return nil, err
	}
	order := map[string]int{}
	for i, a := range d.ActivityTypes {
		order[a.Code] = i
		if s := state[a.Code]; s != nil {
			d.Activities = append(d.Activities, *s)
		}
	}
	for i := range d.Districts {
		acts := d.Districts[i].Activities
		sort.Slice(acts, func(a, b int) bool { return order[acts[a].Type.Code] < order[acts[b].Type.Code] })
	}
	// Narrative.
	if err := l.each("narrative", []any{period.Year, first, last}, func(s scanner) error {
		var ags, text string
		if err := s.Scan(&ags, &text); err != nil {
			return err
		}
		if dist := index[ags]; dist != nil {
			dist.Narrative = append(dist.Narrative, text)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// Sources.
	if err := l.each("sources", []any{period.Year, first, last}, func(s scanner) error {
		var ags string
		var src Source
		if err := s.Scan(&ags, &src.SubmissionID, &src.File, &src.SHA256, &src.Quarter, &src.Received, &src.Current, &src.ReaderVer); err != nil {
			return err
		}
		if dist := index[ags]; dist != nil {
			dist.Sources = append(dist.Sources, src)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// Coordinators at the period's end.
	if err := l.each("coordinators", []any{period.Year, period.Last()}, func(s scanner) error {
		var ags, fte string
		var n int
		if err := s.Scan(&ags, &n, &fte); err != nil {
			return err
		}
		if dist := index[ags]; dist != nil {
			dist.Coordinators, dist.FTE = n, fte
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// The reports' timestamp: the latest file they draw on, else the run's day.
	var dt sql.NullTime
	if err := l.row("data_time", []any{period.Year, period.Last()}, &dt); err != nil {
		return nil, err
	}
	d.DataTime = d.AsOf
	if dt.Valid {
		d.DataTime = dt.Time
	}
	// State totals and the outlook.
	d.State.ByCategory = map[string]money.Cents{}
	for i := range d.Districts {
		f := d.Districts[i].Figures
		d.State.Approved += f.Approved
		d.State.Eligible += f.Eligible
		d.State.Fundable += f.Fundable
		d.State.Paid += f.Paid
		d.State.Balance += f.Balance
		d.State.InterestAtRisk += f.InterestAtRisk
		for c, v := range f.ByCategory {
			d.State.ByCategory[c] += v
		}
		d.Projections = append(d.Projections, project(&d.Districts[i], y))
	}
	return d, nil
}

// LoadReceipts fills dist.Receipts for d's period. The reports load them one
// district at a time, right before rendering it, and drop them after, so
// memory does not grow with the number of districts. A long text (see
// receipts.sql) is loaded once however many rows name it, and the rows
// share its one copy.
func LoadReceipts(ctx context.Context, st *store.Store, d *Data, dist *District) error {
	l := &loader{ctx: ctx, st: st}
	first, last := d.Period.Quarter, d.Period.Quarter
	if d.Period.Annual() {
		first, last = 1, 4
	}
	args := []any{d.Period.Year, first, last, dist.AGS}
	var long []string
	if err := l.each("receipt_texts", args, func(s scanner) error {
		var t string
		if err := s.Scan(&t); err != nil {
			return err
		}
		long = append(long, t)
		return nil
	}); err != nil {
		return err
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
	texts := textPool{}
	dist.Receipts = nil
	return l.each("receipts", args, func(s scanner) error {
		var ags string
		var r Receipt
		var invoice, payment sql.NullTime
		var amount sql.NullString
		var ids [5]sql.NullInt64
		if err := s.Scan(&ags, &r.Quarter, &r.Category, &r.CategoryRaw, &ids[0], &invoice, &payment, &r.Payee, &ids[1], &r.Purpose, &ids[2], &amount,
			&r.ReceiptNo, &ids[3], &r.Coordinator, &ids[4], &r.Eligible, &r.File, &r.Sheet, &r.Cell, &r.SubmissionID); err != nil {
			return err
		}
		for i, p := range []*string{&r.CategoryRaw, &r.Payee, &r.Purpose, &r.ReceiptNo, &r.Coordinator} {
			if err := text(p, ids[i]); err != nil {
				return err
			}
		}
		texts.intern(&r.Category, &r.File, &r.Sheet)
		if invoice.Valid {
			r.InvoiceDate = &invoice.Time
		}
		if payment.Valid {
			r.PaymentDate = &payment.Time
		}
		if amount.Valid {
			var c money.Cents
			if err := parseAll([]string{amount.String}, &c); err != nil {
				return err
			}
			r.Amount = &c
		}
		dist.Receipts = append(dist.Receipts, r)
		return nil
	})
}

// project extrapolates a district's fundable amount to the year's end at the
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
	eligible := money.Cents(int64(d.Figures.Eligible) * 4 / int64(quarters))
	projected := y.FundingRatePct.Of(eligible)
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

func parseAll(texts []string, out ...*money.Cents) error {
	for i, t := range texts {
		c, err := money.Parse(t)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		*out[i] = c
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

type loader struct {
	ctx context.Context
	st  *store.Store
}

func (l *loader) query(name string) (string, error) { return l.st.Query("report/" + name + ".sql") }

func (l *loader) row(name string, args []any, dest ...any) error {
	q, err := l.query(name)
	if err != nil {
		return err
	}
	if err := l.st.DB.QueryRowContext(l.ctx, q, args...).Scan(dest...); err != nil {
		return fmt.Errorf("report: %s: %w", name, err)
	}
	return nil
}

func (l *loader) each(name string, args []any, f func(scanner) error) error {
	q, err := l.query(name)
	if err != nil {
		return err
	}
	rows, err := l.st.DB.QueryContext(l.ctx, q, args...)
	if err != nil {
		return fmt.Errorf("report: %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return fmt.Errorf("report: %s: %w", name, err)
		}
	}
	return rows.Err()
}
