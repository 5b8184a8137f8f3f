package datasets

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TensorLoader gives batches of in-memory tensors of any shapes and dtypes, for tasks that are
// not image classification: several inputs (a pair of images for a siamese network), labels that
// are boxes, sequences or masks. Like a Loader it implements GoMLX's train.Dataset, so a
// training.Trainer trains from it, and it takes the options Shuffle, Seed, Epochs, Infinite and
// DropLast with the same meaning: one pass in order with a smaller last batch by default, and
// with Shuffle an order per pass fixed by the seed and the pass number.
type TensorLoader struct {
	name          string
	batch         int
	cfg           loaderConfig
	n             int // examples
	inputs, label []column
	err           error // a configuration error, returned by every Yield

	mu      sync.Mutex
	run     uint64 // how many runs have been started and used
	yielded bool   // whether the current run has given a batch since it started
	pass    int    // pass of the current run, from 0
	order   []int  // example order of the current pass
	next    int    // position in order of the next batch
}

// column is one tensor of a TensorLoader: its bytes, copied at construction, cut per example.
type column struct {
	shape    shapes.Shape // of one example
	data     []byte
	rowBytes int
}

// FromTensors returns a TensorLoader giving batches of batchSize examples, cutting every tensor
// of inputs and labels along its first axis, which all must share: the examples. A batch holds
// the same rows of each tensor, inputs then labels in the order given (Yield returns them as
// train.Dataset does). The tensors are copied, so the caller may free them. A bad setting (no
// inputs, first axes that differ, a batch size below 1, an option that only fits images such as
// Normalize) is returned by Yield.
func FromTensors(name string, batchSize int, inputs, labels []*tensors.Tensor, opts ...LoaderOption) *TensorLoader {
	l := &TensorLoader{name: name, batch: batchSize, cfg: loaderConfig{epochs: 1, prefetch: -1}}
	for _, opt := range opts {
		opt(&l.cfg)
	}
	l.err = l.setUp(inputs, labels)
	return l
}

func (l *TensorLoader) setUp(inputs, labels []*tensors.Tensor) error {
	if len(inputs) == 0 {
		return fmt.Errorf("datasets: FromTensors %q: no input tensor", l.name)
	}
	if l.batch < 1 {
		return fmt.Errorf("datasets: FromTensors %q: batch size %d, want ≥ 1", l.name, l.batch)
	}
	switch {
	case l.cfg.mean != nil || l.cfg.std != nil:
		return fmt.Errorf("datasets: FromTensors %q: Normalize applies to images of a Dataset; "+
			"normalize the tensors first", l.name)
	case l.cfg.transform != nil:
		return fmt.Errorf("datasets: FromTensors %q: Transform applies to images of a Dataset", l.name)
	case l.cfg.workers != 0 || l.cfg.prefetch != -1:
		return fmt.Errorf("datasets: FromTensors %q: Workers and Prefetch apply to a Loader; "+
			"batches here are copies in memory", l.name)
	}
	l.n = -1
	var err error
	if l.inputs, err = l.columns("input", inputs); err != nil {
		return err
	}
	if l.label, err = l.columns("label", labels); err != nil {
		return err
	}
	if l.cfg.dropLast && l.n < l.batch {
		return fmt.Errorf("datasets: FromTensors %q: DropLast with %d examples and batch size %d leaves no batch",
			l.name, l.n, l.batch)
	}
	return nil
}

// columns copies the tensors, checking that each has a first axis of l.n examples (the first
// tensor sets l.n).
func (l *TensorLoader) columns(what string, ts []*tensors.Tensor) ([]column, error) {
	cols := make([]column, len(ts))
	for i, t := range ts {
		if t == nil {
			return nil, fmt.Errorf("datasets: FromTensors %q: %s %d is nil", l.name, what, i)
		}
		s := t.Shape()
		if s.Rank() == 0 {
			return nil, fmt.Errorf("datasets: FromTensors %q: %s %d is a scalar, want a first axis of examples", l.name, what, i)
		}
		if l.n < 0 {
			l.n = s.Dimensions[0]
		}
		if s.Dimensions[0] != l.n {
			return nil, fmt.Errorf("datasets: FromTensors %q: %s %d has shape %s, "+
				"want %d examples on its first axis like input 0", l.name, what, i, s, l.n)
		}
		if s.Size() == 0 {
			return nil, fmt.Errorf("datasets: FromTensors %q: %s %d has shape %s, which holds no values", l.name, what, i, s)
		}
		var data []byte
		if err := t.ConstBytes(func(b []byte) { data = append([]byte(nil), b...) }); err != nil {
			return nil, fmt.Errorf("datasets: FromTensors %q: reading %s %d: %w", l.name, what, i, err)
		}
		if len(data) != s.Size()*s.DType.Size() {
			return nil, fmt.Errorf("datasets: FromTensors %q: %s %d has dtype %s, "+
				"packed below a byte per value, which it cannot cut", l.name, what, i, s.DType)
		}
		example := shapes.Make(s.DType, s.Dimensions[1:]...)
		cols[i] = column{shape: example, data: data, rowBytes: len(data) / l.n}
	}
	return cols, nil
}

// Name returns the name given to FromTensors (part of train.Dataset).
func (l *TensorLoader) Name() string { return l.name }

// ShortName returns the name's last part after a "/", e.g. "train" (GoMLX shows it next to metrics).
func (l *TensorLoader) ShortName() string { return l.name[strings.LastIndexByte(l.name, '/')+1:] }

// Len returns the number of batches in one pass.
func (l *TensorLoader) Len() int {
	if l.err != nil {
		return 0
	}
	if l.cfg.dropLast {
		return l.n / l.batch
	}
	return (l.n + l.batch - 1) / l.batch
}

// Examples returns the number of examples (the tensors' first axis).
func (l *TensorLoader) Examples() int { return max(l.n, 0) }

// Yield returns the next batch as train.Dataset wants it: nil spec, then the batch of each input
// tensor and of each label tensor, [batch, …] with the given tensor's other axes and dtype; io.EOF
// at the end of a run.
func (l *TensorLoader) Yield() (spec any, inputs, labels []*tensors.Tensor, err error) {
	if l.err != nil {
		return nil, nil, nil, l.err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.order == nil || l.next >= len(l.order) || (l.cfg.dropLast && l.next+l.batch > len(l.order)) {
		if l.order != nil {
			l.pass++
		}
		if l.cfg.epochs > 0 && l.pass >= l.cfg.epochs {
			return nil, nil, nil, io.EOF
		}
		l.startPass()
	}
	l.yielded = true
	ids := l.order[l.next:min(l.next+l.batch, len(l.order))]
	l.next += len(ids)
	if inputs, err = batchOf(l.inputs, ids); err == nil {
		labels, err = batchOf(l.label, ids)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("datasets: %s: %w", l.name, err)
	}
	return nil, inputs, labels, nil
}

// startPass draws the order of the current pass, numbered as a Loader numbers its passes.
func (l *TensorLoader) startPass() {
	pass := l.run*uint64(max(l.cfg.epochs, 1)) + uint64(l.pass)
	if l.cfg.epochs == 0 {
		pass = l.run<<32 + uint64(l.pass)
	}
	if l.cfg.shuffle {
		l.order = Permutation(l.n, l.cfg.seed, pass)
	} else {
		l.order = identity(l.n)
	}
	l.next = 0
}

// batchOf copies the rows ids of every column into a new tensor each.
func batchOf(cols []column, ids []int) ([]*tensors.Tensor, error) {
	out := make([]*tensors.Tensor, len(cols))
	for i, c := range cols {
		t := tensors.FromShape(shapes.Make(c.shape.DType, append([]int{len(ids)}, c.shape.Dimensions...)...))
		err := t.MutableBytes(func(dst []byte) {
			for k, id := range ids {
				copy(dst[k*c.rowBytes:(k+1)*c.rowBytes], c.data[id*c.rowBytes:(id+1)*c.rowBytes])
			}
		})
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// Reset starts the next run (part of train.Dataset). Calling it before any batch of the current
// run was taken changes nothing, so an evaluation that resets its data set first sees the same
// order.
func (l *TensorLoader) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.yielded {
		l.setRunLocked(l.run + 1)
	}
}

// SetRun makes the next run the k-th, counting from 0, in the order Shuffle gives that run, as if
// k runs had come before. A training.Trainer calls it before each epoch, so training resumed from
// a checkpoint sees the data in the order an uninterrupted run would have.
func (l *TensorLoader) SetRun(k int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.setRunLocked(uint64(max(k, 0)))
}

func (l *TensorLoader) setRunLocked(k uint64) {
	l.run, l.yielded, l.pass, l.order, l.next = k, false, 0, nil, 0
}
