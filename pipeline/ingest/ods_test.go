package ingest_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"grantpipe/pipeline/ingest"
)

// The .ods under testdata/ods is the workbook of the accepted_plain case
// saved by LibreOffice, as a district that fills the form in LibreOffice
// sends it. It is made, when soffice is on PATH, with
//
//	go test ./pipeline/ingest -run TestWriteODSFixture -write-ods
var writeODS = flag.Bool("write-ods", false, "rewrite testdata/ods with LibreOffice")

const (
	odsDir     = "../../testdata/ods"
	odsFixture = "Meldung_Boerde_Q1.ods"
	odsTwin    = "accepted_plain" // the case under testdata/ingest it was saved from
)

func TestWriteODSFixture(t *testing.T) {
	if !*writeODS {
		t.Skip("run with -write-ods to rewrite testdata/ods")
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("soffice not on PATH: install LibreOffice (Debian libreoffice-calc-nogui)")
	}
	src := filepath.Join(casesDir, odsTwin, strings.TrimSuffix(odsFixture, ".ods")+".xlsx")
	out, err := exec.Command(soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.ToSlash(t.TempDir()),
		"--convert-to", "ods", "--outdir", odsDir, src).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
}

// TestAnODSIsIngestedAsItsXLSX ingests the .ods end to end: it is accepted
// and stores, value by value and cell by cell, what the .xlsx it was saved
// from stores.
func TestAnODSIsIngestedAsItsXLSX(t *testing.T) {
	twin := filepath.Join(casesDir, odsTwin)
	inbox, err := os.ReadFile(filepath.Join(twin, "inbox"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	placed := e.put(t, filepath.Join(odsDir, odsFixture), strings.TrimSpace(string(inbox)), time.Date(2026, 4, 8, 10, 0, 0, 0, time.UTC))
	res, err := e.in.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 {
		t.Fatalf("ingest reported %d files, want 1", len(res.Files))
	}
	got := res.Files[0]

	wantJSON, err := os.ReadFile(filepath.Join(twin, "want.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want ingest.FileResult
	if err := json.Unmarshal(wantJSON, &want); err != nil {
		t.Fatal(err)
	}
	// The file is another, with another name and checksum; what it says is
	// the same.
	want.File, want.SHA256 = odsFixture, got.SHA256
	if diff := cmp.Diff(want, got, runFields); diff != "" {
		t.Errorf("ingest result (-xlsx +ods):\n%s", diff)
	}
	if got.Source != placed {
		t.Errorf("the result's source is %q, the file was %q", got.Source, placed)
	}
	if got.Outcome != ingest.Accepted || !strings.HasPrefix(got.StoredPath, "archive/") || !strings.HasSuffix(got.StoredPath, ".ods") {
		t.Errorf("outcome %s, stored at %s", got.Outcome, got.StoredPath)
	}

	var dump strings.Builder
	if err := e.st.Dump(context.Background(), &dump, got.SubmissionID); err != nil {
		t.Fatal(err)
	}
	wantDump, err := os.ReadFile(filepath.Join(twin, "stored.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// The raw text of a number is as each program stores it: "3187.50" as
	// the form's generator wrote the .xlsx, "3187.5" as LibreOffice writes
	// it; the stored amount is the same.
	if diff := cmp.Diff(sameNumbers(string(wantDump)), sameNumbers(dump.String())); diff != "" {
		t.Errorf("stored rows (-xlsx +ods):\n%s", diff)
	}
}

// sameNumbers writes every field of a dump that is a number in one
// notation.
func sameNumbers(dump string) string {
	lines := strings.Split(dump, "\n")
	for i, line := range lines {
		fields := strings.Split(line, "\t")
		for j, f := range fields {
			if v, err := strconv.ParseFloat(f, 64); err == nil {
				fields[j] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		}
		lines[i] = strings.Join(fields, "\t")
	}
	return strings.Join(lines, "\n")
}
