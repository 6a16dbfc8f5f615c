package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"grantpipe/pipeline/jobs"
	"grantpipe/pipeline/messages"
)

func runStatus(ctx context.Context, a *app, args []string) error {
	fs := a.flags("status", true)
	year := fs.Int("year", 0, "the budget `year` of the matrix (default: the current one)")
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	pl, err := a.pipeline("")
	if err != nil {
		return err
	}
	st, scheduler, release, err := pl.OpenForStatus(ctx, "grantpipe status")
	if err != nil {
		return err
	}
	defer release()
	defer st.Close()
	out, err := pl.StatusOf(ctx, st, *year, scheduler)
	if err != nil {
		return err
	}
	out.DataDir = absPath(out.DataDir)
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	a.printStatus(a.stdout, out, cat)
	return nil
}

func (a *app) printStatus(w io.Writer, out *jobs.Status, cat *messages.Catalog) {
	t := func(key string, args messages.Args) string { return cat.Text(a.lang, key, args) }
	fmt.Fprintln(w, t("cli.status_title", messages.Args{"dir": out.DataDir}))
	if out.Scheduler != "" {
		fmt.Fprintln(w, t("cli.status_holder", messages.Args{"holder": out.Scheduler}))
	} else {
		fmt.Fprintln(w, t("cli.status_free", nil))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, t("cli.status_jobs", nil))
	for _, j := range out.Jobs() {
		lastText, next := t("cli.status_never", nil), "–"
		if r := j.Last; r != nil {
			lastText = fmt.Sprintf("%s %s (%s) – %d/%d/%d", localTime(r.Started), t("cli.outcome_"+r.Outcome, nil), t("cli.trigger_"+r.Trigger, nil), r.Files, r.Findings, r.Reports)
			if r.Error != "" {
				lastText += " – " + clean(strings.SplitN(r.Error, "\n", 2)[0])
			}
		}
		if j.Next != "" {
			next = localTime(j.Next)
		}
		fmt.Fprintf(w, "  %-10s %-17s %s\n", j.Job, next, lastText)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, t("cli.status_matrix", messages.Args{"year": fmt.Sprint(out.Year)}))
	fmt.Fprintf(w, "  %-30s", "")
	for q := 1; q <= 4; q++ {
		fmt.Fprintf(w, " %-18s", fmt.Sprintf("Q%d", q))
	}
	fmt.Fprintln(w)
	for i := 0; i < len(out.Matrix); i += 4 {
		c := out.Matrix[i]
		fmt.Fprintf(w, "  %-30s", c.District+" "+c.Name)
		for _, cell := range out.Matrix[i : i+4] {
			s := t("cli.state_"+cell.State, nil)
			if cell.Errors > 0 {
				s += fmt.Sprintf(" (%d F)", cell.Errors)
			}
			fmt.Fprintf(w, " %-18s", s)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, t("cli.status_inbox", messages.Args{"n": fmt.Sprint(out.Waiting)}))
	if len(out.Left) > 0 {
		fmt.Fprintln(w, t("cli.skipped_title", messages.Args{"n": fmt.Sprint(len(out.Left))}))
		for _, s := range out.Left {
			fmt.Fprintf(w, "    %s: %s\n", clean(s.Path), t("cli.skip_"+s.Reason, nil))
		}
	}
}

// localTime shows an RFC 3339 time (in the programme's time zone) as a
// clock there shows it.
func localTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.Format("2006-01-02 15:04")
}
