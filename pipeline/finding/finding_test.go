package finding

import "testing"

func TestSeveritiesAreOrderedAndParsed(t *testing.T) {
	if !(Error.Rank() > Warning.Rank() && Warning.Rank() > Info.Rank() && Info.Rank() > Severity("x").Rank()) {
		t.Error("ranks out of order")
	}
	for _, s := range Severities {
		if got, err := Parse(string(s)); err != nil || got != s {
			t.Errorf("Parse(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := Parse("fatal"); err == nil {
		t.Error("Parse(fatal) accepted")
	}
}
