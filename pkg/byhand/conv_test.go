package byhand_test

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/internal/goldens"
	"github.com/godl-book/godl/internal/testbackend"
	"github.com/godl-book/godl/pkg/byhand"
	"github.com/godl-book/godl/pkg/layers"
)

// closeTo fails unless got and want agree within tol relative to the largest |want|.
func closeTo(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%s: %d values, want %d (> 0)", what, len(got), len(want))
	}
	scale, worst := 1.0, 0.0
	for i := range want {
		scale = math.Max(scale, math.Abs(float64(want[i])))
		worst = math.Max(worst, math.Abs(float64(got[i]-want[i])))
	}
	if !(worst <= tol*scale) {
		t.Errorf("%s: max |got−want| = %.3g > %.1g·%.3g", what, worst, tol, scale)
	}
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// TestConvMatchesPyTorch replays pkg/layers' PyTorch goldens (tools/goldens/conv.py) — conv2d
// with stride, padding, dilation and groups, conv_transpose2d with stride, padding, output
// padding and dilation — with the loops.
func TestConvMatchesPyTorch(t *testing.T) {
	data, err := os.ReadFile("../layers/testdata/conv_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Torch string `json:"torch_version"`
		Cases []struct {
			Name       string         `json:"name"`
			Transposed bool           `json:"transposed"`
			Options    map[string]any `json:"options"`
			XDims      []int          `json:"x_dims"`
			X          []float64      `json:"x"`
			WDims      []int          `json:"w_dims"`
			W          []float64      `json:"w"`
			Bias       []float64      `json:"bias"`
			YDims      []int          `json:"y_dims"`
			Y          []float64      `json:"y"`
		} `json:"cases"`
	}
	if err := goldens.Decode(data, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.Torch, "1.13") || len(doc.Cases) < 20 {
		t.Fatalf("goldens from torch %q with %d cases, want torch 1.13 and 20 cases", doc.Torch, len(doc.Cases))
	}
	for _, c := range doc.Cases {
		opts := goldens.NewOptions(c.Options)
		o := byhand.Conv{Stride: int(opts.FloatOr("stride", 1)), Padding: int(opts.FloatOr("padding", 0)),
			Dilation: int(opts.FloatOr("dilation", 1)), Groups: int(opts.FloatOr("groups", 1)),
			OutputPadding: int(opts.FloatOr("output_padding", 0))}
		if err := opts.Err(); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		x := tensors.FromFlatDataAndDimensions(f32(c.X), c.XDims...)
		w := tensors.FromFlatDataAndDimensions(f32(c.W), c.WDims...)
		var bias []float32
		if c.Bias != nil {
			bias = f32(c.Bias)
		}
		conv := byhand.Conv2D
		if c.Transposed {
			conv = byhand.ConvTranspose2D
		}
		y, err := conv(x, w, bias, o)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if got := y.Shape().Dimensions; !slicesEqual(got, c.YDims) {
			t.Errorf("%s: shape %v, want %v", c.Name, got, c.YDims)
			continue
		}
		closeTo(t, c.Name, tensors.MustCopyFlatData[float32](y), f32(c.Y), 1e-6)
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func random(r *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

// TestConvMatchesLayers checks that the loops and the layers (on the default backend, in their
// Auto form) compute the same for a table of options, and that OutSize and TransposedOutSize
// give the layers' output shapes.
func TestConvMatchesLayers(t *testing.T) {
	b := testbackend.Get(t)
	cases := []struct {
		name       string
		x          []int // [batch, height, width, channels]
		k, out     int
		o          byhand.Conv
		transposed bool
	}{
		{"grey 3×3", []int{1, 9, 8, 1}, 3, 1, byhand.Conv{}, false},
		{"RGB 3×3 padding 1 (same)", []int{2, 7, 9, 3}, 3, 2, byhand.Conv{Padding: 1}, false},
		{"RGBA 5×5 stride 2 padding 2", []int{1, 11, 10, 4}, 5, 3, byhand.Conv{Stride: 2, Padding: 2}, false},
		{"3×3 dilation 2", []int{1, 9, 9, 2}, 3, 2, byhand.Conv{Dilation: 2}, false},
		{"2×2 stride 2 dilation 3 padding 1", []int{2, 10, 9, 2}, 2, 3, byhand.Conv{Stride: 2, Dilation: 3, Padding: 1}, false},
		{"depthwise 3×3", []int{1, 6, 6, 3}, 3, 3, byhand.Conv{Groups: 3, Padding: 1}, false},
		{"groups 2, 4→6", []int{2, 7, 6, 4}, 3, 6, byhand.Conv{Groups: 2, Stride: 2}, false},
		{"transposed 3×3", []int{1, 4, 5, 2}, 3, 2, byhand.Conv{}, true},
		{"transposed 4×4 stride 2 padding 1", []int{2, 5, 4, 3}, 4, 2, byhand.Conv{Stride: 2, Padding: 1}, true},
		{"transposed 3×3 stride 2 output padding 1", []int{1, 3, 4, 1}, 3, 2, byhand.Conv{Stride: 2, Padding: 1, OutputPadding: 1}, true},
		{"transposed 3×3 dilation 2 stride 2", []int{1, 4, 3, 2}, 3, 1, byhand.Conv{Stride: 2, Dilation: 2, Padding: 2}, true},
	}
	r := rand.New(rand.NewPCG(10, 1))
	for _, c := range cases {
		in := c.x[3]
		wc := in / max(c.o.Groups, 1)
		x := random(r, c.x...)
		w := random(r, c.k, c.k, wc, c.out)
		bias := tensors.MustCopyFlatData[float32](random(r, c.out))
		var want *tensors.Tensor
		var err error
		if c.transposed {
			want, err = byhand.ConvTranspose2D(x, w, bias, c.o)
		} else {
			want, err = byhand.Conv2D(x, w, bias, c.o)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ctx := context.New()
		ctx.VariableWithValue("weight", w)
		ctx.VariableWithValue("bias", tensors.FromFlatDataAndDimensions(bias, c.out))
		got, err := context.ExecOnce(b, ctx.Reuse(), func(ctx *context.Context, x *graph.Node) *graph.Node {
			s, p, d, g := max(c.o.Stride, 1), c.o.Padding, max(c.o.Dilation, 1), max(c.o.Groups, 1)
			if c.transposed {
				return layers.ConvTranspose2D(ctx, x, c.out, c.k).Stride(s).Padding(p).Dilation(d).
					OutputPadding(c.o.OutputPadding).Done()
			}
			return layers.Conv2D(ctx, x, c.out, c.k).Stride(s).Padding(p).Dilation(d).Groups(g).Done()
		}, x)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		size := c.o.OutSize
		if c.transposed {
			size = c.o.TransposedOutSize
		}
		oh, err1 := size(c.x[1], c.k)
		ow, err2 := size(c.x[2], c.k)
		if dims := got.Shape().Dimensions; err1 != nil || err2 != nil || dims[1] != oh || dims[2] != ow {
			t.Errorf("%s: layer's output %v, formula %d×%d (%v, %v)", c.name, dims, oh, ow, err1, err2)
		}
		closeTo(t, c.name, tensors.MustCopyFlatData[float32](got), tensors.MustCopyFlatData[float32](want), 1e-5)
	}
}

// TestConvRejectsBadInput checks that wrong shapes and settings come back as errors naming the
// problem, never a panic.
func TestConvRejectsBadInput(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	x, w := random(r, 1, 5, 5, 4), random(r, 3, 3, 4, 2)
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"rank-3 input", func() error { _, err := byhand.Conv2D(random(r, 5, 5, 4), w, nil, byhand.Conv{}); return err }, "input"},
		{"nil weight", func() error { _, err := byhand.Conv2D(x, nil, nil, byhand.Conv{}); return err }, "weight"},
		{"channels ≠ weight", func() error { _, err := byhand.Conv2D(x, random(r, 3, 3, 3, 2), nil, byhand.Conv{}); return err }, "channels/groups"},
		{"groups 3 of 4 channels", func() error { _, err := byhand.Conv2D(x, w, nil, byhand.Conv{Groups: 3}); return err }, "multiples"},
		{"bias length", func() error { _, err := byhand.Conv2D(x, w, []float32{1}, byhand.Conv{}); return err }, "1 bias values for 2"},
		{"kernel spans more than the input", func() error { _, err := byhand.Conv2D(x, w, nil, byhand.Conv{Dilation: 3}); return err }, "spans more than 5"},
		{"negative padding", func() error { _, err := byhand.Conv2D(x, w, nil, byhand.Conv{Padding: -1}); return err }, "no negative"},
		{"output padding ≥ stride", func() error {
			_, err := byhand.ConvTranspose2D(x, w, nil, byhand.Conv{Stride: 2, OutputPadding: 2})
			return err
		}, "output padding 2"},
		{"transposed groups", func() error { _, err := byhand.ConvTranspose2D(x, w, nil, byhand.Conv{Groups: 2}); return err }, "one group"},
		{"transposed padding crops all", func() error { _, err := byhand.ConvTranspose2D(x, w, nil, byhand.Conv{Padding: 4}); return err }, "leave"},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestOutSizeTable checks the output-size formula against worked examples of Dumoulin and Visin,
// "A guide to convolution arithmetic for deep learning" (2016): figures 2.1–2.4, 2.6, 2.7 and 5.1.
func TestOutSizeTable(t *testing.T) {
	cases := []struct {
		fig        string
		n, k, want int
		o          byhand.Conv
	}{
		{"2.1 no padding, unit strides", 4, 3, 2, byhand.Conv{}},
		{"2.2 arbitrary padding", 5, 4, 6, byhand.Conv{Padding: 2}},
		{"2.3 half (same) padding", 5, 3, 5, byhand.Conv{Padding: 1}},
		{"2.4 full padding", 5, 3, 7, byhand.Conv{Padding: 2}},
		{"2.5 stride 2, no padding", 5, 3, 2, byhand.Conv{Stride: 2}},
		{"2.6 stride 2, padding 1", 5, 3, 3, byhand.Conv{Stride: 2, Padding: 1}},
		{"2.7 stride 2, padding 1, odd", 6, 3, 3, byhand.Conv{Stride: 2, Padding: 1}},
		{"5.1 dilation 2", 7, 3, 3, byhand.Conv{Dilation: 2}},
	}
	if got := (byhand.Conv{Stride: 2, Padding: 1, OutputPadding: 1}).String(); got != "stride 2, padding 1, output padding 1" {
		t.Errorf("Conv.String() = %q", got)
	}
	if got := (byhand.Conv{Stride: 1}).String(); got != "defaults" {
		t.Errorf("Conv{Stride: 1}.String() = %q, want \"defaults\"", got)
	}
	for _, c := range cases {
		got, err := c.o.OutSize(c.n, c.k)
		if err != nil || got != c.want {
			t.Errorf("figure %s: OutSize(%d, %d) = %d, %v; want %d", c.fig, c.n, c.k, got, err, c.want)
		}
	}
	// The transposed convolutions of chapter 4 of the guide give back the input sizes above.
	transposed := []struct {
		fig        string
		n, k, want int
		o          byhand.Conv
	}{
		{"4.1 transpose of 2.1", 2, 3, 4, byhand.Conv{}},
		{"4.3 transpose of 2.3", 5, 3, 5, byhand.Conv{Padding: 1}},
		{"4.5 transpose of 2.5", 2, 3, 5, byhand.Conv{Stride: 2}},
		{"4.7 transpose of 2.7", 3, 3, 6, byhand.Conv{Stride: 2, Padding: 1, OutputPadding: 1}},
	}
	for _, c := range transposed {
		got, err := c.o.TransposedOutSize(c.n, c.k)
		if err != nil || got != c.want {
			t.Errorf("figure %s: TransposedOutSize(%d, %d) = %d, %v; want %d", c.fig, c.n, c.k, got, err, c.want)
		}
	}
}
