package programme

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"grantpipe/pipeline/money"
)

// header opens every written configuration. It explains the notation to
// the ministry staff who edit the file, in German first.
const header = `# Programmkonfiguration „Kommunale Integrationskoordination“ Sachsen-Anhalt
# Programme configuration: integration coordinators in Saxony-Anhalt
#
# Alle Parameter der Förderregeln je Haushaltsjahr, dazu je Kreis Bewilligung,
# Finanzierungsplan und Auszahlungen. grantpipe prüft die Datei beim Start und
# meldet jeden Fehler mit seinem Schlüssel, z. B. budget_year[0].district[3].plan_eur
# (gezählt ab 0 in der Reihenfolge dieser Datei).
# Every parameter of the funding rules per budget year, and per district the
# approved grant, financing plan and payouts. grantpipe checks this file at
# start-up and names the key of every problem (counted from 0 in file order).
#
# Schreibweise / notation:
#   Beträge in Euro, Punkt als Dezimalzeichen, höchstens zwei Nachkommastellen:
#   110000.00 (auch als Text "110000.00"); amounts in euros, dot as decimal
#   separator, at most two decimals.
#   Prozentsätze in Prozent: 90.00 heißt 90 %; rates in percent.
#   Datum als JJJJ-MM-TT: 2026-04-15; dates as YYYY-MM-DD.
#
# Neues Haushaltsjahr: den ganzen Block ab [[budget_year]] kopieren und anpassen.
# New budget year: copy the whole block from [[budget_year]] on and adjust it.
`

// WriteTOML prints p in the layout Load reads, with explanatory comments, so
// that the printed file loaded again gives the same Programme. Deadlines left
// zero are omitted, which makes Load fill in the defaults.
func (p *Programme) WriteTOML(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString(header)
	var sb strings.Builder
	writeSchedule(&sb, p.Schedule)
	b.WriteString(sb.String())
	writeBaseRates(&b, p.BaseRates)
	for _, y := range p.Years {
		writeYear(&b, y)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeYear(b *bytes.Buffer, y *Year) {
	comment := func(lines ...string) {
		b.WriteByte('\n')
		for _, l := range lines {
			fmt.Fprintf(b, "# %s\n", l)
		}
	}
	fmt.Fprintf(b, "\n[[budget_year]]\nyear = %d\n", y.Year)

	comment("Landesmittel im Haushaltsjahr; die Bewilligungen aller Kreise dürfen sie nicht übersteigen.",
		"State budget for the year; the districts' approved grants may not add up to more.")
	fmt.Fprintf(b, "state_budget_eur = %s\n", amount(y.StateBudget))
	comment("Höchstbetrag je Landkreis bzw. kreisfreie Stadt und Jahr.",
		"Cap per district and year.")
	fmt.Fprintf(b, "district_cap_eur = %s\n", amount(y.DistrictCap))
	comment("Höchstzahl gleichzeitig beschäftigter Koordinator:innen je Kreis.",
		"Coordinators per district at the same time, at most.")
	fmt.Fprintf(b, "max_coordinators = %d\n", y.MaxCoordinators)
	comment("Fördersatz in % der zuwendungsfähigen Ausgaben, höchstens (Richtlinie kommunale Migrationsarbeit).",
		"Funding rate in % of eligible costs, at most; the district carries the rest.")
	fmt.Fprintf(b, "funding_rate_pct = %s\n", rate(y.FundingRatePct))
	comment("Höchstbetrag je Vollzeitstelle und Jahr; 0 = keine Prüfung (die Quellen widersprechen sich).",
		"Cap per full-time post and year; 0 = off (the sources disagree).")
	fmt.Fprintf(b, "post_cap_per_fte_eur = %s\n", amount(y.PostCapPerFTE))
	comment("Zulässige Überschreitung einer Kostenart, wenn andere entsprechend sparen (ANBest Nr. 1.2).",
		"A cost category may exceed its plan by this much if others save as much.")
	fmt.Fprintf(b, "line_tolerance_pct = %s\n", rate(y.LineTolerancePct))
	comment("Frist in Tagen, binnen der ausgezahlte Mittel zu verwenden sind (ANBest-Gk).",
		"Days within which a payout must be spent.")
	fmt.Fprintf(b, "spending_window_days = %d\n", y.SpendingWindowDays)
	comment("Zinsen auf nicht fristgerecht verwendete Mittel: Prozentpunkte über dem Basiszinssatz (§ 49a VwVfG).",
		"Interest on late-spent funds: percentage points above the base rate.")
	fmt.Fprintf(b, "interest_points_above_base = %s\n", rate(y.InterestPointsAboveBase))
	comment("Warnung, wenn die Ausgaben am Quartalsende unter diesem Anteil des anteiligen Plans liegen.",
		"Warn when spending at a quarter's end is below this share of the pro-rata plan.")
	fmt.Fprintf(b, "underspending_pct = %s\n", rate(y.UnderspendingPct))

	comment("Abgabefristen der Quartalsmeldungen Q1–Q4 und des Verwendungsnachweises. Fehlt eine,",
		"gilt der 15. des Monats nach Quartalsende bzw. der 30. Juni des Folgejahres.",
		"Deadlines of the quarterly submissions and of the final report (Verwendungsnachweis).",
		"One left out is the 15th of the month after the quarter, or 30 June of the next year.")
	b.WriteString("[budget_year.deadlines]\n")
	for q, d := range y.QuarterDeadlines {
		if !d.IsZero() {
			fmt.Fprintf(b, "q%d = %s\n", q+1, d)
		}
	}
	if !y.FinalReportDeadline.IsZero() {
		fmt.Fprintf(b, "final_report = %s\n", y.FinalReportDeadline)
	}

	comment("Kostenarten des Finanzierungsplans und der Belegliste; code ist der feste Schlüssel in plan_eur.",
		"staff = true kennzeichnet die eine Kostenart der Personalkosten (ohne Belegnummer, mit Koordinator).",
		"Cost categories of the plan and the expenditure list; code is the fixed key used in plan_eur.",
		"staff = true marks the one category of staff costs (no receipt number, a coordinator named).")
	for i, c := range y.Categories {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeNamed(b, "category", named{Code: c.Code, NameDE: c.NameDE, NameEN: c.NameEN})
		if c.Staff {
			b.WriteString("staff = true\n")
		}
	}
	comment("Arten von Aktivitäten im Blatt „Aktivitäten“.",
		"Activity types of the Activities sheet.")
	for i, a := range y.ActivityTypes {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeNamed(b, "activity_type", named(a))
	}
	comment("Arten von Einnahmen im Blatt „Einnahmen“ (Drittmittel, Teilnahmebeiträge, Sonstige).",
		"Income types of the Income sheet (third-party funds, participants' fees, other).")
	for i, t := range y.IncomeTypes {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeNamed(b, "income_type", named(t))
	}

	comment("Geförderte Kreise: Bewilligung, Finanzierungsplan und Auszahlungen. kind ist",
		"\"Landkreis\" oder \"kreisfreie Stadt\". plan_total_eur muss die Summe von plan_eur sein,",
		"approved_eur höchstens funding_rate_pct davon. planned_income_eur sind die im",
		"Finanzierungsplan vorgesehenen Einnahmen (nicht negativ, fehlt der Schlüssel: 0.00).",
		"Funded districts: approved grant, financing plan and payouts. plan_total_eur must",
		"equal the sum of plan_eur, approved_eur be at most funding_rate_pct of it.",
		"planned_income_eur is the income the financing plan expects (not negative; 0.00 if left out).")
	for i := range y.Districts {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeDistrict(b, y, &y.Districts[i])
	}
}

// writeBaseRates writes the [[base_rate]] list, which holds for every
// budget year.
func writeBaseRates(b *bytes.Buffer, rates []BaseRate) {
	b.WriteString(`
# Basiszinssatz nach § 247 BGB in %, kann negativ sein, ab valid_from bis zum nächsten
# Eintrag; Zinsen eines Tages rechnen mit dem Satz dieses Tages. Das Ministerium trägt
# jeden neuen Satz zum 1. Januar und 1. Juli ein und prüft ihn gegen die Veröffentlichung
# der Deutschen Bundesbank. Aufsteigend nach valid_from; der erste Eintrag gilt spätestens
# ab dem 1. Januar des ersten Haushaltsjahres.
# Base rate (§ 247 BGB) in %, may be negative, from valid_from until the next entry;
# interest for a day uses that day's rate. The ministry adds each new rate on 1 January
# and 1 July and checks it against the Deutsche Bundesbank's publication. Ascending by
# valid_from; the first entry applies on or before 1 January of the first budget year.
`)
	for i, r := range rates {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(b, "[[base_rate]]\nvalid_from = %s\nrate_pct = %s\n", r.From, rate(r.RatePct))
	}
}

func writeNamed(b *bytes.Buffer, table string, n named) {
	fmt.Fprintf(b, "[[budget_year.%s]]\ncode = %s\nname_de = %s\nname_en = %s\n",
		table, quote(n.Code), quote(n.NameDE), quote(n.NameEN))
}

func writeDistrict(b *bytes.Buffer, y *Year, d *District) {
	fmt.Fprintf(b, "[[budget_year.district]]\n")
	fmt.Fprintf(b, "ags = %s\n", quote(d.AGS))
	fmt.Fprintf(b, "name = %s\n", quote(d.Name))
	fmt.Fprintf(b, "kind = %s\n", quote(d.Kind))
	fmt.Fprintf(b, "population = %d\n", d.Population)
	fmt.Fprintf(b, "file_number = %s\n", quote(d.FileNumber))
	fmt.Fprintf(b, "approved_eur = %s\n", amount(d.Approved))
	fmt.Fprintf(b, "plan_total_eur = %s\n", amount(d.PlanTotal))

	// The year's categories first, in their order, then any others so that
	// nothing in the Programme is lost.
	var codes []string
	for _, c := range y.Categories {
		if _, ok := d.Plan[c.Code]; ok {
			codes = append(codes, c.Code)
		}
	}
	var extra []string
	for code := range d.Plan {
		if !slices.Contains(codes, code) {
			extra = append(extra, code)
		}
	}
	slices.Sort(extra)
	var parts []string
	for _, code := range append(codes, extra...) {
		parts = append(parts, fmt.Sprintf("%s = %s", toml.Key{code}.String(), amount(d.Plan[code])))
	}
	fmt.Fprintf(b, "plan_eur = { %s }\n", strings.Join(parts, ", "))
	fmt.Fprintf(b, "planned_income_eur = %s\n", amount(d.PlannedIncome))

	if len(d.Payouts) == 0 {
		b.WriteString("payouts = []\n")
		return
	}
	b.WriteString("payouts = [\n")
	for _, p := range d.Payouts {
		fmt.Fprintf(b, "  { date = %s, amount_eur = %s, reference = %s },\n", p.Date, amount(p.Amount), quote(p.Reference))
	}
	b.WriteString("]\n")
}

// amount writes c as a TOML number, which reads best. Beyond 10^13 euros a
// float64 could no longer hold every cent, so such amounts are written as
// text, which Load reads exactly.
func amount(c money.Cents) string {
	if c >= 1e15 || c <= -1e15 {
		return quote(c.String())
	}
	return c.String()
}

func rate(r Rate) string { return amount(money.Cents(r)) }

// quote writes s as a TOML basic string. strconv.Quote would not do: TOML
// has no \x escapes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
