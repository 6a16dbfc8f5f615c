// Package payouts imports the payout list exported from the state's
// accounting system (CSV or xlsx: district AGS, date, amount, reference).
// The reference identifies a payout: importing the same list twice changes
// nothing, and a reference that comes back with other figures is refused.
// Rows that cannot be read with certainty are reported with their row and
// not imported; the good rows of a file land together in one transaction.
package payouts

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"grantpipe/pipeline/form"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/submission"
	"grantpipe/pipeline/xlsx"
)

// Columns of a payout list, by name as in the form's header matching.
var columns = []form.Field{
	{Key: "ags", DE: "Kreisschlüssel", EN: "District code", Required: true, Aliases: []string{"AGS", "Kreis", "Schlüssel"}},
	{Key: "date", DE: "Datum", EN: "Date", Required: true, Aliases: []string{"Auszahlungsdatum", "Zahlungsdatum", "Valuta", "Payout date"}},
	{Key: "amount", DE: "Betrag", EN: "Amount", Required: true, Aliases: []string{"Auszahlungsbetrag"}},
	{Key: "reference", DE: "Referenz", EN: "Reference", Required: true, Aliases: []string{"Kassenzeichen", "Buchungsnummer", "Belegnummer"}},
}

// Row outcomes.
const (
	Imported = "imported"
	Known    = "known"   // the same payout was imported before
	Refused  = "refused" // a problem, see Message
)

// RowResult is what happened to one row.
type RowResult struct {
	Row       int    `json:"row"`
	Outcome   string `json:"outcome"`
	Reference string `json:"reference"`
	District  string `json:"district"`
	Date      string `json:"date"`
	Amount    string `json:"amount"`
	Message   string `json:"message,omitempty"`
	// Problem names a refused row's message in the catalogue
	// (payouts.problem.<Problem>, templates/messages_web.toml) for the
	// pages, Args its placeholders; Message is its English text.
	Problem string            `json:"-"`
	Args    map[string]string `json:"-"`
}

// Result is what an import did.
type Result struct {
	File     string      `json:"file"`
	Imported int         `json:"imported"`
	Known    int         `json:"known"`
	Refused  int         `json:"refused"`
	Rows     []RowResult `json:"rows"`
}

// ErrUnreadable means a file is no payout list that can be read: not a CSV
// or workbook, or without the header row. Nothing of it was imported.
var ErrUnreadable = errors.New("not a readable payout list")

// unreadable is why a file is no readable payout list; it is
// ErrUnreadable.
type unreadable struct{ err error }

func (u unreadable) Error() string        { return u.err.Error() }
func (u unreadable) Unwrap() error        { return u.err }
func (u unreadable) Is(target error) bool { return target == ErrUnreadable }

// Importer imports payout lists into a store.
type Importer struct {
	// Store, Programme and Now are what New was given. They are exported
	// only while cmd/grantpipe still builds an Importer as a literal.
	Store     *store.Store
	Programme *programme.Programme
	Now       func() time.Time // the clock of imported_at; nil: time.Now
}

// Option changes how New builds an Importer.
type Option func(*Importer)

// WithClock gives the clock that stamps imported payouts.
func WithClock(now func() time.Time) Option { return func(im *Importer) { im.Now = now } }

// New makes an Importer of payout lists into st for the districts of p.
func New(st *store.Store, p *programme.Programme, opts ...Option) (*Importer, error) {
	im := &Importer{Store: st, Programme: p, Now: time.Now}
	for _, o := range opts {
		o(im)
	}
	switch {
	case st == nil:
		return nil, errors.New("payouts: no store")
	case p == nil:
		return nil, errors.New("payouts: no programme")
	case im.Now == nil:
		return nil, errors.New("payouts: no clock")
	}
	return im, nil
}

// Import reads and imports one file. Problems with the file's rows are in
// the result; an error means the file could not be read at all or the
// database failed.
func (im *Importer) Import(ctx context.Context, path string) (*Result, error) {
	res, err := im.importFile(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("payouts: %s: %w", path, err)
	}
	return res, nil
}

func (im *Importer) importFile(ctx context.Context, path string) (_ *Result, err error) {
	now := im.Now
	if now == nil {
		now = time.Now
	}
	rows, err := readRows(path)
	if err != nil {
		return nil, unreadable{err}
	}
	headerAt, cols, err := findHeader(rows)
	if err != nil {
		return nil, unreadable{err}
	}
	imp, err := im.Store.BeginPayoutImport(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, imp.Close()) }()
	res := &Result{File: filepath.Base(path), Rows: []RowResult{}}
	seen := map[string]int{} // reference → row, within this file
	for _, r := range rows[headerAt+1:] {
		rr, p, ok := im.readRow(r, cols, seen)
		if !ok {
			continue
		}
		if rr.Outcome == "" {
			seen[rr.Reference] = r.number
			p.SourceFile, p.ImportedAt = res.File, now().UTC()
			if err := record(ctx, imp, &rr, p); err != nil {
				return nil, err
			}
		}
		res.count(rr)
	}
	if err := imp.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// findHeader finds the header row among the first 10 and the column of
// each field.
func findHeader(rows []row) (int, map[string]int, error) {
	if len(rows) == 0 {
		return 0, nil, errors.New("no rows")
	}
	for i := 0; i < len(rows) && i < 10; i++ {
		found := map[string]int{}
		for c, text := range rows[i].cells {
			for _, f := range columns {
				if _, seen := found[f.Key]; !seen && f.Matches(text) {
					found[f.Key] = c
				}
			}
		}
		if len(found) == len(columns) {
			return i, found, nil
		}
	}
	return 0, nil, errors.New("no header row with the columns Kreisschlüssel, Datum, Betrag, Referenz (or District code, Date, Amount, Reference) in the first 10 rows")
}

// readRow reads one row below the header: ok is false for a blank row or a
// totals row. A row that cannot be imported comes back refused; one that
// can, with no outcome yet and its payout.
func (im *Importer) readRow(r row, cols map[string]int, seen map[string]int) (RowResult, store.ImportedPayout, bool) {
	get := func(key string) string {
		if c := cols[key]; c < len(r.cells) {
			return strings.TrimSpace(r.cells[c])
		}
		return ""
	}
	if get("ags")+get("date")+get("amount")+get("reference") == "" || form.IsTotalLabel(get("ags")) {
		return RowResult{}, store.ImportedPayout{}, false
	}
	rr := RowResult{Row: r.number, Reference: get("reference"), District: get("ags"), Date: get("date"), Amount: get("amount")}
	refuse := func(problem string, args map[string]string, format string, a ...any) (RowResult, store.ImportedPayout, bool) {
		rr.Outcome, rr.Message, rr.Problem, rr.Args = Refused, fmt.Sprintf(format, a...), problem, args
		return rr, store.ImportedPayout{}, true
	}
	date, derr := submission.ParseDateText(get("date"))
	amount, aerr := parseAmount(r.numeric[cols["amount"]], get("amount"))
	switch {
	case rr.Reference == "":
		return refuse("no_reference", nil, "no reference")
	case !im.knownDistrict(rr.District):
		return refuse("district", map[string]string{"district": rr.District}, "district code %q is not one of the programme's districts", rr.District)
	case derr != nil:
		return refuse("date", map[string]string{"value": get("date")}, "date %q: %v", get("date"), derr)
	case aerr != nil:
		return refuse("amount", map[string]string{"value": get("amount")}, "amount %q: %v", get("amount"), aerr)
	case amount == 0:
		return refuse("zero", nil, "amount is zero")
	case seen[rr.Reference] > 0:
		also := strconv.Itoa(seen[rr.Reference])
		return refuse("twice", map[string]string{"reference": rr.Reference, "row": also},
			"reference %s appears twice in this file (also row %s)", rr.Reference, also)
	}
	day := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
	rr.Date, rr.Amount = day.Format("2006-01-02"), amount.String()
	return rr, store.ImportedPayout{Reference: rr.Reference, District: rr.District, Date: day, Amount: amount, SourceRow: r.number}, true
}

// record imports payout p of row rr, unless its reference is known: then
// the row is known if the figures agree and refused if not.
func record(ctx context.Context, imp *store.PayoutImport, rr *RowResult, p store.ImportedPayout) error {
	old, known, err := imp.Payout(ctx, p.Reference)
	switch {
	case err != nil:
		return err
	case !known:
		if err := imp.Add(ctx, p); err != nil {
			return err
		}
		rr.Outcome = Imported
	case old.District == p.District && old.Date.Equal(p.Date) && old.Amount == p.Amount:
		rr.Outcome = Known
	default:
		rr.Outcome, rr.Problem = Refused, "conflict"
		rr.Args = map[string]string{"reference": p.Reference, "district": old.District, "date": old.Date.Format("2006-01-02"), "amount": old.Amount.String()}
		rr.Message = fmt.Sprintf("reference %s was imported before as %s, %s, %s; a reference stands for one payout",
			p.Reference, old.District, old.Date.Format("2006-01-02"), old.Amount)
	}
	return nil
}

// count adds a row's outcome to the result.
func (res *Result) count(rr RowResult) {
	switch rr.Outcome {
	case Imported:
		res.Imported++
	case Known:
		res.Known++
	default:
		res.Refused++
	}
	res.Rows = append(res.Rows, rr)
}

func (im *Importer) knownDistrict(ags string) bool {
	for _, y := range im.Programme.Years {
		if _, ok := y.District(ags); ok {
			return true
		}
	}
	return false
}

// row is one row of the file as text, with typed values where the file has
// them (xlsx number and date cells).
type row struct {
	number  int
	cells   []string
	numeric map[int]bool // columns holding xlsx number cells, as plain decimals
}

func parseAmount(numeric bool, text string) (money.Cents, error) {
	parse := submission.ParseNumberText
	if numeric {
		parse = submission.ParseNumberCell
	}
	n, err := parse(text)
	if err != nil {
		return 0, err
	}
	c, exact := n.Cents()
	if !exact {
		return 0, fmt.Errorf("more than two decimals")
	}
	return c, nil
}

func readRows(path string) ([]row, error) {
	b, err := os.ReadFile(path)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return nil, pe.Err // Import names the file
	} else if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, []byte("PK")) {
		return readXLSX(path)
	}
	return readCSV(b)
}

// readCSV reads a CSV export: ';' (German Excel), ',' or tab separated,
// UTF-8 (with or without byte order mark) or Windows-1252.
func readCSV(b []byte) ([]row, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(cp1252(c))
		}
		b = []byte(sb.String())
	}
	// The separator is the candidate most frequent in the first lines (a
	// title line may hold a stray comma).
	head := b
	for i, n := 0, 0; i < len(b); i++ {
		if b[i] == '\n' {
			if n++; n == 5 {
				head = b[:i]
				break
			}
		}
	}
	sep, best := ';', 0
	for _, c := range []rune{';', '\t', ','} {
		if n := bytes.Count(head, []byte(string(c))); n > best {
			sep, best = c, n
		}
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows []row
	for n := 1; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		rows = append(rows, row{number: n, cells: rec})
		if len(rows) > 1_000_000 {
			return nil, errors.New("more than a million rows")
		}
	}
	return rows, nil
}

func cp1252(c byte) rune {
	if c == 0x80 {
		return '€'
	}
	return rune(c) // Latin-1 for the rest: ä ö ü ß are the same
}

// readXLSX reads the first sheet of a workbook.
func readXLSX(path string) ([]row, error) {
	wb, err := xlsx.Open(path, xlsx.Limits{})
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	sheets := wb.Sheets()
	if len(sheets) == 0 {
		return nil, errors.New("no sheets")
	}
	rs, err := wb.Rows(sheets[0])
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var rows []row
	for rs.Next() {
		r := row{number: rs.Row(), numeric: map[int]bool{}}
		for _, c := range rs.Cells() {
			for len(r.cells) < c.Col {
				r.cells = append(r.cells, "")
			}
			text := c.Value
			if c.Type == xlsx.Number {
				if c.DateFormat {
					if f, err := strconv.ParseFloat(c.Value, 64); err == nil {
						if d, err := submission.SerialToDate(f, wb.Date1904()); err == nil {
							text = d.Format("2006-01-02")
						}
					}
				} else if n, err := submission.ParseNumberCell(c.Value); err == nil {
					text = n.String()
					r.numeric[c.Col-1] = true
				}
			}
			r.cells[c.Col-1] = text
		}
		rows = append(rows, r)
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	return rows, nil
}
