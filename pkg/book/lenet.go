package book

import (
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/training"
	"github.com/godl-book/godl/pkg/viz"
)

// LeNetC3Rows is table I of LeCun et al. 1998 as the paper prints it: row j marks with an X
// the C3 feature maps (columns 0–15) that read S2's feature map j. Chapter 13 draws it.
var LeNetC3Rows = [6]string{
	"X   XXX  XXXX XX",
	"XX   XXX  XXXX X",
	"XXX   XXX  X XXX",
	" XXX  XXXX  X XX",
	"  XXX  XXXX XX X",
	"   XXX  XXXX XXX",
}

// C3Inputs reads LeNetC3Rows column by column: for each of C3's 16 maps, the S2 maps it reads,
// in increasing order.
func C3Inputs() [16][]int {
	var in [16][]int
	for j, row := range LeNetC3Rows {
		for i, c := range row {
			if c == 'X' {
				in[i] = append(in[i], j)
			}
		}
	}
	return in
}

// C3Figure draws table I of LeCun et al. 1998 as a 6×16 grid: a 1 where C3's map (column)
// reads S2's map (row), for chapter 13.
func C3Figure() viz.Figure {
	cells := make([][]int, len(LeNetC3Rows))
	for j, row := range LeNetC3Rows {
		cells[j] = make([]int, len(row))
		for i, c := range row {
			if c == 'X' {
				cells[j][i] = 1
			}
		}
	}
	return viz.Heatmap("C3 reads S2 (rows: S2 maps 0–5, columns: C3 maps 0–15)", cells).Annotate()
}

// PaperConnections counts a row of a 1998 LeNet-5 Summary the way LeCun et al. 1998 count
// "connections" (§II.B): a convolution's or dense layer's multiply-adds plus one bias connection
// per output value; a subsampling layer's four inputs and bias per output value; the RBF
// output's multiply-adds. Other kinds of layer count 0. Chapter 13 sets the counts beside the
// paper's (C1 122,304, S2 5,880, C3 151,600, S4 2,000, C5 48,120, F6 10,164).
func PaperConnections(l models.Layer) int64 {
	outputs := int64(1)
	for _, d := range l.Output[1:] {
		outputs *= int64(d)
	}
	switch l.Kind {
	case "Conv2D", "SparseConv", "Dense":
		return l.MACs + outputs
	case "Subsample":
		return 5 * outputs
	case "RBF":
		return l.MACs
	}
	return 0
}

// SummaryBlocks turns the rows of a Summary table down to maxDepth into the boxes of a
// viz.LayerStack, with the input on top: chapter 13 draws LeNet-5 with it.
func SummaryBlocks(t *models.Table, maxDepth int) []viz.Block {
	shape := func(dims []int) string {
		s := make([]string, len(dims))
		for i, d := range dims {
			s[i] = fmt.Sprint(d)
		}
		return strings.Join(s, "×")
	}
	blocks := []viz.Block{{Name: "input", Shape: shape(t.Input)}}
	for _, l := range t.Layers {
		if l.Depth <= maxDepth {
			blocks = append(blocks, viz.Block{Name: l.Name + " " + l.Kind, Shape: shape(l.Output), Params: l.Params})
		}
	}
	return blocks
}

// LoadWeights reads the weights that training.Checkpoint saved in dir into a new context,
// without building or compiling a model: chapter 13 computes its LeNet-5 by hand from them.
func LoadWeights(dir string) (*context.Context, error) {
	ctx := context.New()
	if _, err := checkpoints.Build(ctx).Dir(dir).Immediate().Done(); err != nil {
		return nil, fmt.Errorf("book: LoadWeights %s: %w", dir, err)
	}
	if ctx.NumVariables() == 0 {
		return nil, fmt.Errorf("book: LoadWeights %s: no weights there", dir)
	}
	return ctx, nil
}

// Logits runs model with the weights in ctx on images [batch, height, width, channels] and
// returns its outputs [batch][classes], compiled on the default backend.
func Logits(model models.Model, ctx *context.Context, images *tensors.Tensor) ([][]float32, error) {
	b, err := backend.Default()
	if err != nil {
		return nil, fmt.Errorf("book: Logits: %w", err)
	}
	exec, err := context.NewExec(b, ctx.Reuse(), func(ctx *context.Context, x *graph.Node) *graph.Node {
		return model(ctx, x)
	})
	if err != nil {
		return nil, fmt.Errorf("book: Logits: %w", err)
	}
	out, err := exec.Exec1(images)
	if err != nil {
		return nil, fmt.Errorf("book: Logits: images %s: %w", images.Shape(), err)
	}
	logits, ok := out.Value().([][]float32)
	if !ok {
		return nil, fmt.Errorf("book: Logits: output %s, want [batch, classes] float32", out.Shape())
	}
	return logits, nil
}

// LeNet1998Pass holds what each layer of the 1998 LeNet-5 computes for one image, computed by
// LeNet1998ByHand. Maps are stored map by map, each row-major: C1[m][y·28+x].
type LeNet1998Pass struct {
	C1 [][]float32 // 6 maps of 28×28, squashed
	S2 [][]float32 // 6 maps of 14×14, squashed
	C3 [][]float32 // 16 maps of 10×10, squashed
	S4 [][]float32 // 16 maps of 5×5, squashed
	C5 []float32   // 120 units, squashed
	F6 []float32   // 84 units, squashed
	// Distances[i] is the RBF output unit i: Σⱼ (F6ⱼ − wᵢⱼ)², the squared distance from F6's
	// state to class i's code. The model's logits are their negatives.
	Distances []float32
	Codes     [][]float32 // Codes[i] is class i's 84-value code, the RBF weights
}

// LeNet1998ByHand computes the 1998 LeNet-5 (models.LeNet5 with models.LeCun1998) in plain Go
// loops on one normalized image of 32×32 or 28×28 pixels (padded to 32×32, as the model does),
// with the weights in ctx — chapter 13's forward pass written out, layer by layer as LeCun et
// al. 1998 §II.B describe it, to check against the model and to show its feature maps.
func LeNet1998ByHand(ctx *context.Context, image []float32) (*LeNet1998Pass, error) {
	w := weightReader{ctx: ctx}
	var in []float32
	switch len(image) {
	case 32 * 32:
		in = image
	case 28 * 28:
		in = make([]float32, 32*32)
		for y := range 28 {
			copy(in[(y+2)*32+2:(y+2)*32+30], image[y*28:(y+1)*28])
		}
	default:
		return nil, fmt.Errorf("book: LeNet1998ByHand: image of %d pixels, want 32×32 or 28×28 (one channel)", len(image))
	}
	p := &LeNet1998Pass{}
	c1w, c1b := w.get("c1", "weight", 5*5*1*6), w.get("c1", "bias", 6)
	for m := range 6 {
		p.C1 = append(p.C1, conv5(32, [][]float32{in}, func(dy, dx, k int) float32 {
			return c1w[(dy*5+dx)*6+m]
		}, c1b[m]))
	}
	p.S2 = subsampleByHand(p.C1, 28, w.get("s2", "weight", 6), w.get("s2", "bias", 6))
	for i, inputs := range C3Inputs() {
		scope := fmt.Sprintf("c3/%d", i)
		k, b := w.get(scope, "weight", 25*len(inputs)), w.get(scope, "bias", 1)
		maps := make([][]float32, len(inputs))
		for n, j := range inputs {
			maps[n] = p.S2[j]
		}
		p.C3 = append(p.C3, conv5(14, maps, func(dy, dx, n int) float32 {
			return k[(dy*5+dx)*len(inputs)+n]
		}, b[0]))
	}
	p.S4 = subsampleByHand(p.C3, 10, w.get("s4", "weight", 16), w.get("s4", "bias", 16))
	c5w, c5b := w.get("c5", "weight", 25*16*120), w.get("c5", "bias", 120)
	for u := range 120 {
		p.C5 = append(p.C5, conv5(5, p.S4, func(dy, dx, n int) float32 {
			return c5w[((dy*5+dx)*16+n)*120+u]
		}, c5b[u])[0])
	}
	f6w, f6b := w.get("f6", "weight", 120*84), w.get("f6", "bias", 84)
	for u := range 84 {
		a := f6b[u]
		for i, x := range p.C5 {
			a += x * f6w[i*84+u]
		}
		p.F6 = append(p.F6, squashByHand(a))
	}
	codes := w.get("output", "weight", -1)
	if w.err == nil && len(codes)%84 != 0 {
		w.err = fmt.Errorf("output/weight has %d values, want 84 per class", len(codes))
	}
	if w.err != nil {
		return nil, fmt.Errorf("book: LeNet1998ByHand: %w", w.err)
	}
	classes := len(codes) / 84
	for c := range classes {
		code := make([]float32, 84)
		d := float32(0)
		for j := range 84 {
			code[j] = codes[j*classes+c]
			d += (p.F6[j] - code[j]) * (p.F6[j] - code[j])
		}
		p.Codes, p.Distances = append(p.Codes, code), append(p.Distances, d)
	}
	return p, nil
}

// weightReader reads variables of a context as float32, keeping the first error.
type weightReader struct {
	ctx *context.Context
	err error
}

// get returns the values of scope/name, which must hold n of them (n < 0: any number).
func (r *weightReader) get(scope, name string, n int) []float32 {
	if r.err != nil {
		return make([]float32, max(n, 0))
	}
	v := r.ctx.GetVariableByScopeAndName("/"+scope, name)
	if v == nil {
		r.err = fmt.Errorf("no variable %s/%s (is it a models.LeCun1998 LeNet-5?)", scope, name)
		return make([]float32, max(n, 0))
	}
	t, err := v.Value()
	if err == nil {
		var vals []float32
		if vals, err = tensors.CopyFlatData[float32](t); err == nil && (n < 0 || len(vals) == n) {
			return vals
		} else if err == nil {
			err = fmt.Errorf("%d values, want %d", len(vals), n)
		}
	}
	r.err = fmt.Errorf("%s/%s: %w", scope, name, err)
	return make([]float32, max(n, 0))
}

// conv5 is one output map of a 5×5 valid convolution (cross-correlation, as PyTorch and GoMLX
// compute it) over the size×size maps in, with the kernel value kernel(dy, dx, input map), plus
// bias, squashed.
func conv5(size int, in [][]float32, kernel func(dy, dx, n int) float32, bias float32) []float32 {
	out := size - 4
	y := make([]float32, out*out)
	for oy := range out {
		for ox := range out {
			a := bias
			for n, m := range in {
				for dy := range 5 {
					for dx := range 5 {
						a += m[(oy+dy)*size+ox+dx] * kernel(dy, dx, n)
					}
				}
			}
			y[oy*out+ox] = squashByHand(a)
		}
	}
	return y
}

// subsampleByHand is S2 and S4: each 2×2 block's sum times the map's coefficient, plus its bias,
// squashed.
func subsampleByHand(maps [][]float32, size int, coef, bias []float32) [][]float32 {
	out := make([][]float32, len(maps))
	for m, x := range maps {
		h := size / 2
		out[m] = make([]float32, h*h)
		for y := range h {
			for xx := range h {
				s := x[2*y*size+2*xx] + x[2*y*size+2*xx+1] + x[(2*y+1)*size+2*xx] + x[(2*y+1)*size+2*xx+1]
				out[m][y*h+xx] = squashByHand(s*coef[m] + bias[m])
			}
		}
	}
	return out
}

// squashByHand is the paper's 1.7159·tanh(2a/3).
func squashByHand(a float32) float32 {
	return float32(1.7159 * math.Tanh(2*float64(a)/3))
}

// C1Kernels returns the six 5×5 kernels of the 1998 LeNet-5's C1 in ctx, one after the other
// (the layout viz.Images takes for 5×5 grey images): chapter 13 shows what they learned.
func C1Kernels(ctx *context.Context) ([]float32, error) {
	w := weightReader{ctx: ctx}
	k := w.get("c1", "weight", 5*5*6)
	if w.err != nil {
		return nil, fmt.Errorf("book: C1Kernels: %w", w.err)
	}
	out := make([]float32, len(k))
	for m := range 6 {
		for i := range 25 {
			out[m*25+i] = k[i*6+m]
		}
	}
	return out, nil
}

// Flat puts maps of equal size one after the other, the layout viz.Images takes.
func Flat(maps [][]float32) []float32 {
	var out []float32
	for _, m := range maps {
		out = append(out, m...)
	}
	return out
}

// TestAccuracies returns run's accuracy on its held-out set after each epoch, as a series named
// name: chapter 13 plots the 1998 and the modern LeNet-5 together with it.
func TestAccuracies(run *training.Run, name string) viz.Series {
	s := viz.Series{Name: name}
	for _, e := range run.History {
		s.Y = append(s.Y, e.TestAccuracy)
	}
	return s
}

// LaterEpochSeconds is the mean duration of run's epochs after the first, whose time includes
// compiling the training graph; with one epoch, that epoch's.
func LaterEpochSeconds(run *training.Run) float64 {
	h := run.History
	if len(h) == 0 {
		return 0
	}
	if len(h) == 1 {
		return h[0].Seconds
	}
	total := 0.0
	for _, e := range h[1:] {
		total += e.Seconds
	}
	return total / float64(len(h)-1)
}
