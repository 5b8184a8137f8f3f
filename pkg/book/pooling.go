package book

import (
	"errors"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/byhand"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/layers"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/training"
	"github.com/godl-book/godl/pkg/viz"
)

// PoolColors gives each pooling of chapter 09 ("09-pooling") one colour in all its figures.
var PoolColors = map[string]string{
	"no pooling":    "#7f7f7f", // grey
	"max":           "#d62728", // red
	"average":       "#1f77b4", // blue
	"max, GAP head": "#2ca02c", // green
}

// ImagePixels turns img into one image of byhand.NHWC with values in [0, 1]: one channel for a
// greyscale image (*image.Gray), three (RGB) otherwise. Chapter 09 pools photographs with it.
func ImagePixels(img image.Image) byhand.NHWC {
	b := img.Bounds()
	gray, isGray := img.(*image.Gray)
	x := byhand.NHWC{N: 1, H: b.Dy(), W: b.Dx(), C: 3}
	if isGray {
		x.C = 1
	}
	x.Pix = make([]float32, 0, x.H*x.W*x.C)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for col := b.Min.X; col < b.Max.X; col++ {
			if isGray {
				x.Pix = append(x.Pix, float32(gray.GrayAt(col, y).Y)/255)
				continue
			}
			r, g, bl, _ := img.At(col, y).RGBA()
			x.Pix = append(x.Pix, float32(r)/65535, float32(g)/65535, float32(bl)/65535)
		}
	}
	return x
}

// PoolGallery shows every image of x after max pooling (first row) and average pooling (second
// row) with k×k windows, stride k, for each k of windows (k = 1 is the image itself), each
// enlarged back to the input's size by repeating pixels, so that what a pooled pixel keeps of its
// window can be compared at a glance. Captions give sizes as width×height. Chapter 09 shows a photograph and MNIST digits with it.
func PoolGallery(x byhand.NHWC, windows ...int) (*viz.ImageGrid, error) {
	if len(windows) == 0 {
		return nil, errors.New("book: PoolGallery: no window sizes")
	}
	var pix []float32
	var captions []string
	for n := range x.N {
		one := byhand.NHWC{N: 1, H: x.H, W: x.W, C: x.C, Pix: x.Pix[n*x.H*x.W*x.C : (n+1)*x.H*x.W*x.C]}
		for _, op := range []string{"max", "average"} {
			for _, k := range windows {
				p := byhand.Pool{Kernel: k}
				y, _, err := byhand.MaxPool(one, p)
				if op == "average" && err == nil {
					y, err = byhand.AvgPool(one, p)
				}
				if err != nil {
					return nil, fmt.Errorf("book: PoolGallery: image %d, window %d: %w", n, k, err)
				}
				pix = append(pix, enlarge(y, x.H, x.W)...)
				captions = append(captions, fmt.Sprintf("%s %d×%d → %d×%d", op, k, k, y.W, y.H))
				if k == 1 {
					captions[len(captions)-1] = fmt.Sprintf("%d×%d input", x.W, x.H)
				}
			}
		}
	}
	return viz.Images(pix, x.H, x.W, x.C).Captions(captions...).Cols(len(windows)), nil
}

// enlarge resizes the single image y to h×w by repeating its pixels (nearest neighbour).
func enlarge(y byhand.NHWC, h, w int) []float32 {
	out := make([]float32, 0, h*w*y.C)
	for i := range h {
		for j := range w {
			o := ((i*y.H/h)*y.W + j*y.W/w) * y.C
			out = append(out, y.Pix[o:o+y.C]...)
		}
	}
	return out
}

// LayerPool runs layers.MaxPool2D or layers.AvgPool2D, configured as p, on x with backend b and
// returns its output and the gradient of sum(upstream · output) with respect to x (upstream has
// one value per output). Chapter 09 checks the loops of pkg/byhand against it.
func LayerPool(b backends.Backend, x byhand.NHWC, p byhand.Pool, isMax bool, upstream []float32) (y, dx []float32, err error) {
	outH, err := p.OutSize(x.H)
	if err != nil {
		return nil, nil, fmt.Errorf("book: LayerPool: height: %w", err)
	}
	outW, err := p.OutSize(x.W)
	if err != nil {
		return nil, nil, fmt.Errorf("book: LayerPool: width: %w", err)
	}
	if len(x.Pix) != x.N*x.H*x.W*x.C || len(upstream) != x.N*outH*outW*x.C {
		return nil, nil, fmt.Errorf("book: LayerPool: %d values for %d×%d×%d×%d images and %d upstream values for %d outputs",
			len(x.Pix), x.N, x.H, x.W, x.C, len(upstream), x.N*outH*outW*x.C)
	}
	pool := func(x, up *graph.Node) []*graph.Node {
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
		y := l.Padding(p.Padding).Done()
		return []*graph.Node{y, graph.Gradient(graph.ReduceAllSum(graph.Mul(y, up)), x)[0]}
	}
	exec, err := graph.NewExec(b, pool)
	var out []*tensors.Tensor
	if err == nil {
		out, err = exec.Exec(tensors.FromFlatDataAndDimensions(x.Pix, x.N, x.H, x.W, x.C),
			tensors.FromFlatDataAndDimensions(upstream, x.N, outH, outW, x.C))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("book: LayerPool: %w", err)
	}
	return tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1]), nil
}

// Digits reads the first n images of d (all if n ≤ 0 or more than it has) as byhand.NHWC with
// values in [0, 1], and their labels.
func Digits(d *datasets.Dataset, n int) (byhand.NHWC, []int32, error) {
	if n <= 0 || n > d.Len() {
		n = d.Len()
	}
	x := byhand.NHWC{N: n, H: d.Height, W: d.Width, C: d.Channels}
	x.Pix = make([]float32, 0, n*d.ImageSize())
	labels := make([]int32, n)
	pix := make([]uint8, d.ImageSize())
	for i := range n {
		label, err := d.Read(i, pix)
		if err != nil {
			return byhand.NHWC{}, nil, fmt.Errorf("book: %s: image %d: %w", d.Name, i, err)
		}
		labels[i] = label
		for _, v := range pix {
			x.Pix = append(x.Pix, float32(v)/255)
		}
	}
	return x, labels, nil
}

// ShiftImages moves every image of x right by dx and down by dy pixels (left or up for negative
// values), filling the uncovered border with zeros: MNIST's background.
func ShiftImages(x byhand.NHWC, dx, dy int) byhand.NHWC {
	out := byhand.NHWC{N: x.N, H: x.H, W: x.W, C: x.C, Pix: make([]float32, len(x.Pix))}
	for n := range x.N {
		for i := range x.H {
			si := i - dy
			if si < 0 || si >= x.H {
				continue
			}
			for j := range x.W {
				sj := j - dx
				if sj < 0 || sj >= x.W {
					continue
				}
				src := ((n*x.H+si)*x.W + sj) * x.C
				dst := ((n*x.H+i)*x.W + j) * x.C
				copy(out.Pix[dst:dst+x.C], x.Pix[src:src+x.C])
			}
		}
	}
	return out
}

// ShiftChange is how much a feature map changes when its input moves d pixels right, as
// ‖f(shifted) − f(x)‖ / ‖f(x)‖ averaged over images, for three maps f: the image itself (no
// pooling), k×k max pooling and k×k average pooling (stride k).
type ShiftChange struct {
	Shift              int
	None, Max, Average float64
}

// ShiftStudy measures ShiftChange for shifts 0 … maxShift of the images x, with k×k pooling.
// Chapter 09 measures shift invariance with it: the closer to 0, the less a small move of the
// input changes what the next layer sees.
func ShiftStudy(x byhand.NHWC, k, maxShift int) ([]ShiftChange, error) {
	p := byhand.Pool{Kernel: k}
	base := [3]byhand.NHWC{x}
	var err error
	if base[1], _, err = byhand.MaxPool(x, p); err != nil {
		return nil, fmt.Errorf("book: ShiftStudy: %w", err)
	}
	if base[2], err = byhand.AvgPool(x, p); err != nil {
		return nil, fmt.Errorf("book: ShiftStudy: %w", err)
	}
	var out []ShiftChange
	for d := range maxShift + 1 {
		s := ShiftImages(x, d, 0)
		maxed, _, _ := byhand.MaxPool(s, p)
		avg, _ := byhand.AvgPool(s, p)
		out = append(out, ShiftChange{Shift: d, None: relChange(s, base[0]),
			Max: relChange(maxed, base[1]), Average: relChange(avg, base[2])})
	}
	return out, nil
}

// relChange is the mean over images of ‖a − b‖ / ‖b‖ (images with ‖b‖ = 0 are left out).
func relChange(a, b byhand.NHWC) float64 {
	size := b.H * b.W * b.C
	sum, n := 0.0, 0
	for i := range b.N {
		var diff, norm float64
		for j := i * size; j < (i+1)*size; j++ {
			d := float64(a.Pix[j] - b.Pix[j])
			diff += d * d
			norm += float64(b.Pix[j]) * float64(b.Pix[j])
		}
		if norm > 0 {
			sum += math.Sqrt(diff / norm)
			n++
		}
	}
	return sum / float64(max(n, 1))
}

// ShiftFigure plots ShiftStudy's changes against the shift, one line per pooling.
func ShiftFigure(title string, rows []ShiftChange) viz.Figure {
	var none, mx, avg viz.Series
	none.Name, mx.Name, avg.Name = "no pooling", "max", "average"
	for _, r := range rows {
		for _, s := range []*viz.Series{&none, &mx, &avg} {
			s.X = append(s.X, float64(r.Shift))
		}
		none.Y, mx.Y, avg.Y = append(none.Y, r.None), append(mx.Y, r.Max), append(avg.Y, r.Average)
	}
	return viz.Lines(title, none, mx, avg).Colors(PoolColors).Markers().
		XLabel("shift (pixels to the right)").YLabel("relative change of the map")
}

// PoolHeads names the variants of PoolNet that chapter 09 trains.
var PoolHeads = []string{"max", "average", "max, GAP head"}

// PoolNet is chapter 09's small CNN for 28×28 images, with the pooling named by head:
//
//	conv 16@3×3 pad 1 → ReLU → pool 2 → conv 32@3×3 pad 1 → ReLU → pool 2 → head → dense 10
//
// where pool is max pooling for "max" and "max, GAP head", average pooling for "average", and the
// head flattens the 7×7×32 map (1,568 features) for "max" and "average" or averages each channel
// over the map (GlobalAvgPool2D: 32 features) for "max, GAP head".
func PoolNet(head string) (models.Model, error) {
	pool := layers.MaxPool2D
	switch head {
	case "max", "max, GAP head":
	case "average":
		pool = layers.AvgPool2D
	default:
		return nil, fmt.Errorf("book: PoolNet: head %q, want one of %q", head, PoolHeads)
	}
	return func(ctx *context.Context, x *graph.Node) *graph.Node {
		impl := layers.ImplFrom(ctx)
		x = layers.ReLU(layers.Conv2D(ctx.In("conv1"), x, 16, 3).Padding(1).Done())
		x = pool(x, 2).Impl(impl).Done()
		x = layers.ReLU(layers.Conv2D(ctx.In("conv2"), x, 32, 3).Padding(1).Done())
		x = pool(x, 2).Impl(impl).Done()
		if head == "max, GAP head" {
			x = layers.GlobalAvgPool2D(x)
		} else {
			x = layers.Flatten(x)
		}
		return layers.Dense(ctx.In("fc"), x, 10)
	}, nil
}

// PoolDir is the folder where chapter 09 keeps its trained networks: build/checkpoints/09-pooling
// in the repository (see training.Dir).
func PoolDir() string { return training.Dir("09-pooling") }

// poolNetDir is the checkpoint folder, under dir, of PoolNet with the given head and seed.
func poolNetDir(dir, head string, seed uint64) string {
	names := map[string]string{"max": "max", "average": "average", "max, GAP head": "max-gap"}
	return filepath.Join(dir, fmt.Sprintf("%s-seed%d", names[head], seed))
}

// ShiftedAccuracy is the accuracy of run on the images x with their labels, moved right by
// 0 … maxShift pixels: element d is the accuracy with a shift of d.
func ShiftedAccuracy(run *training.Run, x byhand.NHWC, labels []int32, maxShift int) ([]float64, error) {
	if x.N != len(labels) || x.N == 0 {
		return nil, fmt.Errorf("book: ShiftedAccuracy: %d images, %d labels", x.N, len(labels))
	}
	exec, err := context.NewExec(run.Backend, run.Context.Reuse(), func(ctx *context.Context, x *graph.Node) *graph.Node {
		return graph.ArgMax(run.Model(ctx, x), -1)
	})
	if err != nil {
		return nil, fmt.Errorf("book: ShiftedAccuracy: %w", err)
	}
	const batch = 1000
	size := x.H * x.W * x.C
	acc := make([]float64, maxShift+1)
	for d := range acc {
		s := ShiftImages(x, d, 0)
		normalize(s.Pix, run.Mean, run.Std, x.C)
		correct := 0
		for start := 0; start < x.N; start += batch {
			end := min(start+batch, x.N)
			in := tensors.FromFlatDataAndDimensions(s.Pix[start*size:end*size], end-start, x.H, x.W, x.C)
			out, err := exec.Exec1(in)
			if err != nil {
				return nil, fmt.Errorf("book: ShiftedAccuracy: %w", err)
			}
			pred := tensors.MustCopyFlatData[int32](out)
			for i, p := range pred {
				if p == labels[start+i] {
					correct++
				}
			}
		}
		acc[d] = float64(correct) / float64(x.N)
	}
	return acc, nil
}

// normalize applies the run's input normalization (x − mean) / std per channel, if any.
func normalize(pix, mean, std []float32, c int) {
	if mean == nil {
		return
	}
	for i := range pix {
		pix[i] = (pix[i] - mean[i%c]) / std[i%c]
	}
}

// PoolSummary is how one variant of PoolNet trained over several seeds.
type PoolSummary struct {
	Head              string    `json:"head"`
	Params            int       `json:"params"`
	Accuracies        []float64 `json:"accuracies"`          // final test accuracy, one per seed
	Seconds           float64   `json:"seconds"`             // mean training time of a run (compilation included, evaluation excluded)
	ExamplesPerSecond float64   `json:"examples_per_second"` // training examples of all runs / their training time
}

// Mean is the mean of the test accuracies over the seeds.
func (s PoolSummary) Mean() float64 {
	sum := 0.0
	for _, a := range s.Accuracies {
		sum += a
	}
	return sum / float64(len(s.Accuracies))
}

// Spread is the largest minus the smallest test accuracy over the seeds.
func (s PoolSummary) Spread() float64 { return slices.Max(s.Accuracies) - slices.Min(s.Accuracies) }

func (s PoolSummary) String() string {
	return fmt.Sprintf("%-13s %6d parameters  test accuracy %.2f%% (spread %.2f over %d seeds)  %5.1f s, %.0f examples/s",
		s.Head, s.Params, 100*s.Mean(), 100*s.Spread(), len(s.Accuracies), s.Seconds, s.ExamplesPerSecond)
}

// TrainPoolNets trains every variant of PoolNet (PoolHeads) on train with Adam (learning rate
// 10⁻³) for seeds 0 … seeds−1 — the same budget, batches and seeds for each — evaluating on test,
// and saves each run and the summaries in the folder dir (PoolDir in the notebook) for later
// cells. opts (e.g. Epochs) apply to every run.
func TrainPoolNets(dir string, train, test *datasets.Dataset, seeds int, opts ...training.Option) ([]PoolSummary, error) {
	if seeds < 1 {
		return nil, fmt.Errorf("book: TrainPoolNets: %d seeds, want ≥ 1", seeds)
	}
	var out []PoolSummary
	for _, head := range PoolHeads {
		net, err := PoolNet(head)
		if err != nil {
			return nil, err
		}
		s := PoolSummary{Head: head}
		examples := 0
		for seed := range uint64(seeds) {
			o := append(slices.Clone(opts), training.Seed(seed), training.NoProgress(),
				training.Checkpoint(poolNetDir(dir, head, seed)))
			run, err := training.Fit(net, train, test, optim.Adam(1e-3).Done(), o...)
			if err != nil {
				return nil, fmt.Errorf("book: TrainPoolNets: %s, seed %d: %w", head, seed, err)
			}
			s.Params = models.NumParams(run.Context)
			s.Accuracies = append(s.Accuracies, run.TestAccuracy())
			for _, e := range run.History {
				s.Seconds += e.Seconds / float64(seeds)
				examples += e.Examples
			}
		}
		s.ExamplesPerSecond = float64(examples) / (s.Seconds * float64(seeds))
		out = append(out, s)
	}
	return out, saveJSON(filepath.Join(dir, summaryFile), "the pooling networks' summary", out)
}

const summaryFile = "summary.json"

// LoadPoolSummary reads back the summaries that TrainPoolNets saved in dir.
func LoadPoolSummary(dir string) ([]PoolSummary, error) {
	path := filepath.Join(dir, summaryFile)
	out, err := loadJSON[[]PoolSummary](path, "run TrainPoolNets first")
	if err != nil {
		return nil, err
	}
	if len(out) != len(PoolHeads) {
		return nil, fmt.Errorf("book: %s: %d variants, want %d", path, len(out), len(PoolHeads))
	}
	return out, nil
}

// PoolShiftAccuracies loads every run that TrainPoolNets saved in dir and returns, per head, the test
// accuracy on x (with labels) moved right by 0 … maxShift pixels, averaged over the seeds.
func PoolShiftAccuracies(dir string, x byhand.NHWC, labels []int32, maxShift int) (map[string][]float64, error) {
	summaries, err := LoadPoolSummary(dir)
	if err != nil {
		return nil, err
	}
	out := map[string][]float64{}
	for _, s := range summaries {
		net, err := PoolNet(s.Head)
		if err != nil {
			return nil, err
		}
		mean := make([]float64, maxShift+1)
		for seed := range uint64(len(s.Accuracies)) {
			run, err := training.Load(net, poolNetDir(dir, s.Head, seed))
			if err != nil {
				return nil, fmt.Errorf("book: PoolShiftAccuracies: %w", err)
			}
			acc, err := ShiftedAccuracy(run, x, labels, maxShift)
			if err != nil {
				return nil, err
			}
			for d, a := range acc {
				mean[d] += a / float64(len(s.Accuracies))
			}
		}
		out[s.Head] = mean
	}
	return out, nil
}

// PoolShiftFigure plots PoolShiftAccuracies' accuracies against the shift, one line per head.
func PoolShiftFigure(acc map[string][]float64) viz.Figure {
	var series []viz.Series
	for _, head := range PoolHeads {
		s := viz.Series{Name: head, Y: acc[head]}
		for d := range acc[head] {
			s.X = append(s.X, float64(d))
		}
		series = append(series, s)
	}
	return viz.Lines("test accuracy of the trained networks on shifted digits", series...).
		Colors(PoolColors).Markers().XLabel("shift (pixels to the right)").YLabel("test accuracy")
}

// MeanPixel is the mean of pix, summed in float64.
func MeanPixel(pix []float32) float64 {
	sum := 0.0
	for _, v := range pix {
		sum += float64(v)
	}
	return sum / float64(len(pix))
}

// CountEqual counts the values of v equal to want.
func CountEqual(v []float32, want float32) int {
	n := 0
	for _, x := range v {
		if x == want {
			n++
		}
	}
	return n
}

// MaxAbsDiff is the largest |a[i] − b[i]|, or +Inf when the lengths differ.
func MaxAbsDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	worst := 0.0
	for i := range a {
		worst = math.Max(worst, math.Abs(float64(a[i])-float64(b[i])))
	}
	return worst
}

// UpstreamPattern is n upstream gradients sin(0.37·i), all different in [−1, 1], so that a
// gradient check tells every output apart (a constant upstream would hide a swap).
func UpstreamPattern(n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(math.Sin(0.37 * float64(i)))
	}
	return out
}
