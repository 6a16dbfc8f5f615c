package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"
)

// dumps are the tables Dump writes, in order.
var dumps = []struct {
	table string
	st    statement
}{
	{"coordinators", declare("inspect/coordinators.sql")},
	{"receipts", declare("inspect/receipts.sql")},
	{"income", declare("inspect/income.sql")},
	{"activities", declare("inspect/activities.sql")},
	{"narrative", declare("inspect/narrative.sql")},
}

// Dump writes what is stored of one submission as plain text: one block per
// table, one tab-separated line per row, every value with its cell. It is the
// readable form of a submission for golden tests and for people asking
// "what did grantpipe read from this file?".
func (s *Store) Dump(ctx context.Context, w io.Writer, submissionID int64) error {
	for _, d := range dumps {
		table := d.table
		rows, err := s.db.QueryContext(ctx, s.text(d.st), submissionID)
		if err != nil {
			return fmt.Errorf("dump %s: %w", table, err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(w, "# %s\n%s\n", table, strings.Join(cols, "\t"))
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return fmt.Errorf("dump %s: %w", table, err)
			}
			out := make([]string, len(vals))
			for i, v := range vals {
				out[i] = dumpValue(v)
			}
			fmt.Fprintln(w, strings.Join(out, "\t"))
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("dump %s: %w", table, err)
		}
		fmt.Fprintln(w)
	}
	return nil
}

func dumpValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "∅"
	case time.Time:
		return v.Format("2006-01-02")
	case []byte:
		return string(v)
	case sql.RawBytes:
		return string(v)
	case fmt.Stringer:
		return v.String()
	}
	return strings.ReplaceAll(fmt.Sprint(v), "\t", " ")
}
