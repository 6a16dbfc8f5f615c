// Package receiptno folds receipt numbers for comparison. Two receipts of a
// district and year that carry the same number, ignoring white space at
// either end and case, claim the same receipt (DUPLICATE_RECEIPT); a number
// that is nothing but white space is missing (RECEIPT_MISSING).
//
// The store keeps each receipt's Key beside its number (receipts.
// receipt_key, written when the submission is stored). A check sorts the
// keys of what was stored since the last one to find the lines that may
// share a number (validate/share_claims.sql), instead of folding and
// hashing every number on every run, and RECEIPT_MISSING tests them. A key
// is a 32-bit hash: two numbers may share one, so DUPLICATE_RECEIPT
// compares the numbers of those lines once more, as DuckDB folds them
// (lower(trim(receipt_no))).
// That comparison decides; the key only has to be equal wherever it is, so
// Fold is at least as coarse as DuckDB's fold: it trims every Unicode space
// (DuckDB's trim a subset of them, TestFoldIsCoarserThanDuckDB) and maps
// each letter to one representative of all its cases.
package receiptno

import (
	"hash/fnv"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fold is number without white space at either end, each character
// replaced by the smallest character of its case orbit after lower-casing
// (so "B-7", "b-7 " and "\u00a0b-7" fold alike); "" when nothing is left.
func Fold(number string) string {
	s := strings.TrimFunc(number, space)
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToUpper(s) // the smallest of {A, a} is A
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// space is white space a number is trimmed of: every Unicode space and
// control white space, and the invisible zero-width space and byte order
// mark.
func space(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// foldRune lower-cases r as DuckDB's lower does and takes the smallest
// character that case-folds to the same (k, K and the Kelvin sign K all
// become K).
func foldRune(r rune) rune {
	l := unicode.ToLower(r)
	m := l
	for f := unicode.SimpleFold(l); f != l; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}

// Key is the key of number on a receipt of district in year: a 32-bit
// FNV-1a hash of the three, the number folded; ok is false when the number
// is missing (nothing but white space).
func Key(district string, year int, number string) (key uint32, ok bool) {
	f := Fold(number)
	if f == "" {
		return 0, false
	}
	h := fnv.New64a()
	var buf [32]byte
	b := append(buf[:0], district...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(year), 10)
	b = append(b, 0)
	h.Write(b)
	h.Write([]byte(f))
	s := h.Sum64()
	return uint32(s ^ s>>32), true
}
