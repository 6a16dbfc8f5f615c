package demo

import (
	"fmt"
	"strconv"

	"grantpipe/pipeline/form"
	"grantpipe/pipeline/money"
)

// Rule ids of the planted problems, as in FUNDING_RULES.md.
const (
	ruleFormat        = "FORMAT"
	ruleDuplicate     = "DUPLICATE_RECEIPT"
	ruleStaff         = "STAFF_WITHOUT_COORDINATOR"
	ruleOutsideYear   = "PAYMENT_OUTSIDE_YEAR"
	ruleReceiptNo     = "RECEIPT_MISSING"
	ruleAmount        = "AMOUNT"
	ruleCoordinators  = "COORDINATOR_LIMIT"
	ruleLate          = "LATE_SUBMISSION"
	ruleUnspent       = "UNSPENT_PAYOUT"
	ruleIncome        = "INCOME_REDUCES_GRANT"
	sevError, sevWarn = "error", "warning"
	sevInfo           = "info"
)

// receiptCell names the cell of field in the i-th receipt row of the form.
func receiptCell(field string, i int) string {
	for c, f := range form.Receipts.Fields {
		if f.Key == field {
			return string(rune('A'+c)) + strconv.Itoa(i+2)
		}
	}
	return ""
}

// firstOther is the index of the n-th receipt that is not a staff cost.
func (g *gen) firstOther(d *form.Data, n int) int {
	return 3*len(g.staff) + n
}

// plant changes d to hold this district's and quarter's planted problems,
// if any, and returns them.
func (g *gen) plant(d *form.Data) []Problem {
	var ps []Problem
	at := func(rule, sev, field string, i int, what string) {
		ps = append(ps, Problem{District: g.d.AGS, Quarter: g.q, Sheet: form.Receipts.DE, Cell: receiptCell(field, i), Rule: rule, Severity: sev, What: what})
	}
	switch key := fmt.Sprintf("%s-Q%d", g.d.AGS, g.q); key {
	case "15083-Q1":
		i := g.firstOther(d, 2)
		d.Receipts[i][form.FAmount] = "1.234"
		at(ruleFormat, sevError, form.FAmount, i, "amount typed as ambiguous text 1.234")
	case "15087-Q2":
		i := g.firstOther(d, 4)
		d.Receipts[i][form.FPaymentDate] = "15.05.26"
		at(ruleFormat, sevError, form.FPaymentDate, i, "payment date with a two-digit year")
	case "15001-Q3":
		i := g.firstOther(d, 1)
		d.Receipts[i][form.FAmount] = form.Formula("SUM(G2:G3)")
		at(ruleFormat, sevError, form.FAmount, i, "amount as a formula without a cached value")
	case "15085-Q2":
		i := g.firstOther(d, 3)
		d.Receipts[i][form.FAmount] = 86.125
		at(ruleFormat, sevWarn, form.FAmount, i, "amount with three decimals")
	case "15002-Q1":
		// Not a problem: German number text must be read, not flagged.
		i := g.firstOther(d, 0)
		d.Receipts[i][form.FAmount] = d.Receipts[i][form.FAmount].(money.Cents).Format("de")
	case "15082-Q2":
		// Not a problem: text that looks like a formula must stay text.
		d.Receipts[g.firstOther(d, 0)][form.FPayee] = "=Hotel Fürstenhof (Tagungspauschale)"
	case "15089-Q2":
		a, b := g.firstOther(d, 0), g.firstOther(d, 5)
		d.Receipts[b][form.FReceiptNo] = d.Receipts[a][form.FReceiptNo]
		at(ruleDuplicate, sevError, form.FReceiptNo, b, "receipt number claimed twice")
	case "15091-Q1":
		d.Receipts[0][form.FCoordinator] = "WIT-9"
		at(ruleStaff, sevError, form.FCoordinator, 0, "staff cost for a coordinator who is not on the form")
	case "15086-Q1":
		i := g.firstOther(d, 1)
		d.Receipts[i][form.FInvoiceDate] = date(2025, 12, 18)
		d.Receipts[i][form.FPaymentDate] = date(2025, 12, 30)
		at(ruleOutsideYear, sevError, form.FPaymentDate, i, "paid in the previous budget year")
	case "15084-Q3":
		i := g.firstOther(d, 2)
		delete(d.Receipts[i], form.FReceiptNo)
		at(ruleReceiptNo, sevError, form.FReceiptNo, i, "travel or material cost without receipt number")
	case "15088-Q1":
		i := g.firstOther(d, 3)
		d.Receipts[i][form.FAmount] = money.Cents(0)
		at(ruleAmount, sevError, form.FAmount, i, "amount zero")
	case "15003-Q3":
		for n := len(g.staff) + 1; n <= 5; n++ {
			d.Coordinators = append(d.Coordinators, form.Row{
				form.FCoordinatorID: fmt.Sprintf("MAG-%d", n), form.FPost: fmt.Sprintf("Stelle %d", n),
				form.FFTE: 0.5, form.FPayGrade: "E 9b", form.FStart: date(2026, 7, 1),
			})
		}
		ps = append(ps, Problem{District: g.d.AGS, Quarter: g.q, Sheet: form.Coordinators.DE, Rule: ruleCoordinators, Severity: sevError, What: "five coordinators employed from 1 July"})
	}
	// Not planted but a consequence of the default configuration: each
	// quarter's payout is made in advance on its first working day, while
	// salaries are paid at the end of each month, so a third of it is still
	// unspent when the two-month spending window closes. Every district,
	// every quarter whose window closed before AsOf.
	if due := g.y.Districts[0].Payouts[g.q-1].Date.Time().AddDate(0, 0, g.y.SpendingWindowDays); due.Before(AsOf) {
		ps = append(ps, Problem{District: g.d.AGS, Quarter: g.q, Rule: ruleUnspent, Severity: sevWarn, What: "advance payout not spent within the spending window"})
	}
	// Not planted either: the income of demoIncome lowers the grant, which
	// the ministry's check states once per district and year, at the
	// latest quarter with income.
	if g.q == lastIncomeQuarter(g.d.AGS) {
		ps = append(ps, Problem{District: g.d.AGS, Quarter: g.q, Rule: ruleIncome, Severity: sevInfo, What: "income lowers the grant"})
	}
	if late(g.d.AGS, g.q) {
		ps = append(ps, Problem{District: g.d.AGS, Quarter: g.q, Rule: ruleLate, Severity: sevInfo, What: "received five days after the deadline"})
	}
	return ps
}

// lastIncomeQuarter is the latest demo quarter in which the district reports
// income, 0 for none.
func lastIncomeQuarter(ags string) int {
	last := 0
	for _, q := range Quarters {
		if len(demoIncome[fmt.Sprintf("%s-Q%d", ags, q)]) > 0 {
			last = q
		}
	}
	return last
}
