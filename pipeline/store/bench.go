package store

import (
	"context"
	"fmt"
)

var benchReceipts = declare("bench/receipts.sql")

// FillBenchmarkReceipts writes perSubmission synthetic receipt lines for
// each of the submissions 1…submissions (queries/bench/receipts.sql): data
// for the validation benchmark, which needs millions of lines faster than
// workbooks can be made.
func (s *Store) FillBenchmarkReceipts(ctx context.Context, perSubmission, submissions int) error {
	if _, err := s.db.ExecContext(ctx, s.text(benchReceipts), perSubmission, submissions); err != nil {
		return fmt.Errorf("benchmark receipts: %w", err)
	}
	return s.FillReceiptKeys(ctx)
}

// FillReceiptKeys gives every receipt with a number but no key its key,
// as storing a submission does: for receipts written straight into the
// table (the benchmarks, tests).
func (s *Store) FillReceiptKeys(ctx context.Context) error {
	return fillReceiptKeys(ctx, s, s.db)
}
