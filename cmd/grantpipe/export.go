package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"grantpipe/pipeline/store"
	"grantpipe/queries"
)

func runExport(ctx context.Context, a *app, args []string) error {
	fs := a.flags("export", true)
	format := fs.String("format", "parquet", "output `format` (parquet)")
	out := fs.String("out", "", "output `directory`: one folder per table, partitioned year=…/district=…")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if *format != "parquet" {
		return usageError{fmt.Sprintf("--format %q: only parquet", *format)}
	}
	if *out == "" || fs.NArg() > 0 {
		return usageError{"need --out DIR"}
	}
	if err := a.lockData("grantpipe export"); err != nil {
		return err
	}
	p, err := a.programme()
	if err != nil {
		return err
	}
	if err := a.dir().Ensure(p.AllDistricts()); err != nil {
		return err
	}
	root, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	st, err := store.OpenExporting(ctx, a.dir().Database(), queries.FS, root)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, table := range store.ExportTables() {
		dir := filepath.Join(root, table)
		// A new export replaces an old one whole.
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		if err := st.ExportParquet(ctx, table, dir); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, dir)
	}
	return nil
}
