package validate_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/validate"
	"grantpipe/queries"
)

// Where the attacks under testdata/unsafe_rules would write, had they run.
var attackFiles = []string{"/tmp/grantpipe_rule_attack.csv", "/tmp/grantpipe_rule_attack.db"}

// TestRulesThatReachOutsideAreRefused: each file under testdata/unsafe_rules
// tries something a rule may not do. New refuses it at start-up naming the
// file and what it tried; Run of a Validator not made by New (a literal, as
// long as callers still write one) refuses it too before anything runs. Afterwards the database is as it was: job_runs is there,
// nothing was created or dropped, no sequence moved and no file was written.
func TestRulesThatReachOutsideAreRefused(t *testing.T) {
	const dir = "testdata/unsafe_rules"
	cases := map[string]string{
		"HIDDEN_STATEMENT.sql": "one SELECT statement only",
		"COPY_OUT.sql":         "one SELECT statement only",
		"CREATE_TABLE.sql":     "one SELECT statement only",
		"DROP_TABLE.sql":       "one SELECT statement only",
		"ATTACH.sql":           "one SELECT statement only",
		"INSTALL.sql":          "one SELECT statement only",
		"LOAD.sql":             "one SELECT statement only",
		"SET.sql":              "one SELECT statement only",
		"PRAGMA.sql":           "one SELECT statement only",
		"READ_TEXT.sql":        "reads a file (read_text), rules may only read the programme's tables",
		"READ_CSV.sql":         "reads a file (read_csv), rules may only read the programme's tables",
		"DEEP_READ.sql":        "reads a file (read_blob), rules may only read the programme's tables",
		"FILE_AS_TABLE.sql":    "reads a file (/etc/passwd), rules may only read the programme's tables",
		"GLOB.sql":             "lists files (glob), rules may only read the programme's tables",
		"GETENV.sql":           "reads the environment or DuckDB's settings (getenv), rules may only read the programme's tables",
		"QUERY_FUNCTION.sql":   "runs another query (query), rules may only read the programme's tables",
		"SETTINGS.sql":         "reads DuckDB's internals (duckdb_settings), rules may only read the programme's tables",
		"CHECKPOINT.sql":       "changes the database or the session (checkpoint), rules may only read the programme's tables",
		"NEXTVAL.sql":          "changes the database or the session (nextval), rules may only read the programme's tables",
		"OTHER_TABLE.sql":      "reads job_runs, which is not one of the programme's tables",
		"CTE_SHADOW.sql":       "reads job_runs, which is not one of the programme's tables",
		"SUMMARIZE.sql":        "uses SHOW_REF, which a rule may not",
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(cases) {
		t.Errorf("%d files under %s, %d cases", len(files), dir, len(cases))
	}
	for _, f := range attackFiles {
		os.Remove(f)
	}
	builtin, err := rules.Load(queries.FS, "rules")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, nil)
	w.put(t, "15083", 1, nil)
	w.ingest(t)
	ctx := context.Background()
	for _, q := range []string{`CREATE TABLE x (a INTEGER)`, `INSERT INTO job_runs (id, job, trigger, started_at, outcome) VALUES (1, 'ingest', 'manual', TIMESTAMP '2026-04-08 10:00:00', 'ok')`} {
		if _, err := w.st.Raw().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	before := databaseState(t, w.st.Raw())

	for name, want := range cases {
		t.Run(strings.TrimSuffix(name, ".sql")+" is refused naming the file", func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			source := dir + "/" + name
			r, err := rules.Parse(source, src)
			if err != nil {
				t.Fatal(err)
			}
			all, err := rules.Merge(builtin, []rules.Rule{r})
			if err != nil {
				t.Fatal(err)
			}
			want = "rule " + source + ": " + want
			if _, err := validate.New(ctx, w.st, w.p, all); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("New: %v\nwant an error containing %q", err, want)
			}
		})
	}

	if after := databaseState(t, w.st.Raw()); after != before {
		t.Errorf("the database changed:\nbefore %s\nafter  %s", before, after)
	}
	for _, f := range attackFiles {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s was written", f)
		}
	}
	var runs int
	if err := w.st.Raw().QueryRowContext(ctx, `SELECT count(*) FROM job_runs`).Scan(&runs); err != nil || runs != 1 {
		t.Errorf("job_runs: %d rows, %v; want the one row", runs, err)
	}
}

// databaseState sums up what the attacks would change: the tables and
// views, the sequences' last values, the settings a rule could SET, and the
// validation runs stored.
func databaseState(t *testing.T, db *sql.DB) string {
	t.Helper()
	var s string
	q := `SELECT (SELECT string_agg(table_name, ',' ORDER BY table_name) FROM duckdb_tables()) || ' | ' ||
	             (SELECT string_agg(view_name, ',' ORDER BY view_name) FROM duckdb_views() WHERE NOT internal) || ' | ' ||
	             (SELECT string_agg(sequence_name || '=' || coalesce(CAST(last_value AS VARCHAR), '-'), ',' ORDER BY sequence_name) FROM duckdb_sequences()) || ' | ' ||
	             (SELECT string_agg(name || '=' || value, ',' ORDER BY name) FROM duckdb_settings() WHERE name IN ('threads', 'enable_external_access')) || ' | ' ||
	             (SELECT CAST(count(*) AS VARCHAR) FROM validation_runs) || ' runs'`
	if err := db.QueryRow(q).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRulesThatOnlyLookLikeAttacksRun: quotes and semicolons in comments and
// strings, CTEs (recursive too), window functions, range, generate_series
// and unnest, a query ending in a comment; with every built-in rule.
func TestRulesThatOnlyLookLikeAttacksRun(t *testing.T) {
	builtin, err := rules.Load(queries.FS, "rules")
	if err != nil {
		t.Fatal(err)
	}
	extra, err := rules.Load(os.DirFS("testdata/safe_rules"), ".")
	if err != nil {
		t.Fatal(err)
	}
	all, err := rules.Merge(builtin, extra)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, nil)
	w.put(t, "15083", 1, nil)
	w.ingest(t)
	ctx := context.Background()
	v, err := validate.New(ctx, w.st, w.p, all)
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Run(ctx, validate.Options{AsOf: time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, f := range res.Findings {
		got[f.Rule] = append(got[f.Rule], f.Cell+" "+f.Message["en"])
	}
	// Börde's first quarter has one travel receipt, of 89.40 in G4; its
	// largest payment is the salary in G2.
	want := map[string][]string{
		"QUOTE_IN_COMMENT":  {"G4 Travel costs of EUR 89.40."},
		"LITERAL_SEMICOLON": {"G4 Hinweis; DROP TABLE job_runs; read_text('/etc/passwd')"},
		"TRAILING_COMMENT":  {"G4 Receipt."},
		"MADE_ROWS":         nil,
	}
	for rule, w := range want {
		if strings.Join(got[rule], "\n") != strings.Join(w, "\n") {
			t.Errorf("%s found %q, want %q", rule, got[rule], w)
		}
	}
	if len(got["CTE_WINDOW"]) != 1 {
		t.Errorf("CTE_WINDOW found %q, want the quarter's largest payment", got["CTE_WINDOW"])
	}
}

func TestNewRefusesWhatItCannotRunWith(t *testing.T) {
	w := newWorld(t, nil)
	ctx := context.Background()
	for name, c := range map[string]struct {
		st   *store.Store
		p    *programme.Programme
		opts []validate.Option
		want string
	}{
		"no store":     {nil, w.p, nil, "validate: no store"},
		"no programme": {w.st, nil, nil, "validate: no programme"},
		"no clock":     {w.st, w.p, []validate.Option{validate.WithClock(nil)}, "validate: no clock"},
	} {
		if _, err := validate.New(ctx, c.st, c.p, nil, c.opts...); err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
