package store

import (
	"context"
	"database/sql"
	"time"

	"grantpipe/pipeline/money"
)

// The reads of the payout ledger and of the interest as a person checks it
// (issue 13): what the latest validation run stored in run_payout_coverage
// and run_interest_periods.
var (
	reportPayouts         = declare("report/payouts.sql")
	reportInterestPeriods = declare("report/interest_periods.sql")
)

// PayoutLine is one payout of the ledger: when and how much was paid, and
// how it was used.
type PayoutLine struct {
	District     string
	Date         time.Time
	Amount       money.Cents
	Reference    string
	Due          time.Time   // the spending window's last day
	UnspentAtDue money.Cents // what of it the grant's share of eligible payments had not covered by Due
	CoveredOn    *time.Time  // the day it was covered in full; nil: not by the run's day
	OpenNow      money.Cents // what was still uncovered on the run's day
	Interest     money.Cents // the sum of its interest periods
	DaysOpen     int         // the days of its interest periods
	IsDue        bool        // its spending window had ended by the run's day
}

// Payouts returns the payout ledger of year: every payout made by until,
// by district and date.
func (s *Store) Payouts(ctx context.Context, year int, until time.Time) ([]PayoutLine, error) {
	return allRows(ctx, s, "payout ledger", reportPayouts, []any{year, until}, func(r *sql.Rows, p *PayoutLine) error {
		var covered sql.NullTime
		var days sql.NullInt64
		if err := r.Scan(&p.District, &p.Date, &p.Amount, &p.Reference, &p.Due, &p.UnspentAtDue, &covered, &p.OpenNow, &p.Interest, &days, &p.IsDue); err != nil {
			return err
		}
		if covered.Valid {
			t := covered.Time
			p.CoveredOn = &t
		}
		p.DaysOpen = int(days.Int64)
		return nil
	})
}

// InterestPeriod is a stretch of days in which a payout's uncovered amount
// and the interest rate stayed the same: Interest = round(Open × rate ×
// Days / 365, 2).
type InterestPeriod struct {
	District   string
	PayoutDate time.Time
	Reference  string
	From, To   time.Time // both included
	Open       money.Cents
	RatePPM    int64 // the rate per year in millionths: 62700 is 6.27 %
	Days       int
	Interest   money.Cents
}

// InterestPeriods returns the interest periods of the payouts of year made
// by until, by district, payout and first day.
func (s *Store) InterestPeriods(ctx context.Context, year int, until time.Time) ([]InterestPeriod, error) {
	return allRows(ctx, s, "interest periods", reportInterestPeriods, []any{year, until}, func(r *sql.Rows, p *InterestPeriod) error {
		return r.Scan(&p.District, &p.PayoutDate, &p.Reference, &p.From, &p.To, &p.Open, &p.RatePPM, &p.Days, &p.Interest)
	})
}

var reportIncome = declare("report/income.sql")

// IncomeLine is one line of an Einnahmen sheet as the reports show it.
type IncomeLine struct {
	Quarter int
	Type    string // code; empty when unknown
	TypeRaw string
	Date    sql.NullTime
	Source  string
	Purpose string
	Amount  money.NullCents
	Counted bool // lowers the grant (see views/11_counted_income.sql)
	File    string
	Sheet   string
	Cell    string // the amount's cell
}

// DistrictIncome returns district's income lines of year and quarters
// first through last, in order of the day received.
func (s *Store) DistrictIncome(ctx context.Context, district string, year, first, last int) ([]IncomeLine, error) {
	return allRows(ctx, s, "income of "+district, reportIncome, []any{year, first, last, district}, func(r *sql.Rows, x *IncomeLine) error {
		return r.Scan(&x.Quarter, &x.Type, &x.TypeRaw, &x.Date, &x.Source, &x.Purpose, &x.Amount, &x.Counted, &x.File, &x.Sheet, &x.Cell)
	})
}
