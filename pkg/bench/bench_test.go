package bench

import (
	"bytes"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/backend"
)

// TestRunDryOnEveryBackend runs the dry-run sizes on every available backend: each must train
// (a finite loss), multiply (positive GFLOP/s) and appear in the table.
func TestRunDryOnEveryBackend(t *testing.T) {
	choices := backend.Available()
	results := Run(DryRun, choices)
	if len(results) != len(choices) {
		t.Fatalf("%d results for %d backends", len(results), len(choices))
	}
	var table bytes.Buffer
	Print(&table, DryRun, results)
	for i, r := range results {
		if r.Err != nil {
			t.Errorf("%s: %v", choices[i].Name, r.Err)
			continue
		}
		if !(r.ExamplesPerSec > 0 && r.GFLOPS > 0 && r.FinalLoss > 0 && r.FinalLoss < 10) {
			t.Errorf("%s: %+v, want positive throughputs and a loss in (0, 10)", r.Backend, r)
		}
		if r.Steps != DryRun.Steps || r.MatMulReps != DryRun.MatMulReps {
			t.Errorf("%s: timed %d steps and %d products, want %d and %d", r.Backend, r.Steps, r.MatMulReps,
				DryRun.Steps, DryRun.MatMulReps)
		}
		if !strings.Contains(table.String(), "\n"+r.Backend+" ") && !strings.Contains(table.String(), " "+r.Backend+" ") {
			t.Errorf("table has no row for %s:\n%s", r.Backend, table.String())
		}
	}
	t.Log("\n" + table.String())
}

// BenchmarkLeNet times LeNet-5 training steps per backend, for profiling (ns/op includes the
// warm-up and compilation; examples/s does not):
// go test ./pkg/bench -run '^$' -bench LeNet/go -benchtime 20x -cpuprofile cpu.prof
func BenchmarkLeNet(b *testing.B) {
	for _, c := range backend.Available() {
		b.Run(c.Name, func(b *testing.B) {
			be, err := backend.Load(c)
			if err != nil {
				b.Fatal(err)
			}
			cfg := Config{Steps: b.N, Warmup: 2}
			b.ResetTimer()
			perSec, _, _, err := LeNet(be, cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(perSec, "examples/s")
		})
	}
}
