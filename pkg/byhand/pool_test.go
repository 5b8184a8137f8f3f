package byhand_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/godl-book/godl/internal/goldens"
	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/byhand"
	"github.com/godl-book/godl/pkg/layers"
)

// poolGolden is one case of pkg/layers/testdata/pooling_golden.json, which
// tools/goldens/pooling.py writes with PyTorch 1.13.
type poolGolden struct {
	Name        string         `json:"name"`
	Op          string         `json:"op"`
	Options     map[string]any `json:"options"`
	InputShape  []int          `json:"input_shape"`
	Input       []float32      `json:"input"`
	OutputShape []int          `json:"output_shape"`
	Output      []float32      `json:"output"`
	Upstream    []float32      `json:"upstream"`
	Grad        []float32      `json:"grad"`
}

// TestPoolGoldens checks MaxPool, AvgPool and their gradients against PyTorch's F.max_pool2d and
// F.avg_pool2d: every kernel, stride, padding, ceil mode and count_include_pad of the goldens.
// Max pooling must match exactly (it only copies values); averages within float32 rounding.
func TestPoolGoldens(t *testing.T) {
	data, err := os.ReadFile("../layers/testdata/pooling_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []poolGolden `json:"cases"`
	}
	if err := goldens.Decode(data, &doc); err != nil || len(doc.Cases) == 0 {
		t.Fatalf("pooling_golden.json: %d cases, error %v", len(doc.Cases), err)
	}
	for _, c := range doc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			o := goldens.NewOptions(c.Options)
			k, _ := o.Float("kernel_size")
			s, _ := o.Float("stride")
			pad, _ := o.Float("padding")
			ceil, _ := o.Bool("ceil_mode")
			include, hasInclude := o.Bool("count_include_pad")
			if err := o.Err(); err != nil {
				t.Fatal(err)
			}
			p := byhand.Pool{Kernel: int(k), Stride: int(s), Padding: int(pad), CeilMode: ceil,
				ExcludePad: hasInclude && !include}
			d := c.InputShape
			x := byhand.NHWC{N: d[0], H: d[1], W: d[2], C: d[3], Pix: c.Input}
			var y byhand.NHWC
			var dx []float32
			tol := 0.0
			if c.Op == "max_pool2d" {
				var arg []int
				y, arg, err = byhand.MaxPool(x, p)
				if err == nil {
					dx, err = byhand.MaxPoolGrad(c.Upstream, arg, len(x.Pix))
				}
			} else {
				tol = 1e-6
				y, err = byhand.AvgPool(x, p)
				if err == nil {
					dx, err = byhand.AvgPoolGrad(x, p, c.Upstream)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := []int{y.N, y.H, y.W, y.C}; fmt.Sprint(got) != fmt.Sprint(c.OutputShape) {
				t.Fatalf("output shape %v, torch %v", got, c.OutputShape)
			}
			assertClose(t, "output", y.Pix, c.Output, tol)
			assertClose(t, "gradient", dx, c.Grad, tol)
		})
	}
}

// TestPoolMatchesLayers checks the loops against layers.MaxPool2D and layers.AvgPool2D on every
// available backend (pure Go, and XLA in its native and portable forms), for a table of windows,
// on random inputs larger than the goldens'.
func TestPoolMatchesLayers(t *testing.T) {
	cases := []struct {
		dims []int
		pool byhand.Pool
	}{
		{[]int{2, 8, 8, 3}, byhand.Pool{Kernel: 2}},
		{[]int{1, 28, 28, 2}, byhand.Pool{Kernel: 2, Stride: 2}},
		{[]int{2, 9, 7, 1}, byhand.Pool{Kernel: 3, Stride: 2, Padding: 1}},
		{[]int{1, 10, 10, 2}, byhand.Pool{Kernel: 3, Stride: 2, CeilMode: true}},
		{[]int{1, 11, 9, 2}, byhand.Pool{Kernel: 3, Stride: 2, Padding: 1, CeilMode: true}},
		{[]int{1, 11, 9, 2}, byhand.Pool{Kernel: 3, Stride: 2, Padding: 1, CeilMode: true, ExcludePad: true}},
		{[]int{2, 13, 13, 1}, byhand.Pool{Kernel: 5, Stride: 4, Padding: 2, CeilMode: true}},
		{[]int{1, 6, 6, 4}, byhand.Pool{Kernel: 3, Stride: 1, Padding: 1, ExcludePad: true}},
	}
	for _, choice := range backend.Available() {
		b, err := backend.Load(choice)
		if err != nil {
			t.Fatal(err)
		}
		impls := []layers.Impl{layers.Auto}
		if layers.HasOps(b, layers.MaxPoolNativeOps...) && layers.HasOps(b, layers.AvgPoolNativeOps...) {
			impls = []layers.Impl{layers.Native, layers.Portable}
		}
		for i, c := range cases {
			r := rand.New(rand.NewPCG(uint64(i), 2))
			x := byhand.NHWC{N: c.dims[0], H: c.dims[1], W: c.dims[2], C: c.dims[3]}
			x.Pix = make([]float32, x.N*x.H*x.W*x.C)
			for j := range x.Pix {
				x.Pix[j] = float32(r.NormFloat64())
			}
			wantMax, _, err := byhand.MaxPool(x, c.pool)
			if err != nil {
				t.Fatal(err)
			}
			wantAvg, err := byhand.AvgPool(x, c.pool)
			if err != nil {
				t.Fatal(err)
			}
			for _, impl := range impls {
				name := fmt.Sprintf("%s %s %+v on %v", choice.Name, impl, c.pool, c.dims)
				gotMax := poolWithLayers(t, b, x, c.pool, impl, true)
				gotAvg := poolWithLayers(t, b, x, c.pool, impl, false)
				assertClose(t, name+" max", gotMax, wantMax.Pix, 0)
				assertClose(t, name+" average", gotAvg, wantAvg.Pix, 1e-6)
			}
		}
	}
}

// poolWithLayers pools x with the layers package's builder, configured as p.
func poolWithLayers(t *testing.T, b backends.Backend, x byhand.NHWC, p byhand.Pool, impl layers.Impl, isMax bool) []float32 {
	t.Helper()
	xt := tensors.FromFlatDataAndDimensions(x.Pix, x.N, x.H, x.W, x.C)
	y, err := graph.ExecOnce(b, func(x *graph.Node) *graph.Node {
		l := layers.AvgPool2D(x, p.Kernel).CountIncludePad(!p.ExcludePad)
		if isMax {
			l = layers.MaxPool2D(x, p.Kernel)
		}
		if p.Stride > 0 {
			l = l.Stride(p.Stride)
		}
		if p.CeilMode {
			l = l.CeilMode()
		}
		return l.Padding(p.Padding).Impl(impl).Done()
	}, xt)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](y)
}

// TestPoolErrors checks that bad windows and inputs give errors that say what is wrong.
func TestPoolErrors(t *testing.T) {
	x := byhand.NHWC{N: 1, H: 4, W: 4, C: 1, Pix: make([]float32, 16)}
	for _, c := range []struct {
		x    byhand.NHWC
		p    byhand.Pool
		want string
	}{
		{x, byhand.Pool{Kernel: 0}, "byhand: pool: kernel 0, stride 0, padding 0: want kernel ≥ 1"},
		{x, byhand.Pool{Kernel: 2, Padding: 2}, "padding 2 with a kernel of 2: at most half the kernel"},
		{x, byhand.Pool{Kernel: 5}, "input of 4 pixels with padding 0 is smaller than the kernel 5 (height, in MaxPool)"},
		{byhand.NHWC{N: 1, H: 4, W: 4, C: 1, Pix: make([]float32, 15)}, byhand.Pool{Kernel: 2},
			"byhand: MaxPool: 15 values for 1×4×4×1 images"},
		{byhand.NHWC{N: 0, H: 4, W: 4, C: 1}, byhand.Pool{Kernel: 2}, "images 0×4×4×1, want every size ≥ 1"},
	} {
		_, _, err := byhand.MaxPool(c.x, c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("MaxPool(%+v): error %v, want one containing %q", c.p, err, c.want)
		}
	}
	if _, err := byhand.MaxPoolGrad([]float32{1}, []int{7}, 4); err == nil {
		t.Error("MaxPoolGrad with an argmax outside the input: no error")
	}
	if _, err := byhand.AvgPoolGrad(x, byhand.Pool{Kernel: 2}, make([]float32, 3)); err == nil {
		t.Error("AvgPoolGrad with 3 upstream values for 4 outputs: no error")
	}
}

// assertClose fails unless |got−want| ≤ tol·max(1, |want|) element by element.
func assertClose(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%s: %d values, want %d (> 0)", what, len(got), len(want))
	}
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if !(math.Abs(g-w) <= tol*math.Max(1, math.Abs(w))) {
			t.Fatalf("%s: [%d] = %v, want %v", what, i, g, w)
		}
	}
}

// TestMaxPoolTiesAndNaN checks PyTorch's choices: the first of tied maxima wins its window, and a
// NaN wins over any number (the last NaN, if several), so that it propagates.
func TestMaxPoolTiesAndNaN(t *testing.T) {
	nan := float32(math.NaN())
	x := byhand.NHWC{N: 1, H: 2, W: 4, C: 1, Pix: []float32{2, 5, 1, nan, 5, 0, nan, 3}}
	y, arg, err := byhand.MaxPool(x, byhand.Pool{Kernel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if y.Pix[0] != 5 || arg[0] != 1 || !math.IsNaN(float64(y.Pix[1])) || arg[1] != 6 {
		t.Errorf("max pool of %v: %v at %v, want [5 NaN] at [1 6]", x.Pix, y.Pix, arg)
	}
}
