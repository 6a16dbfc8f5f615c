package rules

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

// What a rule may do is decided on DuckDB's own parse tree of its query (the
// JSON that json_serialize_sql returns), never on the text: a rule is one
// SELECT statement that reads only the programme's tables and views (Tables),
// makes rows only with range, generate_series and unnest (TableFunctions), and
// calls only the functions listed in functions.txt.
//
// Every list is an allowlist. DuckDB grows new ways to reach outside with
// every release (table functions that read files or run other queries,
// replacement scans that turn FROM 'x.csv' into a file read, scalar
// functions such as write_log); an allowlist turns each of them into a
// refusal until someone has looked at it, where a denylist would let them
// through. The refusals below only give the messages their words.

// Tables are the tables and views a rule may read: the programme's
// configuration (rewritten at the start of every run), the submissions and
// what was read from them, and the run's own working tables.
var Tables = []string{
	"cfg_years", "cfg_deadlines", "cfg_categories", "cfg_districts", "cfg_plan", "cfg_payouts",
	"submissions", "current_submissions", "open_rejections", "current_receipts", "coordinators", "coordinator_days", "activities", "submission_findings", "shared_claims",
	"run_context", "eligible_receipts", "eligible_sums", "period_spending", "all_payouts", "payout_coverage", "run_payout_coverage",
	"income", "current_income", "counted_income", "year_status", "run_interest_periods", "income_sums", "run_year_status",
}

// TableFunctions are the table functions a rule may call: they make rows
// from their arguments alone.
var TableFunctions = []string{"range", "generate_series", "unnest"}

// functionList is the reviewed list of scalar, aggregate and window functions
// and macros a rule may call.
//
//go:embed functions.txt
var functionList string

// callable parses functionList once.
var callable = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(functionList))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			names[line] = true
		}
	}
	return names
})

// Callable reports whether a rule may call the scalar, aggregate or window
// function name.
func Callable(name string) bool {
	return callable()[strings.ToLower(name)]
}

// Refusal says what calling the function name would do that a rule may not,
// for the functions DuckDB has that reach outside the programme's tables or
// change something; "" for any other function.
func Refusal(name string) string {
	name = strings.ToLower(name)
	for _, r := range refusals {
		if slices.Contains(r.names, name) {
			return r.reason
		}
	}
	for _, r := range refusals {
		for _, p := range r.prefixes {
			if strings.HasPrefix(name, p) {
				return r.reason
			}
		}
	}
	return ""
}

// What refused functions do, in the words of the messages.
const (
	readsFile      = "reads a file"
	listsFiles     = "lists files"
	runsQuery      = "runs another query"
	readsSettings  = "reads the environment or DuckDB's settings"
	readsInternals = "reads DuckDB's internals"
	changesState   = "changes the database or the session"
	readsClock     = "reads the clock"
	isRandom       = "is random"
	waits          = "waits"
	stopsRun       = "stops the run"
)

var refusals = []struct {
	reason   string
	names    []string
	prefixes []string
}{
	{readsFile, []string{"read_blob", "read_text", "read_duckdb", "sniff_csv", "arrow_scan", "arrow_scan_dumb"}, []string{"read_", "parquet_"}},
	{listsFiles, []string{"glob"}, nil},
	{runsQuery, []string{"query", "query_table", "json_execute_serialized_sql", "json_serialize_plan", "json_serialize_sql",
		"json_deserialize_sql", "sql_auto_complete", "check_peg_parser"}, nil},
	{readsSettings, []string{"getenv", "current_setting", "getvariable"}, nil},
	{readsInternals, []string{"current_database", "current_catalog", "current_schema", "current_schemas", "in_search_path",
		"current_user", "current_role", "session_user", "user", "current_query", "current_query_id", "current_connection_id",
		"current_transaction_id", "txid_current", "version", "stats", "get_block_size", "col_description", "obj_description",
		"shobj_description", "format_pg_type", "format_type", "map_to_pg_oid", "which_secret", "currval", "summary",
		"test_all_types", "test_vector_types", "icu_calendar_names", "seq_scan"},
		[]string{"duckdb_", "pragma_", "pg_", "has_", "inet_", "__internal"}},
	{changesState, []string{"nextval", "setseed", "write_log", "checkpoint", "force_checkpoint", "enable_logging",
		"disable_logging", "truncate_duckdb_logs", "enable_profiling", "disable_profiling", "enable_peg_parser",
		"disable_peg_parser"}, nil},
	{readsClock, []string{"now", "today", "current_date", "ago", "get_current_time", "get_current_timestamp",
		"transaction_timestamp", "current_localtime", "current_localtimestamp"}, nil},
	{isRandom, []string{"random", "uuid", "gen_random_uuid", "uuidv4", "uuidv7"}, nil},
	{waits, []string{"sleep_ms", "pg_sleep"}, nil},
	{stopsRun, []string{"error"}, nil},
}

// clockColumns are the names DuckDB reads as the clock when no column of
// that name exists: current_date is a column reference in its parse tree.
var clockColumns = map[string]bool{
	"current_date": true, "current_time": true, "current_timestamp": true, "localtime": true, "localtimestamp": true,
}

// onlyTables ends the messages of everything that reaches outside.
const onlyTables = "rules may only read the programme's tables"

// Vet checks the rule against what a rule may do, on tree: the JSON that
// DuckDB's json_serialize_sql returns for the rule's query. Each thing the
// query may not do is one line of the error, in the order of the query, each
// naming the rule's file:
//
//	rule my.sql: reads a file (read_text), rules may only read the programme's tables
func (r Rule) Vet(tree []byte) error {
	var t struct {
		Error        bool   `json:"error"`
		ErrorType    string `json:"error_type"`
		ErrorMessage string `json:"error_message"`
		Statements   []any  `json:"statements"`
	}
	if err := json.Unmarshal(tree, &t); err != nil {
		return fmt.Errorf("rule %s: DuckDB's parse tree of the query is not JSON: %v", r.Source, err)
	}
	switch {
	case t.Error && t.ErrorType == "parser":
		return fmt.Errorf("rule %s: the query does not parse: %s", r.Source, t.ErrorMessage)
	case t.Error && strings.Contains(t.ErrorMessage, "Only SELECT"):
		return fmt.Errorf("rule %s: one SELECT statement only: the file holds another kind of statement "+
			"(COPY, CREATE, DROP, INSERT, SET, ATTACH, INSTALL, LOAD, PRAGMA …), a second statement, "+
			"or a PIVOT without IN (…), which DuckDB runs as two", r.Source)
	case t.Error:
		return fmt.Errorf("rule %s: DuckDB cannot parse the query: %s", r.Source, t.ErrorMessage)
	case len(t.Statements) == 0:
		return fmt.Errorf("rule %s: the file holds no query", r.Source)
	case len(t.Statements) > 1:
		return fmt.Errorf("rule %s: one SELECT statement only: the file holds %d", r.Source, len(t.Statements))
	}
	w := &walker{}
	w.visit(t.Statements[0], nil, noLocation)
	if len(w.problems) == 0 {
		return nil
	}
	sort.SliceStable(w.problems, func(i, j int) bool { return w.problems[i].at < w.problems[j].at })
	var lines []string
	for _, p := range w.problems {
		line := fmt.Sprintf("rule %s: %s", r.Source, p.text)
		if !slices.Contains(lines, line) {
			lines = append(lines, line)
		}
	}
	return fmt.Errorf("%s", strings.Join(lines, "\n"))
}

// noLocation sorts problems without a place in the query last.
const noLocation = math.MaxFloat64

type problem struct {
	at   float64 // query_location: the offset in the query
	text string
}

// walker visits every object of the parse tree, so that no subtree is left
// unchecked, and knows the kinds of node a SELECT is made of: an object of a
// kind it does not know is a problem, not a pass.
type walker struct {
	problems []problem
}

func (w *walker) fail(at float64, format string, args ...any) {
	w.problems = append(w.problems, problem{at, fmt.Sprintf(format, args...)})
}

// Node kinds, by the "type" of objects that are not expressions.
var (
	queryNodes = map[string]bool{"SELECT_NODE": true, "SET_OPERATION_NODE": true, "RECURSIVE_CTE_NODE": true}
	// Table references other than BASE_TABLE and TABLE_FUNCTION, which are
	// checked; SHOW_REF (DESCRIBE, SUMMARIZE) is not among them.
	plainTableRefs = map[string]bool{"JOIN": true, "SUBQUERY": true, "EXPRESSION_LIST": true, "EMPTY": true, "PIVOT": true}
	modifiers      = map[string]bool{
		"ORDER_MODIFIER": true, "LIMIT_MODIFIER": true, "LIMIT_PERCENT_MODIFIER": true, "DISTINCT_MODIFIER": true,
		"ORDER_DEFAULT": true, "ASCENDING": true, "DESCENDING": true,
	}
	// Expression classes; FUNCTION, WINDOW and COLUMN_REF are checked
	// further, PARAMETER and the rest are refused.
	expressionClasses = map[string]bool{
		"FUNCTION": true, "WINDOW": true, "COLUMN_REF": true, "CASE": true, "CAST": true, "COMPARISON": true,
		"CONJUNCTION": true, "CONSTANT": true, "OPERATOR": true, "STAR": true, "SUBQUERY": true, "BETWEEN": true,
		"COLLATE": true, "LAMBDA": true, "POSITIONAL_REFERENCE": true,
	}
)

// visit checks x and everything below it. ctes are the names of the common
// table expressions in scope, lower case: a table reference by one of these
// names reads the CTE, not a table.
func (w *walker) visit(x any, ctes []string, at float64) {
	switch t := x.(type) {
	case []any:
		for _, e := range t {
			w.visit(e, ctes, at)
		}
	case map[string]any:
		if l, ok := t["query_location"].(float64); ok && l < 1<<62 {
			at = l
		}
		if class, ok := t["class"].(string); ok {
			w.expression(class, t, ctes, at)
			return
		}
		typ, _ := t["type"].(string)
		switch {
		case typ == "":
			// Wrappers: the statement, CTE entries, constant values, samples.
			w.fields(t, ctes, at, nil)
		case queryNodes[typ]:
			w.queryNode(typ, t, ctes, at)
		case typ == "BASE_TABLE":
			w.baseTable(t, ctes, at)
			w.fields(t, ctes, at, nil)
		case typ == "TABLE_FUNCTION":
			w.tableFunction(t, ctes, at)
		case plainTableRefs[typ] || modifiers[typ] || strings.HasSuffix(typ, "_TYPE_INFO"):
			w.fields(t, ctes, at, nil)
		default:
			w.fail(at, "uses %s, which a rule may not (a rule is a plain SELECT over the programme's tables)", typ)
		}
	}
}

// fields visits every field of o but those in skip, in a fixed order so
// that the problems come out the same every time.
func (w *walker) fields(o map[string]any, ctes []string, at float64, skip map[string]bool) {
	keys := make([]string, 0, len(o))
	for k := range o {
		if !skip[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.visit(o[k], ctes, at)
	}
}

// queryNode brings a node's CTEs into scope the way DuckDB's binder does:
// each CTE's body sees the CTEs before it (not itself, not later ones: those
// names read tables), the node's own clauses see them all, and only the
// recursive part of a recursive CTE sees its own name.
func (w *walker) queryNode(typ string, o map[string]any, ctes []string, at float64) {
	inner := ctes
	if m, ok := o["cte_map"]; ok && m != nil {
		cm, _ := m.(map[string]any)
		entries, ok := cm["map"].([]any)
		if !ok {
			w.fail(at, "uses a WITH clause DuckDB describes in a way this check does not know")
			return
		}
		for _, e := range entries {
			entry, _ := e.(map[string]any)
			name, ok := entry["key"].(string)
			if !ok {
				w.fail(at, "uses a WITH clause DuckDB describes in a way this check does not know")
				return
			}
			w.visit(entry["value"], inner, at)
			inner = append(slices.Clip(inner), strings.ToLower(name))
		}
	}
	skip := map[string]bool{"cte_map": true}
	if typ == "RECURSIVE_CTE_NODE" {
		skip["right"] = true
		name, _ := o["cte_name"].(string)
		w.visit(o["right"], append(slices.Clip(inner), strings.ToLower(name)), at)
	}
	w.fields(o, inner, at, skip)
}

func (w *walker) baseTable(o map[string]any, ctes []string, at float64) {
	name, _ := o["table_name"].(string)
	schema, _ := o["schema_name"].(string)
	catalog, _ := o["catalog_name"].(string)
	lname, lschema := strings.ToLower(name), strings.ToLower(schema)
	if catalog == "" && schema == "" && slices.Contains(ctes, lname) {
		return
	}
	if catalog == "" && (lschema == "" || lschema == "main") && slices.Contains(Tables, lname) {
		return
	}
	full := name
	if schema != "" {
		full = schema + "." + full
	}
	if catalog != "" {
		full = catalog + "." + full
	}
	if strings.ContainsAny(name, "/\\.:") {
		w.fail(at, "%s (%s), %s", readsFile, full, onlyTables)
		return
	}
	w.fail(at, "reads %s, which is not one of the programme's tables; %s: %s", full, onlyTables, strings.Join(Tables, ", "))
}

func (w *walker) tableFunction(o map[string]any, ctes []string, at float64) {
	fn, _ := o["function"].(map[string]any)
	name, _ := fn["function_name"].(string)
	w.qualified(fn, name, at)
	switch lname := strings.ToLower(name); {
	case slices.Contains(TableFunctions, lname):
	case Refusal(lname) != "":
		w.fail(at, "%s (%s), %s", Refusal(lname), name, onlyTables)
	default:
		w.fail(at, "calls the table function %s; of the table functions, rules may use only %s", name, strings.Join(TableFunctions, ", "))
	}
	// The arguments are expressions like any other; the call itself is
	// not a scalar function call.
	w.fields(fn, ctes, at, nil)
	w.fields(o, ctes, at, map[string]bool{"function": true})
}

func (w *walker) expression(class string, o map[string]any, ctes []string, at float64) {
	switch {
	case class == "FUNCTION" || class == "WINDOW":
		name, _ := o["function_name"].(string)
		w.qualified(o, name, at)
		children, _ := o["children"].([]any)
		switch {
		case Refusal(name) == readsClock || (strings.EqualFold(name, "age") && len(children) == 1):
			w.fail(at, "%s (%s); a rule looks from the run's day, as_of in run_context, so that a run can be repeated", readsClock, name)
		case Refusal(name) != "":
			w.fail(at, "%s (%s), %s", Refusal(name), name, onlyTables)
		case !Callable(name):
			w.fail(at, "calls %s, which is not among the functions a rule may call", name)
		}
	case class == "COLUMN_REF":
		if names, _ := o["column_names"].([]any); len(names) == 1 {
			if name, _ := names[0].(string); clockColumns[strings.ToLower(name)] {
				w.fail(at, "%s (%s); a rule looks from the run's day, as_of in run_context, so that a run can be repeated", readsClock, name)
			}
		}
	case class == "PARAMETER":
		w.fail(at, "uses a parameter; a rule takes none")
	case !expressionClasses[class]:
		w.fail(at, "uses %s, which a rule may not (a rule is a plain SELECT over the programme's tables)", class)
	}
	w.fields(o, ctes, at, nil)
}

// qualified refuses a function named with a schema or catalog other than
// DuckDB's own (the parser itself writes main.timezone for AT TIME ZONE):
// rules call DuckDB's functions by their plain names.
func (w *walker) qualified(o map[string]any, name string, at float64) {
	schema, _ := o["schema"].(string)
	catalog, _ := o["catalog"].(string)
	if (schema != "" && !strings.EqualFold(schema, "main")) || (catalog != "" && !strings.EqualFold(catalog, "system")) {
		w.fail(at, "calls %s with a schema or catalog (%s); call functions by their plain names", name, strings.Trim(catalog+"."+schema, "."))
	}
}
