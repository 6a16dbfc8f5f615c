package report_test

import (
	"context"
	"testing"
	"time"

	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/ingest"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/programme"
	"grantpipe/pipeline/rules"
	"grantpipe/pipeline/store"
	"grantpipe/pipeline/validate"
	"grantpipe/queries"
)

// ingestAndCheck runs what waits in dir's inbox through the pipeline as
// the main job does: it opens dir's database (closed when owner ends),
// ingests the inbox and checks everything with the built-in rules as of
// asOf. Errors fail t, which may end before owner (a benchmark's data
// outlives the run that made it).
func ingestAndCheck(t, owner testing.TB, dir datadir.Dir, p *programme.Programme, cat *messages.Catalog, asOf time.Time) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dir.Database(), queries.FS)
	if err != nil {
		t.Fatal(err)
	}
	owner.Cleanup(func() { st.Close() })
	in := &ingest.Ingester{Dir: dir, Store: st, Programme: p, Catalog: cat, Lang: "de"}
	if _, err := in.Run(ctx, nil); err != nil {
		t.Fatal(err)
	}
	rs, err := rules.Load(queries.FS, "rules")
	if err != nil {
		t.Fatal(err)
	}
	if rs, err = rules.Merge(rs, nil); err != nil {
		t.Fatal(err)
	}
	v, err := validate.New(ctx, st, p, rs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Run(ctx, validate.Options{AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	return st
}
