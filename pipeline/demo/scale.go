package demo

import (
	"fmt"

	"grantpipe/pipeline/money"
	"grantpipe/pipeline/programme"
)

// ScaledProgramme returns a programme for benchmarks with n districts in
// the demo's budget year: the first n real ones, then synthetic districts
// ("Testkreis 015", AGS 90015 …) with the grant, plan and payouts of a real
// MaxDistricts bounds the scaled demo: its configuration must stay within
// the size a programme configuration may have (programme.MaxFileSize; 5,000
// districts write about 3.2 MB of it).
const MaxDistricts = 5000

// one; the state budget grows with them. The schedule stays as it is.
func ScaledProgramme(p *programme.Programme, n int) (*programme.Programme, error) {
	base, ok := p.Year(Year)
	if !ok {
		return nil, fmt.Errorf("demo: the configuration has no budget year %d", Year)
	}
	if n < 1 || n > MaxDistricts {
		return nil, fmt.Errorf("demo: %d districts: want 1 to %d", n, MaxDistricts)
	}
	y := *base
	y.Districts = nil
	var approved money.Cents
	for i := range n {
		src := base.Districts[i%len(base.Districts)]
		d := src
		if i >= len(base.Districts) {
			d.AGS = fmt.Sprintf("9%04d", i+1)
			d.Name = fmt.Sprintf("Testkreis %03d", i+1)
			d.Kind = programme.KindLandkreis
			d.FileNumber = fmt.Sprintf("LVwA 506.2-%s/%d", d.AGS, Year)
			d.Payouts = nil
			for q, po := range src.Payouts {
				po.Reference = fmt.Sprintf("AZ-%d-%s-Q%d", Year, d.AGS, q+1)
				d.Payouts = append(d.Payouts, po)
			}
		}
		approved += d.Approved
		y.Districts = append(y.Districts, d)
	}
	y.StateBudget = max(y.StateBudget, approved)
	return &programme.Programme{Schedule: p.Schedule, BaseRates: p.BaseRates, Years: []*programme.Year{&y}}, nil
}
