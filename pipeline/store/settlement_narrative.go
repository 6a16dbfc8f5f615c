package store

import (
	"context"
	"database/sql"
)

var reportSettlementNarrative = declare("report/settlement_narrative.sql")

// QuarterParagraph is a paragraph of a district's narrative with the
// quarter it was reported for.
type QuarterParagraph struct {
	Quarter int
	Text    string // at most 32,767 characters, as an Excel cell holds
}

// QuarterNarrative returns district's narrative paragraphs of year, from
// the current submission of each quarter, in quarter and row order: the
// Sachbericht of the final report (Verwendungsnachweis) is headed per
// quarter.
func (s *Store) QuarterNarrative(ctx context.Context, district string, year int) ([]QuarterParagraph, error) {
	return allRows(ctx, s, "narrative of "+district, reportSettlementNarrative, []any{district, year}, func(r *sql.Rows, p *QuarterParagraph) error {
		return r.Scan(&p.Quarter, &p.Text)
	})
}
