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
// in size and time anyway, see pdf_bounds.go). Files already written stay; the one being rendered is not
// written. The first error, ctx's included, ends the run; the files
// written before it are returned with it.
func WriteAll(ctx context.Context, dir string, d *Data, cat *messages.Catalog, load func(*District) error) ([]Written, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	out := filepath.Join(dir, d.Period.Slug())
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	type job struct {
		names   []string
		renders []func(io.Writer) error
		dist    *District
	}
	var jobs []job
	for i := range d.Districts {
		dist := &d.Districts[i]
		base := fmt.Sprintf("%s_%s_%s", dist.AGS, datadir.FileSafe(dist.Name), d.Period.Slug())
		jobs = append(jobs, job{names: []string{base + ".pdf", base + ".xlsx"}, dist: dist, renders: []func(io.Writer) error{
			func(w io.Writer) error { return writeDistrictPDF(ctx, w, d, dist, cat) },
			func(w io.Writer) error { return WriteDistrictExcel(w, d, dist, cat) }}})
	}
	base := "Sachsen-Anhalt_" + d.Period.Slug()
	jobs = append(jobs, job{names: []string{base + ".pdf", base + ".xlsx"}, renders: []func(io.Writer) error{
		func(w io.Writer) error { return writeStatePDF(ctx, w, d, cat) },
		func(w io.Writer) error { return WriteStateExcel(w, d, cat) }}})
	// The documents are independent and only read d: render them on every
	// core, a district at a time per core. Results keep the order of jobs.
	written := make([][]Written, len(jobs))
	var failed atomic.Bool // after the first error no job starts
	err := parallel.Each(len(jobs), func(i int) error {
		if failed.Load() {
			return errSkipped
		}
		if err := ctx.Err(); err != nil {
			failed.Store(true)
			return fmt.Errorf("report: %w", err)
		}
		j := jobs[i]
		if j.dist != nil && load != nil {
			if err := load(j.dist); err != nil {
				failed.Store(true)
				return err
			}
			defer func() { j.dist.Receipts = nil }()
		}
		for k, name := range j.names {
			w, err := writeFile(filepath.Join(out, name), j.renders[k])
			if err != nil {
				failed.Store(true)
				return fmt.Errorf("report %s: %w", name, err)
			}
			written[i] = append(written[i], w)
		}
		return nil
	})
	var all []Written
	for _, w := range written {
		all = append(all, w...)
	}
	if err != nil {
		return all, err
	}
	return all, nil
}

// errSkipped marks a job not started because an earlier one failed; the
// earlier one's error is the one reported.
var errSkipped = errors.New("report: skipped after an earlier error")

// writeFile renders a file and puts it at path unless path already holds
// exactly that content.
func writeFile(path string, render func(io.Writer) error) (Written, error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return Written{}, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return Written{}, fmt.Errorf("report: %w", err)
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
		return false, fmt.Errorf("report: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return false, fmt.Errorf("report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return false, fmt.Errorf("report: %w", err)
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
