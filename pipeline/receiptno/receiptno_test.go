package receiptno

import "testing"

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"B-7", "B-7"},
		{"b-7 ", "B-7"},
		{"\u00a0b-7\t", "B-7"},
		{"\u2003\u200bRE 12\ufeff", "RE 12"},
		{"Straße-1", "STRAßE-1"},
		{"STRASSE-1", "STRASSE-1"}, // one character is not two: ß stays ß
		{"ÄÖÜ-ẞ", "ÄÖÜ-ß"},
		{"äöü-ß", "ÄÖÜ-ß"},
		{"\u212a-1", "K-1"}, // the Kelvin sign is a K
		{"İ-1", "I-1"},      // lower-cased as DuckDB does: i
		{" \u00a0\t\n", ""},
		{"", ""},
	} {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestKey(t *testing.T) {
	k1, ok1 := Key("15001000", 2026, "b-7 ")
	k2, ok2 := Key("15001000", 2026, "\u00a0B-7")
	if !ok1 || !ok2 || k1 != k2 {
		t.Errorf("the same number folded: keys %d (%v), %d (%v)", k1, ok1, k2, ok2)
	}
	for _, other := range []struct {
		district string
		year     int
		number   string
	}{{"15002000", 2026, "B-7"}, {"15001000", 2027, "B-7"}, {"15001000", 2026, "B-8"}} {
		if k, _ := Key(other.district, other.year, other.number); k == k1 {
			t.Errorf("Key%v = %d, the key of B-7 in 15001000 2026", other, k)
		}
	}
	if _, ok := Key("15001000", 2026, "\u2003 "); ok {
		t.Error("a number of spaces has a key")
	}
}

func BenchmarkKey(b *testing.B) {
	for range b.N {
		Key("15001000", 2026, "RE-2026-00417")
	}
}
