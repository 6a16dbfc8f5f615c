package form

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/workbook"
)

// Prefill is what the ministry fills in before a district gets its form.
type Prefill struct {
	District   *programme.District
	Year       int
	Quarter    int
	FileNumber string
}

// Layout of the blank form. Fill relies on it; the reader does not (it finds
// labels and headers by name wherever a district moved them).
const (
	headerFirstRow = 4 // first label row on the header sheet
	dataFirstRow   = 2 // first data row below the header row of table sheets
	validatedRows  = 5000
)

// Blank builds the blank quarterly form for one district and quarter in lang
// ("de" or "en"): the instructions sheet first and open, the header sheet
// pre-filled and protected, date and euro formats, frozen header rows,
// column widths, and checks on the table columns (see checks) that refuse
// an entry the reader would refuse, with a hint on each.
//
// The header sheet's pre-filled values (district, year, quarter, file
// number) and its labels are locked; the values the district fills in are
// not. The protection has no password: it guards against slips, not
// against intent, and a district that finds a pre-filled value wrong can
// lift it (the reader checks the values either way).
func Blank(y *programme.Year, cat *messages.Catalog, lang string, p Prefill) (*excelize.File, error) {
	f := excelize.NewFile()
	w := &writer{f: f, lang: lang, cat: cat}
	year := p.Year
	if year == 0 {
		year = y.Year
	}
	// The header sheet stays the package's first worksheet part
	// (sheet1.xml) and the tables follow in form order; only the workbook's
	// sheet order puts the instructions first.
	first := f.GetSheetName(0)
	w.do(f.SetSheetName(first, Header.Name(lang)))
	w.headerSheet(p)
	w.tableSheet(&Coordinators)
	w.tableSheet(&Receipts)
	w.tableSheet(&Income)
	w.tableSheet(&Activities)
	w.narrativeSheet()
	w.instructionsSheet(y)
	w.addChecks(y, year)
	w.do(f.MoveSheet(Instructions.Name(lang), Header.Name(lang)))
	if w.err != nil {
		f.Close()
		return nil, fmt.Errorf("form: %w", w.err)
	}
	f.SetActiveSheet(0)
	return f, nil
}

type writer struct {
	f    *excelize.File
	lang string
	cat  *messages.Catalog
	err  error
}

func (w *writer) do(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

// style adds s, its font naming the workbook's default family
// (package workbook).
func (w *writer) style(s *excelize.Style) int {
	id, err := workbook.Style(w.f, s)
	w.do(err)
	return id
}

func (w *writer) headerSheet(p Prefill) {
	sheet := Header.Name(w.lang)
	f := w.f
	title := w.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	label := w.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "center"}})
	// value is the style of a value cell: yellow and unlocked where the
	// district fills it in, grey and locked where the ministry has.
	value := func(prefilled bool, numFmt int) int {
		color := "FFF7D6"
		if prefilled {
			color = "E7E6E6"
		}
		return w.style(&excelize.Style{
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}},
			Border:     []excelize.Border{{Type: "bottom", Color: "999999", Style: 1}},
			NumFmt:     numFmt,
			Alignment:  &excelize.Alignment{Horizontal: "left"},
			Protection: &excelize.Protection{Locked: prefilled},
		})
	}
	// Number formats: text, so that "15001" stays a key and not a number.
	const text, general = 49, 0
	w.do(f.SetCellStr(sheet, "A1", w.cat.Text(w.lang, "form.title", nil)))
	w.do(f.SetCellStyle(sheet, "A1", "A1", title))
	w.do(f.SetCellStr(sheet, "A2", w.cat.Text(w.lang, "form.subtitle", messages.Args{"year": strconv.Itoa(p.Year), "quarter": strconv.Itoa(p.Quarter)})))
	values := map[string]any{FYear: p.Year, FQuarter: p.Quarter, FFileNumber: p.FileNumber}
	if p.District != nil {
		values[FDistrictCode] = p.District.AGS
		values[FDistrictName] = p.District.Name
		if p.FileNumber == "" {
			values[FFileNumber] = p.District.FileNumber
		}
	}
	for i, fld := range Header.Fields {
		row := strconv.Itoa(headerFirstRow + i)
		w.do(f.SetCellStr(sheet, "A"+row, fld.Label(w.lang)))
		w.do(f.SetCellStyle(sheet, "A"+row, "A"+row, label))
		cell := "B" + row
		switch v := values[fld.Key].(type) {
		case string:
			w.do(f.SetCellStyle(sheet, cell, cell, value(v != "", text)))
			w.do(f.SetCellStr(sheet, cell, v))
		case int:
			w.do(f.SetCellStyle(sheet, cell, cell, value(v != 0, general)))
			if v != 0 {
				w.do(f.SetCellInt(sheet, cell, int64(v)))
			}
		default:
			w.do(f.SetCellStyle(sheet, cell, cell, value(false, text)))
		}
	}
	w.do(f.SetColWidth(sheet, "A", "A", 26))
	w.do(f.SetColWidth(sheet, "B", "B", 48))
	w.printOn(sheet, "portrait")
	w.do(f.ProtectSheet(sheet, &excelize.SheetProtectionOptions{
		SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true,
	}))
}

// columnStyle is the number format of a column by kind.
func (w *writer) columnStyle(k Kind) int {
	switch k {
	case Date:
		return w.style(&excelize.Style{CustomNumFmt: ptr("dd.mm.yyyy"), Alignment: &excelize.Alignment{Horizontal: "right"}})
	case Amount:
		return w.style(&excelize.Style{CustomNumFmt: ptr(`#,##0.00 "€"`)})
	case Decimal:
		return w.style(&excelize.Style{CustomNumFmt: ptr("0.00")})
	case Integer:
		return w.style(&excelize.Style{NumFmt: 1})
	}
	return w.style(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
}

func ptr[T any](v T) *T { return &v }

func (w *writer) tableSheet(s *Sheet) {
	f := w.f
	sheet := s.Name(w.lang)
	_, err := f.NewSheet(sheet)
	w.do(err)
	head := w.style(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"},
	})
	for i, fld := range s.Fields {
		col, _ := excelize.ColumnNumberToName(i + 1)
		w.do(f.SetColWidth(sheet, col, col, fld.Width))
		w.do(f.SetColStyle(sheet, col, w.columnStyle(fld.Kind)))
		w.do(f.SetCellStr(sheet, col+"1", fld.Label(w.lang)))
	}
	last, _ := excelize.ColumnNumberToName(len(s.Fields))
	w.do(f.SetCellStyle(sheet, "A1", last+"1", head))
	w.do(f.SetRowHeight(sheet, 1, 30))
	w.do(f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	w.printOn(sheet, "landscape")
}

func (w *writer) narrativeSheet() {
	f := w.f
	sheet := Narrative.Name(w.lang)
	_, err := f.NewSheet(sheet)
	w.do(err)
	w.do(f.SetCellStr(sheet, "A1", Narrative.Name(w.lang)))
	w.do(f.SetCellStyle(sheet, "A1", "A1", w.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}})))
	w.do(f.SetColWidth(sheet, "A", "A", 110))
	w.do(f.SetColStyle(sheet, "A", w.style(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})))
	w.printOn(sheet, "portrait")
}

func (w *writer) instructionsSheet(y *programme.Year) {
	f := w.f
	sheet := Instructions.Name(w.lang)
	_, err := f.NewSheet(sheet)
	w.do(err)
	bold := w.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}})
	wrap := w.style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	// Narrower than a portrait page: LibreOffice wraps text more widely
	// when it prints than on screen.
	const width = 75
	w.do(f.SetColWidth(sheet, "A", "A", width))
	w.do(f.SetCellStr(sheet, "A1", w.cat.Text(w.lang, "form.instructions_title", nil)))
	w.do(f.SetCellStyle(sheet, "A1", "A1", bold))
	for i := 1; ; i++ {
		key := fmt.Sprintf("form.instructions_%d", i)
		if !w.cat.Has(key) {
			break
		}
		row := i + 2
		cell := "A" + strconv.Itoa(row)
		text := w.cat.Text(w.lang, key, messages.Args{"deadline": deadlines(y, w.lang)})
		w.do(f.SetCellStr(sheet, cell, text))
		w.do(f.SetCellStyle(sheet, cell, cell, wrap))
		// Not every office suite sizes a row to its wrapped text on
		// opening: give it room for a line per 60 characters (a line
		// holds fewer than the column's width, which counts digits).
		const perLine = width * 4 / 5
		lines := (utf8.RuneCountInString(text) + perLine - 1) / perLine
		w.do(f.SetRowHeight(sheet, row, float64(lines)*15+3))
	}
	w.printOn(sheet, "portrait")
}

// printOn sets a sheet to print on A4 in orientation, one page wide.
func (w *writer) printOn(sheet, orientation string) {
	w.do(w.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size: ptr(9), Orientation: &orientation, FitToWidth: ptr(1), FitToHeight: ptr(0),
	}))
	w.do(w.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}))
}

func deadlines(y *programme.Year, lang string) string {
	var s string
	for i, d := range y.QuarterDeadlines {
		if i > 0 {
			s += ", "
		}
		if lang == "en" {
			s += fmt.Sprintf("Q%d: %s", i+1, d.String())
		} else {
			s += fmt.Sprintf("Q%d: %s", i+1, d.Time().Format("02.01.2006"))
		}
	}
	return s
}

// pick is de or en, as lang says.
func pick(lang, de, en string) string {
	if lang == "en" {
		return en
	}
	return de
}

// column is the letter of the field's column in the blank form.
func (s *Sheet) column(key string) string {
	for i, fld := range s.Fields {
		if fld.Key == key {
			col, _ := excelize.ColumnNumberToName(i + 1)
			return col
		}
	}
	panic("form: sheet " + s.Key + " has no field " + key)
}

// Row is one record to write into a table sheet of the form: field key to
// value. A value is written as what it is, so tests and the demo can also
// write what districts get wrong: string is text (never a formula),
// money.Cents and float64 numbers, int a whole number, time.Time a date
// cell, Formula a formula without a cached value.
type Row map[string]any

// Formula is a formula to write into a cell, without a cached result.
type Formula string

// Data is what a district fills into its form.
type Data struct {
	Contact      string
	Email        string
	Coordinators []Row
	Receipts     []Row
	Income       []Row
	Activities   []Row
	Narrative    []string
}

// Fill writes d into a blank form made by Blank in the same language.
func Fill(f *excelize.File, lang string, d Data) error {
	w := &writer{f: f, lang: lang}
	sheet := Header.Name(lang)
	for i, fld := range Header.Fields {
		cell := "B" + strconv.Itoa(headerFirstRow+i)
		switch fld.Key {
		case FContact:
			w.do(f.SetCellStr(sheet, cell, d.Contact))
		case FEmail:
			w.do(f.SetCellStr(sheet, cell, d.Email))
		}
	}
	w.rows(&Coordinators, d.Coordinators)
	w.rows(&Receipts, d.Receipts)
	w.rows(&Income, d.Income)
	w.rows(&Activities, d.Activities)
	for i, p := range d.Narrative {
		w.do(f.SetCellStr(Narrative.Name(lang), "A"+strconv.Itoa(i+2), p))
	}
	if w.err != nil {
		return fmt.Errorf("form: %w", w.err)
	}
	return nil
}

func (w *writer) rows(s *Sheet, rows []Row) {
	sheet := s.Name(w.lang)
	for i, r := range rows {
		for c, fld := range s.Fields {
			v, ok := r[fld.Key]
			if !ok {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, dataFirstRow+i)
			w.do(WriteCell(w.f, sheet, cell, v))
		}
	}
}

// WriteCell writes one value as its Go type says (see Row).
func WriteCell(f *excelize.File, sheet, cell string, v any) error {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return f.SetCellStr(sheet, cell, v)
	case money.Cents:
		return f.SetCellFloat(sheet, cell, float64(v)/100, 2, 64)
	case float64:
		return f.SetCellFloat(sheet, cell, v, -1, 64)
	case int:
		return f.SetCellInt(sheet, cell, int64(v))
	case int64:
		return f.SetCellInt(sheet, cell, v)
	case time.Time:
		return f.SetCellValue(sheet, cell, v)
	case Formula:
		return f.SetCellFormula(sheet, cell, string(v))
	}
	return fmt.Errorf("cell %s!%s: cannot write %T", sheet, cell, v)
}

// File is a workbook being written (an excelize file).
type File = excelize.File
