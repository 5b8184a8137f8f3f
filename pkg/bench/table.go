package bench

import (
	"fmt"
	"io"
	"runtime"
	"strings"
)

// ResNetFLOPs is the floating-point operations of one ResNet-18 training step (CIFAR stem, size×size×3
// images, 10 classes) per example: 3× the forward pass's, counting 2 per multiply-add of the
// convolutions and the dense layer (batch norm, ReLU, additions and pooling are left out; they are
// under 1%). The backward pass computes two products of each forward one's size — gradients with
// respect to inputs and to weights — hence the 3. At 32×32: 3 × 1.111 GFLOP.
func ResNetFLOPs(size int) float64 {
	macs := 0.0
	conv := func(side, k, in, out int) { macs += float64(side * side * k * k * in * out) }
	conv(size, 3, 3, 64) // stem
	side, in := size, 64
	for stage, out := range []int{64, 128, 256, 512} {
		for block := range 2 {
			if block == 0 && stage > 0 {
				side = (side + 1) / 2
				conv(side, 1, in, out) // projection shortcut
			}
			conv(side, 3, in, out)
			conv(side, 3, out, out)
			in = out
		}
	}
	macs += 512 * 10 // fc
	return 3 * 2 * macs
}

var rowTitles = map[Row]string{
	LeNetStep:  "LeNet-5 training step (28×28×1, Adam)",
	MatMulRow:  "float32 matrix product",
	ResNetStep: "ResNet-18 training step (CIFAR stem, 10 classes, Adam)",
	FitEpoch:   "MNIST epoch with data loading (LeNet-5, Adam; 2nd epoch)",
}

// Print writes the measurements as one table per row, each side's number with its ratio to the
// best side of that row (×best). The ResNet-18 row adds GFLOP/s (ResNetFLOPs) and, with
// cfg.PeakGFLOPS, its share of the peak; the Fit row adds the ratio to the same side's LeNet-5
// step (×step: 1.00 means that data loading and Fit's bookkeeping cost nothing). Failed
// measurements come last, with their errors.
func Print(w io.Writer, cfg Config, ms []Measurement) {
	cfg = cfg.withDefaults()
	fmt.Fprintf(w, "batch %d; %d untimed steps, then ≥ %s timed; loss read every step; GOMAXPROCS=%d, %d CPUs\n",
		cfg.Batch, cfg.Warmup, cfg.MinTime, runtime.GOMAXPROCS(0), runtime.NumCPU())
	width := 30
	for _, m := range ms {
		width = max(width, len(m.Side)+2)
	}
	var failed []Measurement
	for _, row := range cfg.Rows {
		var rs []Measurement
		best := 0.0
		for _, m := range ms {
			if m.Err != nil {
				continue
			}
			if m.Row == row {
				rs = append(rs, m)
				best = max(best, m.Value())
			}
		}
		if len(rs) == 0 {
			continue
		}
		title := rowTitles[row]
		unit := rs[0].Unit()
		if row == MatMulRow {
			title = fmt.Sprintf("%s, %d×%d", title, cfg.MatMul, cfg.MatMul)
		}
		if row == ResNetStep {
			title = fmt.Sprintf("%s, %d×%d×3", title, cfg.ResNetSize, cfg.ResNetSize)
		}
		fmt.Fprintf(w, "\n%s\n%-*s %10s %7s %10s %6s", title, width, "", unit, "×best", "ms/step", "steps")
		switch {
		case row == ResNetStep && cfg.PeakGFLOPS > 0:
			fmt.Fprintf(w, " %8s %6s", "GFLOP/s", "%peak")
		case row == ResNetStep:
			fmt.Fprintf(w, " %8s", "GFLOP/s")
		case row == FitEpoch:
			fmt.Fprintf(w, " %6s", "×step")
		}
		fmt.Fprintln(w)
		for _, m := range rs {
			fmt.Fprintf(w, "  %-*s %10.1f %7.3f %10.2f %6d", width-2, m.Side, m.Value(), m.Value()/best,
				float64(m.StepTime.Microseconds())/1000, m.Steps)
			switch row {
			case ResNetStep:
				gflops := m.ExamplesPerSec * ResNetFLOPs(cfg.ResNetSize) / 1e9
				fmt.Fprintf(w, " %8.1f", gflops)
				if cfg.PeakGFLOPS > 0 {
					fmt.Fprintf(w, " %5.0f%%", 100*gflops/cfg.PeakGFLOPS)
				}
			case FitEpoch:
				if step := find(ms, LeNetStep, m.Side); step != nil && step.Err == nil {
					fmt.Fprintf(w, " %6.2f", m.ExamplesPerSec/step.ExamplesPerSec)
				}
			}
			fmt.Fprintln(w)
		}
	}
	for _, m := range ms {
		if m.Err != nil {
			failed = append(failed, m)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintln(w, "\nfailed")
		for _, m := range failed {
			fmt.Fprintf(w, "  %s: %s\n", m.Label(), strings.ReplaceAll(m.Err.Error(), "\n", "\n    "))
		}
	}
}

// Value is the measurement's number: GFLOPS for the matrix product, ExamplesPerSec otherwise.
func (m Measurement) Value() float64 {
	if m.Row == MatMulRow {
		return m.GFLOPS
	}
	return m.ExamplesPerSec
}

// Unit is Value's unit: "GFLOP/s" or "ex/s".
func (m Measurement) Unit() string {
	if m.Row == MatMulRow {
		return "GFLOP/s"
	}
	return "ex/s"
}

// Label is the side and the row ("godl go resnet18"), or the side alone for a failure that
// is not one row's.
func (m Measurement) Label() string {
	if m.Row == "" {
		return m.Side
	}
	return m.Side + " " + string(m.Row)
}

// find returns side's measurement of row, or nil.
func find(ms []Measurement, row Row, side string) *Measurement {
	for i := range ms {
		if ms[i].Row == row && ms[i].Side == side {
			return &ms[i]
		}
	}
	return nil
}

func catch(err *error) {
	if r := recover(); r != nil {
		if e, ok := r.(error); ok {
			*err = e
		} else {
			*err = fmt.Errorf("%v", r)
		}
	}
}
