package programme

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Job names of the schedule, in the order the file and status list them.
var JobNames = []string{"ingest", "quarterly", "reminders", "annual"}

// Schedule is when the unattended jobs run (grantpipe schedule).
type Schedule struct {
	// TimeZone the cron expressions are read in.
	TimeZone string
	// Jobs maps a job name (JobNames) to its cron expression (five fields:
	// minute hour day-of-month month day-of-week).
	Jobs map[string]string
	// QuietFrom and QuietTo bound the local hour in which nothing may be
	// scheduled (by default 02:00–03:00, the hour that daylight saving time
	// skips in spring and repeats in autumn).
	QuietFrom, QuietTo string
	// GracePeriod is how long a running job may finish after SIGTERM before
	// it is cancelled (its transaction rolls back).
	GracePeriod time.Duration
	// Settle leaves inbox files younger than this for the next run: they may
	// still be being copied in.
	Settle time.Duration
}

// DefaultTimeZone is the programme's time zone unless the configuration
// says otherwise: Saxony-Anhalt's. It is the only place it is named.
const DefaultTimeZone = "Europe/Berlin"

// DefaultSchedule is used when the file has no [schedule] table.
func DefaultSchedule() Schedule {
	return Schedule{
		TimeZone: DefaultTimeZone,
		Jobs: map[string]string{
			"ingest":    "*/15 0-1,3-23 * * *",
			"quarterly": "0 6 20 1,4,7,10 *",
			"reminders": "30 6 16 1,4,7,10 *",
			"annual":    "0 7 1 2 *",
		},
		QuietFrom:   "02:00",
		QuietTo:     "03:00",
		GracePeriod: 5 * time.Minute,
		Settle:      time.Minute,
	}
}

// Location is the schedule's time zone.
func (s Schedule) Location() (*time.Location, error) { return time.LoadLocation(s.TimeZone) }

// Parser reads the five-field cron expressions of the schedule.
var Parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

type rawSchedule struct {
	TimeZone   any            `toml:"time_zone"`
	Jobs       map[string]any `toml:"jobs"`
	QuietHours any            `toml:"quiet_hours"`
	GraceSecs  any            `toml:"grace_period_seconds"`
	SettleSecs any            `toml:"settle_seconds"`
}

// schedule converts the [schedule] table; a missing table or key takes the
// default.
func (c *checker) schedule(r *rawSchedule) Schedule {
	s := DefaultSchedule()
	if r == nil {
		return s
	}
	if r.TimeZone != nil {
		if tz, ok := c.text("schedule.time_zone", r.TimeZone); ok {
			if _, err := time.LoadLocation(tz); err != nil {
				c.add("schedule.time_zone", "%q is not a time zone (e.g. Europe/Berlin)", tz)
			} else {
				s.TimeZone = tz
			}
		}
	}
	if r.QuietHours != nil {
		if q, ok := c.text("schedule.quiet_hours", r.QuietHours); ok {
			from, to, found := strings.Cut(q, "-")
			_, e1 := time.Parse("15:04", strings.TrimSpace(from))
			_, e2 := time.Parse("15:04", strings.TrimSpace(to))
			if !found || e1 != nil || e2 != nil {
				c.add("schedule.quiet_hours", "%q: want HH:MM-HH:MM, e.g. 02:00-03:00", q)
			} else {
				s.QuietFrom, s.QuietTo = strings.TrimSpace(from), strings.TrimSpace(to)
			}
		}
	}
	if r.GraceSecs != nil {
		if n, ok := c.integer("schedule.grace_period_seconds", r.GraceSecs, 0, 86400); ok {
			s.GracePeriod = time.Duration(n) * time.Second
		}
	}
	if r.SettleSecs != nil {
		if n, ok := c.integer("schedule.settle_seconds", r.SettleSecs, 0, 86400); ok {
			s.Settle = time.Duration(n) * time.Second
		}
	}
	known := map[string]bool{}
	for _, j := range JobNames {
		known[j] = true
	}
	var names []string
	for name := range r.Jobs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		key := "schedule.jobs." + name
		if !known[name] {
			c.add(key, "unknown job (the jobs are %s)", strings.Join(JobNames, ", "))
			continue
		}
		spec, ok := c.text(key, r.Jobs[name])
		if !ok {
			continue
		}
		s.Jobs[name] = spec
	}
	loc, err := s.Location()
	if err != nil {
		return s
	}
	for _, name := range JobNames {
		key := "schedule.jobs." + name
		sched, err := Parser.Parse(s.Jobs[name])
		if err != nil {
			c.add(key, "%q is not a cron expression: %v", s.Jobs[name], err)
			continue
		}
		if at, bad := s.inQuietHours(sched, loc); bad {
			c.add(key, "%q runs at %s, inside the quiet hours %s-%s (daylight saving time skips or repeats that hour)",
				s.Jobs[name], at, s.QuietFrom, s.QuietTo)
		}
	}
	return s
}

// inQuietHours tells whether a schedule can fire inside the quiet hours, and
// at which local time. Five-field expressions are checked on their minute and
// hour fields; anything else is followed through a year.
func (s Schedule) inQuietHours(sched cron.Schedule, loc *time.Location) (string, bool) {
	from, _ := time.Parse("15:04", s.QuietFrom)
	to, _ := time.Parse("15:04", s.QuietTo)
	lo, hi := from.Hour()*60+from.Minute(), to.Hour()*60+to.Minute()
	if spec, ok := sched.(*cron.SpecSchedule); ok {
		for m := lo; m < hi; m++ {
			if spec.Hour&(1<<uint(m/60)) != 0 && spec.Minute&(1<<uint(m%60)) != 0 {
				return fmt.Sprintf("%02d:%02d", m/60, m%60), true
			}
		}
		return "", false
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	for t := sched.Next(start); !t.IsZero() && t.Before(start.AddDate(1, 0, 0)); t = sched.Next(t) {
		if m := t.Hour()*60 + t.Minute(); m >= lo && m < hi {
			return t.Format("2006-01-02 15:04"), true
		}
	}
	return "", false
}

// writeSchedule prints the [schedule] table.
func writeSchedule(b *strings.Builder, s Schedule) {
	fmt.Fprintf(b, "\n# Zeitplan der unbeaufsichtigten Läufe (grantpipe schedule), Cron-Ausdrücke\n")
	fmt.Fprintf(b, "# (Minute Stunde Tag Monat Wochentag) in der angegebenen Zeitzone. Zwischen\n")
	fmt.Fprintf(b, "# quiet_hours darf nichts geplant sein (Sommer-/Winterzeit).\n")
	fmt.Fprintf(b, "# Schedule of the unattended jobs, cron expressions in the given time zone;\n")
	fmt.Fprintf(b, "# nothing may run in the quiet hours (daylight saving time).\n")
	fmt.Fprintf(b, "[schedule]\ntime_zone = %q\nquiet_hours = %q\n", s.TimeZone, s.QuietFrom+"-"+s.QuietTo)
	fmt.Fprintf(b, "grace_period_seconds = %d\nsettle_seconds = %d\n", int(s.GracePeriod/time.Second), int(s.Settle/time.Second))
	fmt.Fprintf(b, "\n[schedule.jobs]\n")
	comments := map[string]string{
		"ingest":    "Eingang lesen, prüfen, Berichte und Rückmeldungen schreiben / ingest, check, reports and feedback",
		"quarterly": "Quartalsberichte nach der Abgabefrist / the quarter's reports after its deadline",
		"reminders": "Erinnerung an fehlende Meldungen nach der Frist / reminders of missing submissions",
		"annual":    "Jahresberichte des Vorjahres / the previous year's annual reports",
	}
	for _, name := range JobNames {
		fmt.Fprintf(b, "# %s\n%s = %q\n", comments[name], name, s.Jobs[name])
	}
}
