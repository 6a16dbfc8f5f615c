package parallel

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestEachRunsEveryIndexOnceAndReportsTheFirstError(t *testing.T) {
	var seen [100]atomic.Int32
	err := Each(100, func(i int) error {
		seen[i].Add(1)
		if i == 70 || i == 30 {
			return fmt.Errorf("item %d", i)
		}
		return nil
	})
	for i := range seen {
		if seen[i].Load() != 1 {
			t.Fatalf("item %d ran %d times", i, seen[i].Load())
		}
	}
	if err == nil || err.Error() != "item 30" {
		t.Errorf("error %v, want the lowest failing item's", err)
	}
	if Each(0, func(int) error { return errors.New("never") }) != nil {
		t.Error("nothing to do failed")
	}
}
