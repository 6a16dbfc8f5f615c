package validate_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/validate"
	"grantpipe/queries"
)

// At debug a run tells each rule's time and findings (how the figures of
// BENCHMARKS.md are split), the sharing of the claims stored since the
// last check, the marking of the ineligible lines, the grants and the
// storing; at info it tells nothing.
func TestARunLogsEachRuleAtDebug(t *testing.T) {
	ctx := context.Background()
	rs, err := rules.Load(queries.FS, "rules")
	if err != nil {
		t.Fatal(err)
	}
	rs, _ = rules.Merge(rs, nil)
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		w := newWorld(t, nil)
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level}))
		v, err := validate.New(ctx, w.st, w.p, rs, validate.WithLog(log))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Run(ctx, validate.Options{AsOf: time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if level == slog.LevelInfo {
			if out != "" {
				t.Errorf("at info the run logged:\n%s", out)
			}
			continue
		}
		for _, r := range rs {
			if !strings.Contains(out, `msg="rule done" rule=`+r.ID+" findings=") {
				t.Errorf("no debug line for rule %s in:\n%s", r.ID, out)
			}
		}
		for _, msg := range []string{`msg="claims shared"`, `msg="lines marked ineligible"`, `msg="grants computed"`, `msg="run stored"`} {
			if strings.Count(out, msg) != 1 {
				t.Errorf("%s logged %d times, want once", msg, strings.Count(out, msg))
			}
		}
	}
}
