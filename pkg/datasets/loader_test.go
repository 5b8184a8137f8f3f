package datasets

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// The Loader is a train.Dataset.
var _ train.Dataset = (*Loader)(nil)

// counting returns n 2×1×c images whose pixels all equal the example index i, labelled i%3.
func counting(n, c int) *Dataset {
	pix := make([]uint8, 0, n*2*c)
	labels := make([]int32, n)
	for i := range n {
		for range 2 * c {
			pix = append(pix, uint8(i))
		}
		labels[i] = int32(i % 3)
	}
	return newMemDataset("count/train", "test", []string{"a", "b", "c"}, 2, 1, c, pix, labels)
}

// drain reads a whole run, returning the example index of each image and the batch sizes.
func drain(t *testing.T, l *Loader) (ids []int, sizes []int) {
	t.Helper()
	for {
		b, err := l.Next()
		if err == io.EOF {
			return ids, sizes
		}
		if err != nil {
			t.Fatal(err)
		}
		img := tensors.MustCopyFlatData[float32](b.Images)
		lab := tensors.MustCopyFlatData[int32](b.Labels)
		size := len(img) / b.Images.Shape().Dimensions[1] / b.Images.Shape().Dimensions[2] / b.Images.Shape().Dimensions[3]
		for k := range b.Size {
			id := int(math.Round(float64(img[k*len(img)/b.Size] * 255)))
			ids = append(ids, id)
			if lab[k] != int32(id%3) {
				t.Fatalf("example %d has label %d", id, lab[k])
			}
		}
		if size != b.Size {
			t.Fatalf("batch of %d images says Size %d", size, b.Size)
		}
		sizes = append(sizes, b.Size)
	}
}

func TestLoaderBatches(t *testing.T) {
	ds := counting(10, 1)
	for _, tc := range []struct {
		name      string
		opts      []LoaderOption
		wantSizes []int
		ordered   bool
		passes    int
	}{
		{"in order", nil, []int{4, 4, 2}, true, 1},
		{"drop last", []LoaderOption{DropLast()}, []int{4, 4}, true, 1},
		{"shuffled", []LoaderOption{Shuffle(7)}, []int{4, 4, 2}, false, 1},
		{"two epochs", []LoaderOption{Epochs(2), Shuffle(7)}, []int{4, 4, 2, 4, 4, 2}, false, 2},
		{"no prefetch, one worker", []LoaderOption{Prefetch(0), Workers(1)}, []int{4, 4, 2}, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLoader(ds, 4, tc.opts...)
			ids, sizes := drain(t, l)
			if !slices.Equal(sizes, tc.wantSizes) {
				t.Errorf("batch sizes %v, want %v", sizes, tc.wantSizes)
			}
			n := len(ids) / tc.passes
			for p := range tc.passes {
				pass := slices.Clone(ids[p*n : (p+1)*n])
				if slices.IsSorted(pass) != tc.ordered {
					t.Errorf("pass %d order %v, want sorted=%v", p, pass, tc.ordered)
				}
				slices.Sort(pass)
				want := identity(10)[:n]
				if !slices.Equal(pass, want) {
					t.Errorf("pass %d covers %v, want %v", p, pass, want)
				}
			}
			if l.Len() != len(tc.wantSizes)/tc.passes {
				t.Errorf("Len() = %d", l.Len())
			}
			if _, err := l.Next(); err != io.EOF { // stays at the end until Reset
				t.Errorf("after the end: %v", err)
			}
		})
	}
}

func TestLoaderShuffleRepeatsWithSeed(t *testing.T) {
	ds := counting(50, 1)
	a, _ := drain(t, NewLoader(ds, 8, Shuffle(1)))
	b, _ := drain(t, NewLoader(ds, 8, Shuffle(1)))
	c, _ := drain(t, NewLoader(ds, 8, Shuffle(2)))
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Errorf("seed 1 twice: %v / %v; seed 2: %v", a, b, c)
	}
	// Reset gives the next pass a new order; Reset before any batch changes nothing.
	l := NewLoader(ds, 8, Shuffle(1))
	l.Reset()
	first, _ := drain(t, l)
	l.Reset()
	second, _ := drain(t, l)
	if !slices.Equal(first, a) || slices.Equal(first, second) {
		t.Errorf("passes: %v then %v", first, second)
	}
	// Resetting in the middle of a pass drops it and starts the next one.
	l = NewLoader(ds, 8, Shuffle(1))
	if _, err := l.Next(); err != nil {
		t.Fatal(err)
	}
	l.Reset()
	if again, _ := drain(t, l); !slices.Equal(again, second) {
		t.Errorf("after a reset mid-pass: %v, want the second pass %v", again, second)
	}
}

func TestLoaderInfinite(t *testing.T) {
	l := NewLoader(counting(5, 1), 2, Infinite(), Shuffle(3))
	defer l.Close()
	seen := map[int]int{}
	for range 30 { // batches of 2, 2, 1: ten passes
		_, inputs, labels, err := l.Yield()
		if err != nil {
			t.Fatal(err)
		}
		img := tensors.MustCopyFlatData[float32](inputs[0])
		n := len(img) / 2
		for k := range n {
			seen[int(math.Round(float64(img[k*2]*255)))]++
		}
		if got := labels[0].Shape().Dimensions; !slices.Equal(got, []int{n, 1}) {
			t.Fatalf("labels shape %v", got)
		}
	}
	for i := range 5 {
		if seen[i] != 10 {
			t.Errorf("example %d seen %d times in 10 passes", i, seen[i])
		}
	}
}

func TestLoaderNormalizeAndTransform(t *testing.T) {
	ds := counting(4, 3)
	var calls atomic.Int64
	flip := func(rng *rand.Rand, pix []float32, h, w, c int) {
		calls.Add(1)
		if h != 2 || w != 1 || c != 3 || len(pix) != 6 {
			t.Errorf("transform got %d values for %d×%d×%d", len(pix), h, w, c)
		}
		pix[0] = 1 // a mark the normalization must see
	}
	l := NewLoader(ds, 4, Normalize([]float32{0.5, 0, 1}, []float32{0.5, 2, 1}), Transform(flip))
	_, inputs, labels, err := l.Yield()
	if err != nil {
		t.Fatal(err)
	}
	if got := inputs[0].Shape(); got.DType.String() != "Float32" || !slices.Equal(got.Dimensions, []int{4, 2, 1, 3}) {
		t.Errorf("images %s, want Float32 [4 2 1 3]", got)
	}
	if got := labels[0].Shape(); got.DType.String() != "Int32" || !slices.Equal(got.Dimensions, []int{4, 1}) {
		t.Errorf("labels %s, want Int32 [4 1]", got)
	}
	img := tensors.MustCopyFlatData[float32](inputs[0])
	x := float32(3) / 255 // example 3
	want := []float32{(1 - 0.5) / 0.5, x / 2, x - 1, (x - 0.5) / 0.5, x / 2, x - 1}
	for i, w := range want {
		if math.Abs(float64(img[18+i]-w)) > 1e-6 {
			t.Errorf("example 3 value %d = %g, want %g", i, img[18+i], w)
		}
	}
	if calls.Load() != 4 {
		t.Errorf("transform ran %d times, want 4", calls.Load())
	}
}

func TestLoaderTransformRepeatsWithSeed(t *testing.T) {
	noise := func(rng *rand.Rand, pix []float32, h, w, c int) {
		for i := range pix {
			pix[i] = rng.Float32()
		}
	}
	run := func(seed uint64) []float32 {
		l := NewLoader(counting(20, 1), 6, Seed(seed), Transform(noise), Workers(3))
		var all []float32
		for {
			b, err := l.Next()
			if err == io.EOF {
				return all
			}
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, tensors.MustCopyFlatData[float32](b.Images)...)
		}
	}
	if a, b, c := run(1), run(1), run(2); !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Error("transform randomness does not follow the seed")
	}
}

func TestLoaderErrors(t *testing.T) {
	ds := counting(5, 3)
	empty, err := ds.Subset(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		l    *Loader
		want string
	}{
		{"batch size", NewLoader(ds, 0), "count/train: batch size 0, want ≥ 1"},
		{"empty", NewLoader(empty, 4), "no examples"},
		{"drop last too big", NewLoader(ds, 6, DropLast()), "leaves no batch"},
		{"mean length", NewLoader(ds, 2, Normalize([]float32{1, 2}, []float32{1, 1, 1})), "Normalize needs 1 or 3 values"},
		{"std zero", NewLoader(ds, 2, Normalize([]float32{0}, []float32{0})), "std [0], want > 0"},
		{"nil", NewLoader(nil, 2), "nil Dataset"},
	} {
		_, _, _, err := tc.l.Yield()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	// A read error stops the run and is returned.
	bad := counting(6, 1)
	bad.store = &store{read: func(i int, dst []uint8) error {
		if i == 4 {
			return errors.New("imagefolder: x.png: broken")
		}
		return nil
	}}
	l := NewLoader(bad, 2, Workers(2))
	for range 3 {
		if _, _, _, err = l.Yield(); err != nil {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "x.png: broken") {
		t.Errorf("read error: %v", err)
	}
	if _, _, _, err := l.Yield(); err != io.EOF {
		t.Errorf("after the error: %v, want io.EOF", err)
	}
}

func TestLoaderNames(t *testing.T) {
	l := NewLoader(counting(3, 1), 2)
	if l.Name() != "count/train" || l.ShortName() != "train" {
		t.Errorf("Name %q ShortName %q", l.Name(), l.ShortName())
	}
}

// TestLoaderTrainsGoMLX plugs loaders into GoMLX's train.Trainer and train.Loop (pure Go backend):
// a linear classifier learns dark (class 0) from bright (class 1) images in a few epochs.
func TestLoaderTrainsGoMLX(t *testing.T) {
	backend, err := simplego.New("")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	makeSet := func(n int, seed uint64) *Dataset {
		rng := rand.New(rand.NewPCG(seed, 0))
		pix := make([]uint8, n*16)
		labels := make([]int32, n)
		for i := range n {
			labels[i] = int32(i % 2)
			for p := range 16 {
				pix[i*16+p] = uint8(40 + 150*int(labels[i]) + rng.IntN(60))
			}
		}
		return newMemDataset("shades/train", "generated", []string{"dark", "bright"}, 4, 4, 1, pix, labels)
	}
	trainDS, testDS := makeSet(256, 1), makeSet(64, 2)
	testDS.Name = "shades/test"
	mean, std, err := trainDS.MeanStd()
	if err != nil {
		t.Fatal(err)
	}
	model := func(ctx *context.Context, spec any, inputs []*graph.Node) []*graph.Node {
		x := graph.Reshape(inputs[0], -1, 16)
		return []*graph.Node{layers.DenseWithBias(ctx, x, 2)}
	}
	ctx := context.New()
	trainer := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(0.05).Done(), nil,
		[]metrics.Interface{metrics.NewSparseCategoricalAccuracy("accuracy", "acc")})
	loop := train.NewLoop(trainer)
	trainLoader := NewLoader(trainDS, 32, Shuffle(1), DropLast(), Normalize(mean, std))
	if _, err := loop.RunEpochs(trainLoader, 3); err != nil {
		t.Fatal(err)
	}
	if loop.LoopStep != 3*8 {
		t.Errorf("%d steps in 3 epochs of 8 batches", loop.LoopStep)
	}
	results, err := trainer.Eval(NewLoader(testDS, 20, Normalize(mean, std))) // 20+20+20+4: two graph shapes
	if err != nil {
		t.Fatal(err)
	}
	// Eval gives the batch loss, the mean loss, then the eval metrics.
	if loss, acc := tensors.ToScalar[float32](results[1]), tensors.ToScalar[float32](results[2]); loss > 0.1 || acc < 0.99 {
		t.Errorf("after training: test loss %g, accuracy %g; want ≈ 0 and 1", loss, acc)
	}
}

// TestLoaderDroppedMidPass checks that the producer goroutine of a Loader abandoned in the middle
// of a pass ends once the Loader is garbage.
func TestLoaderDroppedMidPass(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		l := NewLoader(counting(100, 1), 2, Prefetch(1))
		if _, err := l.Next(); err != nil {
			t.Fatal(err)
		}
	}()
	for range 100 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if runtime.NumGoroutine() <= before {
			return
		}
	}
	t.Errorf("%d goroutines before, %d after dropping the loader", before, runtime.NumGoroutine())
}

func TestLoaderClose(t *testing.T) {
	l := NewLoader(counting(100, 1), 2)
	if _, err := l.Next(); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if l.st.cur != nil {
		t.Error("Close left the producer running")
	}
	if b, err := l.Next(); err != nil || b.Size != 2 { // a closed Loader starts its next pass
		t.Errorf("after Close: %v, %v", b, err)
	}
	l.Close()
}

// A transform runs on several workers even for a small in-memory batch, and what it draws depends
// on the seed, the pass and the example, not on which worker ran it.
func TestLoaderTransformWorkers(t *testing.T) {
	var active, most atomic.Int32
	noise := func(rng *rand.Rand, pix []float32, h, w, c int) {
		n := active.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(time.Millisecond)
		for i := range pix {
			pix[i] += rng.Float32()
		}
		active.Add(-1)
	}
	run := func(workers int) []float32 {
		l := NewLoader(counting(40, 1), 8, Seed(5), Epochs(2), Transform(noise), Workers(workers))
		var all []float32
		for b, err := range l.Batches() {
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, tensors.MustCopyFlatData[float32](b.Images)...)
		}
		return all
	}
	one := run(1)
	if most.Load() != 1 {
		t.Fatalf("Workers(1): %d transforms ran at once", most.Load())
	}
	four := run(4)
	if most.Load() < 2 {
		t.Errorf("Workers(4) on batches of 8: at most %d transform ran at once, want ≥ 2", most.Load())
	}
	if !slices.Equal(one, four) {
		t.Error("the transformed batches depend on the number of workers")
	}
	if half := len(one) / 2; slices.Equal(one[:half], one[half:]) {
		t.Error("the second pass drew the same transforms as the first")
	}
}

// A Loader used only for one call of Next, as in NewLoader(…).Next(), must not be collected (and
// its run stopped by the cleanup) while Next waits for the batch.
func TestLoaderNextKeepsLoaderAlive(t *testing.T) {
	slow := func(rng *rand.Rand, pix []float32, h, w, c int) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	for i := range 5 {
		b, err := NewLoader(counting(8, 1), 8, Transform(slow)).Next()
		if err != nil {
			t.Fatalf("try %d: %v", i, err)
		}
		b.finalize()
	}
}
