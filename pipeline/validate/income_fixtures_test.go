package validate_test

import (
	"time"

	"grantpipe/pipeline/form"
	"grantpipe/pipeline/money"
)

// incomeLine is one line of the Einnahmen sheet for a rule case.
func incomeLine(line int, typ string, received time.Time, amount money.Cents) form.Row {
	return form.Row{form.FIncomeLineNo: line, form.FIncomeType: typ, form.FReceivedDate: received,
		form.FSource: "Bundesamt für Migration und Flüchtlinge", form.FIncomePurpose: "Zuschuss Prüffall", form.FIncomeAmount: amount}
}

// incomeCases are the cases of the line rules over the Einnahmen sheet,
// each in the folder "income" of its rule: the finding points at the
// income's cell, and a line beside it that is right finds nothing.
func incomeCases() []ruleCase {
	one := func(lines ...form.Row) []caseFile {
		return []caseFile{{name: "Boerde_Q1_Einnahmen.xlsx", edit: func(d *form.Data) { d.Income = lines }}}
	}
	return []ruleCase{
		// 0.00 is no income; -45.00 is a refund of earlier income, allowed.
		{rule: "AMOUNT", kind: "income", asOf: "2026-04-20", files: one(
			incomeLine(1, "Drittmittel", day(2026, 2, 16), 0),
			incomeLine(2, "Teilnahmebeiträge", day(2026, 3, 5), -4500))},
		// "Spende" is no income type; "teilnahmebeiträge" in lower case is one.
		{rule: "CATEGORY", kind: "income", asOf: "2026-04-20", files: one(
			incomeLine(1, "Spende", day(2026, 2, 16), 50000),
			incomeLine(2, "teilnahmebeiträge", day(2026, 3, 5), 12000))},
		// Received on 5 January 2027 in the Q4 workbook of 2026; 31 December is in the year.
		{rule: "PAYMENT_OUTSIDE_YEAR", kind: "income", asOf: "2027-01-20", files: []caseFile{{name: "Q4_Einnahmen.xlsx", quarter: 4, received: "2027-01-10T10:00:00+01:00",
			edit: func(d *form.Data) {
				d.Income = []form.Row{incomeLine(1, "Drittmittel", day(2027, 1, 5), 250000), incomeLine(2, "Sonstige", day(2026, 12, 31), 4500)}
			}}}},
		// Received on 1 April in the Q1 workbook; 31 March is in the quarter.
		{rule: "PAYMENT_OUTSIDE_QUARTER", kind: "income", asOf: "2026-04-20", files: one(
			incomeLine(1, "Drittmittel", day(2026, 4, 1), 250000),
			incomeLine(2, "Sonstige", day(2026, 3, 31), 4500))},
		// The workbook arrived on 8 April: income of 9 April cannot be in it; of 8 April it can.
		{rule: "FUTURE_DATE", kind: "income", asOf: "2026-04-20", files: []caseFile{{name: "Q1_Einnahmen.xlsx", received: "2026-04-08T10:00:00+02:00",
			edit: func(d *form.Data) {
				d.Income = []form.Row{incomeLine(1, "Drittmittel", day(2026, 4, 9), 250000), incomeLine(2, "Sonstige", day(2026, 4, 8), 4500)}
			}}}},
	}
}
