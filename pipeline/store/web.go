package store

import (
	"context"
	"database/sql"
	"time"
)

var webSubmissions = declare("web/submissions.sql")

// SentFile is a file as grantpipe serve lists it to its sender and to the
// ministry.
type SentFile struct {
	ID       int64
	File     string // the name it arrived under
	Sender   string // the AGS it belongs to: its inbox folder, else the district it names
	District string // the AGS it names ("" when unreadable)
	Year     int    // 0 when unreadable
	Quarter  int
	Accepted bool // else rejected
	Replaced bool // a later file for the same district and quarter replaced it
	// Received is the local wall-clock time of arrival.
	Received   time.Time
	StoredPath string // relative to the data directory
}

// SentBy returns the files district sent (every file when district is
// empty), newest period first (see web/submissions.sql).
func (s *Store) SentBy(ctx context.Context, district string) ([]SentFile, error) {
	return allRows(ctx, s, "sent files of "+district, webSubmissions, []any{district}, func(rows *sql.Rows, f *SentFile) error {
		return rows.Scan(&f.ID, &f.File, &f.Sender, &f.District, &f.Year, &f.Quarter, &f.Accepted, &f.Replaced, &f.Received, &f.StoredPath)
	})
}
