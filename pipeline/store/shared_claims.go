package store

import (
	"context"
	"database/sql"
	"fmt"

	"grantpipe/pipeline/receiptno"
	"grantpipe/pipeline/submission"
)

var (
	claimPartners       = declare("ingest/claim_partners.sql")
	claimsSharingKeys   = declare("ingest/claims_sharing_keys.sql")
	rebuildSharedClaims = declare("store/rebuild_shared_claims.sql")
)

// shareClaims adds to shared_claims, in the transaction that stores
// submission id, its positive receipt lines whose receipt key another
// positive line of the district and year has (in this file or in another
// accepted one), and those other lines (see schema/012_receipt_keys.sql).
// It reads only the other submissions' rows, one submission at a time, so
// that DuckDB reads only their row groups: its cost grows with the
// district's receipts, not with everyone's. A rejected submission never
// counts and shares nothing.
func shareClaims(ctx context.Context, s *Store, conn *sql.Conn, id int64, sub *submission.Submission) error {
	if sub.Rejected || sub.District == "" {
		return nil
	}
	type claim struct {
		sheet    string
		row      int32
		no, cell string
		amount   any
	}
	byKey := map[uint32][]claim{}
	var keys []uint32 // in the order of the lines, for a deterministic table
	for _, r := range sub.Receipts {
		if r.Cents == nil || *r.Cents <= 0 {
			continue
		}
		k, ok := receiptno.Key(sub.District, sub.Year, r.ReceiptNo.Raw)
		if !ok {
			continue
		}
		if _, seen := byKey[k]; !seen {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], claim{r.Sheet, int32(r.Row), r.ReceiptNo.Raw, r.ReceiptNo.Cell, cents(*r.Cents)})
	}
	if len(keys) == 0 {
		return nil
	}
	shared := map[uint32]bool{}
	for k, cs := range byKey {
		if len(cs) > 1 {
			shared[k] = true
		}
	}
	var partners []int64
	rows, err := conn.QueryContext(ctx, s.text(claimPartners), sub.District, sub.Year, id)
	if err != nil {
		return fmt.Errorf("shared claims: %w", err)
	}
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return fmt.Errorf("shared claims: %w", err)
		}
		partners = append(partners, p)
	}
	if err := errorsOf(rows); err != nil {
		return fmt.Errorf("shared claims: %w", err)
	}
	var add [][]any
	for _, p := range partners {
		rows, err := conn.QueryContext(ctx, s.text(claimsSharingKeys), p, keys)
		if err != nil {
			return fmt.Errorf("shared claims: %w", err)
		}
		for rows.Next() {
			var c claim
			var key uint32
			var no, cell sql.NullString
			var known bool
			if err := rows.Scan(&c.sheet, &c.row, &key, &no, &cell, &c.amount, &known); err != nil {
				rows.Close()
				return fmt.Errorf("shared claims: %w", err)
			}
			shared[key] = true
			if !known {
				add = append(add, []any{p, c.sheet, c.row, no.String, nullString(cell.String), c.amount})
			}
		}
		if err := errorsOf(rows); err != nil {
			return fmt.Errorf("shared claims: %w", err)
		}
	}
	for _, k := range keys {
		if shared[k] {
			for _, c := range byKey[k] {
				add = append(add, []any{id, c.sheet, c.row, c.no, nullString(c.cell), c.amount})
			}
		}
	}
	if err := Append(ctx, conn, "shared_claims", add); err != nil {
		return fmt.Errorf("shared claims: %w", err)
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
