package programme

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestScheduleDefaultsAndChecks(t *testing.T) {
	base, err := os.ReadFile("../../templates/programme.toml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(base, "programme.toml")
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Schedule; s.Jobs["ingest"] != "*/15 0-1,3-23 * * *" || s.TimeZone != "Europe/Berlin" || s.GracePeriod != 5*time.Minute {
		t.Errorf("default schedule %+v", s)
	}
	cases := map[string]struct{ from, to, want string }{
		"a job in the quiet hours": {`ingest = "*/15 0-1,3-23 * * *"`, `ingest = "*/15 * * * *"`,
			`schedule.jobs.ingest: "*/15 * * * *" runs at 02:00, inside the quiet hours 02:00-03:00`},
		"a job that is no cron expression": {`annual = "0 7 1 2 *"`, `annual = "every February"`, `schedule.jobs.annual: "every February" is not a cron expression`},
		"an unknown job":                   {`annual = "0 7 1 2 *"`, "annual = \"0 7 1 2 *\"\nbackup = \"0 4 * * *\"", "schedule.jobs.backup: unknown job"},
		"an unknown time zone":             {`time_zone = "Europe/Berlin"`, `time_zone = "Europe/Magdeburg"`, `schedule.time_zone: "Europe/Magdeburg" is not a time zone`},
		"quiet hours written wrong":        {`quiet_hours = "02:00-03:00"`, `quiet_hours = "2 bis 3"`, "schedule.quiet_hours"},
	}
	for name, c := range cases {
		t.Run(name+" is refused naming the key", func(t *testing.T) {
			src := strings.Replace(string(base), c.from, c.to, 1)
			if src == string(base) {
				t.Fatalf("the edit %q did not apply", c.from)
			}
			_, err := Load([]byte(src), "programme.toml")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
	t.Run("a file without a schedule gets the default", func(t *testing.T) {
		src := string(base)
		i, j := strings.Index(src, "\n[schedule]"), strings.Index(src, "\n[[base_rate]]")
		p, err := Load([]byte(src[:i]+src[j:]), "programme.toml")
		if err != nil {
			t.Fatal(err)
		}
		if p.Schedule.Jobs["quarterly"] != DefaultSchedule().Jobs["quarterly"] {
			t.Errorf("%+v", p.Schedule)
		}
	})
}
