package report

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
)

// WriteStateExcel writes the state-wide report for d.Period in d.Lang.
func WriteStateExcel(w io.Writer, d *Data, cat *messages.Catalog) error {
	if err := writeStateExcel(w, d, cat); err != nil {
		return fmt.Errorf("state workbook: %w", err)
	}
	return nil
}

func writeStateExcel(w io.Writer, d *Data, cat *messages.Catalog) error {
	b := newExcelBook(d, cat)
	defer b.close()
	b.title = b.text("excel.doc.state_title", messages.Args{"period": b.periodText()})
	b.stateOverview()
	b.districtsSheet()
	b.rulesSheet()
	b.activitiesSheet(d.Activities)
	if !d.YearOver() {
		b.projectionSheet()
	}
	all := make([]*District, len(d.Districts))
	for i := range d.Districts {
		all[i] = &d.Districts[i]
	}
	b.findingsSheet("all_findings", all, true)
	return b.write(w)
}

func (b *excelBook) stateOverview() {
	d := b.d
	st := d.State
	s := b.figuresSheet()
	s.figure("period", xlText(b.periodText()), "")
	s.figure("state_budget", xlMoney(d.StateBudget), "")
	s.figure("approved", xlMoney(st.Approved), "")
	s.figure("eligible", xlMoney(st.Eligible), "")
	s.figure("income", xlMoney(st.Income), "")
	s.figure("funding_rate", xlBasisPoints(d.FundingRatePct), "")
	s.figure("grant", xlMoney(st.Grant), "")
	s.figure("budget_share", xlRatio(int64(st.Grant), int64(d.StateBudget)), "")
	s.figure("budget_remaining", xlMoney(d.StateBudget-st.Grant), "")
	s.figure("paid", xlMoney(st.Paid), "")
	s.figure("balance", xlMoney(st.Balance), b.balanceNote(st.Balance, st.Settled))
	s.figure("utilisation", xlBasisPoints(st.UtilisationPct()), "")
	s.figure("interest", xlMoney(st.InterestAtRisk), "")
	s.figure("population", xlCount(int64(d.Population)), "")
	s.figure("per_thousand", xlMoney(b.statePerThousand(st.Grant)), "")
	s.figure("district_count", xlCount(int64(len(d.Districts))), "")
	s.figure("district_cap", xlMoney(d.DistrictCap), "")
	s.figure("line_tolerance", xlBasisPoints(d.LineTolerance), "")
	var errs, warns int
	for i := range d.Districts {
		errs += d.Districts[i].Errors()
		warns += d.Districts[i].Warnings()
	}
	s.figure("errors", xlCount(int64(errs)), "")
	s.figure("warnings", xlCount(int64(warns)), "")
	b.runFigures(s)
	s.finish()
}

// statePerThousand is the state's grant amount per 1,000 inhabitants,
// computed as a district's is.
func (b *excelBook) statePerThousand(grant money.Cents) money.Cents {
	pop := b.d.Population
	if pop <= 0 {
		for i := range b.d.Districts {
			pop += b.d.Districts[i].Population
		}
	}
	return perThousand(grant, pop)
}

// districtsSheet is one row per district with a totals row summed from the
// rows above it, which the tests hold against d.State.
func (b *excelBook) districtsSheet() {
	d := b.d
	cols := []excelColumn{
		b.col("ags", 10, false),
		b.col("district", 24, true),
		b.col("approved", 16, false),
		b.col("eligible_costs", 16, false),
		b.col("income", 14, false),
		b.col("grant", 16, false),
		b.col("paid", 16, false),
		b.col("balance", 18, false),
		b.col("utilisation", 13, false),
		b.col("per_thousand", 15, false),
		b.col("coordinators", 15, false),
		b.col("fte", 13, false),
		b.col("errors", 9, false),
		b.col("warnings", 11, false),
	}
	for q := 1; q <= 4; q++ {
		cols = append(cols, excelColumn{header: b.text("excel.col.quarter_status", messages.Args{"quarter": strconv.Itoa(q)}), width: 14, wrap: true})
	}
	s := b.newSheet("districts", cols...)
	var sum Figures
	var coordinators, errs, warns int64
	var fte float64
	for i := range d.Districts {
		dist := &d.Districts[i]
		f := dist.Figures
		sum.Approved += f.Approved
		sum.Eligible += f.Eligible
		sum.Income += f.Income
		sum.Grant += f.Grant
		sum.Paid += f.Paid
		sum.Balance += f.Balance
		coordinators += int64(dist.Coordinators)
		errs += int64(dist.Errors())
		warns += int64(dist.Warnings())
		if v, ok := parseFTE(dist.FTE); ok {
			fte += v
		}
		row := []xlValue{xlText(dist.AGS), xlText(dist.Name), xlMoney(f.Approved), xlMoney(f.Eligible), xlMoney(f.Income),
			xlMoney(f.Grant), xlMoney(f.Paid), xlMoney(f.Balance), xlBasisPoints(f.UtilisationPct()),
			xlMoney(dist.PerThousand()), xlCount(int64(dist.Coordinators)), xlFTE(dist.FTE),
			xlCount(int64(dist.Errors())), xlCount(int64(dist.Warnings()))}
		status := map[int]string{}
		for _, q := range dist.Trend {
			status[q.Quarter] = q.Status
		}
		for q := 1; q <= 4; q++ {
			row = append(row, xlText(b.status(status[q])))
		}
		s.add(row...)
	}
	s.total(xlText(b.text("excel.total", nil)), xlBlank(), xlMoney(sum.Approved), xlMoney(sum.Eligible), xlMoney(sum.Income),
		xlMoney(sum.Grant), xlMoney(sum.Paid), xlMoney(sum.Balance), xlBasisPoints(sum.UtilisationPct()),
		xlMoney(b.statePerThousand(sum.Grant)), xlCount(coordinators),
		xlValue{kind: cellDecimal, num: math.Round(fte*1e6) / 1e6, prec: -1}, xlCount(errs), xlCount(warns))
	s.finish()
	height := uint(120 + 24*len(d.Districts))
	cell, err := excelize.CoordinatesToCellName(1, s.row+3)
	s.chartAt(cell, err, &excelize.Chart{
		Type:      excelize.Bar,
		Series:    []excelize.ChartSeries{s.series(2, 9)},
		Title:     b.chartTitle("excel.chart.utilisation"),
		Dimension: excelize.ChartDimension{Width: 720, Height: max(height, 300)},
		XAxis:     excelize.ChartAxis{ReverseOrder: true},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
	})
}

func (b *excelBook) rulesSheet() {
	s := b.newSheet("rules",
		b.col("rule", 36, true),
		b.col("errors", 10, false),
		b.col("warnings", 11, false),
		b.col("infos", 10, false),
		b.col("findings_total", 14, false),
	)
	rules := make([]string, 0, len(b.d.ByRule))
	for r := range b.d.ByRule {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	var sum [3]int64
	for _, r := range rules {
		n := b.d.ByRule[r]
		for i := range n {
			sum[i] += int64(n[i])
		}
		s.add(xlText(r), xlCount(int64(n[0])), xlCount(int64(n[1])), xlCount(int64(n[2])), xlCount(int64(n[0]+n[1]+n[2])))
	}
	s.total(xlText(b.text("excel.total", nil)), xlCount(sum[0]), xlCount(sum[1]), xlCount(sum[2]), xlCount(sum[0]+sum[1]+sum[2]))
	s.finish()
}

func (b *excelBook) projectionSheet() {
	s := b.newSheet("projection",
		b.col("ags", 10, false),
		b.col("district", 24, true),
		b.col("approved", 16, false),
		b.col("projected", 20, false),
		b.col("unspent", 20, false),
	)
	byAGS := map[string]*District{}
	for i := range b.d.Districts {
		byAGS[b.d.Districts[i].AGS] = &b.d.Districts[i]
	}
	var approved, projected, unspent money.Cents
	for _, p := range b.d.Projections {
		name, appr := xlBlank(), xlBlank()
		if dist, ok := byAGS[p.AGS]; ok {
			name, appr = xlText(dist.Name), xlMoney(dist.Figures.Approved)
			approved += dist.Figures.Approved
		}
		projected += p.Projected
		unspent += p.Unspent
		s.add(xlText(p.AGS), name, appr, xlMoney(p.Projected), xlMoney(p.Unspent))
	}
	s.total(xlText(b.text("excel.total", nil)), xlBlank(), xlMoney(approved), xlMoney(projected), xlMoney(unspent))
	s.finish()
}
