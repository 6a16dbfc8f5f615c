package report

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// WriteStatePDF writes the state-wide report for d.Period.
func WriteStatePDF(out io.Writer, d *Data, cat *messages.Catalog) error {
	if err := writeStatePDF(context.Background(), out, d, cat); err != nil {
		return fmt.Errorf("state PDF: %w", err)
	}
	return nil
}

func writeStatePDF(ctx context.Context, out io.Writer, d *Data, cat *messages.Catalog) error {
	period := periodName(d.Period, cat, d.Lang)
	tableRows := 20 + 2*len(d.Districts) + len(d.ByRule) + len(d.Activities)
	w, err := newDoc(ctx, d, cat, "L", cat.Text(d.Lang, "report.state", nil)+" · "+period, pageBound(tableRows))
	if err != nil {
		return err
	}
	w.newPage()
	w.titleBlock(w.t("report.state_title", messages.Args{"period": period}),
		w.t("report.state_subtitle", messages.Args{"as_of": w.date(d.AsOf), "districts": strconv.Itoa(len(d.Districts))}))

	w.heading(w.t("report.h_state_figures", nil))
	w.stateFigures(d)

	w.heading(w.t("report.h_districts", nil))
	w.districtsTable(d)
	w.paragraph(w.t("report.status_legend", nil))

	w.heading(w.t("report.h_utilisation", nil))
	w.utilisationChart(d)

	w.heading(w.t("report.h_by_rule", nil))
	if len(d.ByRule) == 0 {
		w.paragraph(w.t("report.no_findings", nil))
	} else {
		w.rules(d.ByRule)
	}

	w.heading(w.t("report.h_activities", nil))
	w.activities(d.Activities)

	if !d.YearOver() {
		w.heading(w.t("report.h_projection", nil))
		w.paragraph(w.t("report.projection_intro", nil))
		w.projections(d)
	}

	w.paragraph(w.t("report.provenance_state", messages.Args{"rules": d.RuleSet,
		"as_of": w.date(d.AsOf), "data_time": w.dateTime(d.DataTime)}))
	return w.finish(out)
}

// stateFigures draws the state's key figures.
func (w *doc) stateFigures(d *Data) {
	s := d.State
	budgetShare := int64(0)
	if d.StateBudget > 0 {
		budgetShare = (int64(s.Grant)*10000 + int64(d.StateBudget)/2) / int64(d.StateBudget)
	}
	w.keyFigures([][2]string{
		{w.t("report.state_budget", nil), w.money(d.StateBudget)},
		{w.t("report.approved_total", nil), w.money(s.Approved)},
		{w.t("report.eligible", nil), w.money(s.Eligible)},
		{w.t("report.income", messages.Args{"planned": w.money(s.PlannedIncome)}), w.money(s.Income)},
		{w.t("report.grant", messages.Args{"rate": w.pct(d.FundingRatePct)}), w.money(s.Grant)},
		{w.t("report.budget_used", nil), w.pct(budgetShare)},
		{w.t("report.paid", nil), w.money(s.Paid)},
		{w.t("report.balance_net", nil), w.money(s.Balance)},
		{w.t("report.interest", nil), w.money(s.InterestAtRisk)},
		{w.t("report.per_thousand_state", nil), w.money(perThousand(s.Grant, d.Population))},
	})
}

// districtsTable draws a row of figures per district and the state's
// totals.
func (w *doc) districtsTable(d *Data) {
	s := d.State
	cols := []column{
		{w.t("report.col_district", nil), 0.115, "L"}, {w.t("report.col_approved", nil), 0.075, "R"}, {w.t("report.col_eligible", nil), 0.08, "R"},
		{w.t("report.col_income", nil), 0.07, "R"}, {w.t("report.col_grant", nil), 0.08, "R"}, {w.t("report.col_paid", nil), 0.075, "R"},
		{w.t("report.col_balance", nil), 0.075, "R"}, {w.t("report.col_utilisation", nil), 0.07, "R"}, {w.t("report.col_per_thousand", nil), 0.065, "R"},
		{w.t("report.col_coordinators", nil), 0.05, "R"}, {w.t("report.col_errors", nil), 0.05, "R"}, {w.t("report.col_warnings", nil), 0.075, "R"},
		{w.t("report.col_quarters", nil), 0.12, "L"},
	}
	var rows []row
	for i := range d.Districts {
		dist := &d.Districts[i]
		f := dist.Figures
		var qs []string
		for _, q := range dist.Trend {
			qs = append(qs, "Q"+strconv.Itoa(q.Quarter)+" "+w.t("report.status_short_"+q.Status, nil))
		}
		fte := dist.FTE
		if w.lang != "en" {
			fte = localDecimal(fte)
		}
		r := row{cells: []string{dist.AGS + " " + dist.Name, w.money(f.Approved), w.money(f.Eligible), w.money(f.Income), w.money(f.Grant), w.money(f.Paid),
			w.money(f.Balance), w.pct(f.UtilisationPct()), w.money(dist.PerThousand()), strconv.Itoa(dist.Coordinators) + " / " + fte,
			strconv.Itoa(dist.Errors()), strconv.Itoa(dist.Warnings()), strings.Join(qs, "  ")}}
		if dist.Errors() > 0 {
			r.color = map[int][3]int{10: sevColours["error"]}
		}
		rows = append(rows, r)
	}
	rows = append(rows, row{bold: true, cells: []string{w.t("report.total", nil), w.money(s.Approved), w.money(s.Eligible), w.money(s.Income), w.money(s.Grant),
		w.money(s.Paid), w.money(s.Balance), w.pct(s.UtilisationPct()), w.money(perThousand(s.Grant, d.Population)), "", "", "", ""}})
	w.styledTable(tableStyle{size: 7}, cols, rows)
}

// rules draws the findings per rule: errors, warnings, infos.
func (w *doc) rules(byRule map[string][3]int) {
	var rules []string
	for r := range byRule {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	var rows []row
	for _, r := range rules {
		c := byRule[r]
		rows = append(rows, row{cells: []string{r, strconv.Itoa(c[0]), strconv.Itoa(c[1]), strconv.Itoa(c[2])}})
	}
	w.table([]column{{w.t("report.col_rule", nil), 0.4, "L"}, {w.t("report.col_errors", nil), 0.2, "R"}, {w.t("report.col_warnings", nil), 0.2, "R"},
		{w.t("report.col_infos", nil), 0.2, "R"}}, rows)
}

// projections draws each district's expected year end and the totals.
func (w *doc) projections(d *Data) {
	var rows []row
	var sumProjected, sumUnspent money.Cents
	for i, pj := range d.Projections {
		rows = append(rows, row{cells: []string{pj.AGS + " " + d.Districts[i].Name, w.money(d.Districts[i].Figures.Approved), w.money(pj.Projected), w.money(pj.Unspent)}})
		sumProjected += pj.Projected
		sumUnspent += pj.Unspent
	}
	rows = append(rows, row{bold: true, cells: []string{w.t("report.total", nil), w.money(d.State.Approved), w.money(sumProjected), w.money(sumUnspent)}})
	w.table([]column{{w.t("report.col_district", nil), 0.4, "L"}, {w.t("report.col_approved", nil), 0.2, "R"}, {w.t("report.col_projected", nil), 0.2, "R"},
		{w.t("report.col_unspent", nil), 0.2, "R"}}, rows)
}

// utilisationChart draws one horizontal bar per district: grant as a
// share of the approved grant, with the 100 % line. A chart taller than a
// page starts on a page of its own and goes on over the next.
func (w *doc) utilisationChart(d *Data) {
	pdf := w.pdf
	barH, gap, labelW := 3.4, 1.4, 0.22*w.width
	_, ph := pdf.GetPageSize()
	top, bottom := margin+6, ph-margin-6
	if !w.begin(min(float64(len(d.Districts))*(barH+gap)+12, bottom-top-12)) {
		return
	}
	chartW := w.width - labelW - 30
	var most int64 = 10000
	for _, dist := range d.Districts {
		most = max(most, dist.Figures.UtilisationPct())
	}
	x0, y := margin+labelW, pdf.GetY()+1
	lx := x0 + chartW*10000/float64(most)
	full := func(from, to float64) {
		pdf.SetDrawColor(colLimit[0], colLimit[1], colLimit[2])
		pdf.SetLineWidth(0.4)
		pdf.Line(lx, from, lx, to)
		pdf.SetLineWidth(0.2)
	}
	yStart := y
	pdf.SetFont(font, "", 7.5)
	for _, dist := range d.Districts {
		if y+barH+gap > bottom {
			full(yStart-1, y)
			if !w.newPage() {
				return
			}
			pdf.SetFont(font, "", 7.5)
			y = pdf.GetY() + 1
			yStart = y
		}
		u := dist.Figures.UtilisationPct()
		pdf.SetXY(margin, y-0.4)
		pdf.CellFormat(labelW-2, barH+0.8, dist.Name, "", 0, "R", false, 0, "")
		w.fill(colActual)
		pdf.Rect(x0, y, chartW*float64(u)/float64(most), barH, "F")
		pdf.SetXY(x0+chartW*float64(u)/float64(most)+1, y-0.4)
		pdf.CellFormat(25, barH+0.8, w.pct(u), "", 0, "L", false, 0, "")
		y += barH + gap
	}
	full(yStart-1, y)
	if y+10 > bottom && !w.newPage() {
		return
	}
	y = max(y, pdf.GetY())
	pdf.SetXY(lx-20, y)
	pdf.CellFormat(40, 4, w.t("report.legend_full", nil), "", 0, "C", false, 0, "")
	pdf.SetXY(margin, y+6)
	pdf.SetDrawColor(200, 200, 200)
}
