package demo_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"grantpipe/pipeline/demo"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/submission"
)

// TestDemoIncome: three districts report income, one refund among it, and
// it reads back without a finding, so the reports have income to show.
func TestDemoIncome(t *testing.T) {
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	y, _ := p.Year(demo.Year)
	cat, err := messages.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, _, err := demo.Write(y, cat, func(string) string { return dir })
	if err != nil {
		t.Fatal(err)
	}
	income := map[string]money.Cents{}
	refunds := 0
	var findings []string
	for _, f := range files {
		sub, err := submission.Read(f.Path, submission.Options{Programme: p})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range sub.Income {
			if in.Amount == nil || in.Type == "" || in.Date == nil {
				t.Errorf("%s row %d: income read as %+v", f.Path, in.Row, in)
				continue
			}
			income[f.District] += *in.Amount
			if *in.Amount < 0 {
				refunds++
			}
		}
		for _, fd := range sub.Findings {
			if fd.Sheet == "Einnahmen" {
				findings = append(findings, fd.Cell+" "+fd.Key)
			}
		}
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"Halle (Saale) received 360.00 + 3,500.00 + 240.00", income["15002"], money.Cents(410000)},
		{"Harz received 2,000.00 + 185.00 and refunded 250.00", income["15085"], money.Cents(193500)},
		{"Wittenberg received 150.00 + 1,800.00", income["15091"], money.Cents(195000)},
		{"only these three districts report income", len(income), 3},
		{"one line is a refund", refunds, 1},
		{"the Einnahmen sheets read without a finding", findings, []string(nil)},
	}
	for _, d := range []string{"15002", "15085", "15091"} {
		dist, _ := y.District(d)
		tests = append(tests, struct {
			name      string
			got, want any
		}{dist.Name + " plans 5,000.00 of income, more than it received", dist.PlannedIncome > income[d], true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
