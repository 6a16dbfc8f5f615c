package report

import (
	"context"
	"fmt"
	"io"
	"slices"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/store"
)

// The year-end settlement (FUNDING_RULES.md, "The final report"): once a
// district's year is settled, its annual reports are joined by its final
// report (Verwendungsnachweis) for it to sign, the ministry's check of it
// (Prüfvermerk), and a state-wide settlement overview. Every figure they
// show is one the grant computation stored; what is added here is only
// grouping and arithmetic a reader can redo with a pencil (subtotals,
// differences, the steps of the computation).

// Names of the settlement's documents, per district and state-wide.
func finalReportName(ags string, year int) string {
	return fmt.Sprintf("Verwendungsnachweis_%s_%d", ags, year)
}
func examinationName(ags string, year int) string {
	return fmt.Sprintf("Pruefvermerk_%s_%d", ags, year)
}
func settlementName(year int) string { return fmt.Sprintf("Abrechnung_Sachsen-Anhalt_%d", year) }

// settlementJobs are the settlement's documents of an annual period: per
// settled district its Verwendungsnachweis (PDF and workbook) and
// Prüfvermerk (PDF); and, once at least one district is settled, the
// state-wide overview. A quarter, or a year no district has settled, has
// none.
func settlementJobs(ctx context.Context, d *Data, cat *messages.Catalog) []reportJob {
	if !d.Period.Annual() {
		return nil
	}
	var jobs []reportJob
	for i := range d.Districts {
		if !d.Districts[i].Figures.Settled {
			continue
		}
		// A copy: its job loads and drops the receipts of its own, while
		// the district's annual report, rendered at the same time on
		// another core, loads and drops those of the original.
		dist := d.Districts[i]
		fr, ex := finalReportName(dist.AGS, d.Period.Year), examinationName(dist.AGS, d.Period.Year)
		dd := d.ofDistrict(&dist)
		jobs = append(jobs, reportJob{names: []string{fr + ".pdf", fr + ".xlsx", ex + ".pdf"}, dist: &dist, renders: []func(io.Writer) error{
			func(w io.Writer) error { return writeFinalReportPDF(ctx, w, dd, &dist, cat) },
			func(w io.Writer) error { return writeFinalReportExcel(w, dd, &dist, cat) },
			func(w io.Writer) error { return writeExaminationPDF(ctx, w, dd, &dist, cat) }}})
	}
	if len(jobs) == 0 {
		return nil
	}
	base := settlementName(d.Period.Year)
	return append(jobs, reportJob{names: []string{base + ".pdf", base + ".xlsx"}, renders: []func(io.Writer) error{
		func(w io.Writer) error { return writeSettlementPDF(ctx, w, d, cat) },
		func(w io.Writer) error { return writeSettlementExcel(w, d, cat) }}})
}

// loadSachbericht fills dist.Sachbericht, the narrative per quarter, when
// d is the annual report of a year the district has settled: only its final
// report shows it (LoadReceipts calls it).
func loadSachbericht(ctx context.Context, st *store.Store, d *Data, dist *District) error {
	dist.Sachbericht = [4][]string{}
	if !d.Period.Annual() || !dist.Figures.Settled {
		return nil
	}
	ps, err := st.QuarterNarrative(ctx, dist.AGS, d.Period.Year)
	if err != nil {
		return fmt.Errorf("report %s: %w", d.Period.Slug(), err)
	}
	for _, p := range ps {
		if p.Quarter >= 1 && p.Quarter <= 4 {
			dist.Sachbericht[p.Quarter-1] = append(dist.Sachbericht[p.Quarter-1], p.Text)
		}
	}
	return nil
}

// moneyRules are the findings about the programme's money that lead to the
// grant fixed and the balance (FUNDING_RULES.md, "Who a finding is for"):
// the Prüfvermerk lists them.
var moneyRules = []string{"FUNDING_RATE", "DISTRICT_CAP", "INCOME_REDUCES_GRANT", "UNSPENT_PAYOUT", "PLAN_TOTAL", "LINE_DEVIATION"}

// moneyFindings are dist's findings of moneyRules, in the order found.
func moneyFindings(dist *District) []Finding {
	var out []Finding
	for _, f := range dist.Findings {
		if slices.Contains(moneyRules, f.Rule) {
			out = append(out, f)
		}
	}
	return out
}

// receiptGroup is a cost category's eligible receipts in the Belegliste,
// with their subtotal.
type receiptGroup struct {
	category Category
	lines    []Receipt
	sum      money.Cents
}

// beleglisteGroups groups dist's eligible receipts by cost category, in
// the programme's order of categories (a code it does not name, after
// them), each group's lines in the order loaded (by date). Each subtotal is
// the category's actual expenditure (Figures.ByCategory).
func beleglisteGroups(d *Data, dist *District) []receiptGroup {
	index := map[string]int{}
	var groups []receiptGroup
	for _, c := range d.Categories {
		index[c.Code] = len(groups)
		groups = append(groups, receiptGroup{category: c})
	}
	for _, r := range dist.Receipts {
		if !r.Eligible || r.Amount == nil {
			continue
		}
		i, ok := index[r.Category]
		if !ok {
			i = len(groups)
			index[r.Category] = i
			groups = append(groups, receiptGroup{category: Category{Code: r.Category, NameDE: r.CategoryRaw, NameEN: r.CategoryRaw}})
		}
		groups[i].lines = append(groups[i].lines, r)
		groups[i].sum += *r.Amount
	}
	return slices.DeleteFunc(groups, func(g receiptGroup) bool { return len(g.lines) == 0 })
}

// notEligible is what of a category was claimed but is not eligible: the
// lines with an error finding (their amounts where readable).
type notEligible struct {
	category string // the category's name in the report's language, or as written
	count    int
	sum      money.Cents
}

// notEligibleLines sums dist's receipts that are not eligible per category,
// in the programme's order of categories, then those it does not name.
func notEligibleLines(d *Data, dist *District, lang string) []notEligible {
	names := map[string]string{}
	var order []string
	for _, c := range d.Categories {
		names[c.Code] = c.Name(lang)
		order = append(order, c.Code)
	}
	sums := map[string]*notEligible{}
	for _, r := range dist.Receipts {
		if r.Eligible {
			continue
		}
		key := r.Category
		if _, known := names[key]; !known {
			key = "\x00" + r.CategoryRaw
			if sums[key] == nil {
				order = append(order, key)
				names[key] = r.CategoryRaw
			}
		}
		if sums[key] == nil {
			sums[key] = &notEligible{category: names[key]}
		}
		sums[key].count++
		if r.Amount != nil {
			sums[key].sum += *r.Amount
		}
	}
	var out []notEligible
	for _, k := range order {
		if s := sums[k]; s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// countedIncome are dist's income lines that lowered the grant, and their
// sum (Figures.Income).
func countedIncome(dist *District) ([]IncomeLine, money.Cents) {
	var lines []IncomeLine
	var sum money.Cents
	for _, in := range dist.Income {
		if in.Counted && in.Amount != nil {
			lines = append(lines, in)
			sum += *in.Amount
		}
	}
	return lines, sum
}

// incomeByType is the counted income per income type, in the programme's
// order of types, then any other.
type incomeByType struct {
	name string
	sum  money.Cents
}

func incomeTypes(d *Data, dist *District, lang string) []incomeByType {
	lines, _ := countedIncome(dist)
	sums := map[string]money.Cents{}
	var order []string
	for _, t := range d.IncomeTypes {
		order = append(order, t.Name(lang))
	}
	for _, in := range lines {
		n := incomeName(d, in, lang)
		if _, seen := sums[n]; !seen && !slices.Contains(order, n) {
			order = append(order, n)
		}
		sums[n] += *in.Amount
	}
	var out []incomeByType
	for _, n := range order {
		if s, ok := sums[n]; ok {
			out = append(out, incomeByType{name: n, sum: s})
		}
	}
	return out
}

// step is one line of the grant's computation as the Verwendungsnachweis
// and the Prüfvermerk show it.
type step struct {
	key    string // settlement.calc_<key>
	amount money.Cents
	result bool // a line the steps above lead to
}

// computation is the grant's computation step by step: eligible
// expenditure − income = net expenditure; × funding rate; the approval and
// the cap; the grant, the least of the three and never below 0; the own
// share. The grant shown is the one stored (Figures.Grant); the steps
// before it are what a reader multiplies out to get there.
func computation(d *Data, dist *District) []step {
	f := dist.Figures
	return []step{
		{key: "eligible", amount: f.Eligible},
		{key: "income", amount: f.Income},
		{key: "net", amount: f.Net(), result: true},
		{key: "rated", amount: ratedNet(d, f)},
		{key: "approved", amount: f.Approved},
		{key: "cap", amount: d.DistrictCap},
		{key: "grant", amount: f.Grant, result: true},
		{key: "own_share", amount: f.OwnShare()},
	}
}

// ratedNet is the funding rate of the net expenditure, rounded half away
// from zero to the cent, as the grant computation rounds it.
func ratedNet(d *Data, f Figures) money.Cents {
	v := int64(f.Net()) * d.FundingRatePct
	if v < 0 {
		return money.Cents((v - 5000) / 10000)
	}
	return money.Cents((v + 5000) / 10000)
}

// outcome is the settlement's result for a district: the balance (paid out
// − grant) as a repayment claim, an additional payment, or neither.
type outcome struct {
	claim, additional money.Cents // at most one is not 0
}

func settle(f Figures) outcome {
	if f.Balance > 0 {
		return outcome{claim: f.Balance}
	}
	return outcome{additional: -f.Balance}
}

// settlementRows counts the rows of a district's settlement documents:
// what their page bound is derived from.
func settlementRows(d *Data, dist *District) int {
	rows := 40 + 3*len(d.Categories) + len(dist.Receipts) + len(dist.Income) + len(dist.Findings) + len(dist.Payouts)
	for _, p := range dist.Payouts {
		rows += len(p.Periods)
	}
	for _, q := range dist.Sachbericht {
		rows += len(q)
	}
	return rows
}
