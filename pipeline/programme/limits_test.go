package programme

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

var deepBelowAYear = "[[budget_year]]\nyear = 2027\n\n[budget_year.deadlines]\nq1 = " + strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000) + "\n"

// TestLoadRefusesDeepNestingQuickly: 10,000 levels of inline tables (the
// 55 KB file that took more than 4 GB), arrays, dotted keys and table
// headers are refused before the TOML library sees them, in a few
// kilobytes and milliseconds, naming the file, the line and the limit.
func TestLoadRefusesDeepNestingQuickly(t *testing.T) {
	const n = 10_000
	cases := map[string]string{
		"inline tables in one another are refused":   "x = " + strings.Repeat("{ a = ", n) + "1" + strings.Repeat(" }", n) + "\n",
		"arrays in one another are refused":          "x = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n",
		"arrays of inline tables are refused":        "x = " + strings.Repeat("[{a=", n) + "1" + strings.Repeat("}]", n) + "\n",
		"a dotted key is refused":                    strings.Repeat("a.", n) + "a = 1\n",
		"a table header is refused":                  "[" + strings.Repeat("a.", n) + "a]\nx = 1\n",
		"an array of tables is refused":              "[[" + strings.Repeat("a.", n) + "a]]\nx = 1\n",
		"deep nesting below a valid year is refused": deepBelowAYear,
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			b := []byte(data)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Load(b, "deep.toml")
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v, want a *ValidationError", err)
			}
			if !strings.HasPrefix(err.Error(), "deep.toml:") || !strings.Contains(err.Error(), fmt.Sprintf("more than the %d a configuration may have", MaxDepth)) {
				t.Errorf("error %q names neither the file nor the limit", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("allocated %d bytes for a %d-byte file", alloc, len(b))
			}
			if elapsed > time.Second {
				t.Errorf("took %v", elapsed)
			}
		})
	}
	t.Run("the line is the one the nesting goes too deep in", func(t *testing.T) {
		_, err := Load([]byte(deepBelowAYear), "deep.toml")
		if err == nil || !strings.HasPrefix(err.Error(), "deep.toml:5: tables, arrays and dotted keys nested 11 deep") {
			t.Errorf("error %v", err)
		}
	})
}

func TestNestingUpToTheLimitIsNotRefused(t *testing.T) {
	for depth := 1; depth <= MaxDepth+1; depth++ {
		// x sits at depth 1, and each array one deeper.
		data := "x = " + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + "\n"
		p := checkLimits([]byte(data))
		if refused := p != nil; refused != (depth > MaxDepth) {
			t.Errorf("depth %d: refused %v (%v)", depth, refused, p)
		}
	}
}

// TestNestingIsCountedOutsideStringsAndComments: brackets and dots in
// strings, quoted keys and comments do not nest anything.
func TestNestingIsCountedOutsideStringsAndComments(t *testing.T) {
	deep := strings.Repeat("[{.", 20)
	cases := map[string]string{
		"a basic string":            `x = "` + deep + `\"` + deep + `"`,
		"a literal string":          `x = '` + deep + `\'`,
		"a multi-line basic string": "x = \"\"\"\n" + deep + "\\\"\"\"\n" + deep + "\"\"\"\"\"",
		"a multi-line literal":      "x = '''\n" + deep + "\n'''",
		"a comment":                 "x = 1 # " + deep + "\n# " + deep,
		"a quoted key":              `"` + deep + `" = 1` + "\n'" + deep + "' = 2",
		"a table named in quotes":   `["` + deep + `"]` + "\nx = 1",
	}
	tooDeep := "\ny = " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "\n"
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if p := checkLimits([]byte(data + "\ny = [[1]]\n")); p != nil {
				t.Errorf("refused: %v", p)
			}
			// The string or comment ends where TOML ends it: what follows counts.
			if p := checkLimits([]byte(data + tooDeep)); p == nil || p.Line != strings.Count(data, "\n")+2 {
				t.Errorf("nesting after it: %v, want it refused on line %d", p, strings.Count(data, "\n")+2)
			}
		})
	}
}

// TestEveryConfigurationWeShipLoads: the default configuration, the test
// configurations, 400 districts and every table written inline are well
// within the limits.
func TestEveryConfigurationWeShipLoads(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(files, filepath.Join("..", "..", "templates", "programme.toml")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if p := checkLimits(b); p != nil {
			t.Errorf("%s: %v", f, p)
		}
	}
	if _, err := Default(); err != nil {
		t.Error(err)
	}

	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	y := p.Years[0]
	base := y.Districts
	y.Districts = nil
	y.StateBudget = 0
	for i := range 400 {
		d := base[i%len(base)]
		d.AGS = fmt.Sprintf("%05d", 20000+i)
		d.Name = fmt.Sprintf("Kreis %d", i)
		y.Districts = append(y.Districts, d)
		y.StateBudget += d.Approved
	}
	var buf bytes.Buffer
	if err := p.WriteTOML(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(buf.Bytes(), "400.toml"); err != nil {
		t.Errorf("400 districts (%d bytes): %v", buf.Len(), err)
	}

	inline := `base_rate = [ { valid_from = 2027-01-01, rate_pct = -0.88 } ]` + "\n" + `budget_year = [ { year = 2027, state_budget_eur = "100000.00", district_cap_eur = 50000, max_coordinators = 2, ` +
		`funding_rate_pct = "90", line_tolerance_pct = 20, spending_window_days = 60, interest_points_above_base = 5, ` +
		`underspending_pct = 50, deadlines = { q1 = 2027-04-15 }, ` +
		`category = [ { code = "PERS", name_de = "Personalkosten", name_en = "Staff costs", staff = true } ], ` +
		`activity_type = [ { code = "BERATUNG", name_de = "Beratung", name_en = "Counselling" } ], ` +
		`district = [ { ags = 15083, name = "Börde", kind = "Landkreis", population = 170_984, file_number = "LVwA 506.2-15083/2027", ` +
		`approved_eur = 40000.00, plan_total_eur = 50000.00, plan_eur = { PERS = 50000.00 }, ` +
		`payouts = [ { date = 2027-01-04, amount_eur = 20000.00, reference = "a.b.c.d.e.f.g.h.i.j.k" } ] } ] } ]` + "\n"
	if _, err := Load([]byte(inline), "inline.toml"); err != nil {
		t.Errorf("every table inline: %v", err)
	}
}

func TestLoadRefusesAFileAboveTheSizeLimit(t *testing.T) {
	want := fmt.Sprintf("larger than %d MiB (%d bytes), the most a configuration may have", MaxFileSize>>20, MaxFileSize)
	big := bytes.Repeat([]byte("# comment\n"), MaxFileSize/10+1)
	if _, err := Load(big, "big.toml"); err == nil || !strings.HasPrefix(err.Error(), "big.toml: the file is "+want) {
		t.Errorf("Load: %v", err)
	}
	path := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(path, append(big, big...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path); err == nil || !strings.HasPrefix(err.Error(), path+": the file is "+want) {
		t.Errorf("LoadFile: %v", err)
	}
	if _, err := Load(big[:MaxFileSize], "big.toml"); err == nil || strings.Contains(err.Error(), "larger than") {
		t.Errorf("a file of exactly %d bytes: %v, want the library's complaint of no budget year", MaxFileSize, err)
	}
}
