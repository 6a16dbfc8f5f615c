package datadir

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
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

func TestPrintableEscapesWhatCouldForgeALine(t *testing.T) {
	cases := map[string]string{
		"Meldung Q1.xlsx":    "Meldung Q1.xlsx",
		"Müller & Söhne – €": "Müller & Söhne – €",
		"a\nangenommen":      `a\x0aangenommen`,
		"\x1b[32mOK\x1b[0m":  `\x1b[32mOK\x1b[0m`,
		"bad\xff\xfename":    `bad\xff\xfename`,
		"tab\there":          `tab\x09here`,
		"rtl\u202eexe.xlsx":  `rtl\u{202e}exe.xlsx`,
		"nul\x00":            `nul\x00`,
	}
	for in, want := range cases {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStoredNameFitsTheFileSystemAndKeepsTheExtension(t *testing.T) {
	long := strings.Repeat("ä", 150) + ".xlsx" // 305 bytes
	got := StoredName("0123456789ab_", long, ".errors.txt")
	if len(got) > MaxNameBytes {
		t.Fatalf("%d bytes: %q", len(got), got)
	}
	if !strings.HasPrefix(got, "0123456789ab_ää") || !strings.HasSuffix(got, "…xlsx.errors.txt") && !strings.HasSuffix(got, "….xlsx.errors.txt") {
		t.Errorf("got %q", got)
	}
	if !utf8.ValidString(got) {
		t.Errorf("not UTF-8: %q", got)
	}
	if got := StoredName("", "a/b\\c.xlsx", ""); got != "a_b_c.xlsx" {
		t.Errorf("separators: %q", got)
	}
	if got := StoredName("", "..", ""); got != "_.." {
		t.Errorf("dot-dot: %q", got)
	}
	if got := StoredName("p_", "kurz.xlsx", ".x"); got != "p_kurz.xlsx.x" {
		t.Errorf("short: %q", got)
	}
	// A file with that name can really be created.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, got), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	name := StoredName("0123456789ab_", string([]byte{0xff, 0xfe})+strings.Repeat("x", 300)+".xlsx", ".feedback.xlsx")
	if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
		t.Fatalf("%q: %v", name, err)
	}
}

func TestScanInboxNamesWhatItLeavesAndTrustsNoFutureTime(t *testing.T) {
	d := New(t.TempDir())
	if err := d.Ensure([]string{"15083"}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	write := func(rel string, mod time.Time) string {
		p := filepath.Join(d.Inbox(), rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, mod, mod)
		return p
	}
	settled := write("15083/alt.xlsx", now.Add(-time.Hour))
	write("15083/frisch.xlsx", now.Add(-10*time.Second))
	future := write("15083/2099.xlsx", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))
	write("15083/Unterordner/x.xlsx", now.Add(-time.Hour))
	if err := os.Symlink("/etc/passwd", filepath.Join(d.InboxOf("15083"), "link.xlsx")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(d.InboxOf("15083"), "fifo.xlsx"), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := d.ScanInbox(now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range in.Files {
		files = append(files, d.Rel(f.Path))
	}
	if want := []string{d.Rel(settled), d.Rel(future)}; strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("taken %v, want %v", files, want)
	}
	skipped := map[string]string{}
	for _, s := range in.Skipped {
		skipped[d.Rel(s.Path)] = s.Reason
	}
	want := map[string]string{
		"inbox/15083/frisch.xlsx": SkipSettling, "inbox/15083/Unterordner": SkipFolder,
		"inbox/15083/link.xlsx": SkipSymlink, "inbox/15083/fifo.xlsx": SkipSpecial,
	}
	if len(skipped) != len(want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
	for p, r := range want {
		if skipped[p] != r {
			t.Errorf("%s: skipped as %q, want %q", p, skipped[p], r)
		}
	}
}
