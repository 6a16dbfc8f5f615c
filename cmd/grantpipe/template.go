package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"

	"grantpipe/pipeline/atomicfile"
	"grantpipe/pipeline/form"
)

func runTemplate(ctx context.Context, a *app, args []string) error {
	fs := a.flags("template", false)
	district := fs.String("district", "", "the district's 5-digit `AGS` key, e.g. 15083")
	year := fs.Int("year", 0, "budget `year`")
	quarter := fs.Int("quarter", 0, "`quarter` 1–4")
	out := fs.String("o", "", "output `file` (.xlsx)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	switch {
	case *district == "" || *year == 0 || *quarter == 0 || *out == "":
		return usageError{"need --district, --year, --quarter and -o"}
	case *quarter < 1 || *quarter > 4:
		return usageError{fmt.Sprintf("--quarter %d: want 1 to 4", *quarter)}
	}
	p, err := a.programme()
	if err != nil {
		return err
	}
	y, ok := p.Year(*year)
	if !ok {
		return usageError{fmt.Sprintf("--year %d is not a budget year of the programme", *year)}
	}
	d, ok := y.District(*district)
	if !ok {
		return usageError{fmt.Sprintf("--district %s is not a district of the programme", *district)}
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	f, err := form.Blank(y, cat, a.lang, form.Prefill{District: d, Year: *year, Quarter: *quarter})
	if err != nil {
		return err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	if err := atomicfile.Write(*out, buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	abs, _ := filepath.Abs(*out)
	fmt.Fprintln(a.stdout, abs)
	return nil
}
