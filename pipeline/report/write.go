package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	"grantpipe/pipeline/atomicfile"
	"grantpipe/pipeline/datadir"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/parallel"
)

// Written is one report file written (or found unchanged).
type Written struct {
	Path    string
	Changed bool
}

// WriteAll writes the period's reports into dir/<period>/: per district a PDF
// and a workbook, and the state's. Each file is written to a temporary name
// and renamed when complete. A file whose content would not change is left
// alone (and reported unchanged), so a rerun over the same data touches
// nothing.
//
// Each district's receipts are loaded (with load, when it is given) right
// before its documents are rendered and dropped after, so memory does not
// grow with the number of districts.
//
// It stops when ctx is done: no further document is started, and a PDF
// being rendered stops at its next page (a district's documents are bounded
// in size and time anyway, see pdf_bounds.go). Files already written stay;
// the one being rendered is not written. The first error, ctx's included,
// ends the run: no further document starts. The files written are returned
// with the errors of the documents that failed (errors.Join; on two cores,
// one or two).
func WriteAll(ctx context.Context, dir string, d *Data, cat *messages.Catalog, load func(*District) error) ([]Written, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reports %s: %w", d.Period.Slug(), err)
	}
	out := filepath.Join(dir, d.Period.Slug())
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("reports %s: %w", d.Period.Slug(), err)
	}
	var jobs []reportJob
	for i := range d.Districts {
		dist := &d.Districts[i]
		base := fmt.Sprintf("%s_%s_%s", dist.AGS, datadir.FileSafe(dist.Name), d.Period.Slug())
		jobs = append(jobs, reportJob{names: []string{base + ".pdf", base + ".xlsx"}, dist: dist, renders: []func(io.Writer) error{
			func(w io.Writer) error { return writeDistrictPDF(ctx, w, d, dist, cat) },
			func(w io.Writer) error { return writeDistrictExcel(w, d, dist, cat) }}})
	}
	base := "Sachsen-Anhalt_" + d.Period.Slug()
	jobs = append(jobs, reportJob{names: []string{base + ".pdf", base + ".xlsx"}, renders: []func(io.Writer) error{
		func(w io.Writer) error { return writeStatePDF(ctx, w, d, cat) },
		func(w io.Writer) error { return writeStateExcel(w, d, cat) }}})
	// The documents are independent and only read d: render them on every
	// core, a district at a time per core. Results keep the order of jobs.
	written := make([][]Written, len(jobs))
	errs := make([]error, len(jobs))
	var failed atomic.Bool // after the first error no job starts
	parallel.Each(len(jobs), func(i int) error {
		if failed.Load() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			errs[i] = fmt.Errorf("reports %s: %w", d.Period.Slug(), err)
		} else {
			written[i], errs[i] = jobs[i].run(out, load)
		}
		if errs[i] != nil {
			failed.Store(true)
		}
		return nil
	})
	var all []Written
	for _, w := range written {
		all = append(all, w...)
	}
	return all, errors.Join(errs...)
}

// reportJob is the documents of a district, or of the state.
type reportJob struct {
	names   []string
	renders []func(io.Writer) error
	dist    *District // nil: the state's
}

// run loads the district's receipts (with load, when it is given), writes
// the documents into dir, and drops the receipts.
func (j reportJob) run(dir string, load func(*District) error) ([]Written, error) {
	if j.dist != nil && load != nil {
		if err := load(j.dist); err != nil {
			return nil, err
		}
		defer func() { j.dist.Receipts = nil }()
	}
	var written []Written
	for k, name := range j.names {
		w, err := writeFile(filepath.Join(dir, name), j.renders[k])
		if err != nil {
			return written, fmt.Errorf("report %s: %w", name, err)
		}
		written = append(written, w)
	}
	return written, nil
}

// writeFile renders a file and puts it at path unless path already holds
// exactly that content.
func writeFile(path string, render func(io.Writer) error) (Written, error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return Written{}, err
	}
	changed, err := atomicfile.WriteIfChanged(path, buf.Bytes())
	return Written{Path: path, Changed: changed}, err
}
