package validate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/validate"
	"grantpipe/queries"
)

// put writes a workbook of district ags into its inbox, received on the
// 8th of the month after the quarter.
func (w *world) put(t *testing.T, ags string, quarter int, data func(*form.Data)) {
	t.Helper()
	_, _, cat := defaults(t)
	y, _ := w.p.Year(2026)
	dist, _ := y.District(ags)
	d := demo.Minimal(dist, quarter)
	if data != nil {
		data(&d)
	}
	b, err := demo.Workbook(y, cat, "de", form.Prefill{District: dist, Year: 2026, Quarter: quarter}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(w.dir.InboxOf(ags), ags+"_Q"+string(rune('0'+quarter))+".xlsx")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := time.Date(2026, time.Month(3*quarter+1), 8, 8, 0, 0, 0, time.UTC)
	os.Chtimes(p, r, r)
}

func grantOf(t *testing.T, res *validate.Result, ags string) validate.Grant {
	t.Helper()
	for _, g := range res.Grants {
		if g.District == ags {
			return g
		}
	}
	t.Fatalf("no grant for %s", ags)
	return validate.Grant{}
}

func cents(s string) money.Cents {
	c, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return c
}

// TestGrantComputationByHand checks the grant of three districts against
// figures worked out on paper.
func TestGrantComputationByHand(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	y, _ := w.p.Year(2026)
	// Harz: a smaller grant of 50,000.00 with the same plan, and only the
	// first payout of 12,500.00.
	for i := range y.Districts {
		if y.Districts[i].AGS == "15085" {
			y.Districts[i].Approved = cents("50000.00")
			y.Districts[i].Payouts = []programme.Payout{{Date: programme.Date{Y: 2026, M: 1, D: 2}, Amount: cents("12500.00"), Reference: "H-1"}}
		}
	}
	// Börde: Minimal Q1 (8,253.33) plus 1,000.01 of events, and one line
	// with an unknown category (not eligible) of 500.00.
	w.put(t, "15083", 1, func(d *form.Data) {
		d.Receipts = append(d.Receipts, receipt(6, "Veranstaltungen", day(2026, 3, 2), 100001, "V-1"),
			receipt(7, "Bewirtung", day(2026, 3, 3), 50000, "V-2"))
	})
	// Harz: 120,000.00 of eligible costs: 90 % is 108,000.00, above the
	// approved 50,000.00: capped.
	w.put(t, "15085", 1, func(d *form.Data) {
		d.Receipts = append(d.Receipts, receipt(6, "Veranstaltungen", day(2026, 3, 2), 12000000-825333, "V-1"))
	})
	w.ingest(t)
	res := w.validate(t, time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC))

	boerde := grantOf(t, res, "15083")
	// eligible 8,253.33 + 1,000.01 = 9,253.34; 90 % = 8,328.006 → 8,328.01;
	// paid 27,500.00 (2 Jan) + 27,500.00 (1 Apr) = 55,000.00; balance
	// 55,000.00 − 8,328.01 = 46,671.99 to be repaid (as of 20 April).
	want := map[string]money.Cents{"eligible": cents("9253.34"), "grant": cents("8328.01"), "paid": cents("55000.00"), "balance": cents("46671.99")}
	got := map[string]money.Cents{"eligible": boerde.Eligible, "grant": boerde.Grant, "paid": boerde.Paid, "balance": boerde.Balance}
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("Börde %s = %s, want %s", k, got[k], want[k])
		}
	}
	if boerde.ByCategory["VERANST"] != cents("1000.01") || boerde.ByCategory["PERS"] != cents("7911.43") || boerde.ByCategory["SACH"] != cents("12.50") {
		t.Errorf("Börde by category: %v", boerde.ByCategory)
	}
	// Interest: the 2 January payout was due on 3 March; by then 90 % of
	// 9,240.84 (8,240.83 of Minimal paid by then, plus 1,000.01) = 8,316.76
	// was spent, so 19,183.24 stayed open. 12.50 of office costs on 18 March
	// cover 11.25 more (the 500.00 is ineligible), leaving 19,171.99 until
	// the as-of day; the 1 April payout is not due before 31 May.
	// Two periods, each multiplied out and rounded to the cent, as the
	// district's report shows them (rate 1.27 % base + 5 points = 6.27 %):
	//   4–17 March, 14 days, 19,183.24 × 6.27 % × 14 / 365 = 46.134… → 46.13
	//   18 March – 20 April, 34 days, 19,171.99 × 6.27 % × 34 / 365 = 111.974… → 111.97
	if want := cents("158.10"); boerde.InterestAtRisk != want {
		t.Errorf("Börde interest %s, want %s (46.13 + 111.97)", boerde.InterestAtRisk, want)
	}
	periods, err := w.st.InterestPeriods(context.Background(), 2026, time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var gotPeriods []string
	for _, p := range periods {
		if p.District == "15083" {
			gotPeriods = append(gotPeriods, fmt.Sprintf("%s–%s %s %d ppm %d days %s", p.From.Format("01-02"), p.To.Format("01-02"), p.Open, p.RatePPM, p.Days, p.Interest))
		}
	}
	wantPeriods := []string{"03-04–03-17 19183.24 62700 ppm 14 days 46.13", "03-18–04-20 19171.99 62700 ppm 34 days 111.97"}
	if diff := cmp.Diff(wantPeriods, gotPeriods); diff != "" {
		t.Errorf("Börde interest periods (-want +got):\n%s", diff)
	}

	harz := grantOf(t, res, "15085")
	if harz.Eligible != cents("120000.00") || harz.Grant != cents("50000.00") || harz.Paid != cents("12500.00") || harz.Balance != cents("-37500.00") {
		t.Errorf("Harz: eligible %s grant %s paid %s balance %s; want 120000.00, 50000.00 (capped), 12500.00, -37500.00 (still to pay)",
			harz.Eligible, harz.Grant, harz.Paid, harz.Balance)
	}
	// A district that sent nothing: paid 55,000.00, grant 0, all to be repaid so far.
	stendal := grantOf(t, res, "15090")
	if stendal.Eligible != 0 || stendal.Grant != 0 || stendal.Balance != cents("55000.00") {
		t.Errorf("Stendal: %+v", stendal)
	}
}

// TestFiguresReconcileOnTheDemo: categories add up to each district's
// eligible costs, districts add up to the state's, to the cent.
func TestFiguresReconcileOnTheDemo(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	_, y, cat := defaults(t)
	if _, _, err := demo.Write(y, cat, w.dir.InboxOf); err != nil {
		t.Fatal(err)
	}
	w.ingest(t)
	res := w.validate(t, demo.AsOf)
	if len(res.Grants) != 14 {
		t.Fatalf("%d grants, want 14", len(res.Grants))
	}
	var eligible, grant, paid, balance money.Cents
	for _, g := range res.Grants {
		var sum money.Cents
		for _, c := range g.ByCategory {
			sum += c
		}
		if sum != g.Eligible {
			t.Errorf("%s: categories add up to %s, eligible is %s", g.District, sum, g.Eligible)
		}
		if g.Balance != g.Paid-g.Grant {
			t.Errorf("%s: balance %s ≠ paid %s − grant %s", g.District, g.Balance, g.Paid, g.Grant)
		}
		eligible += g.Eligible
		grant += g.Grant
		paid += g.Paid
		balance += g.Balance
	}
	var stateEligible, stateGrant string
	q := `SELECT CAST(sum(amount) AS VARCHAR) FROM eligible_receipts`
	if err := w.st.Raw().QueryRow(q).Scan(&stateEligible); err != nil {
		t.Fatal(err)
	}
	if stateEligible != eligible.String() {
		t.Errorf("state eligible %s, districts add up to %s", stateEligible, eligible)
	}
	if err := w.st.Raw().QueryRow(`SELECT CAST(sum(grant) AS VARCHAR) FROM grant_figures WHERE run_id = $1 AND through_quarter = 0`, res.RunID).Scan(&stateGrant); err != nil {
		t.Fatal(err)
	}
	if stateGrant != grant.String() || paid != cents("1540000.00") || balance != paid-grant {
		t.Errorf("state: grant %s (stored %s), paid %s, balance %s", grant, stateGrant, paid, balance)
	}
}

func TestSameDataGivesTheSameFindingsInTheSameOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	_, y, cat := defaults(t)
	if _, _, err := demo.Write(y, cat, w.dir.InboxOf); err != nil {
		t.Fatal(err)
	}
	w.ingest(t)
	a := w.validate(t, demo.AsOf)
	b := w.validate(t, demo.AsOf)
	if b.RunID == a.RunID {
		t.Error("the second run has the first run's id")
	}
	if len(a.Findings) != len(b.Findings) {
		t.Fatalf("%d findings, then %d", len(a.Findings), len(b.Findings))
	}
	for i := range a.Findings {
		if a.Findings[i].Message["de"] != b.Findings[i].Message["de"] || a.Findings[i].Cell != b.Findings[i].Cell {
			t.Fatalf("finding %d differs: %+v vs %+v", i, a.Findings[i], b.Findings[i])
		}
	}
	var runs int
	w.st.Raw().QueryRow(`SELECT count(DISTINCT run_id) FROM findings`).Scan(&runs)
	if runs != 2 {
		t.Errorf("%d runs stored, want both", runs)
	}
}

// TestAnalystRules: rules added without a code change, and the clear
// errors for rules that cannot be used.
func TestAnalystRules(t *testing.T) {
	builtin, err := rules.Load(queries.FS, "rules")
	if err != nil {
		t.Fatal(err)
	}
	good := `-- id: EXPENSIVE_TRAVEL
-- severity: warning
-- message_de: Reisekosten von {amount} in einer Zeile.
-- message_en: Travel costs of {amount} in one line.
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no, amount
FROM current_receipts WHERE category = 'REISE' AND amount > 50
`
	t.Run("a valid rule file adds findings", func(t *testing.T) {
		extra, err := rules.Load(fstest.MapFS{"EXPENSIVE_TRAVEL.sql": {Data: []byte(good)}}, ".")
		if err != nil {
			t.Fatal(err)
		}
		all, err := rules.Merge(builtin, extra)
		if err != nil {
			t.Fatal(err)
		}
		w := newWorld(t, nil)
		w.put(t, "15083", 1, nil)
		w.ingest(t)
		v, err := validate.New(context.Background(), w.st, w.p, all)
		if err != nil {
			t.Fatal(err)
		}
		res, err := v.Run(context.Background(), validate.Options{AsOf: time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range res.Findings {
			if f.Rule == "EXPENSIVE_TRAVEL" {
				n++
				if f.Cell != "G4" || f.Message["de"] != "Reisekosten von 89,40 € in einer Zeile." {
					t.Errorf("finding %+v", f)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d findings of the analyst's rule, want 1", n)
		}
	})
	bad := map[string]struct{ file, src, want string }{
		"no header":             {"X.sql", "SELECT 1", `rule X.sql: header lacks "-- id: RULE_ID"`},
		"a name not its id":     {"Y.sql", strings.Replace(good, "EXPENSIVE_TRAVEL", "Z", 1), "file name must be the rule's id: Z.sql"},
		"an unknown severity":   {"EXPENSIVE_TRAVEL.sql", strings.Replace(good, "warning", "fatal", 1), `severity "fatal"`},
		"no English message":    {"EXPENSIVE_TRAVEL.sql", strings.Replace(good, "-- message_en:", "-- note:", 1), `unknown header "note"`},
		"two statements":        {"EXPENSIVE_TRAVEL.sql", good + "; DROP TABLE receipts", "rule EXPENSIVE_TRAVEL.sql: one SELECT statement only"},
		"a reused builtin id":   {"AMOUNT.sql", strings.Replace(good, "EXPENSIVE_TRAVEL", "AMOUNT", 1), "id AMOUNT is already used by rules/AMOUNT.sql"},
		"SQL that does not run": {"EXPENSIVE_TRAVEL.sql", strings.Replace(good, "AND amount > 50", "AND no_such_column > 50", 1), "rule EXPENSIVE_TRAVEL.sql: the query does not run"},
		"a table that is not the programme's": {"EXPENSIVE_TRAVEL.sql", strings.Replace(good, "FROM current_receipts", "FROM no_such_table", 1),
			"rule EXPENSIVE_TRAVEL.sql: reads no_such_table, which is not one of the programme's tables"},
		"missing columns":            {"EXPENSIVE_TRAVEL.sql", strings.Replace(good, "row_no, amount", "amount", 1), "rule EXPENSIVE_TRAVEL.sql: the query lacks the columns row_no"},
		"a message naming no column": {"EXPENSIVE_TRAVEL.sql", strings.Replace(good, "{amount} in einer", "{betrag} in einer", 1), "names {betrag}, but the query returns no column betrag"},
	}
	for name, c := range bad {
		t.Run("a rule file with "+name+" is refused naming the file", func(t *testing.T) {
			extra, err := rules.Load(fstest.MapFS{c.file: {Data: []byte(c.src)}}, ".")
			if err == nil {
				_, err = rules.Merge(builtin, extra)
			}
			if err == nil {
				w := newWorld(t, nil)
				_, err = validate.New(context.Background(), w.st, w.p, extra)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestInterestOverABaseRateChangeByHand: the base rate rises from 1.27 %
// to 2.27 % on 1 July; interest for a day uses the rate of that day.
// Stendal sends nothing, so every payout stays open in full.
func TestInterestOverABaseRateChangeByHand(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.p.BaseRates = append(w.p.BaseRates, programme.BaseRate{From: programme.Date{Y: 2026, M: 7, D: 1}, RatePct: 227})
	w.p.BaseRates = slices.DeleteFunc(w.p.BaseRates, func(b programme.BaseRate) bool {
		return b.From.Y == 2026 && b.From.M == 7 && b.RatePct != 227
	})
	asOf := time.Date(2026, 8, 15, 0, 0, 0, 0, time.UTC)
	res := w.validate(t, asOf)
	stendal := grantOf(t, res, "15090")
	// Payout 2 Jan, 27,500.00, due 3 March:
	//   4 March – 30 June, 119 days at 6.27 %: 27,500 × 0.0627 × 119 / 365 = 562.152… → 562.15
	//   1 July – 15 August, 46 days at 7.27 %: 27,500 × 0.0727 × 46 / 365 = 251.960… → 251.96
	// Payout 1 April, 27,500.00, due 31 May:
	//   1–30 June, 30 days at 6.27 %: 141.719… → 141.72
	//   1 July – 15 August, 46 days at 7.27 %: 251.96
	// Payout 1 July: due 30 August, after the as-of day.
	if want := cents("1207.79"); stendal.InterestAtRisk != want {
		t.Errorf("Stendal interest %s, want %s", stendal.InterestAtRisk, want)
	}
	periods, err := w.st.InterestPeriods(context.Background(), 2026, asOf)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range periods {
		if p.District == "15090" {
			got = append(got, fmt.Sprintf("%s: %s–%s %s at %d ppm, %d days = %s", p.PayoutDate.Format("01-02"), p.From.Format("01-02"), p.To.Format("01-02"), p.Open, p.RatePPM, p.Days, p.Interest))
		}
	}
	want := []string{
		"01-02: 03-04–06-30 27500.00 at 62700 ppm, 119 days = 562.15",
		"01-02: 07-01–08-15 27500.00 at 72700 ppm, 46 days = 251.96",
		"04-01: 06-01–06-30 27500.00 at 62700 ppm, 30 days = 141.72",
		"04-01: 07-01–08-15 27500.00 at 72700 ppm, 46 days = 251.96",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Stendal interest periods (-want +got):\n%s", diff)
	}
}

func income(line int, typ string, received time.Time, amount money.Cents) form.Row {
	return form.Row{form.FIncomeLineNo: line, form.FIncomeType: typ, form.FReceivedDate: received,
		form.FSource: "Bundesamt für Migration und Flüchtlinge", form.FIncomePurpose: "Kofinanzierung", form.FIncomeAmount: amount}
}

// TestGrantWithIncomeByHand: income received for the purpose lowers the
// net expenditure the grant is computed from (share financing, ANBest-Gk
// no. 2.1), whatever the plan said; a refund of income raises it again.
func TestGrantWithIncomeByHand(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	y, _ := w.p.Year(2026)
	for i := range y.Districts {
		switch y.Districts[i].AGS {
		case "15085":
			y.Districts[i].PlannedIncome = cents("1000.00")
		case "15083":
			y.Districts[i].PlannedIncome = cents("5000.00")
		}
	}
	// Harz: income above plan. Eligible 8,253.33 (Minimal) + 20,000.00 of
	// events = 28,253.33; income 3,000.00 (planned 1,000.00).
	w.put(t, "15085", 1, func(d *form.Data) {
		d.Receipts = append(d.Receipts, receipt(6, "Veranstaltungen", day(2026, 3, 2), 2000000, "V-1"))
		d.Income = append(d.Income, income(1, "Drittmittel", day(2026, 2, 10), 300000))
	})
	// Börde: income below plan: 500.00 of 5,000.00 planned.
	w.put(t, "15083", 1, func(d *form.Data) {
		d.Income = append(d.Income, income(1, "Teilnahmebeiträge", day(2026, 3, 5), 50000))
	})
	// Stendal: 2,000.00 received, 300.00 of it refunded.
	w.put(t, "15090", 1, func(d *form.Data) {
		d.Income = append(d.Income, income(1, "Sonstige", day(2026, 1, 20), 200000), income(2, "Sonstige", day(2026, 3, 20), -30000))
	})
	w.ingest(t)
	res := w.validate(t, time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC))

	for _, c := range []struct {
		name, ags                              string
		eligible, income, planned, grant, paid string
	}{
		// 28,253.33 − 3,000.00 = 25,253.33; × 90 % = 22,727.997 → 22,728.00
		// (without the income: 25,427.997 → 25,428.00).
		{"income above plan", "15085", "28253.33", "3000.00", "1000.00", "22728.00", "55000.00"},
		// 8,253.33 − 500.00 = 7,753.33; × 90 % = 6,977.997 → 6,978.00: the
		// 4,500.00 of planned income that did not come in do not raise it.
		{"income below plan", "15083", "8253.33", "500.00", "5000.00", "6978.00", "55000.00"},
		// 8,253.33 − (2,000.00 − 300.00) = 6,553.33; × 90 % = 5,897.997 → 5,898.00.
		{"refund of income", "15090", "8253.33", "1700.00", "0.00", "5898.00", "55000.00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := grantOf(t, res, c.ags)
			got := []money.Cents{g.Eligible, g.Income, g.PlannedIncome, g.Grant, g.Paid, g.Balance}
			want := []money.Cents{cents(c.eligible), cents(c.income), cents(c.planned), cents(c.grant), cents(c.paid), cents(c.paid) - cents(c.grant)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("eligible, income, planned income, grant, paid, balance (-want +got):\n%s", diff)
			}
			if g.Settled {
				t.Error("settled on 20 April; the year is open")
			}
		})
	}
	var msgs []string
	for _, f := range res.Findings {
		if f.Rule == "INCOME_REDUCES_GRANT" && f.District == "15085" {
			msgs = append(msgs, f.Message["de"])
		}
	}
	want := []string{"Einnahmen von 3.000,00 € (geplant: 1.000,00 €) mindern die zuwendungsfähigen Ausgaben von 28.253,33 € auf 25.253,33 €; die Zuwendung beträgt damit 22.728,00 € statt 25.428,00 € (2.700,00 € weniger, Anteilfinanzierung nach ANBest-Gk Nr. 2.1)."}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("INCOME_REDUCES_GRANT for Harz (-want +got):\n%s", diff)
	}
}
