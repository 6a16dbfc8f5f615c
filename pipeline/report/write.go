package report

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"

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
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return Written{}, err
	}
	changed, err := ReplaceIfChanged(path, buf.Bytes())
	return Written{Path: path, Changed: changed}, err
}

// ReplaceIfChanged writes data to path through a temporary file and a
// rename, unless path already holds exactly data. The file gets mode 0644
// less the process's umask, like any file a program creates (os.Create),
// so that the staff account can read what the service writes; a umask of
// 077 keeps reports private, as it keeps the directories that hold them.
// (os.CreateTemp would make it 0600 whatever the umask.)
func ReplaceIfChanged(path string, data []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	tmp, err := createTemp(filepath.Dir(path), 0o644)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return false, err
	}
	return true, nil
}

// createTemp is os.CreateTemp(dir, ".report-*.tmp") with the mode of the
// file's own: the name is hidden (datadir.Ignored) and new (O_EXCL).
func createTemp(dir string, mode fs.FileMode) (*os.File, error) {
	var b [8]byte
	for range 100 {
		rand.Read(b[:])
		f, err := os.OpenFile(filepath.Join(dir, ".report-"+hex.EncodeToString(b[:])+".tmp"), os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no unused temporary name in %s", dir)
}
