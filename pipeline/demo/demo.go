// Package demo writes realistic synthetic submissions for every district of
// a budget year, with the same code that writes the blank form, and plants a
// handful of known problems so that every stage can be shown and tested on
// them. The output is deterministic: the same configuration gives the same
// files, byte for byte, with the same modification (received) times.
package demo

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/parallel"
	"grantpipe/pipeline/programme"
)

// Year and Quarters are what the demo covers.
const Year = 2026

// AsOf is the day the demo's story is told from: after the third quarter's
// deadline, before the fourth quarter's payout is due.
var AsOf = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// Quarters of the demo: the budget year so far.
var Quarters = []int{1, 2, 3}

// SettledAsOf is the day the whole year's story (WriteYear: all four
// quarters) is told from: the next spring, after the fourth quarter's
// deadline, with every district's fourth quarter in, so the year is settled
// (FUNDING_RULES.md) and the final reports (Verwendungsnachweis,
// Prüfvermerk) are due.
var SettledAsOf = time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC)

// Problem is one planted problem: where it is and which rule must find it.
type Problem struct {
	District string
	Quarter  int
	Sheet    string // as named in the German form
	Cell     string // A1 reference, empty for a problem of the submission as a whole
	Rule     string
	Severity string
	What     string // for people reading the test
}

// File is one written submission.
type File struct {
	Path     string
	District string
	Quarter  int
	Received time.Time
}

// Write writes one submission per district and demo quarter into
// inboxOf(AGS) and returns the files and the planted problems.
func Write(y *programme.Year, cat *messages.Catalog, inboxOf func(ags string) string) ([]File, []Problem, error) {
	return write(y, cat, inboxOf, Scale{Quarters: len(Quarters)}, true)
}

// WriteYear writes the whole budget year: the demo's quarters with their
// planted problems, and the fourth quarter as well, sent in January (its
// deadline is 15 January), planted with nothing new.
func WriteYear(y *programme.Year, cat *messages.Catalog, inboxOf func(ags string) string) ([]File, []Problem, error) {
	return write(y, cat, inboxOf, Scale{Quarters: 4}, true)
}

// Scale sizes synthetic data for benchmarks: every district of the
// programme year, quarters 1..Quarters, each submission with exactly Lines
// receipts (0: the demo's 40–150).
type Scale struct {
	Quarters int
	Lines    int
}

// WriteScaled writes submissions of any size, deterministically, on every
// core. Nothing is planted.
func WriteScaled(y *programme.Year, cat *messages.Catalog, inboxOf func(ags string) string, s Scale) ([]File, error) {
	files, _, err := write(y, cat, inboxOf, s, false)
	return files, err
}

func write(y *programme.Year, cat *messages.Catalog, inboxOf func(ags string) string, s Scale, plant bool) ([]File, []Problem, error) {
	// The demo's story is told in the programme's default time zone.
	berlin, err := time.LoadLocation(programme.DefaultTimeZone)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	type task struct{ di, q int }
	var tasks []task
	for di := range y.Districts {
		for q := 1; q <= s.Quarters; q++ {
			tasks = append(tasks, task{di, q})
		}
	}
	files := make([]File, len(tasks))
	problems := make([][]Problem, len(tasks))
	err = parallel.Each(len(tasks), func(i int) error {
		t := tasks[i]
		d := &y.Districts[t.di]
		g := &gen{y: y, d: d, q: t.q, lines: s.Lines, staff: coordinators(d, t.di), rnd: rand.New(rand.NewPCG(uint64(Year), uint64(t.di*10+t.q)))}
		data := g.data()
		if plant && t.q <= len(Quarters) {
			problems[i] = g.plant(&data)
		}
		var err error
		files[i], err = g.save(y, cat, inboxOf, data, berlin)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var planted []Problem
	for i := range tasks {
		planted = append(planted, problems[i]...)
	}
	return files, planted, nil
}

// save writes one submission into its district's inbox with its received
// time.
func (g *gen) save(y *programme.Year, cat *messages.Catalog, inboxOf func(string) string, data form.Data, berlin *time.Location) (File, error) {
	d, q := g.d, g.q
	b, err := Workbook(y, cat, "de", form.Prefill{District: d, Year: Year, Quarter: q}, data, nil)
	if err != nil {
		return File{}, err
	}
	dir := inboxOf(d.AGS)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return File{}, fmt.Errorf("demo: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("Quartalsmeldung_%d-Q%d_%s_%s.xlsx", Year, q, d.AGS, datadir.FileSafe(d.Name)))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return File{}, fmt.Errorf("demo: %w", err)
	}
	received := g.received(berlin)
	if err := os.Chtimes(path, received, received); err != nil {
		return File{}, fmt.Errorf("demo: %w", err)
	}
	return File{Path: path, District: d.AGS, Quarter: q, Received: received}, nil
}

// coordinator is a demo coordinator, the same in every quarter.
type coordinator struct {
	id    string
	post  string
	fte   float64
	grade string
	start time.Time
}

func coordinators(d *programme.District, di int) []coordinator {
	rnd := rand.New(rand.NewPCG(uint64(Year), uint64(1000+di)))
	prefix := strings.ToUpper(datadir.FileSafe(d.Name))[:3]
	n := 2 + rnd.IntN(3)
	ftes := []float64{1, 1, 0.75, 0.5, 0.8}
	grades := []string{"E 11", "E 10", "E 9b", "E 12", "E 11"}
	var cs []coordinator
	for i := range n {
		cs = append(cs, coordinator{
			id:    fmt.Sprintf("%s-%d", prefix, i+1),
			post:  fmt.Sprintf("Stelle %d", i+1),
			fte:   ftes[rnd.IntN(len(ftes))],
			grade: grades[rnd.IntN(len(grades))],
			start: date(2023+rnd.IntN(3), 1+rnd.IntN(12), 1),
		})
	}
	return cs
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

type gen struct {
	lines int // receipts per submission; 0: the demo's 40–150
	y     *programme.Year
	d     *programme.District
	q     int
	staff []coordinator
	rnd   *rand.Rand
}

func (g *gen) quarterStart() time.Time { return date(Year, 3*(g.q-1)+1, 1) }

// day returns a working day of the quarter.
func (g *gen) day() time.Time {
	for {
		t := g.quarterStart().AddDate(0, 0, g.rnd.IntN(90))
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			return t
		}
	}
}

// jitter returns amount × a factor in [lo, hi], to the cent.
func (g *gen) jitter(amount money.Cents, lo, hi float64) money.Cents {
	f := lo + g.rnd.Float64()*(hi-lo)
	return money.Cents(float64(amount) * f)
}

// received is when the file reached the inbox: a few days before the deadline.
func (g *gen) received(loc *time.Location) time.Time {
	dl := g.y.QuarterDeadlines[g.q-1].Time()
	day := dl.AddDate(0, 0, -1-g.rnd.IntN(10))
	t := time.Date(day.Year(), day.Month(), day.Day(), 8+g.rnd.IntN(8), g.rnd.IntN(60), 0, 0, loc)
	if late(g.d.AGS, g.q) {
		t = time.Date(dl.Year(), dl.Month(), dl.Day()+5, 11, 20, 0, 0, loc)
	}
	return t
}

func late(ags string, q int) bool { return ags == "15090" && q == 2 }

var (
	payees = map[string][]string{
		"REISE":   {"Deutsche Bahn AG", "Nahverkehrsservice Sachsen-Anhalt GmbH", "Hotel Fürstenhof Wernigerode", "Taxi-Genossenschaft Köthen eG", "Landkreis-Fuhrpark (Dienst-Kfz)"},
		"FORTB":   {"Volkshochschule Magdeburg", "Akademie für Interkulturelle Öffnung e. V.", "Landeszentrale für politische Bildung", "Fortbildungswerk Süd GmbH"},
		"VERANST": {"Bürgerhaus am Mühlgraben", "Gaststätte „Zur Börde“", "Bäckerei Schäfer & Töchter", "Kulturfabrik Löwenzahn e. V.", "Raumvermietung Großmann"},
		"SACH":    {"Müller Büroservice GmbH", "Druckerei Köhler & Söhne", "Bürobedarf Weiß KG", "Telekom Deutschland GmbH", "Möbelhaus Jüttner"},
		"DOLM":    {"Dolmetscherdienst Özdemir", "Übersetzungsbüro Łukasz Nowak", "Sprachmittlerpool Sachsen-Anhalt e. V.", "Dolmetscherin Dr. Amal Haddad"},
	}
	purposes = map[string][]string{
		"REISE":   {"Dienstreise zum Landesnetzwerktreffen", "Fahrtkosten Beratungstermine", "Deutschlandticket Job", "Übernachtung Fachtagung"},
		"FORTB":   {"Fortbildung Interkulturelle Kompetenz", "Seminar Aufenthaltsrecht für Einsteiger:innen", "Schulung Gesprächsführung", "Fachtag Migrationsberatung"},
		"VERANST": {"Raummiete Netzwerktreffen", "Verpflegung Willkommensfest", "Catering Ehrenamtsabend", "Miete Veranstaltungstechnik"},
		"SACH":    {"Büromaterial", "Druck Flyer „Ankommen im Kreis“", "Mobilfunkvertrag Koordination", "Bürostuhl ergonomisch", "Porto und Versand"},
		"DOLM":    {"Dolmetschen Arabisch – Elternabend", "Übersetzung Informationsblatt Ukrainisch", "Dolmetschen Dari – Beratung Ausländerbehörde", "Übersetzung Wegweiser Russisch"},
	}
	activityTitles = map[string][]string{
		"NETZWERK":      {"Netzwerktreffen Integration", "Runder Tisch Migration", "Austausch mit Migrantenorganisationen"},
		"SCHULUNG_MIG":  {"Informationsabend Ausbildung & Beruf", "Workshop Behördengänge", "Kurs „Wohnen in Deutschland“"},
		"SCHULUNG_VERW": {"Schulung Interkulturelle Öffnung der Verwaltung", "Fortbildung Ausländerbehörde", "Workshop Leichte Sprache"},
		"EHRENAMT":      {"Ehrenamtsstammtisch", "Qualifizierung Sprachpat:innen", "Dankeschön-Abend für Ehrenamtliche"},
		"BERATUNG":      {"Sprechstunde im Bürgerbüro", "Begleitung zur Agentur für Arbeit", "Beratungstag Anerkennung ausländischer Abschlüsse"},
		"PROJEKT":       {"Projekt Interkultureller Garten", "Projekt Mädchen-Fußball", "Projekt Mehrsprachige Bibliothek"},
	}
	partners = []string{"Caritasverband", "Diakonie Mitteldeutschland", "Jobcenter", "AWO Kreisverband", "Volkshochschule", "Stadtbibliothek", "Freiwilligenagentur", ""}
)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func (g *gen) data() form.Data {
	d := form.Data{
		Contact: fmt.Sprintf("Integrationskoordination %s", g.d.Name),
		Email:   fmt.Sprintf("integration@%s.example", strings.ToLower(datadir.FileSafe(g.d.Name))),
	}
	for _, c := range g.staff {
		d.Coordinators = append(d.Coordinators, form.Row{
			form.FCoordinatorID: c.id, form.FPost: c.post, form.FFTE: c.fte,
			form.FPayGrade: c.grade, form.FStart: c.start,
		})
	}
	totalFTE := 0.0
	for _, c := range g.staff {
		totalFTE += c.fte
	}
	line := 0
	add := func(cat string, invoice, paid time.Time, payee, purpose string, amount money.Cents, receiptNo, coord string) {
		line++
		r := form.Row{
			form.FLineNo: line, form.FCategory: g.categoryName(cat), form.FInvoiceDate: invoice, form.FPaymentDate: paid,
			form.FPayee: payee, form.FPurpose: purpose, form.FAmount: amount,
		}
		if receiptNo != "" {
			r[form.FReceiptNo] = receiptNo
		}
		if coord != "" {
			r[form.FCoordinator] = coord
		}
		d.Receipts = append(d.Receipts, r)
	}
	// Staff costs: one line per coordinator and month, paid on the last
	// working day of the month.
	for m := range 3 {
		month := 3*(g.q-1) + m + 1
		paid := lastWorkingDay(Year, month)
		for _, c := range g.staff {
			monthly := money.Cents(float64(g.d.Plan["PERS"]) / 12 * c.fte / totalFTE)
			add("PERS", paid, paid, g.employer(), fmt.Sprintf("Entgelt %02d/%d %s (%s)", month, Year, c.id, c.grade),
				g.jitter(monthly, 0.97, 1.02), "", c.id)
		}
	}
	// Other costs: around a quarter of each category's plan; 40–150 receipts in all.
	n := 40 + g.rnd.IntN(111) - len(d.Receipts)
	if g.lines > 0 {
		n = g.lines - len(d.Receipts)
	}
	var cats []string
	for _, c := range g.y.Categories {
		if c.Code != "PERS" && g.d.Plan[c.Code] > 0 {
			cats = append(cats, c.Code)
		}
	}
	perCat := map[string]int{}
	for i := range n {
		perCat[cats[i%len(cats)]]++
	}
	for _, cat := range cats {
		k := perCat[cat]
		budget := g.jitter(g.d.Plan[cat]/4, 0.7, 1.1)
		for i := range k {
			amount := budget / money.Cents(k)
			amount = g.jitter(amount, 0.5, 1.5)
			// Receipts of a few euros at least; many small ones in scaled data.
			if floor := money.Cents(500); g.lines == 0 && amount < floor {
				amount = floor + money.Cents(g.rnd.IntN(2000))
			} else if amount < 100 {
				amount = 100 + money.Cents(g.rnd.IntN(2000))
			}
			invoice := g.day()
			paid := invoice.AddDate(0, 0, 3+g.rnd.IntN(14))
			if q := (int(paid.Month())-1)/3 + 1; q != g.q || paid.Year() != Year {
				paid = invoice
			}
			receiptNo := fmt.Sprintf("%s-%d-%02d-%03d", g.d.AGS[3:], Year, g.q, i+1+100*indexOf(cats, cat))
			if g.lines > 0 {
				// Scaled data: thousands of receipts per category, unique all the same.
				receiptNo = fmt.Sprintf("%s-%d-Q%d-%s-%05d", g.d.AGS, Year, g.q, cat, i+1)
			}
			add(cat, invoice, paid, pick(g.rnd, payees[cat]), pick(g.rnd, purposes[cat]), amount, receiptNo, "")
		}
	}
	d.Income = g.income()
	// Activities.
	for range 8 + g.rnd.IntN(13) {
		at := pick(g.rnd, g.y.ActivityTypes)
		titles := activityTitles[at.Code]
		if len(titles) == 0 {
			titles = []string{at.NameDE}
		}
		d.Activities = append(d.Activities, form.Row{
			form.FDate: g.day(), form.FType: at.NameDE, form.FTitle: pick(g.rnd, titles) + " " + g.d.Name,
			form.FParticipants: 5 + g.rnd.IntN(56), form.FPartners: pick(g.rnd, partners),
		})
	}
	d.Narrative = []string{
		fmt.Sprintf("Im %d. Quartal %d hat die Integrationskoordination %s ihre Netzwerkarbeit fortgesetzt. Schwerpunkte waren die Begleitung neu zugewanderter Familien, die Zusammenarbeit mit Jobcenter und Ausländerbehörde sowie die Förderung des Ehrenamts.", g.q, Year, g.d.Name),
		"Die Koordinator:innen haben Sprechstunden in mehreren Gemeinden angeboten und Dolmetschleistungen für Beratungsgespräche vermittelt. Die Nachfrage nach Unterstützung bei der Anerkennung ausländischer Berufsabschlüsse ist weiter gestiegen.",
		"Für das kommende Quartal sind ein Fachtag zur interkulturellen Öffnung der Verwaltung und ein Treffen der ehrenamtlichen Sprachpat:innen geplant.",
	}
	return d
}

// demoIncome is the income (Einnahmen) of the demo: three districts, which
// plan 5,000.00 EUR of income in the embedded configuration, receive money
// for the purpose besides the state grant in some quarters, and one of them
// refunds part of a grant it did not use. Fixed rather than random, so that
// the reports' income figures can be checked by hand.
var demoIncome = map[string][]struct {
	code            string
	month, day      int
	source, purpose string
	amount          money.Cents
}{
	"15002-Q1": {{"TEILN", 3, 12, "Teilnehmende Sprachcafé", "Teilnahmebeiträge Kurs „Deutsch im Alltag“", 36000}},
	"15002-Q2": {{"DRITT", 5, 18, "Bundesamt für Migration und Flüchtlinge", "Bundesprogramm „Zusammenhalt stärken“: Zuschuss Netzwerkarbeit", 350000}},
	"15002-Q3": {{"TEILN", 9, 10, "Teilnehmende Fachtag", "Teilnahmebeiträge Fachtag Anerkennung", 24000}},
	"15085-Q1": {{"DRITT", 2, 20, "Europäischer Sozialfonds Plus (ESF Plus)", "ESF-Plus-Projekt „Ankommen im Harz“: erste Rate", 200000}},
	"15085-Q2": {{"TEILN", 6, 11, "Teilnehmende Sommerschule", "Teilnahmebeiträge Sommerschule", 18500}},
	"15085-Q3": {{"DRITT", 8, 14, "Europäischer Sozialfonds Plus (ESF Plus)", "Rückzahlung nicht verbrauchter ESF-Plus-Mittel", -25000}},
	"15091-Q2": {{"SONST", 4, 23, "Diakonie Mitteldeutschland", "Erstattung Raummiete Willkommensfest durch den Kooperationspartner", 15000}},
	"15091-Q3": {{"DRITT", 7, 22, "Bundesamt für Migration und Flüchtlinge", "Bundesprogramm „Zusammenhalt stärken“: Zuschuss Ehrenamtsarbeit", 180000}},
}

// income returns the Einnahmen sheet's rows of this district and quarter,
// with the types' German names as a district writes them.
func (g *gen) income() []form.Row {
	var rows []form.Row
	for i, in := range demoIncome[fmt.Sprintf("%s-Q%d", g.d.AGS, g.q)] {
		name := in.code
		if t, ok := g.y.IncomeType(in.code); ok {
			name = t.NameDE
		}
		rows = append(rows, form.Row{
			form.FIncomeLineNo: i + 1, form.FIncomeType: name, form.FReceivedDate: date(Year, in.month, in.day),
			form.FSource: in.source, form.FIncomePurpose: in.purpose, form.FIncomeAmount: in.amount,
		})
	}
	return rows
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func (g *gen) employer() string {
	if strings.Contains(g.d.Kind, "Stadt") {
		return "Stadtkasse " + g.d.Name + " (Bezügestelle)"
	}
	return "Kreiskasse " + g.d.Name + " (Bezügestelle)"
}

func (g *gen) categoryName(code string) string {
	for _, c := range g.y.Categories {
		if c.Code == code {
			return c.NameDE
		}
	}
	return code
}

func lastWorkingDay(y, m int) time.Time {
	t := date(y, m+1, 1).AddDate(0, 0, -1)
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, -1)
	}
	return t
}
