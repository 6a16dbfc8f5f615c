package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

var (
	validationInputs  = declare("fingerprints/validation_inputs.sql")
	recordValidation  = declare("fingerprints/record_validation.sql")
	validationOfRun   = declare("fingerprints/validation_of_run.sql")
	runTally          = declare("fingerprints/run_tally.sql")
	renderedFiles     = declare("fingerprints/rendered.sql")
	recordRendered    = declare("fingerprints/record_rendered.sql")
	forgetRendered    = declare("fingerprints/forget_rendered.sql")
	districtLines     = declare("fingerprints/district_lines.sql")
	districtDataTimes = declare("fingerprints/district_data_times.sql")
)

// ValidationInputs is a text that changes whenever what a validation run
// reads from the database changes: the submissions (a submission's lines
// are written once with it), their reading findings and the imported
// payouts (see fingerprints/validation_inputs.sql). The configuration and
// the rules are the caller's to add.
func (s *Store) ValidationInputs(ctx context.Context) (string, error) {
	var t string
	if err := s.db.QueryRowContext(ctx, s.text(validationInputs)).Scan(&t); err != nil {
		return "", fmt.Errorf("validation inputs: %w", err)
	}
	return t, nil
}

// RecordValidationInputs records the fingerprint of what validation run
// run read.
func (s *Store) RecordValidationInputs(ctx context.Context, run int64, fingerprint string) error {
	if _, err := s.db.ExecContext(ctx, s.text(recordValidation), run, fingerprint); err != nil {
		return fmt.Errorf("validation inputs of run %d: %w", run, err)
	}
	return nil
}

// ValidationInputsOf returns the fingerprint recorded for validation run
// run; ok is false when none was.
func (s *Store) ValidationInputsOf(ctx context.Context, run int64) (fingerprint string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, s.text(validationOfRun), run).Scan(&fingerprint)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("validation inputs of run %d: %w", run, err)
	}
	return fingerprint, true, nil
}

// RuleTally is how many findings of one rule and severity a run stored.
type RuleTally struct {
	Rule, Severity string
	N              int
}

// RunTally counts the findings of validation run run per rule and
// severity, ordered so.
func (s *Store) RunTally(ctx context.Context, run int64) ([]RuleTally, error) {
	return allRows(ctx, s, fmt.Sprintf("findings of run %d", run), runTally, []any{run}, func(r *sql.Rows, t *RuleTally) error {
		return r.Scan(&t.Rule, &t.Severity, &t.N)
	})
}

// Rendered is what a file was rendered from, and the file as written.
type Rendered struct {
	Fingerprint string
	Size        int64
	ModTime     int64  // nanoseconds since 1970
	Note        string // the feedback step's, JSON; "" none
}

// RenderedUnder returns folder dir as an absolute path and what the files
// under it were rendered from, by their absolute paths.
func (s *Store) RenderedUnder(ctx context.Context, dir string) (string, map[string]Rendered, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	out, err := s.renderedUnder(ctx, abs)
	return abs, out, err
}

func (s *Store) renderedUnder(ctx context.Context, dir string) (map[string]Rendered, error) {
	out := map[string]Rendered{}
	root := s.dataRoot()
	prefix := renderedKey(root, dir)
	if len(prefix) > 0 && prefix[len(prefix)-1] != '/' {
		prefix += "/"
	}
	err := eachRow(ctx, s, "rendered files", renderedFiles, []any{prefix}, func(r *sql.Rows) error {
		var key string
		var v Rendered
		if err := r.Scan(&key, &v.Fingerprint, &v.Size, &v.ModTime, &v.Note); err != nil {
			return err
		}
		out[renderedPath(root, key)] = v
		return nil
	})
	return out, err
}

// renderedKey is how the table names the file at path (absolute): below
// the data directory (root: the database's folder, absolute) relative to
// it, in slashes, so that a data directory moved or restored elsewhere
// finds its files rendered; elsewhere (an --out folder) the absolute path.
// A trailing separator (a folder's own record) is kept.
func renderedKey(root, path string) string {
	rel, err := filepath.Rel(root, path)
	switch {
	case err != nil || !filepath.IsLocal(rel) && rel != ".":
		return path
	case rel == ".":
		rel = ""
	}
	key := filepath.ToSlash(rel)
	if strings.HasSuffix(path, string(filepath.Separator)) && key != "" {
		key += "/"
	}
	return key
}

// renderedPath is the absolute path of the file the table names key.
func renderedPath(root, key string) string {
	if filepath.IsAbs(key) {
		return key
	}
	path := filepath.Join(root, filepath.FromSlash(key))
	if strings.HasSuffix(key, "/") {
		path += string(filepath.Separator)
	}
	return path
}

// dataRoot is the data directory, absolute: the database's folder; ""
// when the working directory is gone, and then every path is recorded as
// it is.
func (s *Store) dataRoot() string {
	root, err := filepath.Abs(filepath.Dir(s.path))
	if err != nil {
		return ""
	}
	return root
}

// RecordRendered records what the files in set were rendered from (by
// path) and forgets the files in gone, in one transaction.
func (s *Store) RecordRendered(ctx context.Context, set map[string]Rendered, gone []string) error {
	if len(set) == 0 && len(gone) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rendered files: %w", err)
	}
	defer tx.Rollback()
	root := s.dataRoot()
	for _, path := range gone {
		if _, err := tx.ExecContext(ctx, s.text(forgetRendered), renderedKey(root, path)); err != nil {
			return fmt.Errorf("rendered files: %w", err)
		}
	}
	for path, v := range set {
		var note any
		if v.Note != "" {
			note = v.Note
		}
		if _, err := tx.ExecContext(ctx, s.text(recordRendered), renderedKey(root, path), v.Fingerprint, v.Size, v.ModTime, note); err != nil {
			return fmt.Errorf("rendered files: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rendered files: %w", err)
	}
	return nil
}

// QuarterLines stands for the lines a district's reports show of one
// quarter (see fingerprints/district_lines.sql): equal texts, equal lines.
type QuarterLines struct {
	District string
	Quarter  int
	Text     string
}

// DistrictLines returns the QuarterLines of every district and quarter of
// year with a current submission.
func (s *Store) DistrictLines(ctx context.Context, year int) ([]QuarterLines, error) {
	return allRows(ctx, s, "district lines", districtLines, []any{year}, func(r *sql.Rows, q *QuarterLines) error {
		return r.Scan(&q.District, &q.Quarter, &q.Text)
	})
}

// DistrictDataTimes returns, per district, when its latest file of year up
// to quarter last arrived (local wall-clock time, as stored), among the
// files received by the run's day.
func (s *Store) DistrictDataTimes(ctx context.Context, year, last int) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := eachRow(ctx, s, "district data times", districtDataTimes, []any{year, last}, func(r *sql.Rows) error {
		var ags string
		var t time.Time
		if err := r.Scan(&ags, &t); err != nil {
			return err
		}
		out[ags] = t
		return nil
	})
	return out, err
}
