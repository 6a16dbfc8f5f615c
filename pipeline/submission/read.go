package submission

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"grantpipe/pipeline/finding"
	"grantpipe/pipeline/form"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/xlsx"
)

// DefaultMaxLines bounds the data rows of one table sheet. A quarter holds a
// few thousand receipts at most; the largest benchmark reads 100,000. Each
// line costs about 3 KB on its way into the database (ingesting a valid
// 100,000-line file peaks near 300 MB), so far more than that is not a
// submission and must not be allowed to fill memory. The text budget
// (xlsx.Limits.MaxTextSize) does not bound lines of short values, this does.
const DefaultMaxLines = 100_000

// DefaultMaxErrors bounds the error findings that reading one file may
// produce. A real submission has a handful; tens of thousands mean that a
// whole column is in a wrong format, and the list no longer helps anyone.
// Each finding costs about 1 KB on its way into the database (100,000 lines
// of "x" made 400,000 findings and took ingest to 730 MB), so reading stops
// beyond the bound and the file is rejected with the findings so far.
// Warnings are not counted: there is at most one per line.
const DefaultMaxErrors = 10_000

// maxQuoted bounds the characters of a cell's value that a finding quotes.
// Messages name the cell, so the start of a value is enough to recognise
// it, and a value of a MiB, quoted in every language, would be costly.
const maxQuoted = 200

// headerRows is how far down a table sheet the header row may be.
const headerRows = 10

// Options tell Read what it needs besides the file.
type Options struct {
	Programme *programme.Programme
	// InboxDistrict is the AGS of the inbox folder the file arrived in, or
	// empty when it did not arrive through a district's folder.
	InboxDistrict string
	Limits        xlsx.Limits
	MaxLines      int // 0 means DefaultMaxLines
	MaxErrors     int // 0 means DefaultMaxErrors
}

// Read reads the workbook at path. A workbook that cannot be taken comes back
// with Rejected set and findings saying why; a Go error means the file could
// not be read at all from our side (it vanished, permissions).
func Read(path string, opt Options) (*Submission, error) {
	if opt.Programme == nil {
		return nil, errors.New("submission: no programme configuration")
	}
	if opt.MaxLines <= 0 {
		opt.MaxLines = DefaultMaxLines
	}
	if opt.MaxErrors <= 0 {
		opt.MaxErrors = DefaultMaxErrors
	}
	sub := &Submission{File: filepath.Base(path)}
	wb, err := xlsx.Open(path, opt.Limits)
	if err != nil {
		var fe *xlsx.FormatError
		if !errors.As(err, &fe) {
			return nil, fmt.Errorf("submission: %w", err)
		}
		sub.reject(RuleFormat, "", "", fileProblemKey(fe), messages.Args{"file": sub.File, "detail": fe.Detail})
		return sub, nil
	}
	defer wb.Close()
	sub.Date1904 = wb.Date1904()
	r := &reader{sub: sub, wb: wb, opt: opt}
	r.read()
	sub.sortFindings()
	return sub, nil
}

// fileProblemKey is the message for a file that cannot be opened. For an
// OpenDocument file, the messages that say how to repair it name
// LibreOffice's menus rather than Excel's.
func fileProblemKey(fe *xlsx.FormatError) string {
	ods := fe.Format == xlsx.FormatODS
	switch fe.Problem {
	case xlsx.ProblemLegacyXLS:
		return "file.legacy_xls"
	case xlsx.ProblemEncrypted:
		if ods {
			return "file.encrypted_ods"
		}
		return "file.encrypted"
	case xlsx.ProblemODS:
		return "file.ods"
	case xlsx.ProblemText:
		return "file.text"
	case xlsx.ProblemTooLarge:
		return "file.too_large"
	}
	if ods {
		return "file.corrupt_ods"
	}
	return "file.corrupt"
}

func (s *Submission) add(rule string, severity finding.Severity, sheet, cell, key string, args messages.Args) {
	if v, ok := args["value"].(string); ok {
		args["value"] = clip(v, maxQuoted)
	}
	if severity == Error {
		s.errors++
	}
	row := 0
	if cell != "" {
		if _, r, err := xlsx.ParseRef(cell); err == nil {
			row = r
		}
	}
	s.Findings = append(s.Findings, Finding{Rule: rule, Severity: severity, Sheet: sheet, Cell: cell, Row: row, Key: key, Args: args})
}

func (s *Submission) reject(rule, sheet, cell, key string, args messages.Args) {
	s.Rejected = true
	s.add(rule, Error, sheet, cell, key, args)
}

// sortFindings orders findings by place so output is stable: file-level
// first, then by sheet in form order, row, column.
func (s *Submission) sortFindings() {
	sort.SliceStable(s.Findings, func(i, j int) bool {
		a, b := s.Findings[i], s.Findings[j]
		if a.Sheet != b.Sheet {
			return sheetOrder(a.Sheet) < sheetOrder(b.Sheet)
		}
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		ca, _, _ := xlsx.ParseRef(a.Cell)
		cb, _, _ := xlsx.ParseRef(b.Cell)
		return ca < cb
	})
}

func sheetOrder(name string) int {
	if name == "" {
		return -1
	}
	for i, s := range form.Sheets {
		if s.Matches(name) {
			return i
		}
	}
	return len(form.Sheets)
}

type reader struct {
	sub    *Submission
	wb     *xlsx.Workbook
	opt    Options
	year   *programme.Year
	sheets map[string]string // form sheet key -> workbook sheet name
	// rowsHint guesses the data rows of the table sheet being read, from
	// its size, so that its lines are appended into a slice of about the
	// right size instead of one copied over as it grows.
	rowsHint int
	// categories caches the cost category code of each distinct text of
	// the Kostenart column ("" for an unknown one): a workbook repeats a
	// handful of texts on thousands of lines, and looking one up folds
	// every category's names (22 % of the reader's time, issue 15).
	categories map[string]string
}

// category returns the code of the cost category named raw, "" when the
// year has none of that code or name.
func (r *reader) category(raw string) string {
	code, ok := r.categories[raw]
	if !ok {
		if cat, found := r.year.Category(raw); found {
			code = cat.Code
		}
		if r.categories == nil {
			r.categories = map[string]string{}
		}
		r.categories[raw] = code
	}
	return code
}

func (r *reader) read() {
	r.sheets = map[string]string{}
	for _, name := range r.wb.Sheets() {
		for _, s := range form.Sheets {
			if _, seen := r.sheets[s.Key]; !seen && s.Matches(name) {
				r.sheets[s.Key] = name
			}
		}
	}
	if _, ok := r.sheets[form.Header.Key]; !ok {
		r.missingSheet(&form.Header)
		return
	}
	if !r.readHeader() {
		return
	}
	for _, s := range []*form.Sheet{&form.Coordinators, &form.Receipts, &form.Activities} {
		if _, ok := r.sheets[s.Key]; !ok {
			r.missingSheet(s)
		}
	}
	if r.sub.Rejected {
		return
	}
	coordinatorRows := map[string]int{}
	r.table(&form.Coordinators, func(cr cellReader, t tableRow) { r.coordinator(cr, t, coordinatorRows) })
	r.table(&form.Receipts, r.receipt)
	if _, ok := r.sheets[form.Income.Key]; ok {
		r.table(&form.Income, r.income)
	}
	r.table(&form.Activities, r.activity)
	if name, ok := r.sheets[form.Narrative.Key]; ok && !r.sub.Rejected {
		r.narrative(name)
	}
}

func (r *reader) missingSheet(s *form.Sheet) {
	var names []string
	for _, fs := range form.Required {
		names = append(names, "„"+fs.DE+"“")
	}
	r.sub.reject(RuleFormat, "", "", "sheet.missing", messages.Args{"sheet": s.DE, "sheets": strings.Join(names, ", ")})
}

// readHeader reads the label/value pairs of the header sheet and settles
// period, district and contact. It reports whether the submission can go on.
func (r *reader) readHeader() bool {
	sheet := r.sheets[form.Header.Key]
	h, ok := r.headerLabels(sheet)
	if !ok {
		return false
	}
	// Period first: which year's programme applies decides which districts exist.
	r.headerYear(h)
	r.headerQuarter(h)
	r.headerDistrict(h)
	r.sub.DistrictName, _ = h.text(form.FDistrictName)
	r.sub.FileNumber, _ = h.text(form.FFileNumber)
	r.sub.Email, _ = h.text(form.FEmail)
	r.headerContact(h)
	return !r.sub.Rejected
}

// header is the header sheet as read: each field's value cell and where it
// stands (the cell right of its label).
type header struct {
	sheet  string
	values map[string]xlsx.Cell
	cells  map[string]string
	cr     cellReader
}

// text is a field's value as text, and its cell ("" when the label is missing).
func (h header) text(key string) (string, string) {
	c, ok := h.values[key]
	if !ok {
		return "", h.cells[key]
	}
	return h.cr.text(&c, h.cells[key]), h.cells[key]
}

// headerLabels finds the labels of the header sheet in column A and their
// values in column B.
func (r *reader) headerLabels(sheet string) (header, bool) {
	h := header{sheet: sheet, values: map[string]xlsx.Cell{}, cells: map[string]string{}, cr: r.cells(sheet)}
	rows, err := r.wb.Rows(sheet)
	if err != nil {
		r.unreadableSheet(sheet, err)
		return h, false
	}
	defer rows.Close()
	for rows.Next() {
		var label, value *xlsx.Cell
		for i, c := range rows.Cells() {
			switch c.Col {
			case 1:
				label = &rows.Cells()[i]
			case 2:
				value = &rows.Cells()[i]
			}
		}
		if label == nil || label.Type != xlsx.String {
			continue
		}
		for _, f := range form.Header.Fields {
			if _, seen := h.cells[f.Key]; seen || !f.Matches(label.Value) {
				continue
			}
			h.cells[f.Key] = xlsx.ColumnName(2) + strconv.Itoa(rows.Row())
			if value != nil {
				h.values[f.Key] = *value
				r.sub.Header = append(r.sub.Header, HeaderValue{Field: f.Key, Sheet: sheet, Cell: h.cells[f.Key], Raw: value.Value})
			}
			break
		}
	}
	if err := rows.Err(); err != nil {
		r.unreadableSheet(sheet, err)
		return h, false
	}
	return h, true
}

// headerYear settles the budget year and with it the programme year.
func (r *reader) headerYear(h header) {
	yearText, yearCell := h.text(form.FYear)
	if yearText == "" {
		r.sub.reject(RulePeriod, h.sheet, yearCell, "period.year_missing", messages.Args{"sheet": h.sheet})
		return
	}
	y, err := strconv.Atoi(strings.TrimSpace(yearText))
	if err != nil || y < 1000 || y > 9999 {
		r.sub.reject(RulePeriod, h.sheet, yearCell, "period.year_invalid", messages.Args{"value": yearText})
		return
	}
	r.sub.Year = y
	var ok bool
	if r.year, ok = r.opt.Programme.Year(y); !ok {
		var years []string
		for _, py := range r.opt.Programme.Years {
			years = append(years, strconv.Itoa(py.Year))
		}
		r.sub.reject(RulePeriod, h.sheet, yearCell, "period.year_unknown", messages.Args{"year": yearText, "years": strings.Join(years, ", ")})
	}
}

// headerQuarter settles the quarter.
func (r *reader) headerQuarter(h header) {
	qText, qCell := h.text(form.FQuarter)
	if qText == "" {
		r.sub.reject(RulePeriod, h.sheet, qCell, "period.quarter_missing", messages.Args{"sheet": h.sheet})
	} else if q, err := ParseQuarter(qText); err != nil {
		r.sub.reject(RulePeriod, h.sheet, qCell, "period.quarter_invalid", messages.Args{"value": qText})
	} else {
		r.sub.Quarter = q
	}
}

// district finds a district by code: in the year's list when the year is
// known; otherwise in any year's, so a bad year does not also make a good
// district code look wrong.
func (r *reader) district(code string) (*programme.District, bool) {
	if r.year != nil {
		return r.year.District(code)
	}
	for _, y := range r.opt.Programme.Years {
		if d, ok := y.District(code); ok {
			return d, true
		}
	}
	return nil, false
}

// headerDistrict settles the district, checks it against the inbox folder
// the file arrived in and its name as written.
func (r *reader) headerDistrict(h header) {
	agsText, agsCell := h.text(form.FDistrictCode)
	if agsText == "" {
		r.sub.reject(RuleDistrictUnknown, h.sheet, agsCell, "district.missing", messages.Args{"sheet": h.sheet})
		return
	}
	d, ok := r.district(strings.Join(strings.Fields(agsText), ""))
	if !ok {
		r.sub.reject(RuleDistrictUnknown, h.sheet, agsCell, "district.unknown", messages.Args{"value": agsText, "valid": r.validDistricts()})
		return
	}
	r.sub.District = d.AGS
	if in := r.opt.InboxDistrict; in != "" && in != d.AGS {
		inName := in
		if id, ok := r.district(in); ok {
			inName = id.Name
		}
		r.sub.reject(RuleDistrictUnknown, h.sheet, agsCell, "district.wrong_inbox", messages.Args{"district": d.Name, "ags": d.AGS, "inbox_name": inName, "inbox": in})
	}
	if name, cell := h.text(form.FDistrictName); name != "" && form.Normalize(name) != form.Normalize(d.Name) {
		r.sub.add(RuleFormat, Warning, h.sheet, cell, "district.name_mismatch", messages.Args{"value": name, "ags": d.AGS, "district": d.Name})
	}
}

// headerContact reads the contact person, which the form requires.
func (r *reader) headerContact(h header) {
	var contactCell string
	r.sub.Contact, contactCell = h.text(form.FContact)
	if r.sub.Contact != "" {
		return
	}
	field := form.Header.Field(form.FContact).DE
	if contactCell != "" {
		r.sub.add(RuleFormat, Error, h.sheet, contactCell, "value.required", messages.Args{"field": field})
	} else {
		r.sub.add(RuleFormat, Error, h.sheet, "", "value.required_label", messages.Args{"field": field, "sheet": h.sheet})
	}
}

func (r *reader) validDistricts() string {
	var codes []string
	seen := map[string]bool{}
	years := r.opt.Programme.Years
	if r.year != nil {
		years = []*programme.Year{r.year}
	}
	for _, y := range years {
		for _, d := range y.Districts {
			if !seen[d.AGS] {
				seen[d.AGS] = true
				codes = append(codes, d.AGS+" "+d.Name)
			}
		}
	}
	sort.Strings(codes)
	return strings.Join(codes, ", ")
}

// unreadableSheet rejects the file for the error that ended reading a
// sheet: damaged XML in the sheet, a damaged file (its zip container: a
// wrong checksum), or more text than the workbook may hold.
func (r *reader) unreadableSheet(sheet string, err error) {
	var fe *xlsx.FormatError
	switch {
	case !errors.As(err, &fe):
		r.sub.reject(RuleFormat, sheet, "", "file.unreadable_sheet", messages.Args{"sheet": sheet, "detail": err.Error()})
	case fe.Problem == xlsx.ProblemTooLarge && fe.Cell != "":
		limit := r.opt.Limits.MaxTextSize
		if limit <= 0 {
			limit = xlsx.DefaultLimits().MaxTextSize
		}
		r.sub.reject(RuleFormat, sheet, fe.Cell, "file.too_much_text", messages.Args{"file": r.sub.File, "sheet": sheet, "cell": fe.Cell, "limit": size(limit)})
	case fe.Problem == xlsx.ProblemTooLarge:
		r.sub.reject(RuleFormat, sheet, "", "file.too_large", messages.Args{"file": r.sub.File, "detail": fe.Detail})
	case fe.Err != nil:
		// The bytes of the file were damaged after it was saved: nothing in
		// it can be trusted, not only this sheet.
		r.sub.reject(RuleFormat, sheet, "", fileProblemKey(fe), messages.Args{"file": r.sub.File, "detail": fe.Detail})
	default:
		r.sub.reject(RuleFormat, sheet, "", "file.unreadable_sheet", messages.Args{"sheet": sheet, "detail": fe.Detail})
	}
}

// tooManyErrors rejects the file once reading has produced more error
// findings than MaxErrors, after the row that pushed it over, and reports
// whether it did.
func (r *reader) tooManyErrors(sheet string, row int) bool {
	if r.sub.errors <= r.opt.MaxErrors {
		return false
	}
	r.sub.reject(RuleFormat, sheet, "", "file.too_many_errors", messages.Args{"file": r.sub.File, "sheet": sheet, "limit": strconv.Itoa(r.opt.MaxErrors), "row": strconv.Itoa(row)})
	return true
}

// size is a number of bytes as a message shows it: "16 MiB", or "1,5 MiB"
// in German.
type size int64

// Localize implements messages.Localizer.
func (n size) Localize(lang string) string {
	v, unit := float64(n), "bytes"
	switch {
	case n >= 1<<20:
		v, unit = v/(1<<20), "MiB"
	case n >= 1<<10:
		v, unit = v/(1<<10), "KiB"
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return messages.Decimal(s).Localize(lang) + " " + unit
}

// clip shortens s to at most n characters, marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for at := range s {
		if i == n {
			return s[:at] + "…"
		}
		i++
	}
	return s
}

// tableRow is one data row of a table sheet.
type tableRow struct {
	sheet *form.Sheet
	no    int
	cols  map[string]int
	byCol []*xlsx.Cell
	refs  []string // the reference of each column's cell in this row, by column
}

// cell returns the row's cell of field, nil when empty or when the sheet has
// no such column.
func (t tableRow) cell(field string) *xlsx.Cell {
	if c, ok := t.cols[field]; ok {
		return t.byCol[c]
	}
	return nil
}

// ref names the cell of field in this row, empty when the sheet has no such
// column.
func (t tableRow) ref(field string) string {
	if c, ok := t.cols[field]; ok {
		return t.refs[c]
	}
	return ""
}

// value is the field's raw text and place.
func (t tableRow) value(field string) Value {
	v := Value{Cell: t.ref(field)}
	if c := t.cell(field); c != nil {
		v.Raw = c.Value
	}
	return v
}

// rowRefs fills refs with the cell references of row no in the columns
// that have a letter, all cut from one string: a line's dozen references
// cost one allocation, not two each.
func rowRefs(refs, letters []string, no int, buf *[]byte) []string {
	num := strconv.Itoa(no)
	b := (*buf)[:0]
	for _, l := range letters {
		if l != "" {
			b = append(append(b, l...), num...)
		}
	}
	*buf = b
	all := string(b)
	at := 0
	for c, l := range letters {
		if l != "" {
			n := len(l) + len(num)
			refs[c] = all[at : at+n]
			at += n
		}
	}
	return refs
}

// Bounds of rowsHint: a line of a table sheet takes at least
// minRowBytes of XML, and no more than maxRowsHint lines are made room for
// on the file's word alone (about 10 MB of receipts).
const (
	minRowBytes = 200
	maxRowsHint = 20_000
)

// rowsHint is how many lines a table sheet of size bytes (as its file
// declares) may hold, bounded by maxLines and maxRowsHint.
func rowsHint(size uint64, maxLines int) int {
	return int(min(size/minRowBytes, uint64(maxLines), maxRowsHint))
}

// table finds the header row of a table sheet and calls row for each data row
// with a lookup of the row's cell by field key. A sheet without a header row
// rejects the file, unless the sheet is optional (not in form.Required) and
// holds nothing below its best guess at a header: an Einnahmen sheet left
// empty, or with only its headers, reports no income.
func (r *reader) table(s *form.Sheet, row func(cellReader, tableRow)) {
	if r.sub.Rejected {
		return
	}
	sheet := r.sheets[s.Key]
	rows, err := r.wb.Rows(sheet)
	if err != nil {
		r.unreadableSheet(sheet, err)
		return
	}
	defer rows.Close()
	var cols map[string]int
	var best map[string]int
	bestRow := 0
	var filled []int // rows with a value, while looking for the header
	optional := !slices.Contains(form.Required, s)
	maxCol := 0
	var byCol []*xlsx.Cell
	var letters, refs []string // by column: its name, and its cell's reference in the row
	var buf []byte
	lines := 0
	cr := r.cells(sheet)
	r.rowsHint = rowsHint(rows.SizeHint(), r.opt.MaxLines)
	for rows.Next() {
		cells := rows.Cells()
		if cols == nil {
			if rows.Row() > headerRows {
				if hasValue(cells) {
					filled = append(filled, rows.Row())
				}
				break
			}
			found := matchHeader(s, cells)
			if len(found) > len(best) {
				best, bestRow = found, rows.Row()
			}
			if hasValue(cells) {
				filled = append(filled, rows.Row())
			}
			if hasRequired(s, found) {
				cols = found
				for _, c := range cols {
					maxCol = max(maxCol, c)
				}
				byCol = make([]*xlsx.Cell, maxCol+1)
				letters, refs = make([]string, maxCol+1), make([]string, maxCol+1)
				for _, c := range cols {
					letters[c] = xlsx.ColumnName(c)
				}
			}
			continue
		}
		if len(cells) > 0 && cells[0].Type == xlsx.String && form.IsTotalLabel(cells[0].Value) {
			continue
		}
		clear(byCol)
		any := false
		for i := range cells {
			if c := cells[i].Col; c <= maxCol {
				byCol[c] = &cells[i]
				any = true
			}
		}
		if !any {
			continue // notes beside the table, not data
		}
		found := false
		for _, c := range cols {
			if byCol[c] != nil {
				found = true
				break
			}
		}
		if !found {
			continue
		}
		lines++
		if lines > r.opt.MaxLines {
			r.sub.reject(RuleFormat, sheet, "", "file.too_many_lines", messages.Args{"sheet": sheet, "limit": strconv.Itoa(r.opt.MaxLines)})
			return
		}
		row(cr, tableRow{sheet: s, no: rows.Row(), cols: cols, byCol: byCol, refs: rowRefs(refs, letters, rows.Row(), &buf)})
		if r.tooManyErrors(sheet, rows.Row()) {
			return
		}
	}
	if err := rows.Err(); err != nil {
		r.unreadableSheet(sheet, err)
		return
	}
	// Below a partial header, or anywhere when nothing looks like one, a
	// value is a row the file means to report: without the header it
	// cannot be read with certainty.
	if cols == nil && optional && !slices.ContainsFunc(filled, func(n int) bool { return n > bestRow }) {
		return
	}
	if cols == nil {
		var missing []string
		for _, f := range s.Fields {
			if _, ok := best[f.Key]; f.Required && !ok {
				missing = append(missing, "„"+f.DE+"“")
			}
		}
		r.sub.reject(RuleFormat, sheet, "", "sheet.no_header", messages.Args{"sheet": sheet, "columns": strings.Join(missing, ", ")})
	}
}

// hasValue reports whether any of cells holds something.
func hasValue(cells []xlsx.Cell) bool {
	for _, c := range cells {
		if strings.TrimSpace(c.Value) != "" {
			return true
		}
	}
	return false
}

func matchHeader(s *form.Sheet, cells []xlsx.Cell) map[string]int {
	found := map[string]int{}
	for _, c := range cells {
		if c.Type != xlsx.String {
			continue
		}
		for _, f := range s.Fields {
			if _, seen := found[f.Key]; !seen && f.Matches(c.Value) {
				found[f.Key] = c.Col
				break
			}
		}
	}
	return found
}

func hasRequired(s *form.Sheet, found map[string]int) bool {
	for _, f := range s.Fields {
		if _, ok := found[f.Key]; f.Required && !ok {
			return false
		}
	}
	return true
}

// cellReader reads typed values from cells of one sheet, adding a finding at
// the cell for anything it cannot read with certainty.
type cellReader struct {
	sub   *Submission
	sheet string
	d1904 bool
}

func (r *reader) cells(sheet string) cellReader {
	return cellReader{sub: r.sub, sheet: sheet, d1904: r.sub.Date1904}
}

func (cr cellReader) format(cell, key string, args messages.Args) {
	cr.sub.add(RuleFormat, Error, cr.sheet, cell, key, args)
}

// usable reports whether c holds a value to read, adding a finding for a
// formula without a cached value or an error value.
func (cr cellReader) usable(c *xlsx.Cell, ref string) bool {
	switch {
	case c == nil:
		return false
	case c.Formula && !c.Cached:
		cr.format(ref, "formula.no_cache", nil)
		return false
	case c.Type == xlsx.Error:
		cr.format(ref, "formula.error", messages.Args{"value": c.Value})
		return false
	}
	return true
}

// text returns the cell's content as text: numbers as Excel shows them
// without formatting, dates as ISO.
func (cr cellReader) text(c *xlsx.Cell, ref string) string {
	if !cr.usable(c, ref) {
		return ""
	}
	switch c.Type {
	case xlsx.Number:
		if c.DateFormat {
			if f, err := strconv.ParseFloat(c.Value, 64); err == nil {
				if d, err := SerialToDate(f, cr.d1904); err == nil {
					return d.Format("2006-01-02")
				}
			}
		}
		if n, err := ParseNumberCell(c.Value); err == nil {
			return n.String()
		}
	case xlsx.Bool:
		if c.Value == "1" {
			return "WAHR"
		}
		return "FALSCH"
	}
	return strings.TrimSpace(c.Value)
}

// number reads a decimal from a numeric cell or German/English text.
func (cr cellReader) number(c *xlsx.Cell, ref string, ambiguousKey, invalidKey string) (Number, bool) {
	if !cr.usable(c, ref) {
		return Number{}, false
	}
	var n Number
	var err error
	switch c.Type {
	case xlsx.Number:
		n, err = ParseNumberCell(c.Value)
	case xlsx.String:
		n, err = ParseNumberText(c.Value)
	case xlsx.Bool:
		cr.format(ref, "cell.bool", messages.Args{"value": cr.text(c, ref)})
		return Number{}, false
	default:
		err = ErrNotNumber
	}
	switch {
	case errors.Is(err, ErrAmbiguous):
		cr.format(ref, ambiguousKey, messages.Args{"value": c.Value})
		return Number{}, false
	case errors.Is(err, ErrTooLarge):
		cr.format(ref, "amount.too_large", messages.Args{"value": c.Value})
		return Number{}, false
	case err != nil:
		cr.format(ref, invalidKey, messages.Args{"value": c.Value})
		return Number{}, false
	}
	return n, true
}

func (cr cellReader) amount(c *xlsx.Cell, ref string) *money.Cents {
	n, ok := cr.number(c, ref, "amount.ambiguous", "amount.invalid")
	if !ok {
		return nil
	}
	cents, exact := n.Cents()
	if !exact {
		cr.sub.add(RuleFormat, Warning, cr.sheet, ref, "amount.decimals", messages.Args{"value": messages.Decimal(n.String()), "rounded": cents})
	}
	return &cents
}

func (cr cellReader) integer(c *xlsx.Cell, ref string) *int64 {
	n, ok := cr.number(c, ref, "number.ambiguous", "integer.invalid")
	if !ok {
		return nil
	}
	if n.Scale > 0 {
		// "12.0" is twelve; "12.5" is no count.
		v, s := n.Value, n.Scale
		for ; s > 0 && v%10 == 0; s-- {
			v /= 10
		}
		if s > 0 {
			cr.format(ref, "integer.invalid", messages.Args{"value": c.Value})
			return nil
		}
		n = Number{Value: v}
	}
	return &n.Value
}

func (cr cellReader) decimal(c *xlsx.Cell, ref string) *Number {
	n, ok := cr.number(c, ref, "number.ambiguous", "number.invalid")
	if !ok {
		return nil
	}
	return &n
}

func (cr cellReader) date(c *xlsx.Cell, ref string) *time.Time {
	if !cr.usable(c, ref) {
		return nil
	}
	var d time.Time
	var err error
	switch c.Type {
	case xlsx.Number:
		var f float64
		if f, err = strconv.ParseFloat(c.Value, 64); err == nil {
			d, err = SerialToDate(f, cr.d1904)
		}
	case xlsx.ISODate:
		v := c.Value
		if len(v) > 10 {
			v = v[:10]
		}
		d, err = ParseDateText(v)
	case xlsx.String:
		d, err = ParseDateText(c.Value)
	default:
		err = ErrNotDate
	}
	switch {
	case err == nil:
		return &d
	case errors.Is(err, ErrTwoDigitYr):
		cr.format(ref, "date.two_digit_year", messages.Args{"value": c.Value})
	case errors.Is(err, ErrDateOutside):
		cr.format(ref, "date.implausible", messages.Args{"value": c.Value})
	default:
		cr.format(ref, "date.invalid", messages.Args{"value": c.Value})
	}
	return nil
}

var payGrade = regexp.MustCompile(`(?i)^(?:EG|E|S|SUE)\s*(\d{1,2})\s*([a-c])?(?:\s*Ü)?$`)

func normalizePayGrade(s string) (string, bool) {
	m := payGrade.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false
	}
	prefix := "E"
	if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(s)), "S") {
		prefix = "S"
	}
	return prefix + " " + m[1] + strings.ToLower(m[2]), true
}
