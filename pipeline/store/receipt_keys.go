package store

import (
	"context"
	"database/sql"
	"fmt"

	"grantpipe/pipeline/receiptno"
)

var (
	unkeyedReceipts = declare("store/unkeyed_receipts.sql")
	setReceiptKeys  = declare("store/set_receipt_keys.sql")
)

// migrationHooks run in a migration's transaction after its SQL: what the
// migration needs that SQL cannot do.
var migrationHooks = map[int]func(context.Context, *Store, querier) error{
	12: fillReceiptKeys,
}

// querier is a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// receiptKeyBatch is how many keys one statement sets.
const receiptKeyBatch = 100_000

// fillReceiptKeys gives every receipt with a number but no key its key
// (receiptno.Key): receipts stored before the column existed, or written
// straight into the table (the benchmarks, tests).
func fillReceiptKeys(ctx context.Context, s *Store, q querier) error {
	rows, err := q.QueryContext(ctx, s.text(unkeyedReceipts))
	if err != nil {
		return fmt.Errorf("receipt keys: %w", err)
	}
	var ids []int64
	var keys []uint32
	for rows.Next() {
		var id int64
		var district, number string
		var year int
		if err := rows.Scan(&id, &district, &year, &number); err != nil {
			rows.Close()
			return fmt.Errorf("receipt keys: %w", err)
		}
		if k, ok := receiptno.Key(district, year, number); ok {
			ids, keys = append(ids, id), append(keys, k)
		}
	}
	if err := errorsOf(rows); err != nil {
		return fmt.Errorf("receipt keys: %w", err)
	}
	for len(ids) > 0 {
		n := min(len(ids), receiptKeyBatch)
		if _, err := q.ExecContext(ctx, s.text(setReceiptKeys), ids[:n], keys[:n]); err != nil {
			return fmt.Errorf("receipt keys: %w", err)
		}
		ids, keys = ids[n:], keys[n:]
	}
	return nil
}

// errorsOf closes rows and returns what went wrong reading them.
func errorsOf(rows *sql.Rows) error {
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}
