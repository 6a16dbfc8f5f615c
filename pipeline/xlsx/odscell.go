package xlsx

import (
	"math"
	"strconv"
	"time"
)

// odsValueType is a cell's office:value-type.
type odsValueType uint8

const (
	odsNoType  odsValueType = iota // none: text, if any, or a formula not computed
	odsNumber                      // float, percentage, currency: office:value
	odsDate                        // office:date-value
	odsTime                        // office:time-value, a duration
	odsBoolean                     // office:boolean-value
	odsString                      // office:string-value or the paragraphs
	odsVoid                        // ODF 1.2's type of a formula without a result
	odsUnknownType
)

func parseODSValueType(v []byte) odsValueType {
	switch string(trimSpace(v)) {
	case "":
		return odsNoType
	case "float", "percentage", "currency":
		return odsNumber
	case "date":
		return odsDate
	case "time":
		return odsTime
	case "boolean":
		return odsBoolean
	case "string":
		return odsString
	case "void":
		return odsVoid
	}
	return odsUnknownType
}

// odsCell reads one cell element, whose start tag was just read, in the
// given row, starting at column *col, and appends its copies to r.cells if
// it is not empty. *col moves past the copies.
//
// A cell comes out as the same cell saved as .xlsx by LibreOffice reads:
//   - float, percentage and currency cells are numbers, their value the
//     office:value text;
//   - date cells are numbers with DateFormat, their value the serial number
//     in the 1900 date system (Workbook.Date1904 is false); a date before
//     1900 or otherwise not a serial number keeps its office:date-value
//     text, as an ISODate;
//   - time cells are numbers with DateFormat, a fraction of a day;
//   - boolean cells are Bool, "1" or "0";
//   - string cells are strings: office:string-value when the cell has one
//     (LibreOffice writes it when the text would not survive the
//     paragraphs' white-space rules, and for text results of formulas),
//     else the text of the paragraphs (see odsText);
//   - a cell LibreOffice marks calcext:value-type="error" is an Error, its
//     value the error text shown (#DIV/0!, Err:502);
//   - a cell without a value type is a string when it has paragraphs (the
//     empty text result of a formula), else empty, or for a formula a
//     formula without a cached value, as an .xlsx formula without <v>.
//
// The displayed text of a number, date or boolean cell (its paragraphs)
// is the value formatted for a reader, "1.234,56 €", and is not read.
func (r *Rows) odsCell(col *int, row int) error {
	st, x := r.ods, r.x
	rep := 1
	var formula, isError, hasValue, hasDate, hasTime, hasBool, hasStr bool
	st.vtype = st.vtype[:0]
	for i := range x.attrs {
		a := st.ns.attr(x, i)
		if a == odsAttrOther {
			continue
		}
		v := x.attrValue(i)
		switch a {
		case odsAttrColsRep:
			rep = repeatCount(v, maxCols+1)
		case odsAttrFormula:
			formula = true
		case odsAttrValueType:
			st.vtype = append(st.vtype[:0], v...)
		case odsAttrCalcExtType:
			isError = string(trimSpace(v)) == "error"
		case odsAttrValue:
			st.value, hasValue = append(st.value[:0], v...), true
		case odsAttrDateValue:
			st.date, hasDate = append(st.date[:0], v...), true
		case odsAttrTimeValue:
			st.time, hasTime = append(st.time[:0], v...), true
		case odsAttrBoolValue:
			st.boolean, hasBool = append(st.boolean[:0], v...), true
		case odsAttrStringValue:
			if len(v) > maxCellText {
				return r.odsCorrupt("text longer than %s in one cell", formatSize(maxCellText))
			}
			st.str, hasStr = append(st.str[:0], v...), true
		}
	}
	vt := parseODSValueType(st.vtype)
	if vt == odsUnknownType {
		return r.odsCorrupt("cell %s has unknown value type %q", ColumnName(min(*col, maxCols))+itoa(row), st.vtype)
	}
	collect := isError || vt == odsNoType || vt == odsString && !hasStr
	paras, err := r.odsContent(collect)
	if err != nil {
		return err
	}

	c := Cell{Formula: formula}
	switch {
	case isError:
		c.Type, c.Cached = Error, true
		c.Value = string(st.text.buf)
		if c.Value == "" {
			c.Value = string(st.str)
		}
	case vt == odsNoType:
		if paras > 0 {
			c.Type, c.Value, c.Cached = String, string(st.text.buf), true
		} else {
			c.Type = Number
		}
	case vt == odsNumber:
		c.Type, c.Cached = Number, hasValue
		c.Value = string(trimSpace(st.value))
	case vt == odsDate:
		c.Type, c.Cached, c.DateFormat = Number, hasDate, true
		if hasDate {
			if serial, ok := odsDateSerial(st.date); ok {
				c.Value = serial
			} else {
				c.Type, c.DateFormat = ISODate, false
				c.Value = string(trimSpace(st.date))
			}
		}
	case vt == odsTime:
		c.Type, c.Cached, c.DateFormat = Number, hasTime, true
		if hasTime {
			if serial, ok := odsTimeSerial(st.time); ok {
				c.Value = serial
			} else {
				c.Value = string(trimSpace(st.time))
			}
		}
	case vt == odsBoolean:
		c.Type, c.Cached = Bool, hasBool
		switch v := trimSpace(st.boolean); string(v) {
		case "true", "1":
			c.Value = "1"
		case "false", "0":
			c.Value = "0"
		default:
			c.Value = string(v)
		}
	case vt == odsString:
		c.Type, c.Cached = String, true
		if hasStr {
			c.Value = string(st.str)
		} else {
			c.Value = string(st.text.buf)
		}
	case vt == odsVoid:
		c.Type, c.Cached = String, true
	}

	first := *col
	*col = min(first+rep, maxCols+1)
	if !c.Formula && c.Value == "" {
		return nil
	}
	if row > maxRows {
		return r.odsCorrupt("more than %d rows", maxRows)
	}
	if first+rep-1 > maxCols {
		return r.odsCorrupt("row %d has a cell beyond column %s", row, ColumnName(maxCols))
	}
	if err := r.odsSpend(&c, row, first, rep); err != nil {
		return err
	}
	for i := range rep {
		c.Col = first + i
		r.cells = append(r.cells, c)
	}
	return nil
}

// odsContent reads the content of the cell whose start tag was just read,
// up to its end. With collect, the text of its paragraphs goes to
// r.ods.text. It returns the number of paragraphs.
//
// A cell's text is that of its paragraphs (text:p, text:h, also inside
// lists and sections), joined with newlines. Annotations (comments),
// drawings anchored to the cell and anything else that is not a paragraph
// are not part of it, nor, inside a paragraph, notes and ruby text.
func (r *Rows) odsContent(collect bool) (int, error) {
	st, x := r.ods, r.x
	st.text.reset()
	cellDepth := x.depth()
	paraDepth := 0 // the depth of the paragraph being read, 0 outside
	paras := 0
	for {
		var sink *[]byte
		if collect && paraDepth > 0 {
			st.raw = st.raw[:0]
			sink = &st.raw
		}
		tok, err := x.next(sink)
		if err != nil {
			return 0, err
		}
		if sink != nil && len(st.raw) > 0 {
			st.text.chars(st.raw)
		}
		d := x.depth()
		if tok == tokEnd {
			switch {
			case d < cellDepth:
				if st.text.over {
					return 0, r.odsCorrupt("text longer than %s in one cell", formatSize(maxCellText))
				}
				return paras, nil
			case paraDepth > 0 && d < paraDepth:
				paraDepth = 0
			}
			continue
		}
		if err := st.ns.enter(x, d); err != nil {
			return 0, err
		}
		k := st.ns.elem(x)
		if paraDepth == 0 {
			switch k {
			case odsParagraph:
				paraDepth = d
				paras++
				if collect {
					st.text.paragraph()
				}
			case odsTextBlock:
				// Its paragraphs are the cell's.
			default:
				if err := skipElement(x); err != nil {
					return 0, err
				}
			}
			continue
		}
		switch k {
		case odsTextOther:
			// A span, link or field: its text is the paragraph's.
			continue
		case odsSpace:
			n := 1
			for i := range x.attrs {
				if st.ns.attr(x, i) == odsAttrCount {
					n = repeatCount(x.attrValue(i), maxCellText+1)
				}
			}
			if collect {
				st.text.put(' ', n)
			}
		case odsTab:
			if collect {
				st.text.put('\t', 1)
			}
		case odsLineBreak:
			if collect {
				st.text.put('\n', 1)
			}
		}
		// The content of the elements above, if any, and all of notes,
		// ruby text, annotations, drawings and the like is not the
		// paragraph's text.
		if err := skipElement(x); err != nil {
			return 0, err
		}
	}
}

// odsText builds a cell's text from its paragraphs as LibreOffice Calc
// reads them: character data as it stands, spaces, tabs and line breaks
// written as elements (text:s with its count text:c, text:tab,
// text:line-break) as those characters, and paragraphs joined with a
// newline. Calc does not collapse white space in cells as ODF prescribes
// for text documents (part 1, 6.1.2), and writes a single space, leading
// or trailing, as it is: " a" is read back as " a", and so is it here.
// More than maxCellText bytes set over.
type odsText struct {
	buf   []byte
	paras int
	over  bool
}

func (t *odsText) reset() {
	t.buf, t.paras, t.over = t.buf[:0], 0, false
}

func (t *odsText) paragraph() {
	if t.paras > 0 {
		t.put('\n', 1)
	}
	t.paras++
}

// chars adds character data of the paragraph.
func (t *odsText) chars(b []byte) {
	if t.over || len(t.buf)+len(b) > maxCellText {
		t.over = true
		return
	}
	t.buf = append(t.buf, b...)
}

// put adds n copies of c.
func (t *odsText) put(c byte, n int) {
	if t.over || len(t.buf)+n > maxCellText {
		t.over = true
		return
	}
	for range n {
		t.buf = append(t.buf, c)
	}
}

// Serial numbers of the 1900 date system count days from 1899-12-30:
// 1900-01-01 is 2, one more than in Excel, which counts a 29 February
// 1900 that never was; from 1 March 1900 on the two agree. The reader of
// serial numbers (submission.SerialToDate) counts as this does.
var serialEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// odsDateSerial converts an office:date-value (xsd:date or xsd:dateTime:
// 2026-03-31, 2026-03-31T12:30:00, with optional fractions of a second
// and a time zone, which is ignored as LibreOffice ignores it) to a
// serial number: days as an integer, a time of day as the fraction. Dates
// before 1900 and years of other than four digits are not converted.
func odsDateSerial(v []byte) (string, bool) {
	s := string(trimSpace(v))
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return "", false
	}
	y, ok1 := digitsValue(s[0:4])
	m, ok2 := digitsValue(s[5:7])
	d, ok3 := digitsValue(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1900 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return "", false
	}
	var seconds float64
	rest := s[10:]
	if rest != "" {
		if rest[0] != 'T' || len(rest) < 9 || rest[3] != ':' || rest[6] != ':' {
			return "", false
		}
		hh, ok1 := digitsValue(rest[1:3])
		mm, ok2 := digitsValue(rest[4:6])
		ss, ok3 := digitsValue(rest[7:9])
		if !ok1 || !ok2 || !ok3 || hh > 24 || mm > 59 || ss > 60 || hh == 24 && mm+ss > 0 {
			return "", false
		}
		seconds = float64(hh*3600 + mm*60 + ss)
		rest = rest[9:]
		if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
			j := 1
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			if j == 1 {
				return "", false
			}
			f, err := strconv.ParseFloat("0."+rest[1:j], 64)
			if err != nil {
				return "", false
			}
			seconds += f
			rest = rest[j:]
		}
		if !isTimeZone(rest) {
			return "", false
		}
	}
	days := (time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() - serialEpoch.Unix()) / 86400
	if seconds == 0 {
		return strconv.FormatInt(days, 10), true
	}
	serial := float64(days) + seconds/86400
	if seconds < 86400 && serial >= float64(days+1) {
		// A time a hair before midnight must not round up to the next day.
		serial = math.Nextafter(float64(days+1), 0)
	}
	return strconv.FormatFloat(serial, 'f', -1, 64), true
}

func isTimeZone(s string) bool {
	switch {
	case s == "" || s == "Z":
		return true
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':':
		_, ok1 := digitsValue(s[1:3])
		_, ok2 := digitsValue(s[4:6])
		return ok1 && ok2
	}
	return false
}

func digitsValue(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// odsTimeSerial converts an office:time-value, an xsd:duration such as
// PT12H30M00S or -P1DT2H, to a fraction of a day (or more than one day),
// as a time of day is stored in .xlsx. Durations in years or months have
// no length in days and are not converted.
func odsTimeSerial(v []byte) (string, bool) {
	s := string(trimSpace(v))
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if len(s) < 2 || s[0] != 'P' {
		return "", false
	}
	s = s[1:]
	var seconds float64
	inTime, any := false, false
	for s != "" {
		if s[0] == 'T' {
			if inTime {
				return "", false
			}
			inTime, s = true, s[1:]
			continue
		}
		j := 0
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == ',') {
			j++
		}
		if j == 0 || j == len(s) {
			return "", false
		}
		n, err := strconv.ParseFloat(replaceComma(s[:j]), 64)
		if err != nil || math.IsInf(n, 0) {
			return "", false
		}
		switch unit := s[j]; {
		case unit == 'D' && !inTime:
			seconds += n * 86400
		case unit == 'H' && inTime:
			seconds += n * 3600
		case unit == 'M' && inTime:
			seconds += n * 60
		case unit == 'S' && inTime:
			seconds += n
		default:
			return "", false
		}
		any = true
		s = s[j+1:]
	}
	if !any {
		return "", false
	}
	days := seconds / 86400
	if neg {
		days = -days
	}
	return strconv.FormatFloat(days, 'f', -1, 64), true
}

func replaceComma(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return s[:i] + "." + s[i+1:]
		}
	}
	return s
}
