package report

import (
	"strconv"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// The financing plan (income and expenditure, plan against actual, and the
// grant that follows) and the payout ledger with its interest periods, as
// the district's PDF and workbook show them (issue 13): every interest
// figure can be multiplied out from the periods shown.

// financingLine is one line of the financing plan: Plan is what the grant
// decision planned, Actual what the submissions and the computation give.
type financingLine struct {
	key          string // report.fin_<key>, excel.label.fin_<key>
	plan, actual money.Cents
	total        bool
}

// financingLines are the financing plan's lines (Finanzierungsplan):
// eligible expenditure − income = net expenditure; the grant (at most the
// approval); the own share (Eigenanteil) is the rest.
func financingLines(dist *District) []financingLine {
	f := dist.Figures
	planNet := dist.PlanTotal - f.PlannedIncome
	return []financingLine{
		{key: "eligible", plan: dist.PlanTotal, actual: f.Eligible},
		{key: "income", plan: f.PlannedIncome, actual: f.Income},
		{key: "net", plan: planNet, actual: f.Net(), total: true},
		{key: "grant", plan: f.Approved, actual: f.Grant},
		{key: "own_share", plan: max(0, planNet-f.Approved), actual: f.OwnShare()},
	}
}

// financing draws the financing plan.
func (w *doc) financing(d *Data, dist *District) {
	var rows []row
	for _, l := range financingLines(dist) {
		rows = append(rows, row{cells: []string{w.t("report.fin_"+l.key, messages.Args{"rate": w.pct(d.FundingRatePct)}), w.money(l.plan), w.money(l.actual),
			w.money(l.actual - l.plan)}, bold: l.total})
	}
	w.table([]column{{w.t("report.col_position", nil), 0.52, "L"}, {w.t("report.col_plan", nil), 0.16, "R"},
		{w.t("report.col_actual_short", nil), 0.16, "R"}, {w.t("report.col_difference", nil), 0.16, "R"}}, rows)
}

// payouts draws the payout ledger and, for the payouts not used within
// their window, the interest period by period.
func (w *doc) payouts(dist *District) {
	if len(dist.Payouts) == 0 {
		w.paragraph(w.t("report.no_payouts", nil))
		return
	}
	var rows []row
	var paid, open, interest money.Cents
	for _, p := range dist.Payouts {
		covered := w.dateP(p.CoveredOn)
		if p.CoveredOn == nil {
			covered = w.t("report.not_covered", nil)
		}
		rows = append(rows, row{cells: []string{w.date(p.Date), w.money(p.Amount), p.Reference, w.date(p.Due), covered, w.money(p.OpenNow), w.money(p.Interest)}})
		paid += p.Amount
		open += p.OpenNow
		interest += p.Interest
	}
	rows = append(rows, row{cells: []string{w.t("report.total", nil), w.money(paid), "", "", "", w.money(open), w.money(interest)}, bold: true})
	w.paragraph(w.t("report.payouts_intro", nil))
	w.table([]column{{w.t("report.col_payout_date", nil), 0.13, "L"}, {w.t("report.col_amount", nil), 0.16, "R"}, {w.t("report.col_reference", nil), 0.2, "L"},
		{w.t("report.col_due", nil), 0.12, "L"}, {w.t("report.col_covered_on", nil), 0.12, "L"}, {w.t("report.col_open_now", nil), 0.13, "R"},
		{w.t("report.col_interest", nil), 0.14, "R"}}, rows)

	rows = rows[:0]
	for _, p := range dist.Payouts {
		for _, ip := range p.Periods {
			rows = append(rows, row{cells: []string{w.date(p.Date), w.date(ip.From), w.date(ip.To), w.money(ip.Open), w.number(ip.Days),
				w.pct(ip.RatePPM / 100), w.money(ip.Interest)}})
		}
	}
	if len(rows) == 0 {
		return
	}
	rows = append(rows, row{cells: []string{w.t("report.total", nil), "", "", "", "", "", w.money(interest)}, bold: true})
	w.paragraph(w.t("report.interest_intro", nil))
	w.table([]column{{w.t("report.col_payout_of", nil), 0.14, "L"}, {w.t("report.col_from", nil), 0.13, "L"}, {w.t("report.col_to", nil), 0.13, "L"},
		{w.t("report.col_open", nil), 0.17, "R"}, {w.t("report.col_days", nil), 0.1, "R"}, {w.t("report.col_rate", nil), 0.15, "R"},
		{w.t("report.col_interest", nil), 0.18, "R"}}, rows)
}

// financingSheet is the financing plan as a sheet.
func (b *excelBook) financingSheet(dist *District) {
	s := b.newSheet("financing",
		b.col("position", 66, true),
		b.col("plan", 18, false),
		b.col("actual_short", 18, false),
		b.col("difference", 18, false),
	)
	rate := b.text("excel.percent", messages.Args{"value": messages.Decimal(strconv.FormatFloat(float64(b.d.FundingRatePct)/100, 'f', -1, 64))})
	for _, l := range financingLines(dist) {
		vals := []xlValue{xlText(b.text("excel.label.fin_"+l.key, messages.Args{"rate": rate})), xlMoney(l.plan), xlMoney(l.actual), xlMoney(l.actual - l.plan)}
		if l.total {
			s.total(vals...)
		} else {
			s.add(vals...)
		}
	}
	s.finish()
}

// payoutsSheet is the payout ledger; interestSheet its interest periods.
func (b *excelBook) payoutsSheet(dist *District) {
	s := b.newSheet("payouts",
		b.col("payout_date", 13, false),
		b.col("amount", 15, false),
		b.col("reference", 22, true),
		b.col("due", 13, false),
		b.col("covered_on", 13, false),
		b.col("unspent_at_due", 16, false),
		b.col("open_now", 15, false),
		b.col("interest", 13, false),
	)
	var paid, open, interest money.Cents
	for _, p := range dist.Payouts {
		date, due := p.Date, p.Due
		s.add(xlDate(&date), xlMoney(p.Amount), xlText(p.Reference), xlDate(&due), xlDate(p.CoveredOn), xlMoney(p.UnspentAtDue), xlMoney(p.OpenNow), xlMoney(p.Interest))
		paid += p.Amount
		open += p.OpenNow
		interest += p.Interest
	}
	s.total(xlText(b.text("excel.total", nil)), xlMoney(paid), xlBlank(), xlBlank(), xlBlank(), xlBlank(), xlMoney(open), xlMoney(interest))
	s.finish()

	s = b.newSheet("interest",
		b.col("payout_date", 13, false),
		b.col("from", 13, false),
		b.col("to", 13, false),
		b.col("open", 16, false),
		b.col("days", 8, false),
		b.col("rate", 10, false),
		b.col("interest", 13, false),
	)
	for _, p := range dist.Payouts {
		for _, ip := range p.Periods {
			date, from, to := p.Date, ip.From, ip.To
			s.add(xlDate(&date), xlDate(&from), xlDate(&to), xlMoney(ip.Open), xlCount(int64(ip.Days)), xlRatio(ip.RatePPM, 1000000), xlMoney(ip.Interest))
		}
	}
	s.total(xlText(b.text("excel.total", nil)), xlBlank(), xlBlank(), xlBlank(), xlBlank(), xlBlank(), xlMoney(interest))
	s.finish()
}

// incomeName is an income line's type as the report names it.
func incomeName(d *Data, in IncomeLine, lang string) string {
	for _, t := range d.IncomeTypes {
		if t.Code == in.Type {
			return t.Name(lang)
		}
	}
	if in.TypeRaw != "" {
		return in.TypeRaw
	}
	return in.Type
}

// incomeLines draws the Einnahmen lines with their places; lines that do
// not count (an error at their row) are marked ✗ and left out of the total.
func (w *doc) incomeLines(d *Data, dist *District) {
	if len(dist.Income) == 0 {
		w.paragraph(w.t("report.no_income", nil))
		return
	}
	var rows []row
	var total money.Cents
	for _, in := range dist.Income {
		amount := ""
		if in.Amount != nil {
			amount = w.money(*in.Amount)
			if in.Counted {
				total += *in.Amount
			}
		}
		place := "Q" + strconv.Itoa(in.Quarter) + " " + in.Sheet + "!" + in.Cell
		r := row{cells: []string{w.dateP(in.Date), incomeName(d, in, w.lang), in.Source, in.Purpose, place, amount}, place: place}
		if !in.Counted {
			r.cells[5] = amount + " ✗"
			r.color = map[int][3]int{5: colOver}
		}
		rows = append(rows, r)
	}
	rows = append(rows, row{cells: []string{"", w.t("report.total_income", nil), "", "", "", w.money(total)}, bold: true})
	w.styledTable(tableStyle{size: 7.5}, []column{{w.t("report.col_received_on", nil), 0.11, "L"}, {w.t("report.col_income_type", nil), 0.17, "L"},
		{w.t("report.col_source", nil), 0.18, "L"}, {w.t("report.col_purpose", nil), 0.26, "L"}, {w.t("report.col_place", nil), 0.13, "L"},
		{w.t("report.col_amount", nil), 0.15, "R"}}, rows)
}

// incomeSheet lists the Einnahmen lines.
func (b *excelBook) incomeSheet(dist *District) {
	s := b.newSheet("income",
		b.col("quarter", 10, false),
		b.col("received_on", 13, false),
		b.col("income_type", 22, true),
		b.col("source", 28, true),
		b.col("purpose", 36, true),
		b.col("amount", 15, false),
		b.col("counted", 11, false),
		b.col("file", 30, true),
		b.col("sheet", 14, false),
		b.col("cell", 8, false),
	)
	var sum money.Cents
	for _, in := range dist.Income {
		if in.Amount != nil && in.Counted {
			sum += *in.Amount
		}
		s.add(xlID(int64(in.Quarter)), xlDate(in.Date), xlText(incomeName(b.d, in, b.lang)), xlText(in.Source), xlText(in.Purpose),
			xlMoneyPtr(in.Amount), b.yesNo(in.Counted), xlText(datadir.Printable(in.File)), xlText(in.Sheet), xlText(in.Cell))
	}
	s.total(xlBlank(), xlBlank(), xlText(b.text("excel.total", nil)), xlBlank(), xlBlank(), xlMoney(sum))
	s.finish()
}
