package losses

import (
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"

	"github.com/godl-book/godl/internal/floats"
	"github.com/godl-book/godl/internal/goldens"
)

// Tolerances of TestBCEWithLogitsTails, relative to each value: about 8 ulps. Measured worst
// (the test logs it), loss and gradient alike, tails included: float32 6.2e-8 on XLA and 9.3e-8
// on pure Go (1.5 ulps); float64 2.2e-16 (1 ulp) on both.
const (
	tailsRtolFloat32 = 5e-7
	tailsRtolFloat64 = 2e-15
)

// TestBCEWithLogitsTails checks BinaryCrossEntropyWithLogits and its gradient against values
// computed with 150 significant digits (tools/goldens/bce_tails.py) for logits out to ±85, on
// both tails — target 0 with x → −∞ and target 1 with x → +∞, where the gradient is e^−|x|,
// 4e-31 at 70 — with and without a positive weight, in float32 and float64, relatively.
func TestBCEWithLogitsTails(t *testing.T) {
	data, err := os.ReadFile("testdata/bce_tails.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			X, Y, Loss, Grad float64
			PosWeight        float64 `json:"pos_weight"`
		} `json:"cases"`
	}
	if err := goldens.Decode(data, &doc); err != nil {
		t.Fatal(err)
	}
	n := len(doc.Cases)
	if n != 60 {
		t.Fatalf("%d cases, want 60", n)
	}
	x, y, p := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, c := range doc.Cases {
		x[i], y[i], p[i] = c.X, c.Y, c.PosWeight
	}
	for name, b := range goldenBackends(t) {
		for _, dt := range []struct {
			dtype dtypes.DType
			rtol  float64
		}{{dtypes.Float32, tailsRtolFloat32}, {dtypes.Float64, tailsRtolFloat64}} {
			t.Run(fmt.Sprintf("%s/%s", name, dt.dtype), func(t *testing.T) {
				args := make([]any, 3)
				for i, v := range [][]float64{x, y, p} {
					if args[i], err = floats.ToTensor(dt.dtype, v, n); err != nil {
						t.Fatal(err)
					}
				}
				exec, err := NewExec(b, func(x, y, p *Node) []*Node {
					loss := BinaryCrossEntropyWithLogits(x, y).PosWeight(p).Reduction(None).Done()
					return []*Node{loss, Gradient(ReduceAllSum(loss), x)[0]}
				})
				if err != nil {
					t.Fatal(err)
				}
				defer exec.Finalize()
				outs, err := exec.Exec(args...)
				if err != nil {
					t.Fatal(err)
				}
				worst := 0.0
				for k, what := range []string{"loss", "grad"} {
					got, err := floats.FromTensor(outs[k])
					if err != nil {
						t.Fatal(err)
					}
					for i, c := range doc.Cases {
						want := c.Loss
						if what == "grad" {
							want = c.Grad
						}
						rel := math.Abs(got[i]-want) / math.Abs(want)
						worst = math.Max(worst, rel)
						if !(rel <= dt.rtol) {
							t.Errorf("x = %g, y = %g, pos_weight %g: %s %.9g, want %.9g (relative error %.2g)",
								c.X, c.Y, c.PosWeight, what, got[i], want, rel)
						}
					}
				}
				t.Logf("worst relative error %.2g (tolerance %.0e)", worst, dt.rtol)
			})
		}
	}
}
