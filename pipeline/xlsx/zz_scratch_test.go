package xlsx

import (
	"os"
	"testing"
)

func TestScratchHang(t *testing.T) {
	for _, p := range []string{"/tmp/fcase/last-21346", "/tmp/fcase/last-21348"} {
		data, _ := os.ReadFile(p)
		t.Logf("%s: %d bytes %q", p, len(data), data[:min(len(data), 80)])
		checkWorkbook(t, data)
		t.Logf("done")
	}
}
