package datasets

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// The TensorLoader is a train.Dataset.
var _ train.Dataset = (*TensorLoader)(nil)

// tensorSet returns n examples: inputs float32 [n, 2] {i, -i} and uint8 [n] {i}; labels int32
// [n, 3, 1] (a sequence i, i+1, i+2) and bool [n] (i even).
func tensorSet(n int) (inputs, labels []*tensors.Tensor) {
	x := make([][]float32, n)
	ids := make([]uint8, n)
	seq := make([][][]int32, n)
	even := make([]bool, n)
	for i := range n {
		x[i] = []float32{float32(i), -float32(i)}
		ids[i] = uint8(i)
		seq[i] = [][]int32{{int32(i)}, {int32(i + 1)}, {int32(i + 2)}}
		even[i] = i%2 == 0
	}
	return []*tensors.Tensor{tensors.FromValue(x), tensors.FromValue(ids)},
		[]*tensors.Tensor{tensors.FromValue(seq), tensors.FromValue(even)}
}

// drainTensors reads a whole run, checking that every tensor of a batch holds the same examples,
// and returns the example order and the batch sizes.
func drainTensors(t *testing.T, l *TensorLoader) (ids, sizes []int) {
	t.Helper()
	for {
		spec, inputs, labels, err := l.Yield()
		if err == io.EOF {
			return ids, sizes
		}
		if err != nil {
			t.Fatal(err)
		}
		if spec != nil || len(inputs) != 2 || len(labels) != 2 {
			t.Fatalf("spec %v, %d inputs, %d labels; want nil, 2, 2", spec, len(inputs), len(labels))
		}
		n := inputs[0].Shape().Dimensions[0]
		wantShapes := []string{"(Float32)[%d 2]", "(Uint8)[%d]", "(Int32)[%d 3 1]", "(Bool)[%d]"}
		for i, x := range append(inputs, labels...) {
			if got, want := x.Shape().String(), fmt.Sprintf(wantShapes[i], n); got != want {
				t.Fatalf("tensor %d has shape %s, want %s", i, got, want)
			}
		}
		x := tensors.MustCopyFlatData[float32](inputs[0])
		b := tensors.MustCopyFlatData[uint8](inputs[1])
		seq := tensors.MustCopyFlatData[int32](labels[0])
		even := tensors.MustCopyFlatData[bool](labels[1])
		for k := range n {
			id := int(x[2*k])
			if x[2*k+1] != -float32(id) || int(b[k]) != id || even[k] != (id%2 == 0) ||
				!slices.Equal(seq[3*k:3*k+3], []int32{int32(id), int32(id + 1), int32(id + 2)}) {
				t.Fatalf("batch row %d mixes examples: x %v, uint8 %d, seq %v, even %v",
					k, x[2*k:2*k+2], b[k], seq[3*k:3*k+3], even[k])
			}
			ids = append(ids, id)
		}
		sizes = append(sizes, n)
	}
}

func TestFromTensorsInOrderWithPartialBatch(t *testing.T) {
	inputs, labels := tensorSet(7)
	l := FromTensors("toy/train", 3, inputs, labels)
	for _, x := range append(inputs, labels...) {
		x.FinalizeAll() // the loader keeps its own copy
	}
	if l.Len() != 3 || l.Examples() != 7 || l.ShortName() != "train" {
		t.Fatalf("Len %d, Examples %d, ShortName %q; want 3, 7, train", l.Len(), l.Examples(), l.ShortName())
	}
	ids, sizes := drainTensors(t, l)
	if !slices.Equal(ids, []int{0, 1, 2, 3, 4, 5, 6}) || !slices.Equal(sizes, []int{3, 3, 1}) {
		t.Fatalf("ids %v sizes %v", ids, sizes)
	}
	if _, _, _, err := l.Yield(); err != io.EOF {
		t.Fatalf("after the run: %v, want io.EOF", err)
	}
}

func TestFromTensorsShuffleMatchesLoader(t *testing.T) {
	inputs, labels := tensorSet(9)
	l := FromTensors("toy/train", 4, inputs, labels, Shuffle(7), DropLast())
	if l.Len() != 2 {
		t.Fatalf("Len %d, want 2", l.Len())
	}
	var runs [][]int
	for k := range 3 {
		l.Reset()
		l.Reset() // a second Reset before any batch changes nothing
		ids, sizes := drainTensors(t, l)
		if !slices.Equal(sizes, []int{4, 4}) {
			t.Fatalf("run %d: sizes %v, want [4 4] (DropLast)", k, sizes)
		}
		if want := Permutation(9, 7, uint64(k))[:8]; !slices.Equal(ids, want) {
			t.Fatalf("run %d: order %v, want Permutation(9, 7, %d)[:8] = %v", k, ids, k, want)
		}
		runs = append(runs, ids)
	}
	if slices.Equal(runs[0], runs[1]) {
		t.Fatalf("two runs in the same order %v", runs[0])
	}
	l.SetRun(1)
	if ids, _ := drainTensors(t, l); !slices.Equal(ids, runs[1]) {
		t.Fatalf("SetRun(1) gave %v, want run 1's order %v", ids, runs[1])
	}
}

func TestFromTensorsEpochs(t *testing.T) {
	inputs, labels := tensorSet(3)
	l := FromTensors("toy", 2, inputs, labels, Epochs(2))
	ids, sizes := drainTensors(t, l)
	if !slices.Equal(ids, []int{0, 1, 2, 0, 1, 2}) || !slices.Equal(sizes, []int{2, 1, 2, 1}) {
		t.Fatalf("two passes: ids %v sizes %v", ids, sizes)
	}
	l = FromTensors("toy", 2, inputs, labels, Infinite())
	for range 10 {
		if _, _, _, err := l.Yield(); err != nil {
			t.Fatalf("Infinite: %v", err)
		}
	}
}

func TestFromTensorsLoaderSetRun(t *testing.T) {
	l := NewLoader(counting(10, 1), 10, Shuffle(3))
	defer l.Close()
	var runs [][]int
	for range 3 {
		l.Reset()
		ids, _ := drain(t, l)
		runs = append(runs, ids)
	}
	l.SetRun(2)
	if ids, _ := drain(t, l); !slices.Equal(ids, runs[2]) {
		t.Fatalf("Loader.SetRun(2) gave %v, want %v", ids, runs[2])
	}
}

func TestFromTensorsBadInput(t *testing.T) {
	inputs, labels := tensorSet(5)
	short := []*tensors.Tensor{tensors.FromValue([]float32{1, 2})}
	empty := []*tensors.Tensor{tensors.FromShape(shapes.Make(dtypes.Float32, 0, 3))}
	noop := func(_ *rand.Rand, _ []float32, _, _, _ int) {}
	for _, c := range []struct {
		name string
		l    *TensorLoader
		want string
	}{
		{"no inputs", FromTensors("a", 2, nil, labels), "no input tensor"},
		{"batch 0", FromTensors("a", 0, inputs, labels), "batch size 0"},
		{"first axes differ", FromTensors("a", 2, inputs, short), "label 0 has shape (Float32)[2], want 5 examples"},
		{"scalar", FromTensors("a", 2, inputs, []*tensors.Tensor{tensors.FromValue(float32(1))}), "label 0 is a scalar"},
		{"nil", FromTensors("a", 2, []*tensors.Tensor{nil}, labels), "input 0 is nil"},
		{"empty", FromTensors("a", 2, empty, nil), "holds no values"},
		{"Normalize", FromTensors("a", 2, inputs, labels, Normalize([]float32{0}, []float32{1})), "Normalize applies"},
		{"Transform", FromTensors("a", 2, inputs, labels, Transform(noop)), "Transform"},
		{"Workers", FromTensors("a", 2, inputs, labels, Workers(2)), "Workers and Prefetch"},
		{"DropLast", FromTensors("a", 8, inputs, labels, DropLast()), "DropLast with 5 examples and batch size 8"},
	} {
		_, _, _, err := c.l.Yield()
		if err == nil || errors.Is(err, io.EOF) || !strings.Contains(err.Error(), c.want) ||
			!strings.HasPrefix(err.Error(), "datasets: ") || c.l.Len() != 0 {
			t.Errorf("%s: Yield error %v, Len %d; want a datasets: error containing %q and Len 0",
				c.name, err, c.l.Len(), c.want)
		}
	}
}
