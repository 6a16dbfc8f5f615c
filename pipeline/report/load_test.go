package report_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/report"
	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

func TestLoadTellsNoRunYetFromAFailingQuery(t *testing.T) {
	ctx := context.Background()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "g.duckdb"), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a database without a validation run says so", func(t *testing.T) {
		_, err := report.Load(ctx, st, p, report.Period{Year: 2026, Quarter: 2}, "de")
		if !errors.Is(err, store.ErrNoValidation) {
			t.Fatalf("error %v, want store.ErrNoValidation", err)
		}
		if got, want := err.Error(), "report 2026-Q2: no validation run yet"; got != want {
			t.Errorf("error %q, want %q", got, want)
		}
	})
	t.Run("a query that fails is not called no run yet", func(t *testing.T) {
		st.Close()
		_, err := report.Load(ctx, st, p, report.Period{Year: 2026}, "de")
		if err == nil || errors.Is(err, store.ErrNoValidation) {
			t.Fatalf("error %v, want the query's own", err)
		}
		if !strings.HasPrefix(err.Error(), "report 2026: latest validation run: ") || strings.Count(err.Error(), "report") != 1 {
			t.Errorf("error %q, want one prefix for the report and one for the query", err)
		}
	})
}

// The annual figures and the Belegliste come from two queries (the grant
// computation, and the receipts with their eligibility); read as money,
// the eligible receipts add up to the eligible costs to the cent.
func TestTheEligibleReceiptsAddUpToTheEligibleCosts(t *testing.T) {
	s := submit(t, nil)
	if err := report.LoadReceipts(context.Background(), s.st, s.d, s.dist); err != nil {
		t.Fatal(err)
	}
	var sum money.Cents
	n := 0
	for _, r := range s.dist.Receipts {
		if r.Eligible && r.Amount != nil {
			sum += *r.Amount
			n++
		}
	}
	if n == 0 || sum != s.dist.Figures.Eligible {
		t.Errorf("%d eligible receipts add up to %s, the eligible costs are %s", n, sum, s.dist.Figures.Eligible)
	}
}

func TestPeriodsAreTheQuartersWithDataThenTheirYear(t *testing.T) {
	s := submit(t, nil)
	got, err := report.Periods(context.Background(), s.st)
	if err != nil {
		t.Fatal(err)
	}
	if want := []report.Period{{Year: 2026, Quarter: 1}, {Year: 2026}}; !slices.Equal(got, want) {
		t.Errorf("periods %v, want %v", got, want)
	}
}

// A quarter the district has not sent has no Belegliste, and its year still
// has the receipts of the quarters sent. (Asked of DuckDB for a quarter
// without a submission, the receipts query read every receipt in the
// database; LoadReceipts asks only when the district's sources name a
// current file.)
func TestAQuarterNotSentLoadsNoReceipts(t *testing.T) {
	s := submit(t, nil)
	ctx := context.Background()
	p, err := programme.Default()
	if err != nil {
		t.Fatal(err)
	}
	q2, err := report.Load(ctx, s.st, p, report.Period{Year: s.d.Period.Year, Quarter: 2}, "de")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(q2.Districts, func(d report.District) bool { return d.AGS == s.dist.AGS })
	if i < 0 {
		t.Fatalf("district %s not in the Q2 report", s.dist.AGS)
	}
	dist := &q2.Districts[i]
	if err := report.LoadReceipts(ctx, s.st, q2, dist); err != nil {
		t.Fatal(err)
	}
	if len(dist.Receipts) != 0 {
		t.Errorf("Q2, not sent: %d receipts, want none", len(dist.Receipts))
	}
	if err := report.LoadReceipts(ctx, s.st, s.d, s.dist); err != nil {
		t.Fatal(err)
	}
	if len(s.dist.Receipts) == 0 {
		t.Error("the year: no receipts, want those of Q1")
	}
}
