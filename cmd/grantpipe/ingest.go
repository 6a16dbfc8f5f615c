package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/messages"
)

func runIngest(ctx context.Context, a *app, args []string) error {
	fs := a.flags("ingest", true)
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := a.lockData("grantpipe ingest"); err != nil {
		return err
	}
	res, err := a.ingest(ctx, fs.Args())
	if res != nil {
		if *asJSON {
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			if jerr := enc.Encode(res); jerr != nil && err == nil {
				err = jerr
			}
		} else {
			cat, cerr := a.catalog()
			if cerr != nil {
				return errors.Join(err, cerr)
			}
			a.printIngest(a.stdout, cat, res)
		}
	}
	return err
}

func (a *app) ingest(ctx context.Context, files []string) (*ingest.Result, error) {
	pl, err := a.pipeline("")
	if err != nil {
		return nil, err
	}
	return pl.ManualIngest(ctx, files)
}

// printIngest prints one line per file and its findings, for people.
func (a *app) printIngest(w io.Writer, cat *messages.Catalog, res *ingest.Result) {
	t := func(key string, args messages.Args) string { return cat.Text(a.lang, key, args) }
	for _, f := range res.Files {
		period := ""
		if f.Year > 0 {
			period = fmt.Sprintf("%d-Q%d", f.Year, f.Quarter)
		}
		fmt.Fprintf(w, "%-10s %-5s %-7s %s", t("cli.outcome_"+f.Outcome, nil), clean(f.District), period, clean(f.File))
		if f.Outcome == ingest.Accepted {
			fmt.Fprintf(w, "  (%s)", t("cli.counts", messages.Args{
				"lines": fmt.Sprint(f.Lines), "coordinators": fmt.Sprint(f.Coordinators), "activities": fmt.Sprint(f.Activities)}))
		}
		fmt.Fprintln(w)
		for _, fd := range f.Findings {
			place := strings.Trim(fd.Sheet+"!"+fd.Cell, "!")
			fmt.Fprintf(w, "    %-7s %-16s %-14s %s\n", t("cli.severity_"+string(fd.Severity), nil), clean(fd.Rule), clean(place), clean(fd.Message))
		}
	}
	if len(res.Skipped) > 0 {
		fmt.Fprintln(w, t("cli.skipped_title", messages.Args{"n": fmt.Sprint(len(res.Skipped))}))
		for _, s := range res.Skipped {
			fmt.Fprintf(w, "    %s: %s\n", clean(s.Path), t("cli.skip_"+s.Reason, nil))
		}
	}
	fmt.Fprintln(w, t("cli.ingest_total", messages.Args{
		"files": fmt.Sprint(len(res.Files)), "accepted": fmt.Sprint(res.Accepted),
		"rejected": fmt.Sprint(res.Rejected), "duplicate": fmt.Sprint(res.Duplicate)}))
}

// clean makes text from a district's file safe to print: a newline or an
// ANSI escape in a cell or a file name must not forge a line of output.
func clean(s string) string { return datadir.Printable(s) }

// progress shows how far a long ingest is, on a terminal only: not in cron,
// not under systemd, not in CI, not into a file.
func (a *app) progress() func(done, total, lines int, file string) {
	f, ok := a.stderr.(*os.File)
	if !ok || a.getenv("CI") != "" {
		return nil
	}
	if info, err := f.Stat(); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	cat, err := a.catalog()
	if err != nil {
		return nil
	}
	return func(done, total, lines int, file string) {
		fmt.Fprint(f, "\r\033[K  "+cat.Text(a.lang, "cli.progress", messages.Args{
			"done": fmt.Sprint(done), "total": fmt.Sprint(total), "lines": fmt.Sprint(lines), "file": clean(file)}))
		if done == total {
			fmt.Fprintln(f)
		}
	}
}
