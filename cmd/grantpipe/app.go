package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/lock"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/queries"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the run failed
	exitUsage = 2 // the command line was wrong
)

// app is one invocation: its output streams, environment and the flags every
// command shares.
type app struct {
	stdin          io.Reader // for --password-stdin
	stdout, stderr io.Writer
	getenv         func(string) string
	log            *slog.Logger

	dataDir    string
	configFile string
	lang       string
	logFormat  string
	logLevel   string           // "" the command's own
	now        func() time.Time // the clock
	held       *lock.Lock       // the data directory, for commands that write it
	prog       *programme.Programme
	cat        *messages.Catalog
}

type command struct {
	name, summary string
	run           func(ctx context.Context, a *app, args []string) error
}

var commands = []command{
	{"schedule", "run the jobs unattended on their schedule (or one job at once with --run-now)", runSchedule},
	{"status", "what the jobs did, what is planned, and which submissions are in", runStatus},
	{"run", "the main job: ingest the inbox (and, with --demo, first fill it with demo data)", runRun},
	{"validate", "check the stored submissions against the funding rules and compute the grants", runValidate},
	{"ingest", "read submissions from the inbox or the given files into the database", runIngest},
	{"report", "write the PDF and Excel reports of a quarter or a year", runReport},
	{"export", "export submissions, receipts, findings and grant figures as Parquet for other engines", runExport},
	{"payouts", "payouts import FILE…: import payouts from the accounting system (CSV or xlsx)", runPayouts},
	{"template", "write the blank quarterly form for a district", runTemplate},
	{"demo", "write demo submissions for all districts into the inbox", runDemo},
	{"config", "print the effective programme configuration", runConfig},
	{"serve", "serve the districts' uploads and the ministry's overview on the web, and run the scheduled jobs", runServe},
	{"users", "users add|list|disable|reset|token: the accounts of grantpipe serve", runUsers},
}

// usageError is a mistake on the command line: exit code 2, with the usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Main runs grantpipe with args (without the program name) and returns the
// exit code. It is the whole command, testable in-process; standard input
// is the process's own (see mainIO).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return mainIO(ctx, args, os.Stdin, stdout, stderr, getenv)
}

// mainIO is Main reading standard input from stdin: tests give a password
// to --password-stdin through it.
func mainIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}
	a.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		a.usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, a, args[1:])
		a.held.Release()
		var ue usageError
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "grantpipe %s: %s\n", c.name, ue.msg)
			return exitUsage
		default:
			fmt.Fprintf(stderr, "grantpipe %s: %v\n", c.name, err)
			return exitError
		}
	}
	fmt.Fprintf(stderr, "grantpipe: unknown command %q\n\n", args[0])
	a.usage(stderr)
	return exitUsage
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "usage: grantpipe <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `"grantpipe <command> -h" shows the command's flags.`)
}

// flags returns a flag set with the shared flags; data says whether the
// command uses a data directory.
func (a *app) flags(name string, data bool) *flag.FlagSet {
	fs := flag.NewFlagSet("grantpipe "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	if data {
		fs.StringVar(&a.dataDir, "data", "grantpipe-data", "data `directory` (database, inbox, archive, rejected, reports)")
	}
	fs.StringVar(&a.configFile, "config", "", "programme configuration `file` (TOML); default: the built-in configuration")
	fs.StringVar(&a.lang, "lang", "de", "language of messages and forms: de or en")
	fs.StringVar(&a.logFormat, "log-format", "text", "log lines as `text` or json (on standard error)")
	fs.StringVar(&a.logLevel, "log-level", "", "log from `level` on: debug, info (each step of a job and its time), warn or error; default warn (info for schedule and serve)")
	return fs
}

// lockData takes the data directory for this process: one writer at a
// time. A second writer stops at once, told which process holds it.
func (a *app) lockData(command string) error {
	l, err := lock.Acquire(a.dataDir, command)
	if err != nil {
		return err
	}
	a.held = l
	return nil
}

// setLogger configures log/slog once for the command, at level unless
// --log-level says otherwise.
func (a *app) setLogger(level slog.Level) {
	if a.logLevel != "" {
		// parse has checked it.
		_ = level.UnmarshalText([]byte(a.logLevel))
	}
	opts := &slog.HandlerOptions{Level: level}
	if a.logFormat == "json" {
		a.log = slog.New(slog.NewJSONHandler(a.stderr, opts))
	} else {
		a.log = slog.New(slog.NewTextHandler(a.stderr, opts))
	}
}

func (a *app) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if a.lang != "de" && a.lang != "en" {
		return usageError{fmt.Sprintf("--lang %q: want de or en", a.lang)}
	}
	if a.logFormat != "text" && a.logFormat != "json" {
		return usageError{fmt.Sprintf("--log-format %q: want text or json", a.logFormat)}
	}
	var level slog.Level
	if a.logLevel != "" && level.UnmarshalText([]byte(a.logLevel)) != nil {
		return usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", a.logLevel)}
	}
	a.setLogger(slog.LevelWarn)
	return nil
}

// programme is the configuration: --config, else the data directory's own
// programme.toml, else the built-in one. It is read once per command.
func (a *app) programme() (*programme.Programme, error) {
	if a.prog != nil {
		return a.prog, nil
	}
	file := a.configFile
	if file == "" && a.dataDir != "" {
		if _, err := os.Stat(a.dir().Programme()); err == nil {
			file = a.dir().Programme()
		}
	}
	var err error
	if file == "" {
		a.prog, err = programme.Default()
	} else {
		a.prog, err = programme.LoadFile(file)
	}
	return a.prog, err
}

// catalog is the message catalogue, loaded once per command.
func (a *app) catalog() (*messages.Catalog, error) {
	if a.cat == nil {
		cat, err := messages.Default()
		if err != nil {
			return nil, fmt.Errorf("message catalogue: %w", err)
		}
		a.cat = cat
	}
	return a.cat, nil
}

func (a *app) dir() datadir.Dir { return datadir.New(a.dataDir) }

// pipeline is the jobs on the data directory, as this command's flags say.
func (a *app) pipeline(rulesDir string) (*jobs.Pipeline, error) {
	p, err := a.programme()
	if err != nil {
		return nil, err
	}
	cat, err := a.catalog()
	if err != nil {
		return nil, err
	}
	return jobs.New(jobs.Config{
		Dir: a.dir(), Programme: p, Catalog: cat, Queries: queries.FS, RulesDir: rulesDir,
		Lang: a.lang, Log: a.log, Now: a.now, Hook: ingest.FaultHook(a.getenv, a.stderr), Progress: a.progress(),
	})
}
