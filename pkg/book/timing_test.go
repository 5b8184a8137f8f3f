package book

import (
	"testing"
	"time"
)

func TestMedianTimeIgnoresOneSlowRun(t *testing.T) {
	calls := 0
	got := MedianTime(5, func() {
		calls++
		if calls == 1 {
			time.Sleep(200 * time.Millisecond) // a first run that compiles
		}
	})
	if calls != 5 {
		t.Errorf("f ran %d times, want 5", calls)
	}
	if got >= 100*time.Millisecond {
		t.Errorf("median %v, want well under the slow run's 200ms", got)
	}
}
