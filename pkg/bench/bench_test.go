package bench

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/backend"
)

// TestGodlDryRunOnEveryBackend runs every row at the dry-run sizes on every available backend:
// each training row must train (a finite loss), the product must run (positive GFLOP/s), Fit
// must run on the default backend, and every side must appear in the table.
func TestGodlDryRunOnEveryBackend(t *testing.T) {
	choices := backend.Available()
	ms := Godl(DryRun, choices)
	var table bytes.Buffer
	Print(&table, DryRun, ms)
	t.Log("\n" + table.String())
	for _, c := range choices {
		for _, row := range Rows {
			m := find(ms, row, "godl "+c.Name)
			if row == FitEpoch && c.Name != backend.Choose().Name {
				if m != nil {
					t.Errorf("Fit ran on %s, want only the default backend %s", c.Name, backend.Choose().Name)
				}
				continue
			}
			switch {
			case m == nil:
				t.Errorf("%s: no %s measurement", c.Name, row)
			case m.Err != nil:
				t.Errorf("%s %s: %v", c.Name, row, m.Err)
			case m.Value() <= 0 || m.Steps < 1 || m.StepTime <= 0:
				t.Errorf("%s %s: %+v, want a positive rate, steps and step time", c.Name, row, *m)
			case row != MatMulRow && !(m.Loss > 0 && m.Loss < 10):
				t.Errorf("%s %s: loss %g, want one in (0, 10)", c.Name, row, m.Loss)
			case !strings.Contains(table.String(), "  "+m.Side+" "):
				t.Errorf("table has no line for %s:\n%s", m.Side, table.String())
			}
		}
	}
}

// TestMatMulTimesWhatItIsAsked checks MatMul's count of products: exactly reps when given, at
// least 3 otherwise.
func TestMatMulTimesWhatItIsAsked(t *testing.T) {
	b, err := backend.Load(backend.Choice{Config: "go", Name: "go"})
	if err != nil {
		t.Fatal(err)
	}
	for reps, want := range map[int]int{2: 2, 5: 5, 0: 3} {
		gflops, n, err := MatMul(b, 32, reps)
		if err != nil || gflops <= 0 || n < want || (reps > 0 && n != want) {
			t.Errorf("MatMul(32, %d) = %g GFLOP/s over %d products, %v; want %d products", reps, gflops, n, err, want)
		}
	}
}

// TestResNetFLOPs checks the count against a hand sum for 32×32: multiply-adds of the stem
// (32²·27·64 = 1,769,472), stage 1 (4 convolutions of 32²·576·64 = 37,748,736), stages 2–4
// (134,217,728 each: the strided conv, three more, the projection) and fc (5,120):
// 555,422,720, times 2 FLOPs, times 3 for training.
func TestResNetFLOPs(t *testing.T) {
	want := 3 * 2 * float64(1769472+4*37748736+3*134217728+5120)
	if got := ResNetFLOPs(32); got != want {
		t.Errorf("ResNetFLOPs(32) = %.0f, want %.0f", got, want)
	}
	if got := ResNetFLOPs(64); math.Abs(got/ResNetFLOPs(32)-4) > 1e-4 {
		t.Errorf("ResNetFLOPs(64)/ResNetFLOPs(32) = %g, want 4 (up to fc)", got/ResNetFLOPs(32))
	}
}

// TestPrintRatios checks the table's ratios: ×best per row, GFLOP/s and the share of the peak
// for ResNet-18, and Fit's rate against the same side's LeNet-5 step.
func TestPrintRatios(t *testing.T) {
	cfg := Config{PeakGFLOPS: 100}
	ms := []Measurement{
		{Row: LeNetStep, Side: "A", ExamplesPerSec: 1000, Steps: 30},
		{Row: LeNetStep, Side: "B", ExamplesPerSec: 500, Steps: 15},
		{Row: ResNetStep, Side: "A", ExamplesPerSec: 30, Steps: 3},
		{Row: FitEpoch, Side: "A", ExamplesPerSec: 900, Steps: 937},
		{Row: MatMulRow, Side: "B", Err: errString("no product")},
	}
	var out bytes.Buffer
	Print(&out, cfg, ms)
	resnet := 30 * ResNetFLOPs(32) / 1e9
	for _, want := range []string{
		"  A", "1000.0   1.000", "500.0   0.500",
		// ResNet-18: 30 ex/s × 3.33 GFLOP = 100.0 GFLOP/s, 100% of the peak.
		strings.TrimSpace(strings.Fields(sprintf("%8.1f", resnet))[0]) + "   100%",
		"900.0   1.000", "937   0.90",
		"failed\n  B matmul: no product",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
