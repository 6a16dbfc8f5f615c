package xlsx

import "strings"

// isBuiltinDateFormat reports whether a built-in number format (one that
// styles.xml references by id without defining it) shows a date or time.
// The ids are those of ECMA-376 Part 1, 18.8.30, plus the ranges that
// Excel's East Asian locales reserve for dates (27-36, 50-58, 71-81).
func isBuiltinDateFormat(id int) bool {
	switch {
	case id >= 14 && id <= 22,
		id >= 27 && id <= 36,
		id >= 45 && id <= 47,
		id >= 50 && id <= 58,
		id >= 71 && id <= 81:
		return true
	}
	return false
}

// isDateFormatCode reports whether a custom number format code shows a
// date or time. Letters inside quoted text ("€"), after a backslash (\x),
// after the width and fill markers (_x, *x) and inside brackets ([Red],
// [$-407], [>=100]) are not format tokens; of the bracketed sections only
// the elapsed-time ones ([h], [mm], [ss]) count. Any remaining y, m, d, h
// or s is a date or time token. "E" of scientific notation and the digit
// placeholders are not among them, so "#,##0.00 €", "0.00%" and "0.00E+00"
// are numbers while "DD.MM.YYYY" and "[$-407]DD.MM.YYYY" are dates.
func isDateFormatCode(code string) bool {
	if strings.EqualFold(strings.TrimSpace(code), "general") {
		return false
	}
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return false // the rest is an unterminated literal
			}
			i += j + 1
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return false
			}
			if isElapsedTime(code[i+1 : i+1+j]) {
				return true
			}
			i += j + 1
		case 'y', 'Y', 'm', 'M', 'd', 'D', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}

// isElapsedTime matches [h], [hh], [m], [mm], [s], [ss] and longer runs of
// one letter.
func isElapsedTime(s string) bool {
	if s == "" {
		return false
	}
	first := s[0] | 0x20
	if first != 'h' && first != 'm' && first != 's' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i]|0x20 != first {
			return false
		}
	}
	return true
}
