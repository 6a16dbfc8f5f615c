package programme

import "fmt"

// A configuration file is bounded before the TOML library reads it. The
// library's memory grows with the square of the nesting depth (55 KB of
// 10,000 inline tables inside one another took more than 4 GB) and, at a
// bounded depth, with the size: at the limits below, about 1 GB for the
// worst file. The default configuration has 15 KB and depth 6; 400 districts
// take 260 KB; writing every table inline reaches depth 7.
const (
	// MaxFileSize is the most bytes a configuration file may have.
	MaxFileSize = 4 << 20
	// MaxDepth is the deepest a value may sit in tables, arrays and the
	// parts of dotted keys: x = 1 at the top sits at depth 1, date in
	// [[budget_year.district]] payouts = [{ date = … }] at depth 6.
	MaxDepth = 10
)

// checkLimits finds what makes data too large for the TOML library: too
// many bytes, or tables, arrays and dotted keys nested too deep. It scans
// the text once, knowing just enough of TOML (strings, comments, keys,
// brackets) to count the nesting; the library judges the rest.
func checkLimits(data []byte) *Problem {
	if len(data) > MaxFileSize {
		return tooLarge()
	}
	s := scanner{data: data, line: 1, expectKey: true}
	if depth, line := s.deepest(); depth > MaxDepth {
		return &Problem{Line: line, Message: fmt.Sprintf("tables, arrays and dotted keys nested %d deep, more than the %d a configuration may have", depth, MaxDepth)}
	}
	return nil
}

func tooLarge() *Problem {
	return &Problem{Message: fmt.Sprintf("the file is larger than %d MiB (%d bytes), the most a configuration may have", MaxFileSize>>20, MaxFileSize)}
}

// frame is an open array ('[') or inline table ('{'); base is the depth of
// its elements, or of the table its keys start from.
type frame struct {
	kind byte
	base int
}

type scanner struct {
	data      []byte
	i, line   int
	stack     []frame
	header    int  // the depth of the current [table]'s keys start from
	cur       int  // the depth of the value being read
	expectKey bool // at the start of a line, or after { or , in an inline table
}

// deepest scans until the nesting exceeds MaxDepth and returns that depth
// and its line, or returns 0.
func (s *scanner) deepest() (depth, line int) {
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '\n':
			s.line++
			s.i++
			if len(s.stack) == 0 {
				s.expectKey = true
			}
		case c == ' ' || c == '\t' || c == '\r':
			s.i++
		case c == '#':
			s.skipComment()
		case s.expectKey && len(s.stack) == 0 && c == '[':
			// A [table] or [[array of tables]] header.
			s.i++
			array := s.i < len(s.data) && s.data[s.i] == '['
			if array {
				s.i++
			}
			s.header = s.key()
			if array {
				s.header++
			}
			s.expectKey = false
			if s.header > MaxDepth {
				return s.header, s.line
			}
		case s.expectKey && c == '}':
			s.close()
		case s.expectKey:
			s.cur = s.header
			if n := len(s.stack); n > 0 {
				s.cur = s.stack[n-1].base
			}
			s.expectKey = false
			// What is not a key is read on as a value, so that its
			// brackets count; the library will say what is wrong with it.
			s.cur += s.key()
			if s.cur > MaxDepth {
				return s.cur, s.line
			}
		case c == '"' || c == '\'':
			s.skipString()
		case c == '[':
			s.i++
			s.cur++
			s.stack = append(s.stack, frame{'[', s.cur})
			if s.cur > MaxDepth {
				return s.cur, s.line
			}
		case c == '{':
			s.i++
			s.stack = append(s.stack, frame{'{', s.cur})
			s.expectKey = true
		case c == ']' || c == '}':
			s.close()
		case c == ',':
			s.i++
			if n := len(s.stack); n > 0 {
				if s.stack[n-1].kind == '{' {
					s.expectKey = true
				} else {
					s.cur = s.stack[n-1].base
				}
			}
		default:
			s.i++
		}
	}
	return 0, 0
}

// close ends the innermost array or inline table.
func (s *scanner) close() {
	s.i++
	if len(s.stack) > 0 {
		s.stack = s.stack[:len(s.stack)-1]
	}
	if n := len(s.stack); n > 0 && s.stack[n-1].kind == '[' {
		s.cur = s.stack[n-1].base
	}
}

// key reads a key, dotted or not, up to what follows it (= or ]), and
// returns the number of its parts.
func (s *scanner) key() int {
	parts := 0
	for s.i < len(s.data) {
		s.skipBlanks()
		if s.i >= len(s.data) {
			break
		}
		switch c := s.data[s.i]; {
		case c == '"' || c == '\'':
			s.skipString()
		case isBareKeyByte(c):
			for s.i < len(s.data) && isBareKeyByte(s.data[s.i]) {
				s.i++
			}
		default:
			return parts
		}
		parts++
		s.skipBlanks()
		if s.i >= len(s.data) || s.data[s.i] != '.' {
			return parts
		}
		s.i++
	}
	return parts
}

// isBareKeyByte reports the bytes of bare keys, and every byte of UTF-8
// beyond ASCII, which TOML 1.1 allows and which cannot end a key anyway.
func isBareKeyByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c >= 0x80
}

func (s *scanner) skipBlanks() {
	for s.i < len(s.data) && (s.data[s.i] == ' ' || s.data[s.i] == '\t') {
		s.i++
	}
}

func (s *scanner) skipComment() {
	for s.i < len(s.data) && s.data[s.i] != '\n' {
		s.i++
	}
}

// skipString skips a basic or literal string, single- or multi-line. A
// single-line string ends at the end of its line at the latest, as the
// library will then complain about it.
func (s *scanner) skipString() {
	q := s.data[s.i]
	if s.i+2 < len(s.data) && s.data[s.i+1] == q && s.data[s.i+2] == q {
		s.i += 3
		for s.i < len(s.data) {
			c := s.data[s.i]
			switch {
			case c == '\\' && q == '"':
				s.i++
				if s.i < len(s.data) && s.data[s.i] == '\n' {
					s.line++
				}
			case c == '\n':
				s.line++
			case c == q && s.i+2 < len(s.data) && s.data[s.i+1] == q && s.data[s.i+2] == q:
				// Up to two more quotes belong to the string.
				s.i += 3
				for n := 0; n < 2 && s.i < len(s.data) && s.data[s.i] == q; n++ {
					s.i++
				}
				return
			}
			s.i++
		}
		return
	}
	s.i++
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '\n':
			return
		case c == '\\' && q == '"':
			if s.i+1 < len(s.data) && s.data[s.i+1] == '\n' {
				s.i++
				return
			}
			s.i++
		case c == q:
			s.i++
			return
		}
		s.i++
	}
}
