package book

import (
	"image"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/internal/testbackend"
	"github.com/godl-book/godl/pkg/byhand"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/photos"
	"github.com/godl-book/godl/pkg/training"
)

func TestImagePixels(t *testing.T) {
	for _, name := range []string{"camera", "chelsea"} {
		img, err := photos.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		x := ImagePixels(img)
		b := img.Bounds()
		wantC := 3
		if _, gray := img.(*image.Gray); gray {
			wantC = 1
		}
		if x.N != 1 || x.H != b.Dy() || x.W != b.Dx() || x.C != wantC || len(x.Pix) != x.H*x.W*x.C {
			t.Fatalf("%s: %d×%d×%d×%d with %d values, want 1×%d×%d×%d", name, x.N, x.H, x.W, x.C, len(x.Pix),
				b.Dy(), b.Dx(), wantC)
		}
		// Pixel (row 10, column 20), read back from the decoded image.
		r, g, _, _ := img.At(b.Min.X+20, b.Min.Y+10).RGBA()
		o := (10*x.W + 20) * x.C
		if math.Abs(float64(x.Pix[o])-float64(r)/65535) > 1e-6 || (wantC == 3 && math.Abs(float64(x.Pix[o+1])-float64(g)/65535) > 1e-6) {
			t.Errorf("%s: pixel (10, 20) = %v, want r %v g %v", name, x.Pix[o:o+x.C], float64(r)/65535, float64(g)/65535)
		}
	}
}

func TestPoolGallery(t *testing.T) {
	x := byhand.NHWC{N: 2, H: 6, W: 8, C: 1, Pix: make([]float32, 96)}
	for i := range x.Pix {
		x.Pix[i] = float32(i%17) / 16
	}
	grid, err := PoolGallery(x, 1, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := grid.SVG()
	if err != nil {
		t.Fatal(err)
	}
	// Two images × two poolings × three windows.
	if n := strings.Count(svg, "<image"); n != 12 {
		t.Errorf("%d images in the gallery, want 12", n)
	}
	for _, caption := range []string{"8×6 input", "max 2×2 → 4×3", "average 4×4 → 2×1"} {
		if !strings.Contains(svg, caption) {
			t.Errorf("no caption %q", caption)
		}
	}
	if _, err := PoolGallery(x); err == nil {
		t.Error("PoolGallery without windows: no error")
	}
	if _, err := PoolGallery(x, 7); err == nil {
		t.Error("PoolGallery with a window larger than the image: no error")
	}
}

func TestShiftImages(t *testing.T) {
	x := byhand.NHWC{N: 1, H: 3, W: 4, C: 1, Pix: []float32{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12}}
	for _, c := range []struct {
		dx, dy int
		want   []float32
	}{
		{0, 0, x.Pix},
		{1, 0, []float32{0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11}},
		{-2, 1, []float32{0, 0, 0, 0, 3, 4, 0, 0, 7, 8, 0, 0}},
		{5, 0, make([]float32, 12)},
	} {
		got := ShiftImages(x, c.dx, c.dy).Pix
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("shift (%d, %d) = %v, want %v", c.dx, c.dy, got, c.want)
				break
			}
		}
	}
}

// TestShiftStudy checks the changes on one bright pixel, where they are known: moved by one
// pixel, the image changes by √2 (one pixel off, one on, relative to one); its 2×2 max pooling
// does not change while the pixel stays inside its window and changes by √2 when it leaves it.
func TestShiftStudy(t *testing.T) {
	x := byhand.NHWC{N: 1, H: 4, W: 4, C: 1, Pix: make([]float32, 16)}
	x.Pix[4] = 1 // row 1, column 0
	rows, err := ShiftStudy(x, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []ShiftChange{{0, 0, 0, 0}, {1, math.Sqrt2, 0, 0}, {2, math.Sqrt2, math.Sqrt2, math.Sqrt2}}
	for i, r := range rows {
		w := want[i]
		if r.Shift != w.Shift || math.Abs(r.None-w.None) > 1e-6 || math.Abs(r.Max-w.Max) > 1e-6 ||
			math.Abs(r.Average-w.Average) > 1e-6 {
			t.Errorf("shift %d: %+v, want %+v", i, r, w)
		}
	}
	if _, err := ShiftFigure("one pixel", rows).SVG(); err != nil {
		t.Error(err)
	}
}

// TestPoolNetParams counts each variant's parameters: 160 and 4,640 in the convolutions, then
// 1,568·10 + 10 = 15,690 in the dense layer after a flatten or 32·10 + 10 = 330 after the global
// average.
func TestPoolNetParams(t *testing.T) {
	b := testbackend.Get(t)
	for head, want := range map[string]int{"max": 20490, "average": 20490, "max, GAP head": 5130} {
		net, err := PoolNet(head)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.New()
		x := make([]float32, 2*28*28)
		out, err := context.ExecOnce(b, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return net(ctx, graph.Reshape(x, 2, 28, 28, 1))
		}, x)
		if err != nil {
			t.Fatal(err)
		}
		if got := models.NumParams(ctx); got != want {
			t.Errorf("%s: %d parameters, want %d", head, got, want)
		}
		if d := out.Shape().Dimensions; len(d) != 2 || d[0] != 2 || d[1] != 10 {
			t.Errorf("%s: output %v, want [2 10]", head, d)
		}
	}
	if _, err := PoolNet("min"); err == nil {
		t.Error(`PoolNet("min"): no error`)
	}
}

// TestShiftedAccuracy uses a model without weights that predicts the column of the brightest of
// the top row's first 10 pixels: on images with one bright pixel labelled by its column, it is
// right unshifted and wrong after every shift.
func TestShiftedAccuracy(t *testing.T) {
	model := func(_ *context.Context, x *graph.Node) *graph.Node {
		return graph.Reshape(graph.Slice(x, graph.AxisRange(), graph.AxisRange(0, 1), graph.AxisRange(0, 10)), -1, 10)
	}
	run := &training.Run{Model: model, Context: context.New(), Backend: testbackend.Get(t)}
	x := byhand.NHWC{N: 5, H: 2, W: 16, C: 1, Pix: make([]float32, 5*2*16)}
	labels := make([]int32, 5)
	for i := range 5 {
		x.Pix[i*32+i] = 1
		labels[i] = int32(i)
	}
	acc, err := ShiftedAccuracy(run, x, labels, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 0, 0, 0}
	for d := range want {
		if acc[d] != want[d] {
			t.Errorf("accuracies %v, want %v", acc, want)
			break
		}
	}
	if _, err := ShiftedAccuracy(run, x, labels[:2], 1); err == nil {
		t.Error("ShiftedAccuracy with 5 images and 2 labels: no error")
	}
}

// TestLayerPool checks LayerPool against the loops of pkg/byhand on a case with padding, ceil
// mode and count_include_pad=False (pkg/byhand's tests cover many more).
func TestLayerPool(t *testing.T) {
	b := testbackend.Get(t)
	x := byhand.NHWC{N: 1, H: 7, W: 6, C: 2, Pix: make([]float32, 84)}
	for i := range x.Pix {
		x.Pix[i] = float32(math.Sin(float64(i) * 0.7))
	}
	p := byhand.Pool{Kernel: 3, Stride: 2, Padding: 1, CeilMode: true, ExcludePad: true}
	y, err := byhand.AvgPool(x, p)
	if err != nil {
		t.Fatal(err)
	}
	up := make([]float32, len(y.Pix))
	for i := range up {
		up[i] = float32(i%5) - 2
	}
	wantDx, err := byhand.AvgPoolGrad(x, p, up)
	if err != nil {
		t.Fatal(err)
	}
	gotY, gotDx, err := LayerPool(b, x, p, false, up)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want []float32
	}{{"output", gotY, y.Pix}, {"gradient", gotDx, wantDx}} {
		for i := range c.want {
			if math.Abs(float64(c.got[i]-c.want[i])) > 1e-6 {
				t.Fatalf("%s[%d] = %v, by hand %v", c.what, i, c.got[i], c.want[i])
			}
		}
	}
	if _, _, err := LayerPool(b, x, p, true, up[:3]); err == nil {
		t.Error("LayerPool with 3 upstream values: no error")
	}
}

// TestTrainPoolNets trains the three variants briefly on 256 digits, reads the summary back,
// and measures the shifted accuracies from the saved checkpoints.
func TestTrainPoolNets(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(256), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sums, err := TrainPoolNets(dir, train, test, 1, training.Epochs(1))
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadPoolSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range loaded {
		if s.Head != PoolHeads[i] || s.Params != sums[i].Params || len(s.Accuracies) != 1 ||
			s.Mean() != sums[i].Mean() || s.Spread() != 0 || s.Seconds <= 0 {
			t.Errorf("summary %d: %v, trained %v", i, s, sums[i])
		}
	}
	x, labels, err := Digits(test, 100)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := PoolShiftAccuracies(dir, x, labels, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, head := range PoolHeads {
		if a := acc[head]; len(a) != 3 || a[0] < 0 || a[0] > 1 {
			t.Errorf("%s: accuracies %v, want 3 in [0, 1]", head, a)
		}
	}
	if _, err := PoolShiftFigure(acc).SVG(); err != nil {
		t.Error(err)
	}
	if _, err := LoadPoolSummary(t.TempDir()); err == nil {
		t.Error("LoadPoolSummary of an empty folder: no error")
	}
}

func TestPixelHelpers(t *testing.T) {
	v := []float32{0.25, 1, 0.25, 0.5}
	if got := MeanPixel(v); got != 0.5 {
		t.Errorf("MeanPixel = %v, want 0.5", got)
	}
	if got := CountEqual(v, 0.25); got != 2 {
		t.Errorf("CountEqual = %d, want 2", got)
	}
	if got := MaxAbsDiff(v, []float32{0, 1, 0.5, 0.5}); got != 0.25 {
		t.Errorf("MaxAbsDiff = %v, want 0.25", got)
	}
	if got := MaxAbsDiff(v, v[:2]); !math.IsInf(got, 1) {
		t.Errorf("MaxAbsDiff of different lengths = %v, want +Inf", got)
	}
	if u := UpstreamPattern(3); u[0] != 0 || math.Abs(float64(u[2])-math.Sin(0.74)) > 1e-7 {
		t.Errorf("UpstreamPattern(3) = %v", u)
	}
}
