package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
func WriteAll(dir string, d *Data, cat *messages.Catalog, load func(*District) error) ([]Written, error) {
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
			func(w io.Writer) error { return WriteDistrictPDF(w, d, dist, cat) },
			func(w io.Writer) error { return WriteDistrictExcel(w, d, dist, cat) }}})
	}
	base := "Sachsen-Anhalt_" + d.Period.Slug()
	jobs = append(jobs, job{names: []string{base + ".pdf", base + ".xlsx"}, renders: []func(io.Writer) error{
		func(w io.Writer) error { return WriteStatePDF(w, d, cat) },
		func(w io.Writer) error { return WriteStateExcel(w, d, cat) }}})
	// The documents are independent and only read d: render them on every
	// core, a district at a time per core. Results keep the order of jobs.
	written := make([][]Written, len(jobs))
	err := parallel.Each(len(jobs), func(i int) error {
		j := jobs[i]
		if j.dist != nil && load != nil {
			if err := load(j.dist); err != nil {
				return err
			}
			defer func() { j.dist.Receipts = nil }()
		}
		for k, name := range j.names {
			w, err := writeFile(filepath.Join(out, name), j.renders[k])
			if err != nil {
				return fmt.Errorf("report %s: %w", name, err)
			}
			written[i] = append(written[i], w)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var all []Written
	for _, w := range written {
		all = append(all, w...)
	}
	return all, nil
}

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
// rename, unless path already holds exactly data.
func ReplaceIfChanged(path string, data []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*.tmp")
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
