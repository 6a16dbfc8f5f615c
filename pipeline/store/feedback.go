package store

import (
	"context"
	"database/sql"
	"fmt"
	"grantpipe/pipeline/finding"
	"time"
)

var (
	feedbackSubmissions = declare("feedback/submissions.sql")
	feedbackFindings    = declare("feedback/findings.sql")
	feedbackFailures    = declare("feedback/failures.sql")
	clearFailure        = declare("feedback/clear_failure.sql")
	recordFailure       = declare("feedback/record_failure.sql")
)

// Sent is a file a district sent, accepted or rejected.
type Sent struct {
	ID         int64
	File       string    // the name it arrived under
	StoredPath string    // where its bytes are, relative to the data directory
	Accepted   bool      // else rejected
	Received   time.Time // local wall-clock time of arrival
	ReceivedAt time.Time // the same instant in UTC
	// FindingsRun is the validation run whose findings the district hears
	// about this file: the latest, or for a replaced file the latest in
	// which it still counted (0: none did).
	FindingsRun int64
	// ReplacedBy is the file that replaced this one, if any.
	ReplacedBy *Replacement
}

// Replacement is the later file that replaced a submission.
type Replacement struct {
	File       string    // the name it arrived under
	ReceivedAt time.Time // when it was received, in UTC
}

// SentFiles returns every file ingested, oldest first (see
// feedback/submissions.sql).
func (s *Store) SentFiles(ctx context.Context) ([]Sent, error) {
	return allRows(ctx, s, "sent files", feedbackSubmissions, nil, func(rows *sql.Rows, f *Sent) error {
		var replaced bool
		var r Replacement
		if err := rows.Scan(&f.ID, &f.File, &f.StoredPath, &f.Accepted, &f.Received, &f.ReceivedAt,
			&f.FindingsRun, &replaced, &r.File, &r.ReceivedAt); err != nil {
			return err
		}
		if replaced {
			f.ReplacedBy = &r
		}
		return nil
	})
}

// FindingsForDistrict returns what a district hears about one file: its
// reading findings and the findings of validation run run (its
// Sent.FindingsRun) that point into it, in order (see
// feedback/findings.sql).
func (s *Store) FindingsForDistrict(ctx context.Context, id, run int64) ([]FileFinding, error) {
	var out []FileFinding
	if err := s.fileFindings(ctx, run, id, func(_ int64, f FileFinding) { out = append(out, f) }); err != nil {
		return nil, err
	}
	return out, nil
}

// FindingsOfFiles is FindingsForDistrict for many files at once: for each
// submission id in runs, what its district hears about it from the
// validation run given with it. One query per distinct run.
func (s *Store) FindingsOfFiles(ctx context.Context, runs map[int64]int64) (map[int64][]FileFinding, error) {
	out := map[int64][]FileFinding{}
	seen := map[int64]bool{}
	for _, run := range runs {
		if seen[run] {
			continue
		}
		seen[run] = true
		err := s.fileFindings(ctx, run, nil, func(id int64, f FileFinding) {
			if r, ok := runs[id]; ok && r == run {
				out[id] = append(out[id], f)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fileFindings hands each finding feedback/findings.sql reads for run and
// submission (an id, or nil for every file) to keep, in order.
func (s *Store) fileFindings(ctx context.Context, run int64, submission any, keep func(int64, FileFinding)) error {
	return eachRow(ctx, s, fmt.Sprintf("findings of the files of run %d", run), feedbackFindings, []any{run, submission}, func(rows *sql.Rows) error {
		var id int64
		var f FileFinding
		var de, en string
		var ord, seq int
		if err := rows.Scan(&id, &f.Rule, &f.Severity, &f.Sheet, &f.Cell, &de, &en, &ord, &seq); err != nil {
			return err
		}
		f.Message = map[string]string{"de": de, "en": en}
		keep(id, f)
		return nil
	})
}

// Note is a finding about a whole file that a later step adds to its
// reading findings: its message key and texts.
type Note struct{ Key, DE, EN string }

// SetFileNotes makes the findings of rule (with severity) among the files'
// reading findings exactly want, by submission id: new ones are added,
// changed ones replaced, the others of that rule removed, in one
// transaction; nothing is written when nothing changed.
func (s *Store) SetFileNotes(ctx context.Context, rule string, severity finding.Severity, want map[int64]Note) error {
	have := map[int64]Note{}
	rows, err := s.db.QueryContext(ctx, s.text(feedbackFailures), rule)
	if err != nil {
		return fmt.Errorf("file notes: %w", err)
	}
	for rows.Next() {
		var id int64
		var n Note
		if err := rows.Scan(&id, &n.Key, &n.DE, &n.EN); err != nil {
			rows.Close()
			return fmt.Errorf("file notes: %w", err)
		}
		if _, dup := have[id]; dup {
			n = Note{} // two of them: rewrite as one
		}
		have[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("file notes: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("file notes: %w", err)
	}
	defer tx.Rollback()
	for id := range have {
		if _, keep := want[id]; !keep {
			if _, err := tx.ExecContext(ctx, s.text(clearFailure), id, rule); err != nil {
				return fmt.Errorf("file notes: %w", err)
			}
		}
	}
	for id, n := range want {
		if old, ok := have[id]; ok && old == n {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.text(clearFailure), id, rule); err != nil {
			return fmt.Errorf("file notes: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.text(recordFailure), id, rule, severity, n.Key, n.DE, n.EN); err != nil {
			return fmt.Errorf("file notes: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("file notes: %w", err)
	}
	return nil
}
