package programme

// AllDistricts returns the codes (AGS) of every district of every budget
// year, each once, in the order they first appear.
func (p *Programme) AllDistricts() []string {
	seen := map[string]bool{}
	var out []string
	for _, y := range p.Years {
		for _, d := range y.Districts {
			if !seen[d.AGS] {
				seen[d.AGS] = true
				out = append(out, d.AGS)
			}
		}
	}
	return out
}
