package rules_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"grantpipe/pipeline/rules"
	"grantpipe/queries"
)

var update = flag.Bool("update", false, "rewrite functions.txt from DuckDB's catalog, less the refused functions")

// parseTree returns DuckDB's parse tree of query, the way validate asks
// for it.
func parseTree(t testing.TB, db *sql.DB, query string) []byte {
	t.Helper()
	q, err := fs.ReadFile(queries.FS, "validate/parse_rule.sql")
	if err != nil {
		t.Fatal(err)
	}
	var tree string
	if err := db.QueryRowContext(context.Background(), string(q), query).Scan(&tree); err != nil {
		t.Fatal(err)
	}
	return []byte(tree)
}

func duckDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// columns are the columns every rule returns, for the queries below.
const columns = `SELECT district, year, quarter, submission_id, sheet, cell, row_no`

func TestVet(t *testing.T) {
	db := duckDB(t)
	cases := []struct {
		name, query string
		want        string // "" when the query may run as a rule
	}{
		{"a plain query over a view passes", columns + ` FROM current_receipts WHERE amount > 0`, ""},
		{"a table of the main schema passes", `SELECT * FROM main.cfg_years`, ""},
		{"names are matched whatever their case", `SELECT * FROM "CFG_Years" JOIN Current_Submissions ON true`, ""},
		{"a CTE passes under its own name", `WITH job_runs AS (SELECT 1 AS x) SELECT * FROM job_runs`, ""},
		{"a later CTE sees an earlier one", `WITH a AS (SELECT 1 AS x), b AS (SELECT * FROM a) SELECT * FROM b`, ""},
		{"a subquery sees the CTEs around it", `WITH a AS (SELECT 1 AS x) SELECT * FROM cfg_years WHERE EXISTS (SELECT * FROM a)`, ""},
		{"a recursive CTE sees itself in its recursive part",
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT * FROM n`, ""},
		{"window functions, lambdas and AT TIME ZONE pass",
			`SELECT row_number() OVER (PARTITION BY district ORDER BY amount), lag(amount) OVER w,
			        list_transform([1, 2], x -> x + 1), received_at AT TIME ZONE 'Europe/Berlin', current_receipts.*
			 FROM current_receipts WINDOW w AS (ORDER BY row_no) QUALIFY row_number() OVER () < 10`, ""},
		{"range, generate_series and unnest make rows", `SELECT * FROM range(3), generate_series(1, 2), unnest([1, 2])`, ""},
		{"the rest of DuckDB's SELECT passes",
			`SELECT DISTINCT ON (r.district) r.district, s.*, l.x, COLUMNS('amount.*'), * EXCLUDE (row_no),
			        CAST(r.amount AS DECIMAL(9, 2)), 'x'::ENUM('x', 'y'), {'a': [1]}, [x FOR x IN [1, 2] IF x > 1], (1, 2),
			        r.amount BETWEEN 1 AND 2, r.category IN ('PERS', 'REISE'), r.payee ILIKE '%gmbh%' COLLATE nocase,
			        CASE WHEN r.amount > 0 THEN 'positive' ELSE 'not' END, TRY_CAST(r.receipt_no AS INTEGER), #1,
			        sum(r.amount) FILTER (WHERE r.amount > 0) OVER (PARTITION BY r.district ORDER BY r.row_no ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
			 FROM current_receipts r
			 ASOF JOIN current_submissions s ON s.id = r.submission_id AND s.received_at >= r.received_at
			 POSITIONAL JOIN cfg_years y, LATERAL (SELECT r.amount AS x) l, (VALUES (1, 2)) v(a, b)
			 USING SAMPLE 10%
			 ORDER BY ALL LIMIT 10 OFFSET 1`, ""},
		{"grouping sets, set operations and pivots pass",
			`SELECT district, year, sum(amount) FROM eligible_receipts GROUP BY GROUPING SETS ((district), (year), ())
			 UNION ALL BY NAME SELECT ags AS district, year, amount FROM cfg_plan
			 EXCEPT SELECT * FROM (PIVOT cfg_plan ON category IN ('PERS', 'REISE') USING sum(amount) GROUP BY ags, year) p
			 INTERSECT SELECT * FROM (UNPIVOT cfg_years ON state_budget, district_cap INTO NAME k VALUE v)`, ""},
		{"a string may say anything", `SELECT 'x; DROP TABLE job_runs; read_text(''/etc/passwd'')' AS note FROM cfg_years`, ""},

		{"another table is refused", `SELECT * FROM job_runs`, "reads job_runs, which is not one of the programme's tables"},
		{"a table of another schema is refused", `SELECT * FROM information_schema.tables`, "reads information_schema.tables"},
		{"a CTE's name inside its own body is the table", `WITH job_runs AS (SELECT * FROM job_runs) SELECT * FROM job_runs`, "reads job_runs"},
		{"a CTE's name before it is defined is the table", `WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a`, "reads b,"},
		{"a CTE of a subquery is not in scope outside it", `SELECT * FROM (WITH b AS (SELECT 1) SELECT * FROM b) s, b`, "reads b,"},
		{"the first part of a recursive CTE does not see it",
			`WITH RECURSIVE job_runs AS (SELECT * FROM job_runs UNION ALL SELECT * FROM job_runs) SELECT 1`, "reads job_runs"},
		{"a qualified name is never a CTE", `WITH job_runs AS (SELECT 1) SELECT * FROM main.job_runs`, "reads main.job_runs"},
		{"a file as a table is refused", `SELECT * FROM '/etc/passwd'`, "reads a file (/etc/passwd), rules may only read the programme's tables"},
		{"read_text is refused", `SELECT * FROM read_text('/etc/passwd')`, "reads a file (read_text), rules may only read the programme's tables"},
		{"read_csv deep in a CTE is refused", `WITH a AS (SELECT (SELECT count(*) FROM read_csv('/etc/passwd')) AS n) SELECT * FROM a`, "reads a file (read_csv)"},
		{"a table read in a table function's argument is refused", `SELECT * FROM unnest((SELECT list(error) FROM job_runs))`, "reads job_runs"},
		{"a table read in a window's frame is refused",
			`SELECT sum(amount) OVER (ORDER BY row_no ROWS BETWEEN (SELECT count(*) FROM job_runs) PRECEDING AND CURRENT ROW) FROM current_receipts`, "reads job_runs"},
		{"glob is refused", `SELECT * FROM glob('/etc/*')`, "lists files (glob)"},
		{"query is refused", `SELECT * FROM query('SELECT * FROM job_runs')`, "runs another query (query)"},
		{"DuckDB's catalog is refused", `SELECT * FROM duckdb_settings()`, "reads DuckDB's internals (duckdb_settings)"},
		{"an unknown table function is refused", `SELECT * FROM json_each('{}')`, "calls the table function json_each; of the table functions, rules may use only range"},
		{"a file reader as a scalar is refused", `SELECT read_text('/etc/passwd')`, "reads a file (read_text)"},
		{"getenv is refused", `SELECT getenv('HOME')`, "reads the environment or DuckDB's settings (getenv)"},
		{"settings are refused", `SELECT current_setting('temp_directory')`, "reads the environment or DuckDB's settings (current_setting)"},
		{"a sequence is refused", `SELECT nextval('validation_run_id')`, "changes the database or the session (nextval)"},
		{"the clock is refused", `SELECT now()`, "reads the clock (now); a rule looks from the run's day"},
		{"age from today is refused", `SELECT age(received_at) FROM current_submissions`, "reads the clock (age)"},
		{"age between two days passes", `SELECT age(received_at, ingested_at) FROM current_submissions`, ""},
		{"the clock as a column is refused", `SELECT current_date FROM cfg_years`, "reads the clock (current_date)"},
		{"an unknown function is refused", `SELECT no_such_function(1)`, "calls no_such_function, which is not among the functions a rule may call"},
		{"a function of another schema is refused", `SELECT pg_catalog.lower('x')`, "with a schema or catalog (pg_catalog)"},
		{"SUMMARIZE is refused", `SELECT * FROM (SUMMARIZE job_runs)`, "uses SHOW_REF, which a rule may not"},
		{"a parameter is refused", `SELECT * FROM cfg_years WHERE year = $1`, "uses a parameter"},
		{"COPY is refused", `COPY (SELECT 1) TO '/tmp/x'`, "one SELECT statement only"},
		{"a second statement is refused", `SELECT 1; SELECT 2`, "one SELECT statement only: the file holds 2"},
		{"a second statement after a quote in a comment is refused", "SELECT 1 /* it's */; DROP TABLE job_runs", "one SELECT statement only"},
		{"a PIVOT without IN is two statements", `SELECT * FROM (PIVOT cfg_plan ON category USING sum(amount))`, "or a PIVOT without IN"},
		{"a syntax error is refused", `SELEC 1`, "the query does not parse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rules.Rule{Source: "X.sql", SQL: c.query}
			err := r.Vet(parseTree(t, db, c.query))
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && err == nil:
				t.Errorf("passed, want an error containing %q", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Errorf("error %q, want one containing %q", err, c.want)
			case c.want != "" && !strings.HasPrefix(err.Error(), "rule X.sql: "):
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestVetNamesEveryProblemInTheOrderOfTheQuery(t *testing.T) {
	db := duckDB(t)
	q := `SELECT getenv('HOME'), content FROM read_text('/etc/passwd'), job_runs`
	err := rules.Rule{Source: "X.sql", SQL: q}.Vet(parseTree(t, db, q))
	if err == nil {
		t.Fatal("passed")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "getenv") || !strings.Contains(lines[1], "read_text") || !strings.Contains(lines[2], "job_runs") {
		t.Errorf("error:\n%v\nwant getenv, read_text, job_runs, one a line", err)
	}
}

// TestEveryBuiltInRulePasses: the built-in rules are what a rule may do.
func TestEveryBuiltInRulePasses(t *testing.T) {
	db := duckDB(t)
	rs, err := rules.Load(queries.FS, "rules")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if err := r.Vet(parseTree(t, db, r.SQL)); err != nil {
			t.Error(err)
		}
	}
}

// binderFunctions are called by name but bound by DuckDB's binder, not
// listed in its catalog.
var binderFunctions = []string{"unnest", "unlist"}

// TestFunctionListCoversDuckDB: every function of DuckDB's catalog is
// either on the list rules may call or refused with a reason, never both;
// and every name on the list is one DuckDB has. When DuckDB is upgraded, this
// lists its new functions: refuse those that reach outside the programme's
// tables (in vet.go), then run with -update to allow the rest.
func TestFunctionListCoversDuckDB(t *testing.T) {
	db := duckDB(t)
	rows, err := db.Query(`SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate', 'macro') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var catalog []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		catalog = append(catalog, name)
	}
	rows.Close()
	if *update {
		writeFunctionList(t, catalog)
	}
	var unreviewed []string
	for _, name := range catalog {
		allowed, reason := rules.Callable(name), rules.Refusal(name)
		switch {
		case allowed && reason != "":
			t.Errorf("%s is both callable and refused (%s)", name, reason)
		case !allowed && reason == "":
			unreviewed = append(unreviewed, name)
		}
	}
	if len(unreviewed) > 0 {
		t.Errorf("DuckDB has functions that are neither callable nor refused: %s\n"+
			"refuse in vet.go those that reach outside the programme's tables, then run with -update", strings.Join(unreviewed, " "))
	}
	b, err := os.ReadFile("functions.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		name := strings.TrimSpace(line)
		if name == "" || strings.HasPrefix(name, "#") || slices.Contains(binderFunctions, name) {
			continue
		}
		if _, found := slices.BinarySearch(catalog, name); !found {
			t.Errorf("functions.txt lists %s, which DuckDB does not have", name)
		}
	}
}

func writeFunctionList(t *testing.T, catalog []string) {
	var b strings.Builder
	b.WriteString(`# The functions a rule may call: DuckDB's scalar, aggregate and window
# functions and macros, less those vet.go refuses (they read files, the
# environment, DuckDB's internals or the clock, or change something). One
# name a line, lower case.
# Written by go test ./pipeline/rules -run TestFunctionListCoversDuckDB -update
# from the catalog of the DuckDB in use: review the diff.
`)
	fmt.Fprintf(&b, "\n# bound by DuckDB's binder rather than listed in its catalog\n%s\n\n# the catalog\n", strings.Join(binderFunctions, "\n"))
	var names []string
	for _, name := range catalog {
		if rules.Refusal(name) == "" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	b.WriteString(strings.Join(names, "\n"))
	b.WriteString("\n")
	if err := os.WriteFile("functions.txt", []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
