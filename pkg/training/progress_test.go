package training

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestProgressEstimateExcludesCompilation: a first step of 60 s (compiling) followed by steps
// of 0.1 s must not give an estimate of minutes (the old one said 10m26s here).
func TestProgressEstimateExcludesCompilation(t *testing.T) {
	clock := time.Unix(1000, 0)
	var out bytes.Buffer
	p := &progress{total: 124, epochs: 1, start: clock, now: func() time.Time { return clock }, out: &out}
	clock = clock.Add(60 * time.Second)
	p.step(1, 2.3)
	if !strings.Contains(out.String(), "step 1/124") || !strings.Contains(out.String(), "estimating the time left") {
		t.Errorf("after step 1: %q, want step 1/124 and no estimate yet", out.String())
	}
	for s := 2; s <= 11; s++ {
		clock = clock.Add(100 * time.Millisecond)
		p.step(s, 1)
	}
	// 10 steps took 1 s: 113 steps left take 11.3 s.
	if got := p.text(11, 1, clock); !strings.HasSuffix(got, "1m1s elapsed, 11s left") {
		t.Errorf("after step 11: %q, want 1m1s elapsed, 11s left", got)
	}
	p.total = 0
	if got := p.text(11, 1, clock); got != "step 11  loss 1.0000  1m1s elapsed" {
		t.Errorf("unknown total: %q, want the step, loss and elapsed time only", got)
	}
}

// TestHeldOutName: the epoch line calls the held-out set by its split, so a validation split
// is not printed as "test".
func TestHeldOutName(t *testing.T) {
	x := tensors.FromValue([][]float32{{1}, {2}})
	y := tensors.FromValue([]int32{0, 1})
	for name, want := range map[string]string{"fashion-mnist/valid": "valid", "mnist/test": "test",
		"pairs": "pairs", "": "test"} {
		d := datasets.FromTensors(name, 1, []*tensors.Tensor{x}, []*tensors.Tensor{y})
		if got := heldOutName("", d); got != want {
			t.Errorf("heldOutName of data %q = %q, want %q", name, got, want)
		}
		if got := heldOutName(name, nil); got != want {
			t.Errorf("heldOutName(%q, nil) = %q, want %q", name, got, want)
		}
	}
}
