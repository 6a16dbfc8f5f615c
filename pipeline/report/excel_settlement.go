package report

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// WriteFinalReportExcel writes dist's final report (Verwendungsnachweis) of
// d's year as a workbook: the same content as its PDF, on the sheets
// Übersicht, Nachweis, Belegliste, Einnahmen and Sachbericht. dist needs
// its receipts and income (LoadReceipts).
func WriteFinalReportExcel(w io.Writer, d *Data, dist *District, cat *messages.Catalog) error {
	if err := writeFinalReportExcel(w, d, dist, cat); err != nil {
		return fmt.Errorf("final report workbook %s: %w", dist.AGS, err)
	}
	return nil
}

// WriteSettlementExcel writes the state-wide settlement overview of d's
// year as a workbook.
func WriteSettlementExcel(w io.Writer, d *Data, cat *messages.Catalog) error {
	if err := writeSettlementExcel(w, d, cat); err != nil {
		return fmt.Errorf("settlement workbook: %w", err)
	}
	return nil
}

func writeFinalReportExcel(w io.Writer, d *Data, dist *District, cat *messages.Catalog) error {
	b := newExcelBook(d, cat)
	defer b.close()
	b.title = b.text("settlement.final_doc_title", messages.Args{"district": dist.Name, "year": strconv.Itoa(d.Period.Year)})
	b.finalOverview(dist)
	b.financingPlanSheet(dist)
	b.beleglisteSheet(dist)
	b.countedIncomeSheet(dist)
	b.sachberichtSheet(dist)
	return b.write(w)
}

// settlementSheet starts a sheet named by the settlement's texts, its
// columns headed by them (settlement.col_<key>).
func (b *excelBook) settlementSheet(key string, cols ...excelColumn) *sheetWriter {
	return b.namedSheet(b.text("settlement.sheet_"+key, nil), cols...)
}

func (b *excelBook) scol(key string, width float64, wrap bool) excelColumn {
	return excelColumn{header: b.text("settlement.col_"+key, nil), width: width, wrap: wrap}
}

// finishA4 finishes a sheet (see sheetWriter.finish) and prints it on A4.
func (s *sheetWriter) finishA4() {
	s.finish()
	a4 := 9 // the paper size code of A4 in SpreadsheetML
	s.b.fail(s.b.f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: &a4}))
}

// finalOverview is the title block, the grant's computation and the
// confirmation with the lines to sign on.
func (b *excelBook) finalOverview(dist *District) {
	d := b.d
	s := b.settlementSheet("overview", b.scol("item", 62, true), b.scol("value", 24, false))
	label := func(key string) xlValue { return xlText(b.text("settlement."+key, nil)) }
	s.add(label("recipient"), xlText(dist.Name+" ("+dist.Kind+")"))
	s.add(label("ags"), xlText(dist.AGS))
	s.add(label("file_number"), xlText(dist.FileNumber))
	s.add(label("budget_year"), xlID(int64(d.Period.Year)))
	s.add(label("approved"), xlMoney(dist.Figures.Approved))
	s.add(label("data_time"), xlDateTime(d.DataTime))
	s.add(label("as_of"), xlDate(&d.AsOf))
	rate := b.text("excel.percent", messages.Args{"value": messages.Decimal(strconv.FormatFloat(float64(d.FundingRatePct)/100, 'f', -1, 64))})
	for _, st := range computation(d, dist) {
		v := []xlValue{xlText(b.text("settlement.calc_"+st.key, messages.Args{"rate": rate})), xlMoney(st.amount)}
		if st.result {
			s.total(v...)
		} else {
			s.add(v...)
		}
	}
	s.total(label("h_confirmation"))
	// Rows high enough for the wrapped confirmation and for a signature:
	// a row's height does not follow its wrapped text by itself.
	s.add(label("confirmation"))
	b.fail(b.f.SetRowHeight(s.name, s.row, 48))
	for _, key := range []string{"sign_place_date", "sign_signature", "sign_name", "sign_function"} {
		s.add(xlText(b.text("settlement."+key, nil) + ": ____________________________"))
		b.fail(b.f.SetRowHeight(s.name, s.row, 30))
	}
	s.finishA4()
}

// financingPlanSheet is the zahlenmäßiger Nachweis: income per type and in
// total against the plan, expenditure per cost category against the plan.
func (b *excelBook) financingPlanSheet(dist *District) {
	d := b.d
	s := b.settlementSheet("figures", b.scol("item", 40, true), b.scol("plan", 18, false), b.scol("actual", 18, false),
		b.scol("difference", 18, false), b.scol("share", 12, false))
	planned := func(label string, plan, actual money.Cents) []xlValue {
		return []xlValue{xlText(label), xlMoney(plan), xlMoney(actual), xlMoney(actual - plan), xlRatio(int64(actual), int64(plan))}
	}
	for _, t := range incomeTypes(d, dist, b.lang) {
		s.add(xlText(t.name), xlBlank(), xlMoney(t.sum))
	}
	s.total(planned(b.text("settlement.income_total", nil), dist.Figures.PlannedIncome, dist.Figures.Income)...)
	var plan, actual money.Cents
	for _, c := range d.Categories {
		p, a := dist.Plan[c.Code], dist.Figures.ByCategory[c.Code]
		plan += p
		actual += a
		s.add(planned(c.Name(b.lang), p, a)...)
	}
	s.total(planned(b.text("settlement.eligible_total", nil), plan, actual)...)
	s.finishA4()
}

// beleglisteSheet lists every eligible receipt by cost category, each
// category closed by its subtotal, and their total.
func (b *excelBook) beleglisteSheet(dist *District) {
	s := b.settlementSheet("receipts",
		b.scol("category", 38, true), b.scol("paid_on", 13, false), b.scol("payee", 28, true), b.scol("purpose", 36, true),
		b.scol("receipt_no", 13, false), b.scol("amount", 15, false),
		b.scol("file", 30, true), b.scol("quarter", 9, false), b.scol("sheet", 14, false), b.scol("cell", 8, false))
	var total money.Cents
	for _, g := range beleglisteGroups(b.d, dist) {
		name := g.category.Name(b.lang)
		for _, r := range g.lines {
			s.add(xlText(name), xlDate(r.PaymentDate), xlText(r.Payee), xlText(r.Purpose), xlText(r.ReceiptNo), xlMoneyPtr(r.Amount),
				xlText(datadir.Printable(r.File)), xlID(int64(r.Quarter)), xlText(r.Sheet), xlText(r.Cell))
		}
		s.total(xlText(b.text("settlement.subtotal", messages.Args{"category": name})), xlBlank(), xlBlank(), xlBlank(), xlBlank(), xlMoney(g.sum))
		total += g.sum
	}
	s.total(xlText(b.text("settlement.eligible_total", nil)), xlBlank(), xlBlank(), xlBlank(), xlBlank(), xlMoney(total))
	s.finishA4()
}

// countedIncomeSheet lists the income lines that lowered the grant.
func (b *excelBook) countedIncomeSheet(dist *District) {
	s := b.settlementSheet("income",
		b.scol("received_on", 13, false), b.scol("income_type", 22, true), b.scol("source", 28, true), b.scol("purpose", 36, true),
		b.scol("amount", 15, false), b.scol("file", 30, true), b.scol("quarter", 9, false), b.scol("sheet", 14, false), b.scol("cell", 8, false))
	lines, sum := countedIncome(dist)
	for _, in := range lines {
		s.add(xlDate(in.Date), xlText(incomeName(b.d, in, b.lang)), xlText(in.Source), xlText(in.Purpose), xlMoneyPtr(in.Amount),
			xlText(datadir.Printable(in.File)), xlID(int64(in.Quarter)), xlText(in.Sheet), xlText(in.Cell))
	}
	s.total(xlBlank(), xlText(b.text("settlement.income_total", nil)), xlBlank(), xlBlank(), xlMoney(sum))
	s.finishA4()
}

// sachberichtSheet is the quarterly narratives, a paragraph a row; a
// quarter without one says so.
func (b *excelBook) sachberichtSheet(dist *District) {
	s := b.settlementSheet("narrative", b.scol("quarter", 9, false), b.scol("number", 6, false), b.scol("paragraph", 110, true))
	for q, ps := range dist.Sachbericht {
		if len(ps) == 0 {
			s.add(xlID(int64(q+1)), xlBlank(), xlText(b.text("settlement.no_narrative", nil)))
		}
		for i, p := range ps {
			s.add(xlID(int64(q+1)), xlID(int64(i+1)), xlText(p))
		}
	}
	s.finishA4()
}

func writeSettlementExcel(w io.Writer, d *Data, cat *messages.Catalog) error {
	b := newExcelBook(d, cat)
	defer b.close()
	year := strconv.Itoa(d.Period.Year)
	b.title = b.text("settlement.state_title", messages.Args{"year": year})
	s := b.settlementSheet("state",
		b.scol("ags", 9, false), b.scol("district", 24, true), b.scol("approved", 16, false), b.scol("eligible", 26, false),
		b.scol("income", 14, false), b.scol("grant", 16, false), b.scol("state", 13, false), b.scol("paid", 16, false),
		b.scol("claim", 16, false), b.scol("additional", 16, false), b.scol("interest", 13, false))
	for _, r := range settlementTable(d) {
		status := b.text("settlement.fixed", nil)
		claim, additional := xlMoney(r.claim), xlMoney(r.additional)
		if !r.settled {
			status, claim, additional = b.text("settlement.provisional", nil), xlBlank(), xlBlank()
		}
		vals := []xlValue{xlText(r.ags), xlText(r.name), xlMoney(r.f.Approved), xlMoney(r.f.Eligible), xlMoney(r.f.Income), xlMoney(r.f.Grant),
			xlText(status), xlMoney(r.f.Paid), claim, additional, xlMoney(r.f.InterestAtRisk)}
		if r.total {
			vals[1], vals[6] = xlText(b.text("settlement.state_total", nil)), xlBlank()
			s.total(vals...)
		} else {
			s.add(vals...)
		}
	}
	s.finishA4()
	return b.write(w)
}
