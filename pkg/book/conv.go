package book

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/byhand"
	"github.com/godl-book/godl/pkg/layers"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/photos"
)

// Sobel's 3×3 kernels for chapter 10, row by row: SobelX responds to brightness that changes
// from left to right (vertical edges), SobelY to changes from top to bottom. Each sums to 0, so
// a flat region gives 0.
var (
	SobelX = []float32{-1, 0, 1, -2, 0, 2, -1, 0, 1}
	SobelY = []float32{-1, -2, -1, 0, 0, 0, 1, 2, 1}
)

// PhotoTensor loads the photograph name of pkg/photos as a [1, size, size, channels] float32
// tensor with values in [0, 1]: its centre square, shrunk to size×size by averaging blocks of
// pixels, with 1 channel (grey: the luma Y = 0.299R + 0.587G + 0.114B), 3 (red, green, blue) or
// 4 (red, green, blue and alpha, the opacity — 1 everywhere in these opaque photographs).
// Chapter 10 convolves grey, RGB and RGBA versions of one photograph.
func PhotoTensor(name string, channels, size int) (*tensors.Tensor, error) {
	if channels != 1 && channels != 3 && channels != 4 {
		return nil, fmt.Errorf("book: PhotoTensor(%q): %d channels, want 1 (grey), 3 (RGB) or 4 (RGBA)", name, channels)
	}
	img, err := photos.Load(name)
	if err != nil {
		return nil, fmt.Errorf("book: PhotoTensor: %w", err)
	}
	b := img.Bounds()
	side := min(b.Dx(), b.Dy())
	if size < 1 || size > side {
		return nil, fmt.Errorf("book: PhotoTensor(%q): size %d, want 1 to %d (the photograph's shorter side)", name, size, side)
	}
	f := side / size // each output pixel averages f×f pixels of the centre square
	x0, y0 := b.Min.X+(b.Dx()-f*size)/2, b.Min.Y+(b.Dy()-f*size)/2
	data := make([]float32, size*size*channels)
	for i := range size {
		for j := range size {
			var sum [4]float64
			for u := range f {
				for v := range f {
					c := color.NRGBAModel.Convert(img.At(x0+j*f+v, y0+i*f+u)).(color.NRGBA)
					sum[0] += float64(c.R)
					sum[1] += float64(c.G)
					sum[2] += float64(c.B)
					sum[3] += float64(c.A)
				}
			}
			px := data[(i*size+j)*channels:]
			n := 255 * float64(f*f)
			if channels == 1 {
				px[0] = float32((0.299*sum[0] + 0.587*sum[1] + 0.114*sum[2]) / n)
				continue
			}
			for c := range channels {
				px[c] = float32(sum[c] / n)
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(data, 1, size, size, channels), nil
}

// EdgeKernel is the Conv2D weight [3, 3, channels, 1] that applies the 3×3 kernel k (9 values,
// row by row) to every input channel and averages the results: one edge map from a grey, RGB or
// RGBA image.
func EdgeKernel(k []float32, channels int) (*tensors.Tensor, error) {
	if len(k) != 9 || channels < 1 {
		return nil, fmt.Errorf("book: EdgeKernel: %d values for %d channels, want 9 values and ≥ 1 channel", len(k), channels)
	}
	w := make([]float32, 9*channels)
	for i, v := range k {
		for c := range channels {
			w[i*channels+c] = v / float32(channels)
		}
	}
	return tensors.FromFlatDataAndDimensions(w, 3, 3, channels, 1), nil
}

// RunConv computes layers.Conv2D — or layers.ConvTranspose2D, if transposed — of x with the
// weight w (the layer's layout) and bias (nil: none) and the settings o, on the default backend:
// what chapter 10 compares with byhand.Conv2D and byhand.ConvTranspose2D.
func RunConv(x, w *tensors.Tensor, bias []float32, o byhand.Conv, transposed bool) (*tensors.Tensor, error) {
	if x == nil || w == nil || x.Rank() != 4 || w.Rank() != 4 {
		return nil, fmt.Errorf("book: RunConv: input %v and weight %v, want tensors of rank 4", x, w)
	}
	be, err := backend.Default()
	if err != nil {
		return nil, fmt.Errorf("book: RunConv: %w", err)
	}
	ctx := context.New()
	ctx.VariableWithValue("weight", w)
	out := w.Shape().Dimensions[3]
	if bias != nil {
		ctx.VariableWithValue("bias", tensors.FromFlatDataAndDimensions(bias, len(bias)))
	}
	k := w.Shape().Dimensions
	s, d, g := max(o.Stride, 1), max(o.Dilation, 1), max(o.Groups, 1)
	y, err := context.ExecOnce(be, ctx.Reuse(), func(ctx *context.Context, x *graph.Node) *graph.Node {
		if transposed {
			return layers.ConvTranspose2D(ctx, x, out, k[0]).KernelHW(k[0], k[1]).Stride(s).Padding(o.Padding).
				Dilation(d).OutputPadding(o.OutputPadding).Bias(bias != nil).Done()
		}
		return layers.Conv2D(ctx, x, out, k[0]).KernelHW(k[0], k[1]).Stride(s).Padding(o.Padding).
			Dilation(d).Groups(g).Bias(bias != nil).Done()
	}, x)
	if err != nil {
		return nil, fmt.Errorf("book: RunConv: %w", err)
	}
	return y, nil
}

// KernelFit is what LearnKernel found: the learned kernel (k×k values, row by row) and the
// loss that each step started from.
type KernelFit struct {
	Kernel []float32
	Losses []float64
}

// LearnKernel learns an edge detector from examples (chapter 10): a one-channel k×k Conv2D
// without bias, padding (k−1)/2, starting from zeros, fitted to map x [batch, h, w, 1] to
// target [batch, h, w, 1] by minimising the mean squared error with opt for steps steps on the
// default backend.
func LearnKernel(x, target *tensors.Tensor, k, steps int, opt optim.Optimizer) (*KernelFit, error) {
	if x == nil || target == nil || x.Rank() != 4 || x.Shape().Dimensions[3] != 1 || !x.Shape().Equal(target.Shape()) {
		return nil, fmt.Errorf("book: LearnKernel: input %v and target %v, want equal shapes [batch, h, w, 1]", x, target)
	}
	if k < 1 || k%2 == 0 || steps < 1 {
		return nil, fmt.Errorf("book: LearnKernel: kernel %d and %d steps, want an odd kernel and ≥ 1 step", k, steps)
	}
	if err := opt.Err(); err != nil {
		return nil, fmt.Errorf("book: LearnKernel: %w", err)
	}
	be, err := backend.Default()
	if err != nil {
		return nil, fmt.Errorf("book: LearnKernel: %w", err)
	}
	ctx := context.New()
	ctx.In("edge").VariableWithValue("weight", tensors.FromFlatDataAndDimensions(make([]float32, k*k), k, k, 1, 1))
	step, err := context.NewExec(be, ctx.Reuse(), func(ctx *context.Context, x, target *graph.Node) *graph.Node {
		y := layers.Conv2D(ctx.In("edge"), x, 1, k).Padding((k - 1) / 2).Bias(false).Done()
		loss := graph.ReduceAllMean(graph.Square(graph.Sub(y, target)))
		opt.UpdateGraph(ctx, x.Graph(), loss)
		return loss
	})
	if err != nil {
		return nil, fmt.Errorf("book: LearnKernel: %w", err)
	}
	fit := &KernelFit{}
	for i := range steps {
		out, err := step.Exec(x, target)
		if err != nil {
			return nil, fmt.Errorf("book: LearnKernel: step %d: %w", i+1, err)
		}
		loss := tensors.MustCopyFlatData[float32](out[0])[0]
		fit.Losses = append(fit.Losses, float64(loss))
	}
	w, err := ctx.In("edge").GetVariable("weight").Value()
	if err != nil {
		return nil, fmt.Errorf("book: LearnKernel: %w", err)
	}
	fit.Kernel = tensors.MustCopyFlatData[float32](w)
	return fit, nil
}

// EdgeMaps applies the 3×3 kernel k, as EdgeKernel spreads it over the channels, with padding
// 1 to the photograph name at size×size for each channel count (1 grey, 3 RGB, 4 RGBA), and
// returns one size×size edge map per count: chapter 10's comparison of channels.
func EdgeMaps(name string, size int, k []float32, channels ...int) ([][]float32, error) {
	var maps [][]float32
	for _, c := range channels {
		x, err := PhotoTensor(name, c, size)
		if err != nil {
			return nil, err
		}
		w, err := EdgeKernel(k, c)
		if err != nil {
			return nil, err
		}
		y, err := RunConv(x, w, nil, byhand.Conv{Padding: 1}, false)
		if err != nil {
			return nil, err
		}
		maps = append(maps, tensors.MustCopyFlatData[float32](y))
	}
	return maps, nil
}

// Random returns a float32 tensor of the given dimensions holding N(0, 1) values drawn from seed:
// the inputs and weights of chapter 10's comparisons, the same on every run.
func Random(seed uint64, dims ...int) *tensors.Tensor {
	r := rand.New(rand.NewPCG(seed, 10))
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

// MaxDiff is the largest |a[i] − b[i]| of two float32 tensors of the same shape.
func MaxDiff(a, b *tensors.Tensor) (float64, error) {
	if a == nil || b == nil || !a.Shape().Equal(b.Shape()) {
		return 0, fmt.Errorf("book: MaxDiff: shapes %v and %v differ", a, b)
	}
	av, err := tensors.CopyFlatData[float32](a)
	if err != nil {
		return 0, fmt.Errorf("book: MaxDiff: %w", err)
	}
	bv, err := tensors.CopyFlatData[float32](b)
	if err != nil {
		return 0, fmt.Errorf("book: MaxDiff: %w", err)
	}
	worst := 0.0
	for i := range av {
		worst = max(worst, math.Abs(float64(av[i])-float64(bv[i])))
	}
	return worst, nil
}

// Inner is the inner product Σ a[i]·b[i] of two float32 tensors of the same shape, in float64.
func Inner(a, b *tensors.Tensor) (float64, error) {
	if a == nil || b == nil || !a.Shape().Equal(b.Shape()) {
		return 0, fmt.Errorf("book: Inner: shapes %v and %v differ", a, b)
	}
	av, bv := tensors.MustCopyFlatData[float32](a), tensors.MustCopyFlatData[float32](b)
	sum := 0.0
	for i := range av {
		sum += float64(av[i]) * float64(bv[i])
	}
	return sum, nil
}

// SwapInOut turns a Conv2D weight [kh, kw, in, out] into [kh, kw, out, in]: the weight of the
// ConvTranspose2D that computes that convolution's gradient with respect to its input.
func SwapInOut(w *tensors.Tensor) (*tensors.Tensor, error) {
	if w == nil || w.Rank() != 4 {
		return nil, fmt.Errorf("book: SwapInOut: weight %v, want rank 4 [kh, kw, in, out]", w)
	}
	d := w.Shape().Dimensions
	v, err := tensors.CopyFlatData[float32](w)
	if err != nil {
		return nil, fmt.Errorf("book: SwapInOut: %w", err)
	}
	out := make([]float32, len(v))
	for uv := range d[0] * d[1] {
		for c := range d[2] {
			for o := range d[3] {
				out[(uv*d[3]+o)*d[2]+c] = v[(uv*d[2]+c)*d[3]+o]
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(out, d[0], d[1], d[3], d[2]), nil
}
