package report

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// WriteDistrictExcel writes the district report of district, one of
// d.Districts, for d.Period in d.Lang.
func WriteDistrictExcel(w io.Writer, d *Data, district *District, cat *messages.Catalog) error {
	if district == nil {
		return errors.New("district workbook: no district")
	}
	if err := writeDistrictExcel(w, d, district, cat); err != nil {
		return fmt.Errorf("district workbook %s: %w", district.AGS, err)
	}
	return nil
}

func writeDistrictExcel(w io.Writer, d *Data, district *District, cat *messages.Catalog) error {
	b := newExcelBook(d, cat)
	defer b.close()
	b.title = b.text("excel.doc.district_title", messages.Args{"district": district.Name, "period": b.periodText()})
	b.districtOverview(district)
	b.planSheet(district)
	b.financingSheet(district)
	b.trendSheet(district)
	b.payoutsSheet(district)
	b.findingsSheet("findings", []*District{district}, false)
	b.activitiesSheet(district.Activities)
	b.receiptsSheet(district)
	b.incomeSheet(district)
	b.sourcesSheet(district)
	b.narrativeSheet(district)
	return b.write(w)
}

func (b *excelBook) districtOverview(dist *District) {
	d := b.d
	s := b.figuresSheet()
	s.figure("district", xlText(dist.Name), "")
	s.figure("ags", xlText(dist.AGS), "")
	s.figure("kind", xlText(dist.Kind), "")
	s.figure("file_number", xlText(dist.FileNumber), "")
	s.figure("population", xlCount(int64(dist.Population)), "")
	s.figure("period", xlText(b.periodText()), "")
	s.figure("approved", xlMoney(dist.Figures.Approved), "")
	s.figure("plan_total", xlMoney(dist.PlanTotal), "")
	s.figure("eligible", xlMoney(dist.Figures.Eligible), "")
	s.figure("income", xlMoney(dist.Figures.Income), "")
	s.figure("planned_income", xlMoney(dist.Figures.PlannedIncome), "")
	s.figure("funding_rate", xlBasisPoints(d.FundingRatePct), "")
	s.figure("grant", xlMoney(dist.Figures.Grant), b.settledNote(dist.Figures.Settled))
	s.figure("paid", xlMoney(dist.Figures.Paid), "")
	s.figure("balance", xlMoney(dist.Figures.Balance), b.balanceNote(dist.Figures.Balance, dist.Figures.Settled))
	s.figure("utilisation", xlBasisPoints(dist.Figures.UtilisationPct()), "")
	s.figure("per_thousand", xlMoney(dist.PerThousand()), "")
	s.figure("coordinators", xlCount(int64(dist.Coordinators)), "")
	s.figure("fte", xlFTE(dist.FTE), "")
	s.figure("interest", xlMoney(dist.Figures.InterestAtRisk), "")
	s.figure("errors", xlCount(int64(dist.Errors())), "")
	s.figure("warnings", xlCount(int64(dist.Warnings())), "")
	b.runFigures(s)
	s.finish()
}

// planSheet sets each category's eligible costs against its plan and the
// limit up to which a category may exceed its plan (d.LineTolerance).
func (b *excelBook) planSheet(dist *District) {
	tol := b.d.LineTolerance
	limitPct := messages.Decimal(strconv.FormatFloat(float64(10000+tol)/100, 'f', -1, 64))
	s := b.newSheet("plan",
		b.col("category", 30, true),
		b.col("plan", 18, false),
		b.col("actual", 18, false),
		b.col("actual_pct", 12, false),
		excelColumn{header: b.text("excel.col.limit", messages.Args{"limit": b.text("excel.percent", messages.Args{"value": limitPct})}), width: 18},
		b.col("over_limit", 12, false),
	)
	var planSum, actualSum money.Cents
	for _, c := range b.categories(dist) {
		plan, actual := dist.Plan[c.Code], dist.Figures.ByCategory[c.Code]
		limit := money.Cents((int64(plan)*(10000+tol) + 5000) / 10000)
		planSum += plan
		actualSum += actual
		s.add(xlText(c.Name(b.lang)), xlMoney(plan), xlMoney(actual), xlRatio(int64(actual), int64(plan)),
			xlMoney(limit), b.yesNo(actual > limit))
	}
	s.total(xlText(b.text("excel.total", nil)), xlMoney(planSum), xlMoney(actualSum), xlRatio(int64(actualSum), int64(planSum)))
	s.finish()
	s.chart(&excelize.Chart{
		Type:   excelize.Col,
		Series: []excelize.ChartSeries{s.series(1, 2), s.series(1, 3)},
		Title:  b.chartTitle("excel.chart.plan"),
		YAxis:  excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: b.text("excel.format.money_axis", nil)}},
	})
}

// categories lists the programme's categories in report order, then any
// code the district planned or spent on that the programme does not name.
func (b *excelBook) categories(dist *District) []Category {
	out := append([]Category(nil), b.d.Categories...)
	known := map[string]bool{}
	for _, c := range out {
		known[c.Code] = true
	}
	var extra []string
	for _, m := range []map[string]money.Cents{dist.Plan, dist.Figures.ByCategory} {
		for code := range m {
			if !known[code] {
				known[code] = true
				extra = append(extra, code)
			}
		}
	}
	sort.Strings(extra)
	for _, code := range extra {
		out = append(out, Category{Code: code, NameDE: code, NameEN: code})
	}
	return out
}

func (b *excelBook) trendSheet(dist *District) {
	s := b.newSheet("trend",
		b.col("quarter", 10, false),
		b.col("status", 22, true),
		b.col("eligible_quarter", 20, false),
		b.col("cumulative", 20, false),
		b.col("errors", 10, false),
		b.col("warnings", 11, false),
	)
	for _, q := range dist.Trend {
		s.add(xlID(int64(q.Quarter)), xlText(b.status(q.Status)), xlMoney(q.Eligible), xlMoney(q.Cumulative),
			xlCount(int64(q.Errors)), xlCount(int64(q.Warnings)))
	}
	s.finish()
	axis := excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: b.text("excel.format.money_axis", nil)}}
	s.chart(&excelize.Chart{
		Type:   excelize.Col,
		Series: []excelize.ChartSeries{s.series(1, 3)},
		Title:  b.chartTitle("excel.chart.trend"),
		YAxis:  axis,
	}, &excelize.Chart{
		Type:   excelize.Line,
		Series: []excelize.ChartSeries{s.series(1, 4)},
		YAxis:  axis,
	})
}

func (b *excelBook) receiptsSheet(dist *District) {
	s := b.longSheet("receipts", len(dist.Receipts),
		// Wide enough for the header's longest word (Rechnungsdatum,
		// Koordinierungskraft) and for a file name as the form names it
		// (Quartalsmeldung_2026-Q1_15083_Boerde.xlsx) on one line.
		b.col("quarter", 10, false),
		b.col("category", 24, true),
		b.col("invoice_date", 16, false),
		b.col("payment_date", 15, false),
		b.col("payee", 28, true),
		b.col("purpose", 40, true),
		b.col("amount", 15, false),
		b.col("receipt_no", 12, false),
		b.col("coordinator", 19, false),
		b.col("eligible", 16, false),
		b.col("file", 44, true),
		b.col("sheet", 14, false),
		b.col("cell", 8, false),
		b.col("submission", 12, false),
	)
	names := map[string]string{}
	for _, c := range b.d.Categories {
		names[c.Code] = c.Name(b.lang)
	}
	var sum money.Cents
	for _, r := range dist.Receipts {
		category := r.CategoryRaw
		if n, ok := names[r.Category]; ok {
			category = n
		} else if category == "" {
			category = r.Category
		}
		if r.Amount != nil {
			sum += *r.Amount
		}
		s.add(xlID(int64(r.Quarter)), xlText(category), xlDate(r.InvoiceDate), xlDate(r.PaymentDate),
			xlText(r.Payee), xlText(r.Purpose), xlMoneyPtr(r.Amount), xlText(r.ReceiptNo), xlText(r.Coordinator),
			b.yesNo(r.Eligible), xlText(datadir.Printable(r.File)), xlText(r.Sheet), xlText(r.Cell), xlID(r.SubmissionID))
	}
	s.total(xlBlank(), xlText(b.text("excel.total", nil)), xlBlank(), xlBlank(), xlBlank(), xlBlank(), xlMoney(sum))
	s.finish()
}

func (b *excelBook) sourcesSheet(dist *District) {
	s := b.newSheet("sources",
		b.col("submission", 12, false),
		b.col("file", 36, true),
		b.col("sha256", 30, true),
		b.col("quarter", 10, false),
		b.col("received", 17, false),
		b.col("current", 12, false),
		b.col("reader_version", 14, false),
	)
	for _, src := range dist.Sources {
		s.add(xlID(src.SubmissionID), xlText(datadir.Printable(src.File)), xlText(src.SHA256), xlID(int64(src.Quarter)),
			xlDateTime(src.Received), b.yesNo(src.Current), xlText(src.ReaderVer))
	}
	s.finish()
}

func (b *excelBook) narrativeSheet(dist *District) {
	s := b.newSheet("narrative",
		b.col("number", 6, false),
		b.col("paragraph", 110, true),
	)
	for i, p := range dist.Narrative {
		s.add(xlID(int64(i+1)), xlText(p))
	}
	s.finish()
}
