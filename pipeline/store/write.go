package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math/big"
	"time"
	// Deadlines are Berlin days wherever grantpipe runs.
	_ "time/tzdata"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/pipeline/receiptno"
	"grantpipe/pipeline/submission"
)

// ReaderVersion names the reading rules a submission was read with, so a
// later change to the reader can be traced in stored data.
const ReaderVersion = "grantpipe-reader/1"

// Meta is what is known of a submission's file besides its content.
type Meta struct {
	SHA256        string
	FileName      string
	SourcePath    string
	InboxDistrict string
	StoredPath    string    // where the file will be moved once the transaction commits
	ReceivedAt    time.Time // when it reached the inbox: its modification time, at most the pick-up time
	ReceivedLocal time.Time // the same as the programme's local wall clock shows it (deadlines are local days)
	ModifiedAt    time.Time // its modification time as it arrived (set by the sender)
	IngestedAt    time.Time
	Size          int64
}

var (
	nextSubmissionID = declare("ingest/next_submission_id.sql")
	insertSubmission = declare("ingest/insert_submission.sql")
	supersede        = declare("ingest/supersede.sql")
)

// Hook lets tests stop the process at a chosen point of a write, to prove
// that a crash anywhere leaves nothing half-done. point is "row" (n = rows
// appended so far) or "commit" (just before the commit).
type Hook func(point string, n int)

// Save stores a submission, accepted or rejected, with all its rows and
// findings in one transaction on one connection, so it lands whole or not at
// all. For an accepted submission it also marks the one it replaces. It
// returns the new submission id.
func (s *Store) Save(ctx context.Context, meta Meta, sub *submission.Submission, cat *messages.Catalog, hook Hook) (id int64, err error) {
	if hook == nil {
		hook = func(string, int) {}
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("save %s: %w", meta.FileName, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return 0, fmt.Errorf("save %s: %w", meta.FileName, err)
	}
	committed := false
	defer func() {
		if !committed {
			// A cancelled ctx must not keep the rollback from running.
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if err := conn.QueryRowContext(ctx, s.text(nextSubmissionID)).Scan(&id); err != nil {
		return 0, fmt.Errorf("save %s: %w", meta.FileName, err)
	}
	outcome := "accepted"
	if sub.Rejected {
		outcome = "rejected"
	}
	if _, err := conn.ExecContext(ctx, s.text(insertSubmission),
		id, meta.SHA256, meta.FileName, meta.SourcePath, nullString(meta.InboxDistrict), outcome, meta.StoredPath,
		meta.ReceivedAt.UTC(), meta.ReceivedLocal, meta.IngestedAt.UTC(), ReaderVersion, meta.Size, sub.Date1904,
		nullString(sub.District), nullInt(sub.Year), nullInt(sub.Quarter), nullString(sub.DistrictName),
		nullString(sub.FileNumber), nullString(sub.Contact), nullString(sub.Email), meta.ModifiedAt.UTC()); err != nil {
		return 0, fmt.Errorf("save %s: %w", meta.FileName, err)
	}
	err = conn.Raw(func(dc any) error {
		w := &appendWriter{conn: dc.(driver.Conn), id: id, hook: hook}
		return w.write(sub, cat)
	})
	if err != nil {
		return 0, fmt.Errorf("save %s: %w", meta.FileName, err)
	}
	if !sub.Rejected {
		if _, err := conn.ExecContext(ctx, s.text(supersede), sub.District, sub.Year, sub.Quarter); err != nil {
			return 0, fmt.Errorf("save %s: %w", meta.FileName, err)
		}
	}
	hook("commit", 0)
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return 0, fmt.Errorf("save %s: commit: %w", meta.FileName, err)
	}
	committed = true
	return id, nil
}

// appendWriter appends a submission's rows through DuckDB appenders, which
// take part in the connection's open transaction.
type appendWriter struct {
	conn driver.Conn
	id   int64
	hook Hook
	rows int
}

func (w *appendWriter) table(name string, rows int, each func(a *duckdb.Appender) error) error {
	if rows == 0 {
		return nil // an appender costs a catalog lookup even for nothing
	}
	a, err := duckdb.NewAppenderFromConn(w.conn, "", name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := each(a); err != nil {
		a.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (w *appendWriter) write(sub *submission.Submission, cat *messages.Catalog) error {
	if err := w.table("submission_header", len(sub.Header), func(a *duckdb.Appender) error {
		for _, h := range sub.Header {
			if err := a.AppendRow(w.id, h.Field, h.Sheet, h.Cell, nullString(h.Raw)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := w.table("coordinators", len(sub.Coordinators), func(a *duckdb.Appender) error {
		for _, c := range sub.Coordinators {
			var fte any
			if c.FTEValue != nil {
				fte = decimal(c.FTEValue.Value, c.FTEValue.Scale, 9, 4)
			}
			if err := a.AppendRow(w.id, c.Sheet, int32(c.Row),
				nullString(c.ID.Raw), nullString(c.ID.Cell),
				nullString(c.Post.Raw), nullString(c.Post.Cell),
				fte, nullString(c.FTE.Raw), nullString(c.FTE.Cell),
				nullString(c.Grade), nullString(c.PayGrade.Raw), nullString(c.PayGrade.Cell),
				nullDate(c.StartAt), nullString(c.Start.Raw), nullString(c.Start.Cell),
				nullDate(c.EndAt), nullString(c.End.Raw), nullString(c.End.Cell)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := w.table("receipts", len(sub.Receipts), func(a *duckdb.Appender) error {
		for _, r := range sub.Receipts {
			var line, amount any
			if r.Line != nil {
				line = *r.Line
			}
			if r.Cents != nil {
				amount = cents(*r.Cents)
			}
			var key any
			if k, ok := receiptno.Key(sub.District, sub.Year, r.ReceiptNo.Raw); ok {
				key = k
			}
			if err := a.AppendRow(w.id, r.Sheet, int32(r.Row),
				line, nullString(r.LineNo.Raw), nullString(r.LineNo.Cell),
				nullString(r.CategoryCod), nullString(r.Category.Raw), nullString(r.Category.Cell),
				nullDate(r.InvoiceAt), nullString(r.InvoiceDate.Raw), nullString(r.InvoiceDate.Cell),
				nullDate(r.PaymentAt), nullString(r.PaymentDate.Raw), nullString(r.PaymentDate.Cell),
				nullString(r.Payee.Raw), nullString(r.Payee.Cell),
				nullString(r.Purpose.Raw), nullString(r.Purpose.Cell),
				amount, nullString(r.Amount.Raw), nullString(r.Amount.Cell),
				nullString(r.ReceiptNo.Raw), nullString(r.ReceiptNo.Cell),
				nullString(r.Coordinator.Raw), nullString(r.Coordinator.Cell), key); err != nil {
				return err
			}
			w.rows++
			w.hook("row", w.rows)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := w.income(sub.Income); err != nil {
		return err
	}
	if err := w.table("activities", len(sub.Activities), func(a *duckdb.Appender) error {
		for _, act := range sub.Activities {
			var count any
			if act.Count != nil {
				count = *act.Count
			}
			if err := a.AppendRow(w.id, act.Sheet, int32(act.Row),
				nullDate(act.At), nullString(act.Date.Raw), nullString(act.Date.Cell),
				nullString(act.TypeCode), nullString(act.Type.Raw), nullString(act.Type.Cell),
				nullString(act.Title.Raw), nullString(act.Title.Cell),
				count, nullString(act.Participants.Raw), nullString(act.Participants.Cell),
				nullString(act.Partners.Raw), nullString(act.Partners.Cell)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := w.table("narrative", len(sub.Narrative), func(a *duckdb.Appender) error {
		for _, p := range sub.Narrative {
			if err := a.AppendRow(w.id, p.Sheet, int32(p.Row), p.Cell, p.Text); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return w.table("submission_findings", len(sub.Findings), func(a *duckdb.Appender) error {
		for i, f := range sub.Findings {
			var row any
			if f.Row > 0 {
				row = int32(f.Row)
			}
			if err := a.AppendRow(w.id, int32(i+1), f.Rule, string(f.Severity), nullString(f.Sheet), nullString(f.Cell), row,
				f.Key, cat.Text("de", f.Key, f.Args), cat.Text("en", f.Key, f.Args)); err != nil {
				return err
			}
		}
		return nil
	})
}

// cents is an exact DECIMAL(18,2): appending a float64 to a DECIMAL column
// can silently store a wrong value.
func cents(c money.Cents) duckdb.Decimal {
	return duckdb.Decimal{Width: 18, Scale: 2, Value: big.NewInt(int64(c))}
}

// decimal rescales value×10^-scale to a DECIMAL(width,target), rounding half
// away from zero when it has more digits than the column.
func decimal(value int64, scale int, width, target uint8) duckdb.Decimal {
	v := big.NewInt(value)
	ten := big.NewInt(10)
	for s := scale; s < int(target); s++ {
		v.Mul(v, ten)
	}
	for s := scale; s > int(target); s-- {
		q, r := new(big.Int).QuoRem(v, ten, new(big.Int))
		if r.CmpAbs(big.NewInt(5)) >= 0 {
			q.Add(q, big.NewInt(int64(v.Sign())))
		}
		v = q
	}
	return duckdb.Decimal{Width: width, Scale: target, Value: v}
}

// NullString is s for a nullable column: NULL when empty.
func NullString(s string) any { return nullString(s) }

// NullInt is v for a nullable INTEGER column: NULL when zero.
func NullInt(v int) any { return nullInt(v) }

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(v int) any {
	if v == 0 {
		return nil
	}
	return int32(v)
}

func nullDate(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// WallClock is t as a clock in loc shows it, as a plain timestamp (UTC
// with the same digits), so that deadlines (a local day) compare in SQL
// without time zone arithmetic.
func WallClock(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// Money is c as an exact DECIMAL(18,2) value for the Appender.
func Money(c money.Cents) duckdb.Decimal { return cents(c) }

// Append appends rows to table through a DuckDB Appender on conn, inside
// whatever transaction conn has open: many rows cost about as much as one
// INSERT. Values must have the column's Go type (int32 for INTEGER, int64
// for BIGINT, Money for DECIMAL(18,2), time.Time for DATE and TIMESTAMP,
// nil for NULL).
func Append(ctx context.Context, conn *sql.Conn, table string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	return conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return fmt.Errorf("append %s: %w", table, err)
		}
		for _, r := range rows {
			if err := a.AppendRow(toDriver(r)...); err != nil {
				a.Close()
				return fmt.Errorf("append %s: %w", table, err)
			}
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("append %s: %w", table, err)
		}
		return nil
	})
}

func toDriver(r []any) []driver.Value {
	out := make([]driver.Value, len(r))
	for i, v := range r {
		out[i] = v
	}
	return out
}
