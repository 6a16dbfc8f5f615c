package ingest

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"grantpipe/pipeline/store"
)

// FaultHook reads GRANTPIPE_CRASH_AT ("row:N", "commit", "move", "errors")
// through getenv and returns a Hook that ends the process abruptly there,
// as a power cut would; GRANTPIPE_PAUSE_AT (same points) pauses there for
// three seconds, so a test can send a signal mid-transaction. Both exist
// for the crash-safety and shutdown tests, which run grantpipe as a child
// process; unset, FaultHook returns nil and nothing happens. What it does
// is said on w.
func FaultHook(getenv func(string) string, w io.Writer) store.Hook {
	crash, pause := getenv("GRANTPIPE_CRASH_AT"), getenv("GRANTPIPE_PAUSE_AT")
	if crash == "" && pause == "" {
		return nil
	}
	match := func(spec, p string, i int) bool {
		point, nStr, _ := strings.Cut(spec, ":")
		n, _ := strconv.Atoi(nStr)
		return spec != "" && p == point && (n == 0 || i == n)
	}
	return func(p string, i int) {
		if match(crash, p, i) {
			fmt.Fprintf(w, "grantpipe: crashing at %s as GRANTPIPE_CRASH_AT asks\n", crash)
			os.Exit(86)
		}
		if match(pause, p, i) {
			fmt.Fprintf(w, "grantpipe: pausing at %s as GRANTPIPE_PAUSE_AT asks\n", pause)
			time.Sleep(3 * time.Second)
		}
	}
}
