package datadir

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestInboxDistrict(t *testing.T) {
	d := New(t.TempDir())
	cases := []struct {
		path    string
		ags     string
		inInbox bool
	}{
		{filepath.Join(d.Inbox(), "15083", "q1.xlsx"), "15083", true},
		{filepath.Join(d.Inbox(), "q1.xlsx"), "", true},
		{filepath.Join(d.Archive(), "15083", "q1.xlsx"), "", false},
		{filepath.Join(t.TempDir(), "q1.xlsx"), "", false},
	}
	for _, c := range cases {
		ags, in := d.InboxDistrict(c.path)
		if ags != c.ags || in != c.inInbox {
			t.Errorf("InboxDistrict(%s) = %q, %v; want %q, %v", d.Rel(c.path), ags, in, c.ags, c.inInbox)
		}
	}
}

func TestInboxFilesOldestFirstSkippingWhatIsNoSubmission(t *testing.T) {
	d := New(t.TempDir())
	if err := d.Ensure([]string{"15001", "15083"}); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	write := func(rel string, age int) {
		p := filepath.Join(d.Inbox(), rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
		ts := base.Add(time.Duration(age) * time.Hour)
		os.Chtimes(p, ts, ts)
	}
	write("15083/b.xlsx", 2)
	write("15001/a.xlsx", 3)
	write("root.xlsx", 1)
	write("15083/~$b.xlsx", 0)
	write("15083/b.xlsx.errors.txt", 0)
	write("15083/deeper/c.xlsx", 0)
	files, err := d.InboxFiles(base.Add(time.Hour*24), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, d.Rel(f.Path))
	}
	want := []string{"inbox/root.xlsx", "inbox/15083/b.xlsx", "inbox/15001/a.xlsx"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %v, want %v", got, want)
		}
	}
}
