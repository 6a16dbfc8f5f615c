package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	return writeJobs(ctx, d, reportJobs(ctx, d, cat), load, func(name string, data []byte) (Written, error) {
		path := filepath.Join(out, name)
		changed, err := atomicfile.WriteIfChanged(path, data)
		return Written{Path: path, Changed: changed}, err
	})
}

// BasisFile is the file beside a statement's documents that records what it
// was made from (see WriteStatement).
const BasisFile = "basis.json"

// StatementChangedError says that a statement written before would now come
// out differently: its files are kept as they are.
type StatementChangedError struct {
	Dir     string    // the statement's folder
	AsOf    time.Time // the day it is a statement of
	Changed []string  // its documents that would differ (or are missing)
	// Reasons say what changed in the data since it was written, where the
	// caller could tell (see WriteStatement's basis).
	Reasons []string
}

func (e *StatementChangedError) Error() string {
	docs := strings.Join(e.Changed, ", ")
	if len(e.Changed) > 3 {
		docs = fmt.Sprintf("%s and %d more", strings.Join(e.Changed[:3], ", "), len(e.Changed)-3)
	}
	why := ""
	if len(e.Reasons) > 0 {
		why = "; since it was written: " + strings.Join(e.Reasons, "; ")
	}
	return fmt.Sprintf("the statement as of %s in %s is kept unchanged, but the data as of that day now gives different documents (%s)%s; "+
		"to write it anew, remove the folder %s and run the command again", e.AsOf.Format(time.DateOnly), e.Dir, docs, why, e.Dir)
}

// WriteStatement writes the period's reports as a statement frozen in
// dir/<period>/: once written, never changed. Written the first time, the
// documents and basis (as BasisFile, when given) go into a temporary folder
// renamed into place once all are complete, so a statement is whole or
// absent. When the folder exists, the documents are rendered again and
// compared byte for byte: the same, they are reported unchanged; different
// (or missing), nothing is touched and the error is a
// *StatementChangedError naming them.
func WriteStatement(ctx context.Context, dir string, d *Data, cat *messages.Catalog, load func(*District) error, basis []byte) ([]Written, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("statement %s: %w", d.Period.Slug(), err)
	}
	out := filepath.Join(dir, d.Period.Slug())
	if _, err := os.Stat(out); err == nil {
		return compareStatement(ctx, out, d, cat, load)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("statement %s: %w", d.Period.Slug(), err)
	}
	// A folder of this name is only ever this process's (it holds the data
	// directory): one left behind is from a run killed while writing.
	tmp := filepath.Join(dir, "."+d.Period.Slug()+".writing")
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("statement %s: %w", d.Period.Slug(), err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("statement %s: %w", d.Period.Slug(), err)
	}
	defer os.RemoveAll(tmp)
	written, err := writeJobs(ctx, d, reportJobs(ctx, d, cat), load, func(name string, data []byte) (Written, error) {
		return Written{Path: filepath.Join(out, name), Changed: true}, atomicfile.Write(filepath.Join(tmp, name), data)
	})
	if err == nil && basis != nil {
		err = atomicfile.Write(filepath.Join(tmp, BasisFile), basis)
	}
	if err == nil {
		err = os.Rename(tmp, out)
	}
	if err != nil {
		return nil, fmt.Errorf("statement %s: %w", d.Period.Slug(), err)
	}
	if f, err := os.Open(dir); err == nil {
		// Some file systems cannot sync a folder; the rename itself stands.
		_ = f.Sync()
		f.Close()
	}
	return written, nil
}

// compareStatement renders the documents of the statement in out and
// compares them with the files there, writing nothing.
func compareStatement(ctx context.Context, out string, d *Data, cat *messages.Catalog, load func(*District) error) ([]Written, error) {
	var mu sync.Mutex
	var changed []string
	written, err := writeJobs(ctx, d, reportJobs(ctx, d, cat), load, func(name string, data []byte) (Written, error) {
		path := filepath.Join(out, name)
		old, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return Written{}, err
		}
		if err != nil || !bytes.Equal(old, data) {
			mu.Lock()
			changed = append(changed, name)
			mu.Unlock()
		}
		return Written{Path: path}, nil
	})
	if err != nil {
		return written, err
	}
	if len(changed) > 0 {
		sort.Strings(changed)
		return written, &StatementChangedError{Dir: out, AsOf: d.AsOf, Changed: changed}
	}
	return written, nil
}

// reportJobs are the period's documents: per district a PDF and a workbook,
// and the state's.
func reportJobs(ctx context.Context, d *Data, cat *messages.Catalog) []reportJob {
	var jobs []reportJob
	for i := range d.Districts {
		dist := &d.Districts[i]
		base := fmt.Sprintf("%s_%s_%s", dist.AGS, datadir.FileSafe(dist.Name), d.Period.Slug())
		dd := d.ofDistrict(dist)
		jobs = append(jobs, reportJob{names: []string{base + ".pdf", base + ".xlsx"}, dist: dist, renders: []func(io.Writer) error{
			func(w io.Writer) error { return writeDistrictPDF(ctx, w, dd, dist, cat) },
			func(w io.Writer) error { return writeDistrictExcel(w, dd, dist, cat) }}})
	}
	base := "Sachsen-Anhalt_" + d.Period.Slug()
	jobs = append(jobs, reportJob{names: []string{base + ".pdf", base + ".xlsx"}, renders: []func(io.Writer) error{
		func(w io.Writer) error { return writeStatePDF(ctx, w, d, cat) },
		func(w io.Writer) error { return writeStateExcel(w, d, cat) }}})
	jobs = append(jobs, settlementJobs(ctx, d, cat)...)
	return jobs
}

// ofDistrict is d as a district's documents see it: stamped with the
// district's own data time (District.DataTime), so that another district's
// file leaves them as they are. A shallow copy: the districts are shared.
func (d *Data) ofDistrict(dist *District) *Data {
	dd := *d
	dd.DataTime = dist.DataTime
	return &dd
}

// writeJobs renders the documents of jobs and hands each to put. The
// documents are independent and only read d: they are rendered on every
// core, a district at a time per core. Results keep the order of jobs.
func writeJobs(ctx context.Context, d *Data, jobs []reportJob, load func(*District) error, put func(name string, data []byte) (Written, error)) ([]Written, error) {
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
			written[i], errs[i] = jobs[i].run(put, load)
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

// run loads the district's receipts (with load, when it is given), renders
// the documents, hands each to put, and drops the receipts.
func (j reportJob) run(put func(name string, data []byte) (Written, error), load func(*District) error) ([]Written, error) {
	if j.dist != nil && load != nil {
		if err := load(j.dist); err != nil {
			return nil, err
		}
		defer func() { j.dist.Receipts, j.dist.Income = nil, nil }()
	}
	var written []Written
	for k, name := range j.names {
		var buf bytes.Buffer
		err := j.renders[k](&buf)
		var w Written
		if err == nil {
			w, err = put(name, buf.Bytes())
		}
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
