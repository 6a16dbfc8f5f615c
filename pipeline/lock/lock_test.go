package lock

import (
	"errors"
	"strings"
	"testing"
)

func TestASecondHolderIsToldWhoHoldsTheDirectory(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(dir, "grantpipe schedule")
	if err != nil {
		t.Fatal(err)
	}
	first.SetJob("ingest")
	_, err = Acquire(dir, "grantpipe ingest")
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second Acquire: %v, want a HeldError", err)
	}
	for _, want := range []string{"pid", `"grantpipe schedule"`, "running the job ingest"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	first.Release()
	second, err := Acquire(dir, "grantpipe ingest")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	second.Release()
}
