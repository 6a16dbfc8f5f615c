package store

import (
	"context"
	"fmt"
	"strings"
)

// exports are the tables an export writes, each the COPY statement of a file
// of queries/export, in the order they are written.
var exports = []struct {
	table string
	st    statement
}{
	{"submissions", declare("export/submissions.sql")},
	{"receipts", declare("export/receipts.sql")},
	{"income", declare("export/income.sql")},
	{"findings", declare("export/findings.sql")},
	{"grants", declare("export/grants.sql")},
}

// ExportTables lists the tables ExportParquet writes, in the order an
// export writes them.
func ExportTables() []string {
	out := make([]string, len(exports))
	for i, e := range exports {
		out[i] = e.table
	}
	return out
}

// ExportParquet writes table (one of ExportTables) as Parquet files below
// dir, an absolute path inside the folder the store was opened for with
// OpenExporting, partitioned year=…/district=…; files already there are
// overwritten.
func (s *Store) ExportParquet(ctx context.Context, table, dir string) error {
	for _, e := range exports {
		if e.table != table {
			continue
		}
		// COPY takes its target as a literal: quoted as SQL quotes one.
		q := strings.Replace(s.text(e.st), "{dir}", "'"+strings.ReplaceAll(dir, "'", "''")+"'", 1)
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("export %s: %w", table, err)
		}
		return nil
	}
	return fmt.Errorf("export %s: no such table (want one of %s)", table, strings.Join(ExportTables(), ", "))
}
