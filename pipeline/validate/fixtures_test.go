package validate_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
)

// The rule cases under testdata/rules/<ID>/{trigger,near_miss} are
// workbooks as districts would send them, with case.json saying which inbox
// each arrives in, when, and as of which day to check. This generator
// documents how each was made; rewrite them with
//
//	go test ./pipeline/validate -run TestWriteRuleFixtures -write-fixtures
var (
	writeFixtures = flag.Bool("write-fixtures", false, "rewrite the workbooks under testdata/rules")
	onlyFixtures  = flag.String("fixtures", "", "with -write-fixtures: only the cases whose RULE/kind starts with this")
)

const rulesDir = "../../testdata/rules"

// caseFile is one workbook of a case.
type caseFile struct {
	name     string
	inbox    string // district folder; "" means the file's own district
	ags      string // default 15083 (Börde)
	quarter  int    // default 1
	year     int    // default 2026
	received string // RFC 3339; default the 8th of the month after the quarter, 10:00 Berlin
	edit     func(d *form.Data)
	after    func(f *form.File)
}

// ruleCase is one case folder.
type ruleCase struct {
	rule, kind string
	asOf       string
	override   map[string]string // programme settings changed for the case: state_budget, post_cap_per_fte
	files      []caseFile
}

// caseSpec is case.json.
type caseSpec struct {
	AsOf     string            `json:"as_of"`
	Override map[string]string `json:"override,omitempty"`
	Files    []caseSpecFile    `json:"files"`
}

type caseSpecFile struct {
	File     string `json:"file"`
	Inbox    string `json:"inbox"`
	Received string `json:"received"`
}

func day(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }

func receipt(line int, cat string, paid time.Time, amount money.Cents, receiptNo string) form.Row {
	r := form.Row{form.FLineNo: line, form.FCategory: cat, form.FInvoiceDate: paid, form.FPaymentDate: paid,
		form.FPayee: "Testempfänger GmbH", form.FPurpose: "Prüffall", form.FAmount: amount}
	if receiptNo != "" {
		r[form.FReceiptNo] = receiptNo
	}
	return r
}

func addReceipt(r form.Row) func(d *form.Data) {
	return func(d *form.Data) { d.Receipts = append(d.Receipts, r) }
}

func coordinator(id string, fte float64, start time.Time, end *time.Time) form.Row {
	r := form.Row{form.FCoordinatorID: id, form.FPost: "Stelle", form.FFTE: fte, form.FPayGrade: "E 11", form.FStart: start}
	if end != nil {
		r[form.FEnd] = *end
	}
	return r
}

func ptr(t time.Time) *time.Time { return &t }

func cases() []ruleCase {
	one := func(edit func(d *form.Data)) []caseFile { return []caseFile{{name: "Boerde_Q1.xlsx", edit: edit}} }
	receivedOn := func(at string, fs []caseFile) []caseFile {
		for i := range fs {
			fs[i].received = at
		}
		return fs
	}
	return []ruleCase{
		{rule: "FORMAT", kind: "trigger", asOf: "2026-04-20", files: one(func(d *form.Data) { d.Receipts[2][form.FAmount] = "1.234" })},
		{rule: "FORMAT", kind: "near_miss", asOf: "2026-04-20", files: one(func(d *form.Data) { d.Receipts[2][form.FAmount] = "1.234,00" })},
		{rule: "DISTRICT_UNKNOWN", kind: "trigger", asOf: "2026-04-20", files: []caseFile{{name: "Boerde_bei_Harz.xlsx", inbox: "15085"}}},
		{rule: "DISTRICT_UNKNOWN", kind: "near_miss", asOf: "2026-04-20", files: []caseFile{{name: "Boerde_im_Eingang.xlsx", inbox: "-"}}},
		{rule: "PERIOD", kind: "trigger", asOf: "2026-04-20", files: []caseFile{{name: "ohne_Quartal.xlsx", after: func(f *form.File) { f.SetCellStr("Meldung", "B7", "") }}}},
		{rule: "PERIOD", kind: "near_miss", asOf: "2026-04-20", files: []caseFile{{name: "erstes_Quartal.xlsx", after: func(f *form.File) { f.SetCellStr("Meldung", "B7", "1. Quartal") }}}},
		{rule: "CATEGORY", kind: "trigger", asOf: "2026-04-20", files: one(func(d *form.Data) { d.Receipts[4][form.FCategory] = "Bewirtung" })},
		{rule: "CATEGORY", kind: "near_miss", asOf: "2026-04-20", files: one(func(d *form.Data) { d.Receipts[4][form.FCategory] = "sachkosten" })},
		{rule: "PAYMENT_OUTSIDE_YEAR", kind: "trigger", asOf: "2027-01-20", files: []caseFile{{name: "Q4.xlsx", quarter: 4, received: "2027-01-10T10:00:00+01:00",
			edit: func(d *form.Data) { d.Receipts[2][form.FPaymentDate] = day(2027, 1, 1) }}}},
		{rule: "PAYMENT_OUTSIDE_YEAR", kind: "near_miss", asOf: "2027-01-20", files: []caseFile{{name: "Q4.xlsx", quarter: 4, received: "2027-01-10T10:00:00+01:00",
			edit: func(d *form.Data) { d.Receipts[2][form.FPaymentDate] = day(2026, 12, 31) }}}},
		{rule: "PAYMENT_OUTSIDE_QUARTER", kind: "trigger", asOf: "2026-04-20", files: one(func(d *form.Data) { d.Receipts[2][form.FPaymentDate] = day(2026, 4, 1) })},
		{rule: "PAYMENT_OUTSIDE_QUARTER", kind: "near_miss", asOf: "2026-04-20", files: one(func(d *form.Data) { d.Receipts[2][form.FPaymentDate] = day(2026, 3, 31) })},
		{rule: "FUTURE_DATE", kind: "trigger", asOf: "2026-04-20", files: []caseFile{{name: "Q1.xlsx", received: "2026-04-08T10:00:00+02:00",
			edit: func(d *form.Data) {
				d.Receipts[2][form.FInvoiceDate] = day(2026, 4, 9)
				d.Activities[0][form.FDate] = day(2026, 4, 10)
			}}}},
		{rule: "FUTURE_DATE", kind: "near_miss", asOf: "2026-04-20", files: []caseFile{{name: "Q1.xlsx", received: "2026-04-08T10:00:00+02:00",
			edit: func(d *form.Data) { d.Receipts[2][form.FInvoiceDate] = day(2026, 4, 8) }}}},
		{rule: "AMOUNT", kind: "trigger", asOf: "2026-04-20", files: one(func(d *form.Data) {
			d.Receipts[3][form.FAmount] = money.Cents(0)
			d.Receipts = append(d.Receipts, receipt(6, "Sachkosten", day(2026, 3, 20), -500, "R-2026-0099"))
		})},
		{rule: "AMOUNT", kind: "near_miss", asOf: "2026-04-20", files: one(func(d *form.Data) {
			d.Receipts = append(d.Receipts, receipt(6, "Sachkosten", day(2026, 3, 20), -500, "R-2026-Q1-0015"))
		})},
		{rule: "STAFF_WITHOUT_COORDINATOR", kind: "trigger", asOf: "2026-04-20", files: one(func(d *form.Data) {
			d.Receipts[0][form.FCoordinator] = "BOE-7"
			delete(d.Receipts[1], form.FCoordinator)
			d.Coordinators = append(d.Coordinators, coordinator("BOE-3", 0.5, day(2026, 3, 1), nil))
			d.Receipts = append(d.Receipts, form.Row{form.FLineNo: 6, form.FCategory: "Personalkosten", form.FInvoiceDate: day(2026, 2, 27),
				form.FPaymentDate: day(2026, 2, 27), form.FPayee: "Kreiskasse Börde", form.FPurpose: "Entgelt 02/2026 BOE-3", form.FAmount: money.Cents(150000), form.FCoordinator: "BOE-3"})
		})},
		{rule: "STAFF_WITHOUT_COORDINATOR", kind: "near_miss", asOf: "2026-04-20", files: one(func(d *form.Data) {
			d.Coordinators[1][form.FEnd] = day(2026, 1, 15)
			d.Receipts[1][form.FPaymentDate] = day(2026, 2, 13)
			d.Receipts[0][form.FCoordinator] = "boe-1"
		})},
		{rule: "RECEIPT_MISSING", kind: "trigger", asOf: "2026-04-20", files: one(func(d *form.Data) { delete(d.Receipts[2], form.FReceiptNo) })},
		{rule: "RECEIPT_MISSING", kind: "near_miss", asOf: "2026-04-20", files: one(func(d *form.Data) { delete(d.Receipts[0], form.FReceiptNo) })},
		{rule: "DUPLICATE_RECEIPT", kind: "trigger", asOf: "2026-07-20", files: []caseFile{
			{name: "Boerde_Q1.xlsx"},
			{name: "Boerde_Q2.xlsx", quarter: 2, edit: func(d *form.Data) { d.Receipts[3][form.FReceiptNo] = "r-2026-q1-0007 " }},
		}},
		{rule: "DUPLICATE_RECEIPT", kind: "near_miss", asOf: "2026-07-20", files: []caseFile{
			{name: "Boerde_Q1_alt.xlsx", received: "2026-04-08T10:00:00+02:00", edit: func(d *form.Data) { d.Receipts[3][form.FReceiptNo] = "R-2026-Q1-0007" }},
			{name: "Boerde_Q1_neu.xlsx", received: "2026-04-09T10:00:00+02:00"},
			{name: "Harz_Q1.xlsx", ags: "15085"},
		}},
		{rule: "COORDINATOR_LIMIT", kind: "trigger", asOf: "2026-04-20", files: one(func(d *form.Data) {
			d.Coordinators = append(d.Coordinators, coordinator("BOE-3", 0.5, day(2025, 1, 1), nil), coordinator("BOE-4", 0.5, day(2025, 1, 1), ptr(day(2026, 2, 14))),
				coordinator("BOE-5", 0.5, day(2026, 2, 14), nil))
		})},
		{rule: "COORDINATOR_LIMIT", kind: "near_miss", asOf: "2026-04-20", files: one(func(d *form.Data) {
			d.Coordinators = append(d.Coordinators, coordinator("BOE-3", 0.5, day(2025, 1, 1), nil), coordinator("BOE-4", 0.5, day(2025, 1, 1), ptr(day(2026, 2, 14))),
				coordinator("BOE-5", 0.5, day(2026, 2, 15), nil))
		})},
		{rule: "FTE", kind: "trigger", asOf: "2026-04-20", files: one(func(d *form.Data) {
			d.Coordinators[0][form.FFTE] = 1.2
			d.Coordinators[1][form.FEnd] = day(2024, 12, 31)
		})},
		{rule: "FTE", kind: "near_miss", asOf: "2026-04-20", files: one(func(d *form.Data) {
			d.Coordinators[1][form.FFTE] = 1.0
			d.Coordinators[1][form.FEnd] = day(2025, 1, 15)
		})},
		{rule: "FTE_LIMIT", kind: "trigger", asOf: "2026-04-20", override: map[string]string{"post_cap_per_fte": "56340.00"},
			files: one(func(d *form.Data) { d.Coordinators[1][form.FFTE] = 1.0 })},
		{rule: "FTE_LIMIT", kind: "near_miss", asOf: "2026-04-20", override: map[string]string{"post_cap_per_fte": "56340.00"},
			files: one(func(d *form.Data) { d.Coordinators[1][form.FFTE] = 0.95 })},
		// Börde plans 3,750.00 for travel: 120 % is 4,500.00; the base has 89.40.
		{rule: "LINE_DEVIATION", kind: "trigger", asOf: "2026-04-20", files: one(addReceipt(receipt(6, "Reisekosten", day(2026, 3, 2), 441061, "R-2026-0100")))},
		{rule: "LINE_DEVIATION", kind: "near_miss", asOf: "2026-04-20", files: one(addReceipt(receipt(6, "Reisekosten", day(2026, 3, 2), 441060, "R-2026-0100")))},
		// The total plan is 122,222.23; the base spends 8,253.33.
		{rule: "PLAN_TOTAL", kind: "trigger", asOf: "2026-04-20", files: one(addReceipt(receipt(6, "Veranstaltungen", day(2026, 3, 2), 12222223-825333+1, "R-2026-0100")))},
		{rule: "PLAN_TOTAL", kind: "near_miss", asOf: "2026-04-20", files: one(addReceipt(receipt(6, "Veranstaltungen", day(2026, 3, 2), 12222223-825333, "R-2026-0100")))},
		// 90 % of 122,222.23 is 110,000.007, rounded 110,000.01: capped; of 122,222.22 it is 110,000.00.
		{rule: "DISTRICT_CAP", kind: "trigger", asOf: "2026-04-20", files: one(addReceipt(receipt(6, "Veranstaltungen", day(2026, 3, 2), 12222223-825333, "R-2026-0100")))},
		{rule: "DISTRICT_CAP", kind: "near_miss", asOf: "2026-04-20", files: one(addReceipt(receipt(6, "Veranstaltungen", day(2026, 3, 2), 12222222-825333, "R-2026-0100")))},
		{rule: "STATE_CAP", kind: "trigger", asOf: "2026-04-20", override: map[string]string{"state_budget": "1539999.99"}, files: one(nil)},
		{rule: "STATE_CAP", kind: "near_miss", asOf: "2026-04-20", override: map[string]string{"state_budget": "1540000.00"}, files: one(nil)},
		// At year end, 110,000.00 was paid out: 90 % of 122,222.21 is 109,999.99.
		{rule: "FUNDING_RATE", kind: "trigger", asOf: "2027-02-01", files: one(addReceipt(receipt(6, "Veranstaltungen", day(2026, 3, 2), 12222221-825333, "R-2026-0100")))},
		{rule: "FUNDING_RATE", kind: "near_miss", asOf: "2027-02-01", files: one(addReceipt(receipt(6, "Veranstaltungen", day(2026, 3, 2), 12222222-825333, "R-2026-0100")))},
		// The same as the trigger, once the year is settled (the final
		// report's deadline, 30 June 2027, has passed): an error, a claim.
		{rule: "FUNDING_RATE", kind: "settled", asOf: "2027-07-01", files: one(addReceipt(receipt(6, "Veranstaltungen", day(2026, 3, 2), 12222221-825333, "R-2026-0100")))},
		// 1,200.00 of third-party funds lower the grant; the near miss has
		// 1,200.00 received and refunded in the same quarter: no income.
		{rule: "INCOME_REDUCES_GRANT", kind: "trigger", asOf: "2026-04-20", files: one(func(d *form.Data) {
			d.Income = append(d.Income, form.Row{form.FIncomeLineNo: 1, form.FIncomeType: "Drittmittel", form.FReceivedDate: day(2026, 2, 10),
				form.FSource: "Bundesamt für Migration und Flüchtlinge", form.FIncomePurpose: "Kofinanzierung Netzwerk", form.FIncomeAmount: money.Cents(120000)})
		})},
		{rule: "INCOME_REDUCES_GRANT", kind: "near_miss", asOf: "2026-04-20", files: one(func(d *form.Data) {
			d.Income = append(d.Income,
				form.Row{form.FIncomeLineNo: 1, form.FIncomeType: "Drittmittel", form.FReceivedDate: day(2026, 2, 10),
					form.FSource: "Bundesamt für Migration und Flüchtlinge", form.FIncomePurpose: "Kofinanzierung Netzwerk", form.FIncomeAmount: money.Cents(120000)},
				form.Row{form.FIncomeLineNo: 2, form.FIncomeType: "Drittmittel", form.FReceivedDate: day(2026, 3, 10),
					form.FSource: "Bundesamt für Migration und Flüchtlinge", form.FIncomePurpose: "Rückzahlung", form.FIncomeAmount: money.Cents(-120000)})
		})},
		// The payout of 2 January (27,500.00) is due on 3 March: 90 % of 30,555.56 covers it;
		// the base has paid 8,240.83 by then.
		// Checked as of 31 March, the file must have arrived by then to count.
		{rule: "UNSPENT_PAYOUT", kind: "trigger", asOf: "2026-03-31", files: receivedOn("2026-03-31T10:00:00+02:00", one(nil))},
		{rule: "UNSPENT_PAYOUT", kind: "near_miss", asOf: "2026-03-31", files: receivedOn("2026-03-31T10:00:00+02:00", one(addReceipt(receipt(6, "Veranstaltungen", day(2026, 3, 3), 3055556-824083, "R-2026-0100"))))},
		// Half of the pro-rata plan of Q1 (30,555.56) is 15,277.78.
		{rule: "UNDERSPENDING", kind: "trigger", asOf: "2026-04-20", files: one(addReceipt(receipt(6, "Veranstaltungen", day(2026, 3, 2), 1527777-825333, "R-2026-0100")))},
		{rule: "UNDERSPENDING", kind: "near_miss", asOf: "2026-04-20", files: one(addReceipt(receipt(6, "Veranstaltungen", day(2026, 3, 2), 1527778-825333, "R-2026-0100")))},
		// Börde sent Q1 only; the Q2 deadline is 15 July.
		{rule: "MISSING_SUBMISSION", kind: "trigger", asOf: "2026-07-16", files: one(nil)},
		{rule: "MISSING_SUBMISSION", kind: "near_miss", asOf: "2026-07-15", files: one(nil)},
		{rule: "LATE_SUBMISSION", kind: "trigger", asOf: "2026-04-20", files: []caseFile{{name: "Q1.xlsx", received: "2026-04-16T00:00:00+02:00"}}},
		{rule: "LATE_SUBMISSION", kind: "near_miss", asOf: "2026-04-20", files: []caseFile{{name: "Q1.xlsx", received: "2026-04-15T23:59:00+02:00"}}},
		{rule: "RESUBMISSION", kind: "trigger", asOf: "2026-04-20", files: []caseFile{
			{name: "Q1_erste.xlsx", received: "2026-04-08T10:00:00+02:00"},
			{name: "Q1_korrigiert.xlsx", received: "2026-04-10T10:00:00+02:00", edit: func(d *form.Data) { d.Receipts[4][form.FAmount] = money.Cents(1350) }},
		}},
		{rule: "RESUBMISSION", kind: "near_miss", asOf: "2026-07-20", files: []caseFile{
			{name: "Q1.xlsx"}, {name: "Q2.xlsx", quarter: 2},
		}},
	}
}

func defaults(t testing.TB) (*programme.Programme, *programme.Year, *messages.Catalog) {
	t.Helper()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	y, _ := p.Year(2026)
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p, y, cat
}

func TestWriteRuleFixtures(t *testing.T) {
	if !*writeFixtures {
		t.Skip("run with -write-fixtures to rewrite testdata/rules")
	}
	_, y, cat := defaults(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, c := range append(cases(), incomeCases()...) {
		if !strings.HasPrefix(c.rule+"/"+c.kind, *onlyFixtures) {
			continue
		}
		dir := filepath.Join(rulesDir, c.rule, c.kind)
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		spec := caseSpec{AsOf: c.asOf, Override: c.override}
		for _, f := range c.files {
			ags, q, year := f.ags, f.quarter, f.year
			if ags == "" {
				ags = "15083"
			}
			if q == 0 {
				q = 1
			}
			if year == 0 {
				year = 2026
			}
			dist, _ := y.District(ags)
			data := demo.Minimal(dist, q)
			if f.edit != nil {
				f.edit(&data)
			}
			b, err := demo.Workbook(y, cat, "de", form.Prefill{District: dist, Year: year, Quarter: q}, data, f.after)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f.name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			inbox := f.inbox
			switch inbox {
			case "":
				inbox = ags
			case "-":
				inbox = ""
			}
			received := f.received
			if received == "" {
				received = time.Date(year, time.Month(3*q+1), 8, 10, 0, 0, 0, berlin).Format(time.RFC3339)
			}
			spec.Files = append(spec.Files, caseSpecFile{File: f.name, Inbox: inbox, Received: received})
		}
		b, _ := json.MarshalIndent(spec, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, "case.json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
