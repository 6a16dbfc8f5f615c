package report

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// WriteDistrictPDF writes the report of one district for d.Period. Its
// size follows the number of rows the district sent, not the length of
// their texts: see pdf_bounds.go.
func WriteDistrictPDF(out io.Writer, d *Data, dist *District, cat *messages.Catalog) error {
	if err := writeDistrictPDF(context.Background(), out, d, dist, cat); err != nil {
		return fmt.Errorf("district PDF %s: %w", dist.AGS, err)
	}
	return nil
}

func writeDistrictPDF(ctx context.Context, out io.Writer, d *Data, dist *District, cat *messages.Catalog) error {
	period := periodName(d.Period, cat, d.Lang)
	w, err := newDoc(ctx, d, cat, "P", dist.Name+" · "+period, pageBound(districtRows(d, dist)))
	if err != nil {
		return err
	}
	w.newPage()
	kind := "report.district_title"
	if d.Period.Annual() {
		kind = "report.district_title_annual"
	}
	w.titleBlock(w.t(kind, messages.Args{"district": dist.Name, "period": period}),
		w.t("report.district_subtitle", messages.Args{"ags": dist.AGS, "kind": dist.Kind, "file_number": dist.FileNumber, "as_of": w.date(d.AsOf)}))

	w.heading(w.t("report.h_key_figures", nil))
	w.districtFigures(d, dist)

	w.heading(w.t("report.h_plan_actual", nil))
	w.planActual(d, dist)

	w.heading(w.t("report.h_financing", nil))
	w.financing(d, dist)

	w.heading(w.t("report.h_trend", nil))
	w.trend(dist.Trend)

	w.heading(w.t("report.h_payouts", nil))
	w.payouts(dist)

	w.heading(w.t("report.h_findings", nil))
	if len(dist.Findings) == 0 {
		w.paragraph(w.t("report.no_findings", nil))
	} else {
		w.findings(dist.Findings)
	}

	w.heading(w.t("report.h_activities", nil))
	if len(dist.Activities) == 0 {
		w.paragraph(w.t("report.no_activities", nil))
	} else {
		w.activities(dist.Activities)
	}

	w.heading(w.t("report.h_narrative", nil))
	if len(dist.Narrative) == 0 {
		w.paragraph(w.t("report.no_narrative", nil))
	}
	w.narrative(dist.Narrative)

	if d.Period.Annual() {
		w.newPage()
		w.heading(w.t("report.h_receipts", nil))
		w.paragraph(w.t("report.receipts_intro", nil))
		w.receipts(d, dist)
		w.heading(w.t("report.h_income", nil))
		w.incomeLines(d, dist)
	}

	w.heading(w.t("report.h_provenance", nil))
	w.sources(dist.Sources)
	w.paragraph(w.t("report.provenance_text", messages.Args{"rules": d.RuleSet,
		"as_of": w.date(d.AsOf), "data_time": w.dateTime(d.DataTime)}))
	return w.finish(out)
}

// districtFigures draws the district's key figures. Until the year is
// settled the balance is provisional (more or less paid out than the grant
// so far); once settled, the grant is fixed and the balance a repayment
// claim or an additional payment, and the interest is due.
func (w *doc) districtFigures(d *Data, dist *District) {
	f := dist.Figures
	grantLabel, balanceLabel, interestLabel := "report.grant", "report.balance_repay", "report.interest"
	switch {
	case f.Settled && f.Balance < 0:
		grantLabel, balanceLabel, interestLabel = "report.grant_fixed", "report.balance_additional", "report.interest_due"
	case f.Settled:
		grantLabel, balanceLabel, interestLabel = "report.grant_fixed", "report.balance_claim", "report.interest_due"
	case f.Balance < 0:
		balanceLabel = "report.balance_due"
	}
	fte := dist.FTE
	if w.lang != "en" {
		fte = localDecimal(fte)
	}
	w.keyFigures([][2]string{
		{w.t("report.approved", nil), w.money(f.Approved)},
		{w.t("report.plan_total", nil), w.money(dist.PlanTotal)},
		{w.t("report.eligible", nil), w.money(f.Eligible)},
		{w.t("report.income", messages.Args{"planned": w.money(f.PlannedIncome)}), w.money(f.Income)},
		{w.t(grantLabel, messages.Args{"rate": w.pct(d.FundingRatePct)}), w.money(f.Grant)},
		{w.t("report.paid", nil), w.money(f.Paid)},
		{w.t(balanceLabel, nil), w.money(abs(f.Balance))},
		{w.t("report.utilisation", nil), w.pct(f.UtilisationPct())},
		{w.t(interestLabel, nil), w.money(f.InterestAtRisk)},
		{w.t("report.coordinators", nil), strconv.Itoa(dist.Coordinators) + " (" + fte + " " + w.t("report.fte", nil) + ")"},
		{w.t("report.findings_count", nil), w.t("report.findings_counts", messages.Args{"errors": strconv.Itoa(dist.Errors()), "warnings": strconv.Itoa(dist.Warnings())})},
	})
}

// trend draws what the district sent each quarter and what it adds up to.
func (w *doc) trend(quarters []QuarterFigures) {
	var rows []row
	for _, q := range quarters {
		rows = append(rows, row{cells: []string{w.t("report.quarter_n", messages.Args{"quarter": strconv.Itoa(q.Quarter)}), w.status(q.Status),
			w.money(q.Eligible), w.money(q.Cumulative), strconv.Itoa(q.Errors), strconv.Itoa(q.Warnings)}})
	}
	w.table([]column{{w.t("report.col_quarter", nil), 0.16, "L"}, {w.t("report.col_status", nil), 0.2, "L"}, {w.t("report.col_eligible_q", nil), 0.2, "R"},
		{w.t("report.col_cumulative", nil), 0.2, "R"}, {w.t("report.col_errors", nil), 0.12, "R"}, {w.t("report.col_warnings", nil), 0.12, "R"}}, rows)
}

// findings draws the district's findings with their places.
func (w *doc) findings(findings []Finding) {
	var rows []row
	for _, fd := range findings {
		rows = append(rows, row{cells: []string{w.severity(fd.Severity), fd.Rule, quarterLabel(fd.Quarter), fd.Place(), fd.Message},
			color: map[int][3]int{0: sevColours[fd.Severity]}})
	}
	w.table([]column{{w.t("report.col_severity", nil), 0.1, "L"}, {w.t("report.col_rule", nil), 0.22, "L"}, {w.t("report.col_q", nil), 0.05, "L"},
		{w.t("report.col_place", nil), 0.13, "L"}, {w.t("report.col_message", nil), 0.50, "L"}}, rows)
}

// sources draws the files the report draws on, if any.
func (w *doc) sources(sources []Source) {
	if len(sources) == 0 {
		return
	}
	var rows []row
	for _, s := range sources {
		state := w.t("report.source_current", nil)
		if !s.Current {
			state = w.t("report.source_replaced", nil)
		}
		rows = append(rows, row{cells: []string{quarterLabel(s.Quarter), s.File, s.SHA256, w.dateTime(s.Received), state}, place: s.File})
	}
	w.table([]column{{w.t("report.col_q", nil), 0.06, "L"}, {w.t("report.col_file", nil), 0.3, "L"}, {w.t("report.col_sha", nil), 0.32, "L"},
		{w.t("report.col_received", nil), 0.16, "L"}, {w.t("report.col_version", nil), 0.16, "L"}}, rows)
}

func quarterLabel(q int) string {
	if q == 0 {
		return ""
	}
	return "Q" + strconv.Itoa(q)
}

func abs(c money.Cents) money.Cents {
	if c < 0 {
		return -c
	}
	return c
}

// localDecimal writes "2.75" as "2,75".
func localDecimal(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c == '.' {
			out[i] = ','
		}
	}
	return string(out)
}

// planActual draws plan against actual per category: a table and a bar
// chart with each category's 120 % line.
func (w *doc) planActual(d *Data, dist *District) {
	var rows []row
	var sumPlan, sumActual money.Cents
	limitOf := func(plan money.Cents) money.Cents {
		return money.Cents((int64(plan)*(10000+d.LineTolerance) + 5000) / 10000)
	}
	for _, c := range d.Categories {
		plan, actual := dist.Plan[c.Code], dist.Figures.ByCategory[c.Code]
		sumPlan += plan
		sumActual += actual
		share := ""
		if plan > 0 {
			share = w.pct((int64(actual)*10000 + int64(plan)/2) / int64(plan))
		}
		r := row{cells: []string{c.Name(w.lang), w.money(plan), w.money(actual), share, w.money(limitOf(plan))}}
		if actual > limitOf(plan) {
			r.color = map[int][3]int{2: colOver, 3: colOver}
		}
		rows = append(rows, r)
	}
	total := ""
	if sumPlan > 0 {
		total = w.pct((int64(sumActual)*10000 + int64(sumPlan)/2) / int64(sumPlan))
	}
	rows = append(rows, row{cells: []string{w.t("report.total", nil), w.money(sumPlan), w.money(sumActual), total, ""}, bold: true})
	w.table([]column{{w.t("report.col_category", nil), 0.34, "L"}, {w.t("report.col_plan", nil), 0.17, "R"}, {w.t("report.col_actual", nil), 0.17, "R"},
		{w.t("report.col_share", nil), 0.13, "R"}, {w.t("report.col_limit", messages.Args{"pct": w.pct(10000 + d.LineTolerance)}), 0.19, "R"}}, rows)

	// The chart: one pair of bars per category, scaled to the largest of
	// actual and 120 % of plan.
	pdf := w.pdf
	barH, gap, labelW := 3.2, 2.6, 0.3*w.width
	h := float64(len(d.Categories))*(2*barH+gap) + 10
	if !w.begin(h) {
		return
	}
	var scale money.Cents = 1
	for _, c := range d.Categories {
		scale = max(scale, dist.Figures.ByCategory[c.Code], limitOf(dist.Plan[c.Code]))
	}
	chartW := w.width - labelW - 4
	x0, y := margin+labelW, pdf.GetY()+2
	pdf.SetFont(font, "", 7.5)
	for _, c := range d.Categories {
		plan, actual := dist.Plan[c.Code], dist.Figures.ByCategory[c.Code]
		pdf.SetXY(margin, y)
		pdf.CellFormat(labelW-2, 2*barH, c.Name(w.lang), "", 0, "R", false, 0, "")
		w.fill(colPlan)
		pdf.Rect(x0, y, chartW*float64(plan)/float64(scale), barH, "F")
		if actual > limitOf(plan) {
			w.fill(colOver)
		} else {
			w.fill(colActual)
		}
		if actual > 0 {
			pdf.Rect(x0, y+barH, chartW*float64(actual)/float64(scale), barH, "F")
		}
		lx := x0 + chartW*float64(limitOf(plan))/float64(scale)
		pdf.SetDrawColor(colLimit[0], colLimit[1], colLimit[2])
		pdf.SetLineWidth(0.4)
		pdf.Line(lx, y-0.6, lx, y+2*barH+0.6)
		pdf.SetLineWidth(0.2)
		y += 2*barH + gap
	}
	// Legend.
	pdf.SetXY(x0, y)
	w.legend([][3]int{colPlan, colActual, colOver}, []string{w.t("report.legend_plan", nil), w.t("report.legend_actual", nil), w.t("report.legend_over", nil)})
	lx := pdf.GetX() + 2
	pdf.SetDrawColor(colLimit[0], colLimit[1], colLimit[2])
	pdf.SetLineWidth(0.4)
	pdf.Line(lx, y+0.5, lx, y+3.5)
	pdf.SetLineWidth(0.2)
	pdf.SetXY(lx+1.5, y)
	pdf.CellFormat(40, 4, w.t("report.legend_limit", messages.Args{"pct": w.pct(10000 + d.LineTolerance)}), "", 0, "L", false, 0, "")
	pdf.SetXY(margin, y+7)
	pdf.SetDrawColor(200, 200, 200)
}

func (w *doc) legend(colours [][3]int, labels []string) {
	pdf := w.pdf
	for i, c := range colours {
		x, y := pdf.GetX(), pdf.GetY()
		w.fill(c)
		pdf.Rect(x, y+0.8, 3, 2.6, "F")
		pdf.SetXY(x+4, y)
		lw := pdf.GetStringWidth(labels[i]) + 5
		pdf.CellFormat(lw, 4, labels[i], "", 0, "L", false, 0, "")
	}
}

// receipts draws the Belegliste: every receipt in date order, grouped by
// category with subtotals, as a Verwendungsnachweis lists them.
func (w *doc) receipts(d *Data, dist *District) {
	cols := []column{{w.t("report.col_paid_on", nil), 0.11, "L"}, {w.t("report.col_payee", nil), 0.22, "L"}, {w.t("report.col_purpose", nil), 0.25, "L"},
		// The place ("Q1 Belegliste!G1234") is wide enough not to break
		// inside its cell reference; the amount needs no more than a sum.
		{w.t("report.col_receipt_no", nil), 0.14, "L"}, {w.t("report.col_place", nil), 0.165, "L"}, {w.t("report.col_amount", nil), 0.115, "R"}}
	var rows []row
	var total money.Cents
	flush := func(name string, sum money.Cents) {
		fill := colPlan
		rows = append(rows, row{cells: []string{"", w.t("report.subtotal", messages.Args{"category": name}), "", "", "", w.money(sum)}, bold: true, fill: &fill})
	}
	current, currentName := "\x00", ""
	var sum money.Cents
	for _, r := range dist.Receipts {
		if r.Category != current {
			if current != "\x00" {
				flush(currentName, sum)
			}
			current, currentName, sum = r.Category, r.CategoryRaw, 0
			for _, c := range d.Categories {
				if c.Code == r.Category {
					currentName = c.Name(w.lang)
				}
			}
			rows = append(rows, row{cells: []string{"", currentName}, bold: true})
		}
		amount := ""
		if r.Amount != nil {
			amount = w.money(*r.Amount)
			if r.Eligible {
				sum += *r.Amount
				total += *r.Amount
			}
		}
		place := "Q" + strconv.Itoa(r.Quarter) + " " + r.Sheet + "!" + r.Cell
		cr := row{cells: []string{w.dateP(r.PaymentDate), r.Payee, r.Purpose, r.ReceiptNo, place, amount}, place: place}
		if !r.Eligible {
			cr.cells[5] = amount + " ✗"
			cr.color = map[int][3]int{5: colOver}
		}
		rows = append(rows, cr)
	}
	if current != "\x00" {
		flush(currentName, sum)
	}
	rows = append(rows, row{cells: []string{"", w.t("report.total_eligible", nil), "", "", "", w.money(total)}, bold: true})
	w.styledTable(tableStyle{size: 7.5}, cols, rows)
}

// narrative draws the district's narrative paragraphs: each within
// maxParagraphLines, all of them within maxNarrativeLines; the paragraphs
// beyond are counted and left to the workbook. Line breaks a district
// wrote stay line breaks.
func (w *doc) narrative(paragraphs []string) {
	if len(paragraphs) == 0 || w.done() {
		return
	}
	w.pdf.SetFont(font, "", 9)
	var laid [][]string
	budget, shortened := maxNarrativeLines, false
	for _, p := range paragraphs {
		if budget <= 0 {
			break
		}
		p, cut := firstRunes(p, maxParagraphRunes)
		var ls []string
		for part := range strings.SplitSeq(strings.ReplaceAll(p, "\r\n", "\n"), "\n") {
			pl, _ := w.split(part, w.width, maxParagraphRunes)
			if len(pl) == 0 {
				pl = []string{""}
			}
			ls = append(ls, pl...)
			if len(ls) > min(maxParagraphLines, budget) {
				break
			}
		}
		if n := min(maxParagraphLines, budget); len(ls) > n {
			ls, cut = ls[:n], true
		}
		if cut {
			ls[len(ls)-1] = w.marked(ls[len(ls)-1], w.width)
			shortened = true
		}
		budget -= len(ls)
		laid = append(laid, ls)
	}
	if !w.begin(4 * lineH) {
		return
	}
	if shortened || len(laid) < len(paragraphs) {
		w.shortenedNote()
	}
	for _, ls := range laid {
		w.pdf.SetFont(font, "", 9)
		w.ensure(float64(min(len(ls), 2)) * lineH) // no paragraph starts with its last line of a page
		w.drawLines(ls, lineH, "L")
		w.pdf.Ln(1.5)
	}
	if rest := len(paragraphs) - len(laid); rest > 0 {
		w.note(w.t("report.narrative_more", messages.Args{"n": w.number(rest), "sheet": w.t("excel.sheet.narrative", nil)}))
	}
}
