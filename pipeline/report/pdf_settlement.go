package report

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// WriteFinalReportPDF writes dist's final report (Verwendungsnachweis) of
// d's year, for the district to sign: the Sachbericht, the zahlenmäßiger
// Nachweis in the structure of the financing plan, the Belegliste and the
// confirmation. dist needs its receipts and income (LoadReceipts).
func WriteFinalReportPDF(out io.Writer, d *Data, dist *District, cat *messages.Catalog) error {
	if err := writeFinalReportPDF(context.Background(), out, d, dist, cat); err != nil {
		return fmt.Errorf("final report PDF %s: %w", dist.AGS, err)
	}
	return nil
}

// WriteExaminationPDF writes the ministry's check of dist's final report
// (Prüfvermerk): the grant fixed, what was paid out, the repayment claim or
// additional payment, the interest period by period and the findings that
// led there, with room for the examiner's note and signature.
func WriteExaminationPDF(out io.Writer, d *Data, dist *District, cat *messages.Catalog) error {
	if err := writeExaminationPDF(context.Background(), out, d, dist, cat); err != nil {
		return fmt.Errorf("examination PDF %s: %w", dist.AGS, err)
	}
	return nil
}

// WriteSettlementPDF writes the state-wide settlement overview of d's
// year: one row per district, its grant fixed or still provisional.
func WriteSettlementPDF(out io.Writer, d *Data, cat *messages.Catalog) error {
	if err := writeSettlementPDF(context.Background(), out, d, cat); err != nil {
		return fmt.Errorf("settlement PDF: %w", err)
	}
	return nil
}

func writeFinalReportPDF(ctx context.Context, out io.Writer, d *Data, dist *District, cat *messages.Catalog) error {
	year := strconv.Itoa(d.Period.Year)
	title := cat.Text(d.Lang, "settlement.final_title", messages.Args{"year": year})
	w, err := newDoc(ctx, d, cat, "P", dist.Name+" · "+title, pageBound(settlementRows(d, dist)))
	if err != nil {
		return err
	}
	w.newPage()
	w.titleBlock(title, w.t("settlement.final_subtitle", messages.Args{"district": dist.Name, "year": year}))
	w.settlementHead(d, dist)

	w.heading(w.t("settlement.h_narrative", nil))
	w.sachbericht(dist)

	w.heading(w.t("settlement.h_figures", nil))
	w.paragraph(w.t("settlement.figures_intro", nil))
	w.heading(w.t("settlement.h_income", nil))
	w.incomePlan(d, dist)
	w.heading(w.t("settlement.h_expenditure", nil))
	w.expenditurePlan(d, dist)
	w.heading(w.t("settlement.h_computation", nil))
	w.computation(d, dist)

	w.heading(w.t("settlement.h_receipts", nil))
	w.paragraph(w.t("settlement.receipts_intro", nil))
	w.belegliste(d, dist)
	w.heading(w.t("settlement.h_income_lines", nil))
	w.countedIncomeLines(d, dist)

	w.heading(w.t("settlement.h_confirmation", nil))
	if w.begin(70) {
		w.paragraph(w.t("settlement.confirmation", nil))
		w.signature([]string{w.t("settlement.sign_place_date", nil), w.t("settlement.sign_signature", nil)},
			[]string{w.t("settlement.sign_name", nil), w.t("settlement.sign_function", nil)})
	}
	return w.finish(out)
}

// settlementHead is the title block's figures: who, which decision, which
// year, and what the data is as of (the data's time, never the clock's).
func (w *doc) settlementHead(d *Data, dist *District) {
	w.keyFigures([][2]string{
		{w.t("settlement.recipient", nil), dist.Name + " (" + dist.Kind + ")"},
		{w.t("settlement.ags", nil), dist.AGS},
		{w.t("settlement.file_number", nil), dist.FileNumber},
		{w.t("settlement.budget_year", nil), strconv.Itoa(d.Period.Year)},
		{w.t("settlement.approved", nil), w.money(dist.Figures.Approved)},
		{w.t("settlement.data_time", nil), w.dateTime(d.DataTime)},
		{w.t("settlement.as_of", nil), w.date(d.AsOf)},
	})
}

// sachbericht draws the quarterly narratives in order, each under its
// quarter; a quarter without one says so.
func (w *doc) sachbericht(dist *District) {
	for q, paragraphs := range dist.Sachbericht {
		if !w.begin(3 * lineH) {
			return
		}
		w.pdf.SetFont(font, "B", 10)
		w.pdf.CellFormat(w.width, 6, w.t("settlement.quarter_heading", messages.Args{"quarter": strconv.Itoa(q + 1)}), "", 1, "L", false, 0, "")
		w.pdf.SetFont(font, "", 9)
		if len(paragraphs) == 0 {
			w.color(colGrey)
			w.paragraph(w.t("settlement.no_narrative", nil))
			w.color([3]int{0, 0, 0})
			continue
		}
		w.narrative(paragraphs)
	}
}

// planColumns are the columns of a plan-against-actual table.
func (w *doc) planColumns(first string) []column {
	return []column{{first, 0.4, "L"}, {w.t("settlement.col_plan", nil), 0.16, "R"}, {w.t("settlement.col_actual", nil), 0.16, "R"},
		{w.t("settlement.col_difference", nil), 0.16, "R"}, {w.t("settlement.col_share", nil), 0.12, "R"}}
}

// planRow is a line of plan against actual: the difference actual − plan,
// and actual as a share of plan where there is a plan.
func (w *doc) planRow(label string, plan, actual money.Cents, planned bool) row {
	r := row{cells: []string{label, "", w.money(actual), "", ""}}
	if planned {
		r.cells[1], r.cells[3] = w.money(plan), w.money(actual-plan)
		if plan > 0 {
			r.cells[4] = w.pct((int64(actual)*10000 + int64(plan)/2) / int64(plan))
		}
	}
	return r
}

// incomePlan is the income of the financing plan: the counted income per
// type, and in total against the planned income.
func (w *doc) incomePlan(d *Data, dist *District) {
	var rows []row
	for _, t := range incomeTypes(d, dist, w.lang) {
		rows = append(rows, w.planRow(t.name, 0, t.sum, false))
	}
	total := w.planRow(w.t("settlement.income_total", nil), dist.Figures.PlannedIncome, dist.Figures.Income, true)
	total.bold = true
	w.table(w.planColumns(w.t("settlement.col_income_type", nil)), append(rows, total))
}

// expenditurePlan is the expenditure of the financing plan: per cost
// category its plan and its eligible expenditure, and the totals.
func (w *doc) expenditurePlan(d *Data, dist *District) {
	var rows []row
	var plan, actual money.Cents
	for _, c := range d.Categories {
		p, a := dist.Plan[c.Code], dist.Figures.ByCategory[c.Code]
		plan += p
		actual += a
		rows = append(rows, w.planRow(c.Name(w.lang), p, a, true))
	}
	total := w.planRow(w.t("settlement.eligible_total", nil), plan, actual, true)
	total.bold = true
	w.table(w.planColumns(w.t("settlement.col_category", nil)), append(rows, total))
}

// computation draws the grant's computation step by step.
func (w *doc) computation(d *Data, dist *District) {
	var rows []row
	for _, s := range computation(d, dist) {
		rows = append(rows, row{cells: []string{w.t("settlement.calc_"+s.key, messages.Args{"rate": w.pct(d.FundingRatePct)}), w.money(s.amount)}, bold: s.result})
	}
	w.table([]column{{w.t("settlement.col_step", nil), 0.7, "L"}, {w.t("settlement.col_amount", nil), 0.3, "R"}}, rows)
}

// belegliste draws every eligible receipt grouped by cost category, each
// group with its subtotal, and their total: the eligible expenditure.
func (w *doc) belegliste(d *Data, dist *District) {
	var rows []row
	var total money.Cents
	for _, g := range beleglisteGroups(d, dist) {
		rows = append(rows, row{cells: []string{"", g.category.Name(w.lang)}, bold: true})
		for _, r := range g.lines {
			place := sourcePlace(r.File, r.Quarter, r.Sheet, r.Cell)
			rows = append(rows, row{cells: []string{w.dateP(r.PaymentDate), r.Payee, r.Purpose, r.ReceiptNo, place, w.money(*r.Amount)}, place: place})
		}
		// The label in two cells, so that neither wraps: "Zwischensumme"
		// under the payees, the category under the purposes.
		fill := colPlan
		rows = append(rows, row{cells: []string{"", w.t("settlement.subtotal_label", nil), g.category.Name(w.lang), "", "", w.money(g.sum)}, bold: true, fill: &fill})
		total += g.sum
	}
	rows = append(rows, row{cells: []string{"", w.t("settlement.total", nil), w.t("settlement.calc_eligible", nil), "", "", w.money(total)}, bold: true})
	w.styledTable(tableStyle{size: 7.5}, []column{{w.t("settlement.col_paid_on", nil), 0.12, "L"}, {w.t("settlement.col_payee", nil), 0.18, "L"},
		{w.t("settlement.col_purpose", nil), 0.25, "L"}, {w.t("settlement.col_receipt_no", nil), 0.1, "L"}, {w.t("settlement.col_place", nil), 0.2, "L"},
		{w.t("settlement.col_amount", nil), 0.15, "R"}}, rows)
}

// sourcePlace is where a line came from: file, quarter, sheet and cell.
func sourcePlace(file string, quarter int, sheet, cell string) string {
	return file + " (Q" + strconv.Itoa(quarter) + ") " + sheet + "!" + cell
}

// countedIncomeLines draws the income lines that lowered the grant, and
// their total: the income.
func (w *doc) countedIncomeLines(d *Data, dist *District) {
	lines, sum := countedIncome(dist)
	if len(lines) == 0 {
		w.paragraph(w.t("settlement.no_income", nil))
		return
	}
	var rows []row
	for _, in := range lines {
		place := sourcePlace(in.File, in.Quarter, in.Sheet, in.Cell)
		rows = append(rows, row{cells: []string{w.dateP(in.Date), incomeName(d, in, w.lang), in.Source, in.Purpose, place, w.money(*in.Amount)}, place: place})
	}
	rows = append(rows, row{cells: []string{"", w.t("settlement.total", nil), w.t("settlement.col_income", nil), "", "", w.money(sum)}, bold: true})
	w.styledTable(tableStyle{size: 7.5}, []column{{w.t("settlement.col_received_on", nil), 0.12, "L"}, {w.t("settlement.col_income_type", nil), 0.16, "L"},
		{w.t("settlement.col_source", nil), 0.15, "L"}, {w.t("settlement.col_purpose", nil), 0.2, "L"}, {w.t("settlement.col_place", nil), 0.22, "L"},
		{w.t("settlement.col_amount", nil), 0.15, "R"}}, rows)
}

// signature draws lines to sign on, two side by side per row of labels,
// the label under each line.
func (w *doc) signature(rowsOfLabels ...[]string) {
	pdf := w.pdf
	for _, labels := range rowsOfLabels {
		if !w.ensure(16) {
			return
		}
		pdf.Ln(10)
		y := pdf.GetY()
		colW := w.width / float64(len(labels))
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetFont(font, "", 8)
		w.color(colGrey)
		for i, l := range labels {
			x := margin + float64(i)*colW
			pdf.Line(x, y, x+colW-8, y)
			pdf.SetXY(x, y+0.5)
			pdf.CellFormat(colW-8, 4, l, "", 0, "L", false, 0, "")
		}
		w.color([3]int{0, 0, 0})
		pdf.SetXY(margin, y+5)
	}
	pdf.SetDrawColor(200, 200, 200)
	pdf.SetFont(font, "", 9)
}

func writeExaminationPDF(ctx context.Context, out io.Writer, d *Data, dist *District, cat *messages.Catalog) error {
	year := strconv.Itoa(d.Period.Year)
	title := cat.Text(d.Lang, "settlement.exam_title", messages.Args{"year": year})
	w, err := newDoc(ctx, d, cat, "P", dist.Name+" · "+title, pageBound(settlementRows(d, dist)))
	if err != nil {
		return err
	}
	f := dist.Figures
	w.newPage()
	w.titleBlock(title, w.t("settlement.exam_subtitle", messages.Args{"district": dist.Name, "year": year}))
	w.settlementHead(d, dist)

	w.heading(w.t("settlement.h_fixed", nil))
	w.paragraph(w.t("settlement.fixed_text", messages.Args{"grant": w.money(f.Grant), "year": year}))
	w.computation(d, dist)

	w.heading(w.t("settlement.h_paid", nil))
	w.payoutLedger(dist)

	w.heading(w.t("settlement.h_result", nil))
	w.result(f)

	w.heading(w.t("settlement.h_interest", nil))
	w.interestPeriods(dist)

	w.heading(w.t("settlement.h_findings", nil))
	w.moneyFindings(d, dist)

	w.heading(w.t("settlement.h_examined", nil))
	if w.begin(75) {
		w.paragraph(w.t("settlement.examiner_note", nil))
		pdf := w.pdf
		y := pdf.GetY() + 1
		pdf.SetDrawColor(160, 160, 160)
		pdf.Rect(margin, y, w.width, 30, "D")
		pdf.SetXY(margin, y+31)
		w.signature([]string{w.t("settlement.sign_place_date", nil), w.t("settlement.sign_examiner", nil)})
	}
	return w.finish(out)
}

// payoutLedger draws what was paid out: per payout its day, amount,
// reference, the day it was covered by eligible payments and what is still
// open; and the sum paid out.
func (w *doc) payoutLedger(dist *District) {
	if len(dist.Payouts) == 0 {
		w.paragraph(w.t("settlement.no_payouts", nil))
		return
	}
	w.paragraph(w.t("settlement.payouts_intro", nil))
	var rows []row
	var paid, open money.Cents
	for _, p := range dist.Payouts {
		covered := w.dateP(p.CoveredOn)
		if p.CoveredOn == nil {
			covered = w.t("settlement.not_covered", nil)
		}
		rows = append(rows, row{cells: []string{w.date(p.Date), w.money(p.Amount), p.Reference, covered, w.money(p.OpenNow)}})
		paid += p.Amount
		open += p.OpenNow
	}
	rows = append(rows, row{cells: []string{w.t("settlement.paid_total", nil), w.money(paid), "", "", w.money(open)}, bold: true})
	w.table([]column{{w.t("settlement.col_payout_date", nil), 0.17, "L"}, {w.t("settlement.col_amount", nil), 0.19, "R"},
		{w.t("settlement.col_reference", nil), 0.26, "L"}, {w.t("settlement.col_covered_on", nil), 0.19, "L"},
		{w.t("settlement.col_open_now", nil), 0.19, "R"}}, rows)
}

// result draws the balance as what it is once the year is settled: a
// repayment claim, an additional payment, or neither.
func (w *doc) result(f Figures) {
	o := settle(f)
	pairs := [][2]string{
		{w.t("settlement.grant_fixed", nil), w.money(f.Grant)},
		{w.t("settlement.paid", nil), w.money(f.Paid)},
	}
	var text string
	switch {
	case o.claim > 0:
		pairs = append(pairs, [2]string{w.t("settlement.claim", nil), w.money(o.claim)})
		text = w.t("settlement.claim_text", messages.Args{"amount": w.money(o.claim)})
	case o.additional > 0:
		pairs = append(pairs, [2]string{w.t("settlement.additional", nil), w.money(o.additional)})
		text = w.t("settlement.additional_text", messages.Args{"amount": w.money(o.additional)})
	default:
		pairs = append(pairs, [2]string{w.t("settlement.balanced", nil), w.money(0)})
		text = w.t("settlement.balanced_text", nil)
	}
	pairs = append(pairs, [2]string{w.t("settlement.interest", nil), w.money(f.InterestAtRisk)})
	w.keyFigures(pairs)
	w.paragraph(text)
}

// interestPeriods draws the interest period by period: for each payout,
// from–to, the uncovered amount, days, rate and interest; a reader
// multiplies every line out (uncovered × rate × days / 365) and adds them
// up to the interest.
func (w *doc) interestPeriods(dist *District) {
	var rows []row
	var sum money.Cents
	for _, p := range dist.Payouts {
		for _, ip := range p.Periods {
			rows = append(rows, row{cells: []string{w.date(p.Date), w.date(ip.From), w.date(ip.To), w.money(ip.Open), w.number(ip.Days),
				w.ratePPM(ip.RatePPM), w.money(ip.Interest)}})
			sum += ip.Interest
		}
	}
	if len(rows) == 0 {
		w.paragraph(w.t("settlement.no_interest", nil))
		return
	}
	w.paragraph(w.t("settlement.interest_intro", nil))
	rows = append(rows, row{cells: []string{w.t("settlement.interest", nil), "", "", "", "", "", w.money(sum)}, bold: true})
	w.table([]column{{w.t("settlement.col_payout_of", nil), 0.16, "L"}, {w.t("settlement.col_from", nil), 0.13, "L"}, {w.t("settlement.col_to", nil), 0.13, "L"},
		{w.t("settlement.col_open", nil), 0.16, "R"}, {w.t("settlement.col_days", nil), 0.09, "R"}, {w.t("settlement.col_rate", nil), 0.15, "R"},
		{w.t("settlement.col_interest", nil), 0.18, "R"}}, rows)
}

// ratePPM writes a rate in millionths with as many decimals as it has (at
// least two): 62700 → "6,27 %", 51250 → "5,125 %".
func (w *doc) ratePPM(ppm int64) string {
	s := strconv.FormatFloat(float64(ppm)/10000, 'f', -1, 64)
	whole, frac, _ := cutDot(s)
	for len(frac) < 2 {
		frac += "0"
	}
	sep := ","
	if w.lang == "en" {
		sep = "."
	}
	return whole + sep + frac + " %"
}

func cutDot(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// moneyFindings draws the findings about the money that led to the
// result, then what was claimed but is not eligible.
func (w *doc) moneyFindings(d *Data, dist *District) {
	fs := moneyFindings(dist)
	if len(fs) == 0 {
		w.paragraph(w.t("settlement.no_money_findings", nil))
	} else {
		var rows []row
		for _, f := range fs {
			rows = append(rows, row{cells: []string{w.t("settlement.severity_"+f.Severity, nil), f.Rule, quarterLabel(f.Quarter), f.Message},
				color: map[int][3]int{0: sevColours[f.Severity]}})
		}
		w.table([]column{{w.t("settlement.col_severity", nil), 0.1, "L"}, {w.t("settlement.col_rule", nil), 0.22, "L"},
			{w.t("settlement.col_q", nil), 0.06, "L"}, {w.t("settlement.col_message", nil), 0.62, "L"}}, rows)
	}
	ne := notEligibleLines(d, dist, w.lang)
	if len(ne) == 0 {
		w.paragraph(w.t("settlement.all_eligible", nil))
		return
	}
	w.paragraph(w.t("settlement.not_eligible_intro", nil))
	var rows []row
	var n int
	var sum money.Cents
	for _, x := range ne {
		rows = append(rows, row{cells: []string{x.category, w.number(x.count), w.money(x.sum)}})
		n += x.count
		sum += x.sum
	}
	rows = append(rows, row{cells: []string{w.t("settlement.total", nil), w.number(n), w.money(sum)}, bold: true})
	w.table([]column{{w.t("settlement.col_category", nil), 0.5, "L"}, {w.t("settlement.col_lines", nil), 0.2, "R"}, {w.t("settlement.col_amount", nil), 0.3, "R"}}, rows)
}

func writeSettlementPDF(ctx context.Context, out io.Writer, d *Data, cat *messages.Catalog) error {
	year := strconv.Itoa(d.Period.Year)
	title := cat.Text(d.Lang, "settlement.state_title", messages.Args{"year": year})
	w, err := newDoc(ctx, d, cat, "L", title, pageBound(len(d.Districts)+20))
	if err != nil {
		return err
	}
	w.newPage()
	w.titleBlock(title, w.t("settlement.state_subtitle", messages.Args{"year": year, "data_time": w.dateTime(d.DataTime), "as_of": w.date(d.AsOf)}))
	var rows []row
	for _, r := range settlementTable(d) {
		status := w.t("settlement.fixed", nil)
		claim, additional := w.money(r.claim), w.money(r.additional)
		if !r.settled {
			status, claim, additional = w.t("settlement.provisional", nil), "–", "–"
		}
		cells := []string{r.ags, r.name, w.money(r.f.Approved), w.money(r.f.Eligible), w.money(r.f.Income), w.money(r.f.Grant), status,
			w.money(r.f.Paid), claim, additional, w.money(r.f.InterestAtRisk)}
		if r.total {
			cells[1], cells[6] = w.t("settlement.state_total", nil), ""
		}
		x := row{cells: cells, bold: r.total}
		if !r.settled && !r.total {
			x.color = map[int][3]int{5: colGrey, 6: colGrey}
		}
		rows = append(rows, x)
	}
	w.styledTable(tableStyle{size: 7}, []column{{w.t("settlement.col_ags", nil), 0.045, "L"}, {w.t("settlement.col_district", nil), 0.15, "L"},
		{w.t("settlement.col_approved", nil), 0.095, "R"}, {w.t("settlement.col_eligible", nil), 0.11, "R"}, {w.t("settlement.col_income", nil), 0.075, "R"},
		{w.t("settlement.col_grant", nil), 0.095, "R"}, {w.t("settlement.col_state", nil), 0.07, "L"}, {w.t("settlement.col_paid", nil), 0.095, "R"},
		{w.t("settlement.col_claim", nil), 0.095, "R"}, {w.t("settlement.col_additional", nil), 0.08, "R"}, {w.t("settlement.col_interest", nil), 0.09, "R"}}, rows)
	w.paragraph(w.t("settlement.state_note", nil))
	return w.finish(out)
}

// settlementLine is a district's row of the state-wide overview, or the
// state's total.
type settlementLine struct {
	ags, name         string
	f                 Figures
	settled, total    bool
	claim, additional money.Cents // 0 while provisional
}

// settlementTable is the state-wide overview: a row per district, then the
// state's total, whose claims and additional payments add up the settled
// districts' only.
func settlementTable(d *Data) []settlementLine {
	var out []settlementLine
	sum := settlementLine{settled: true, total: true}
	for i := range d.Districts {
		dist := &d.Districts[i]
		l := settlementLine{ags: dist.AGS, name: dist.Name, f: dist.Figures, settled: dist.Figures.Settled}
		if l.settled {
			o := settle(dist.Figures)
			l.claim, l.additional = o.claim, o.additional
		}
		out = append(out, l)
		sum.f.Approved += l.f.Approved
		sum.f.Eligible += l.f.Eligible
		sum.f.Income += l.f.Income
		sum.f.Grant += l.f.Grant
		sum.f.Paid += l.f.Paid
		sum.f.InterestAtRisk += l.f.InterestAtRisk
		sum.claim += l.claim
		sum.additional += l.additional
	}
	return append(out, sum)
}
