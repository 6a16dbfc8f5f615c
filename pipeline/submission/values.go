package submission

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"grantpipe/pipeline/money"
)

// Reasons a text cannot be read as a number, an amount or a date. The reader
// turns each into a FORMAT finding at the cell, with the message key of the
// same name.
var (
	ErrAmbiguous   = errors.New("ambiguous")      // "1.234": thousands separator or decimal?
	ErrNotNumber   = errors.New("not a number")   // anything else that is no number
	ErrTooLarge    = errors.New("too large")      // beyond what DECIMAL(18,2) or a count can hold
	ErrTwoDigitYr  = errors.New("two-digit year") // "31.03.26"
	ErrNotDate     = errors.New("not a date")     // "März 2026", "31/03/2026", "2026-02-30"
	ErrDateOutside = errors.New("implausible date")
)

// Number is a decimal read from text: Value × 10^-Scale, exactly.
type Number struct {
	Value int64 // digits without separator, sign applied
	Scale int   // digits after the decimal separator
}

// Cents rounds n to cents, half away from zero. ok is false when the number
// had more than two decimals (the value is then rounded, and the reader warns).
func (n Number) Cents() (c money.Cents, exact bool) {
	v, s := n.Value, n.Scale
	if s <= 2 {
		for ; s < 2; s++ {
			v *= 10
		}
		return money.Cents(v), true
	}
	div := int64(1)
	for ; s > 2; s-- {
		div *= 10
	}
	q, r := v/div, v%div
	if 2*abs(r) >= div {
		if v < 0 {
			q--
		} else {
			q++
		}
	}
	return money.Cents(q), false
}

// Float returns n as a float64 (for values such as FTE that are not money).
func (n Number) Float() float64 { return float64(n.Value) / math.Pow10(n.Scale) }

// String prints n as a plain decimal with a dot.
func (n Number) String() string {
	s := strconv.FormatInt(abs(n.Value), 10)
	if n.Scale > 0 {
		for len(s) <= n.Scale {
			s = "0" + s
		}
		s = s[:len(s)-n.Scale] + "." + s[len(s)-n.Scale:]
	}
	if n.Value < 0 {
		s = "-" + s
	}
	return s
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// maxDigits keeps every Number inside int64 and every amount inside DECIMAL(18,2).
const maxDigits = 16

// currencyMarks may stand before or after an amount typed as text.
var currencyMarks = []string{"euro", "eur", "€"}

// ParseNumberText reads a number typed as text in German or English form:
// "1.234,56", "1.234,56 €", "1234,5", "1,234.56", "EUR 1234.56", "-12,00",
// "1 234,56"; any other form is ErrNotNumber. A single separator followed by exactly
// three digits ("1.234", "1,234") could be a thousands separator or a
// decimal point: that is ErrAmbiguous, never a guess. A leading zero
// ("0,125") or more than three integer digits ("1234,567") settles it as a
// decimal.
func ParseNumberText(s string) (Number, error) {
	neg, t, err := numberSign(normalizeNumberText(s))
	if err != nil {
		return Number{}, err
	}
	intPart, fracPart, err := splitDecimal(t)
	if err != nil {
		return Number{}, err
	}
	digits := strings.TrimLeft(intPart+fracPart, "0")
	if len(digits) > maxDigits {
		return Number{}, ErrTooLarge
	}
	v, err := strconv.ParseInt("0"+digits, 10, 64)
	if err != nil {
		return Number{}, ErrNotNumber
	}
	if neg {
		v = -v
	}
	return Number{Value: v, Scale: len(fracPart)}, nil
}

// normalizeNumberText trims s and folds the spaces and dashes office
// suites and keyboards produce into plain ones.
func normalizeNumberText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u202f', '\u2009':
			return ' '
		case '\u2212', '\u2013':
			return '-'
		}
		return r
	}, s))
}

// numberSign takes the sign and the currency marks off a number's text and
// returns whether it is negative and what remains.
//
// Only a leading sign counts: accounting brackets ("(123,45)") and a
// trailing minus ("123,45-") are not in the closed list of forms a district
// may type (SUBMISSION_FORMAT.md) and come back as ErrNotNumber.
func numberSign(t string) (neg bool, rest string, err error) {
	for changed := true; changed; {
		changed = false
		lower := strings.ToLower(t)
		for _, m := range currencyMarks {
			if strings.HasPrefix(lower, m) {
				t, changed = strings.TrimSpace(t[len(m):]), true
				break
			}
			if strings.HasSuffix(lower, m) {
				t, changed = strings.TrimSpace(t[:len(t)-len(m)]), true
				break
			}
		}
	}
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		neg = t[0] == '-'
		t = strings.TrimSpace(t[1:])
	}
	if t == "" {
		return false, "", ErrNotNumber
	}
	return neg, t, nil
}

// splitDecimal splits unsigned number text into its integer digits (the
// thousands separators taken out) and its decimal digits.
func splitDecimal(t string) (intPart, fracPart string, err error) {
	// Spaces and apostrophes only ever group thousands.
	var groupSep rune
	for _, r := range t {
		if r == ' ' || r == '\'' || r == '’' {
			groupSep = r
		} else if !unicode.IsDigit(r) && r != '.' && r != ',' {
			return "", "", ErrNotNumber
		}
	}
	var thousands string
	dots, commas := strings.Count(t, "."), strings.Count(t, ",")
	switch {
	case dots > 0 && commas > 0:
		dec := ","
		thousands = "."
		if strings.LastIndex(t, ".") > strings.LastIndex(t, ",") {
			dec, thousands = ".", ","
		}
		if strings.Count(t, dec) != 1 {
			return "", "", ErrNotNumber
		}
		intPart, fracPart, _ = strings.Cut(t, dec)
	case dots+commas == 0:
		intPart = t
	default:
		sep := "."
		if commas > 0 {
			sep = ","
		}
		if dots+commas > 1 {
			// Repeated: it can only group thousands.
			intPart, thousands = t, sep
			break
		}
		before, after, _ := strings.Cut(t, sep)
		if len(after) == 3 && groupSep == 0 && ambiguousLead(before) {
			return "", "", ErrAmbiguous
		}
		intPart, fracPart = before, after
	}
	if groupSep != 0 {
		if thousands != "" && thousands != string(groupSep) {
			return "", "", ErrNotNumber
		}
		thousands = string(groupSep)
	}
	if intPart, err = ungroup(intPart, thousands); err != nil {
		return "", "", err
	}
	if strings.ContainsAny(fracPart, ".,' ") || strings.ContainsAny(intPart, ".,' ") {
		return "", "", ErrNotNumber
	}
	if fracPart == "" && (strings.HasSuffix(t, ".") || strings.HasSuffix(t, ",")) {
		return "", "", ErrNotNumber
	}
	return intPart, fracPart, nil
}

// ambiguousLead tells whether the digits before a single separator that is
// followed by three digits could be the first group of a thousands
// grouping: one to three digits, not starting with 0.
func ambiguousLead(before string) bool {
	digits := strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, before)
	return len(digits) >= 1 && len(digits) <= 3 && digits[0] != '0'
}

// ungroup takes the thousands separators out of integer digits, checking
// that they group by three.
func ungroup(intPart, thousands string) (string, error) {
	if thousands != "" {
		groups := strings.Split(intPart, thousands)
		for i, g := range groups {
			if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return "", ErrNotNumber
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart == "" {
		intPart = "0"
	}
	return intPart, nil
}

// ParseNumberCell reads the raw value of a numeric cell ("4723.9300000000003",
// "2.4999999999999996E2") as the office suite shows it: at 15 significant
// digits, so the binary noise of a computed value (=80.50+15.29 is stored
// as 95.78999999999999) is no extra decimal: 95.79. Decimals that are
// really there (12.345) stay.
func ParseNumberCell(raw string) (Number, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return Number{}, ErrNotNumber
	}
	if math.Abs(f) >= 1e14 {
		return Number{}, ErrTooLarge
	}
	if f == 0 {
		return Number{}, nil
	}
	// d.ddddddddddddddde±XX: fifteen significant digits, rounded.
	s := strconv.FormatFloat(f, 'e', significantDigits-1, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, expText, _ := strings.Cut(s, "e")
	exp, err := strconv.Atoi(expText)
	if err != nil {
		return Number{}, ErrNotNumber
	}
	digits := strings.Replace(mant, ".", "", 1)
	// The decimal point stands exp+1 digits into digits.
	var intPart, frac string
	switch point := exp + 1; {
	case point <= 0:
		intPart, frac = "0", strings.Repeat("0", -point)+digits
	case point >= len(digits):
		intPart = digits + strings.Repeat("0", point-len(digits))
	default:
		intPart, frac = digits[:point], digits[point:]
	}
	if len(frac) > maxScale {
		frac = frac[:maxScale] // below 1e-15: nothing an amount or an FTE holds
	}
	frac = strings.TrimRight(frac, "0")
	v, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return Number{}, ErrTooLarge
	}
	if neg {
		v = -v
	}
	return Number{Value: v, Scale: len(frac)}, nil
}

const (
	// significantDigits is how many digits of a number an office suite shows.
	significantDigits = 15
	// maxScale bounds the decimals kept of a number cell.
	maxScale = 15
)

// Date systems of a workbook.
const (
	serialEpoch1900 = -25569 // days from 1899-12-30 to 1970-01-01, negated
	serialEpoch1904 = -24107 // days from 1904-01-01 to 1970-01-01, negated
)

// Plausible dates: anything outside is a typo (an amount in a date column).
var (
	minDate = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
)

// SerialToDate converts an Excel serial day number to a date in the given
// date system. The time of day is dropped. Serials before 1990 or after 2100
// are ErrDateOutside: in this form they are amounts or counts typed into a
// date column.
func SerialToDate(serial float64, date1904 bool) (time.Time, error) {
	if math.IsNaN(serial) || math.IsInf(serial, 0) || serial < 0 || serial > 2_958_465 {
		return time.Time{}, ErrDateOutside
	}
	days := int64(math.Floor(serial))
	var d time.Time
	if date1904 {
		d = time.Unix((days+serialEpoch1904)*86400, 0).UTC()
	} else {
		// Serial 60 is Excel's fictitious 29 Feb 1900; no plausible date is near it.
		d = time.Unix((days+serialEpoch1900)*86400, 0).UTC()
	}
	if d.Before(minDate) || d.After(maxDate) {
		return time.Time{}, ErrDateOutside
	}
	return d, nil
}

// ParseDateText reads a date typed as text: German "31.03.2026" or
// "1.3.2026" (four-digit year), or ISO "2026-03-31". A two-digit year is
// ErrTwoDigitYr; any other form, or a day that does not exist, ErrNotDate.
func ParseDateText(s string) (time.Time, error) {
	t := strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " "))
	var parts []string
	var y, m, d string
	switch {
	case strings.Count(t, ".") == 2 && !strings.ContainsAny(t, " -/"):
		parts = strings.Split(t, ".")
		d, m, y = parts[0], parts[1], parts[2]
		if len(d) < 1 || len(d) > 2 || len(m) < 1 || len(m) > 2 {
			return time.Time{}, ErrNotDate
		}
		if len(y) == 2 {
			if allDigits(d + m + y) {
				return time.Time{}, ErrTwoDigitYr
			}
			return time.Time{}, ErrNotDate
		}
	case strings.Count(t, "-") == 2 && !strings.ContainsAny(t, " ./"):
		parts = strings.Split(t, "-")
		y, m, d = parts[0], parts[1], parts[2]
		if len(m) != 2 || len(d) != 2 {
			return time.Time{}, ErrNotDate
		}
	default:
		return time.Time{}, ErrNotDate
	}
	if len(y) != 4 || !allDigits(y+m+d) {
		return time.Time{}, ErrNotDate
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	date := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if date.Year() != yi || int(date.Month()) != mi || date.Day() != di {
		return time.Time{}, ErrNotDate
	}
	if date.Before(minDate) || date.After(maxDate) {
		return time.Time{}, ErrDateOutside
	}
	return date, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// ParseQuarter reads "1"…"4", "Q1"…"Q4", "1. Quartal", "Quartal 1", "I"…"IV".
func ParseQuarter(s string) (int, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), ""))
	t = strings.TrimSuffix(t, "quartal")
	t = strings.TrimPrefix(t, "quartal")
	t = strings.TrimSuffix(t, "quarter")
	t = strings.TrimPrefix(t, "quarter")
	t = strings.TrimPrefix(t, "q")
	t = strings.TrimSuffix(t, ".")
	switch t {
	case "1", "i", "1.0":
		return 1, nil
	case "2", "ii", "2.0":
		return 2, nil
	case "3", "iii", "3.0":
		return 3, nil
	case "4", "iv", "4.0":
		return 4, nil
	}
	return 0, fmt.Errorf("%q: not a quarter", s)
}
