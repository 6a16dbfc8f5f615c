package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"grantpipe/pipeline/money"
)

var (
	payoutFind   = declare("payouts/find.sql")
	payoutInsert = declare("payouts/insert.sql")
)

// ImportedPayout is a payout imported from the state's accounting system
// (table imported_payouts). Its reference identifies it.
type ImportedPayout struct {
	Reference  string
	District   string    // AGS
	Date       time.Time // the day paid
	Amount     money.Cents
	SourceFile string // the list's file name
	SourceRow  int    // its row in the list
	ImportedAt time.Time
}

// A PayoutImport is one payout list being imported: one transaction, so
// that the good rows of a list land together or not at all. Close it when
// done: it rolls back what was not committed.
type PayoutImport struct {
	s  *Store
	tx *sql.Tx
}

// BeginPayoutImport starts importing a payout list.
func (s *Store) BeginPayoutImport(ctx context.Context) (*PayoutImport, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &PayoutImport{s: s, tx: tx}, nil
}

// Payout returns the payout imported under reference, and whether there is
// one.
func (p *PayoutImport) Payout(ctx context.Context, reference string) (ImportedPayout, bool, error) {
	var o ImportedPayout
	err := p.tx.QueryRowContext(ctx, p.s.text(payoutFind), reference).Scan(&o.Reference, &o.District, &o.Date, &o.Amount,
		&o.SourceFile, &o.SourceRow, &o.ImportedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ImportedPayout{}, false, nil
	case err != nil:
		return ImportedPayout{}, false, err
	}
	return o, true, nil
}

// Add stores a new payout.
func (p *PayoutImport) Add(ctx context.Context, o ImportedPayout) error {
	_, err := p.tx.ExecContext(ctx, p.s.text(payoutInsert), o.Reference, o.District, o.Date, o.Amount,
		o.SourceFile, o.SourceRow, o.ImportedAt.UTC())
	return err
}

// Commit stores the payouts added.
func (p *PayoutImport) Commit() error { return p.tx.Commit() }

// Close rolls back what was not committed.
func (p *PayoutImport) Close() error {
	if err := p.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}
