package datasets

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Loader cuts a Dataset into batches of GoMLX tensors and implements GoMLX's train.Dataset, so it
// plugs into train.Loop and train.Trainer (chapter 04 introduces it; every training chapter uses
// it).
//
// Each batch is images float32 [batch, height, width, channels] — pixel/255, then
// (x − mean[c]) / std[c] with Normalize — and labels int32 [batch, 1]. A goroutine prepares the
// next batches while the current one trains; with a data set read from files (ImageFolder) the
// images of a batch are decoded by several goroutines.
//
// By default a Loader gives one pass over the data in order, with a smaller last batch, then
// io.EOF; Reset starts the next pass (train.Loop.RunEpochs calls it after each epoch). With Shuffle
// every pass has its own order, fixed by the seed and the pass number, so a run can be repeated.
type Loader struct {
	ds    *Dataset
	batch int
	cfg   loaderConfig
	err   error // a configuration error, returned by every Yield

	st *loaderState
}

// loaderState is the part of a Loader that its producer goroutine's cleanup needs; it does not
// point back to the Loader, so a Loader dropped mid-pass can be collected and its goroutine stopped.
type loaderState struct {
	mu      sync.Mutex
	pass    uint64 // how many runs have been started and used
	yielded bool   // whether the current run has given a batch since it started
	cur     *run
}

type loaderConfig struct {
	shuffle   bool
	seed      uint64
	epochs    int // passes per run; 0 means forever
	dropLast  bool
	mean, std []float32
	transform TransformFunc
	workers   int
	prefetch  int
}

// LoaderOption configures NewLoader.
type LoaderOption func(*loaderConfig)

// TransformFunc changes one image in place before normalization: pix holds height·width·channels
// float32 values in [0, 1], HWC. It is how chapter 11's augmentations run inside a Loader. It may
// run on several goroutines at once; rng is seeded from the loader's seed, the pass and the
// example, so transformed batches repeat with the seed.
type TransformFunc func(rng *rand.Rand, pix []float32, height, width, channels int)

// Shuffle gives every pass a random order drawn from seed and the pass number.
func Shuffle(seed uint64) LoaderOption {
	return func(c *loaderConfig) { c.shuffle, c.seed = true, seed }
}

// Seed sets the seed for Transform without shuffling.
func Seed(seed uint64) LoaderOption { return func(c *loaderConfig) { c.seed = seed } }

// Epochs makes one run (until io.EOF) go over the data n times; n ≤ 0 means forever, for
// train.Loop.RunSteps.
func Epochs(n int) LoaderOption { return func(c *loaderConfig) { c.epochs = max(n, 0) } }

// Infinite loops over the data forever, reshuffling each pass; the same as Epochs(0).
func Infinite() LoaderOption { return Epochs(0) }

// DropLast drops the last batch of a pass when it is smaller than the batch size, so every batch
// has the same shape and the graph is compiled once.
func DropLast() LoaderOption { return func(c *loaderConfig) { c.dropLast = true } }

// Normalize subtracts mean[c] and divides by std[c] on channel c, on the [0, 1] scale (see
// Dataset.MeanStd and the XxxMean/XxxStd values of each data set). One value applies to all
// channels.
func Normalize(mean, std []float32) LoaderOption {
	return func(c *loaderConfig) { c.mean, c.std = mean, std }
}

// Transform applies fn to every image of every batch (data augmentation, chapter 11).
func Transform(fn TransformFunc) LoaderOption { return func(c *loaderConfig) { c.transform = fn } }

// Workers sets how many goroutines prepare the images of one batch (default: the number of CPUs,
// at most 8).
func Workers(n int) LoaderOption { return func(c *loaderConfig) { c.workers = max(n, 1) } }

// Prefetch sets how many batches are prepared ahead of the one being used (default 2).
func Prefetch(n int) LoaderOption { return func(c *loaderConfig) { c.prefetch = max(n, 0) } }

// NewLoader returns a Loader giving batches of batchSize examples of ds. A bad setting (a batch
// size below 1, an empty data set, a mean or std of the wrong length) is returned by Yield and Next.
func NewLoader(ds *Dataset, batchSize int, opts ...LoaderOption) *Loader {
	l := &Loader{ds: ds, batch: batchSize,
		cfg: loaderConfig{epochs: 1, workers: min(runtime.NumCPU(), 8), prefetch: 2}}
	for _, opt := range opts {
		opt(&l.cfg)
	}
	l.err = l.check()
	l.st = &loaderState{}
	runtime.AddCleanup(l, func(st *loaderState) {
		st.mu.Lock()
		defer st.mu.Unlock()
		st.stopLocked()
	}, l.st)
	return l
}

func (l *Loader) check() error {
	if l.ds == nil {
		return errors.New("datasets: NewLoader: nil Dataset")
	}
	name := l.ds.Name
	if l.batch < 1 {
		return fmt.Errorf("datasets: %s: batch size %d, want ≥ 1", name, l.batch)
	}
	if l.ds.Len() == 0 {
		return fmt.Errorf("datasets: %s: no examples", name)
	}
	if l.cfg.dropLast && l.ds.Len() < l.batch {
		return fmt.Errorf("datasets: %s: DropLast with %d examples and batch size %d leaves no batch", name, l.ds.Len(), l.batch)
	}
	if l.cfg.mean != nil || l.cfg.std != nil {
		for _, v := range [][]float32{l.cfg.mean, l.cfg.std} {
			if len(v) != 1 && len(v) != l.ds.Channels {
				return fmt.Errorf("datasets: %s: Normalize needs 1 or %d values per argument, got mean %v std %v",
					name, l.ds.Channels, l.cfg.mean, l.cfg.std)
			}
		}
		for _, s := range l.cfg.std {
			if !(s > 0) {
				return fmt.Errorf("datasets: %s: Normalize std %v, want > 0", name, l.cfg.std)
			}
		}
	}
	return nil
}

// Batch is one batch from a Loader: Images float32 [n, height, width, channels] and Labels int32
// [n, 1].
type Batch struct {
	Images, Labels *tensors.Tensor
	// Size is n, the number of examples in the batch.
	Size int
}

// Name returns the data set's name, e.g. "fashion-mnist/train" (part of train.Dataset).
func (l *Loader) Name() string {
	if l.ds == nil {
		return "datasets"
	}
	return l.ds.Name
}

// ShortName returns the split, e.g. "train" or "test", which GoMLX shows next to metrics.
func (l *Loader) ShortName() string {
	n := l.Name()
	return n[strings.LastIndexByte(n, '/')+1:]
}

// Len returns the number of batches in one pass.
func (l *Loader) Len() int {
	if l.err != nil {
		return 0
	}
	if l.cfg.dropLast {
		return l.ds.Len() / l.batch
	}
	return (l.ds.Len() + l.batch - 1) / l.batch
}

// Yield returns the next batch as train.Dataset wants it: nil spec, inputs {images}, labels
// {labels}; io.EOF at the end of a run.
func (l *Loader) Yield() (spec any, inputs, labels []*tensors.Tensor, err error) {
	b, err := l.Next()
	if err != nil {
		return nil, nil, nil, err
	}
	return nil, []*tensors.Tensor{b.Images}, []*tensors.Tensor{b.Labels}, nil
}

// Next returns the next batch, or io.EOF at the end of a run.
func (l *Loader) Next() (*Batch, error) {
	if l.err != nil {
		return nil, l.err
	}
	st := l.st
	st.mu.Lock()
	if st.cur == nil {
		st.cur = l.start(st.pass)
	}
	r := st.cur
	st.yielded = true
	st.mu.Unlock()
	res, ok := <-r.out
	// l must stay reachable while Next waits: were it collected, its cleanup would stop the run
	// and Next would report io.EOF for a pass that has not ended.
	runtime.KeepAlive(l)
	if !ok {
		return nil, io.EOF
	}
	return res.b, res.err
}

// Reset starts the next pass (part of train.Dataset). Batches already prepared for the old one are
// dropped. Calling it before any batch of the current pass was taken changes nothing, so the
// evaluation that resets its data set first sees the same order.
func (l *Loader) Reset() {
	st := l.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.yielded {
		return
	}
	st.stopLocked()
	st.pass++
	st.yielded = false
}

// SetRun makes the next run the k-th, counting from 0, in the order Shuffle gives that run, as if
// k runs had come before. A training.Trainer calls it before each epoch, so training resumed from
// a checkpoint sees the data in the order an uninterrupted run would have.
func (l *Loader) SetRun(k int) {
	st := l.st
	st.mu.Lock()
	defer st.mu.Unlock()
	st.stopLocked()
	st.pass = uint64(max(k, 0))
	st.yielded = false
}

// Close stops the goroutine preparing batches of an unfinished pass at once, instead of when the
// garbage collector finds the Loader unused. The Loader can still be used afterwards: the next Next
// starts the next pass.
func (l *Loader) Close() {
	l.Reset()
}

func (st *loaderState) stopLocked() {
	if st.cur == nil {
		return
	}
	close(st.cur.stop)
	for res := range st.cur.out { // the producer closes out when it returns
		if res.b != nil {
			res.b.finalize()
		}
	}
	st.cur = nil
}

func (b *Batch) finalize() {
	b.Images.FinalizeAll()
	b.Labels.FinalizeAll()
}

type result struct {
	b   *Batch
	err error
}

// run is one producer goroutine and its output.
type run struct {
	out  chan result
	stop chan struct{}
}

// start launches the goroutine that prepares the batches of run number k.
func (l *Loader) start(k uint64) *run {
	r := &run{out: make(chan result, l.cfg.prefetch), stop: make(chan struct{})}
	ds, bs, cfg := l.ds, l.batch, l.cfg
	go func() {
		defer close(r.out)
		for e := 0; cfg.epochs == 0 || e < cfg.epochs; e++ {
			pass := k*uint64(max(cfg.epochs, 1)) + uint64(e)
			if cfg.epochs == 0 {
				pass = k<<32 + uint64(e)
			}
			order := identity(ds.Len())
			if cfg.shuffle {
				order = Permutation(ds.Len(), cfg.seed, pass)
			}
			for i := 0; i < len(order); i += bs {
				ids := order[i:min(i+bs, len(order))]
				if len(ids) < bs && cfg.dropLast {
					break
				}
				b, err := makeBatch(ds, ids, &cfg, pass)
				select {
				case r.out <- result{b, err}:
				case <-r.stop:
					if b != nil {
						b.finalize()
					}
					return
				}
				if err != nil {
					return
				}
			}
		}
	}()
	return r
}

func identity(n int) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	return ids
}

// makeBatch builds the tensors for the examples ids, writing straight into their memory.
func makeBatch(ds *Dataset, ids []int, cfg *loaderConfig, pass uint64) (*Batch, error) {
	n, h, w, c := len(ids), ds.Height, ds.Width, ds.Channels
	size := h * w * c
	images := tensors.FromShape(shapes.Make(dtypes.Float32, n, h, w, c))
	labels := tensors.FromShape(shapes.Make(dtypes.Int32, n, 1))
	var err error
	tensors.MustMutableFlatData(labels, func(lab []int32) {
		for k, i := range ids {
			lab[k] = ds.Labels[i]
		}
	})
	scale, shift := normalization(cfg, c)
	tensors.MustMutableFlatData(images, func(flat []float32) {
		workers := min(cfg.workers, n)
		if ds.store.pix != nil && n*size < 1<<16 && cfg.transform == nil {
			// Small in-memory batches: goroutines cost more than they save, unless a
			// transform (chapter 11's augmentations) does real work on each image.
			workers = 1
		}
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for wk := range workers {
			wg.Go(func() {
				pix := make([]uint8, size)
				for k := wk; k < n; k += workers {
					if _, err := ds.Read(ids[k], pix); err != nil {
						errs[wk] = err
						return
					}
					dst := flat[k*size : (k+1)*size]
					for p, v := range pix {
						dst[p] = float32(v) / 255
					}
					if cfg.transform != nil {
						rng := rand.New(rand.NewPCG(cfg.seed^0x9e3779b97f4a7c15, pass<<32^uint64(ds.storeIndex(ids[k]))))
						cfg.transform(rng, dst, h, w, c)
					}
					if scale != nil {
						for p := range dst {
							ch := p % c
							dst[p] = dst[p]*scale[ch] + shift[ch]
						}
					}
				}
			})
		}
		wg.Wait()
		err = errors.Join(errs...)
	})
	if err != nil {
		images.FinalizeAll()
		labels.FinalizeAll()
		return nil, err
	}
	return &Batch{Images: images, Labels: labels, Size: n}, nil
}

// normalization turns mean and std into x·scale + shift per channel, or nil for none.
func normalization(cfg *loaderConfig, c int) (scale, shift []float32) {
	if cfg.mean == nil && cfg.std == nil {
		return nil, nil
	}
	scale, shift = make([]float32, c), make([]float32, c)
	for ch := range c {
		m, s := float32(0), float32(1)
		if cfg.mean != nil {
			m = cfg.mean[min(ch, len(cfg.mean)-1)]
		}
		if cfg.std != nil {
			s = cfg.std[min(ch, len(cfg.std)-1)]
		}
		scale[ch], shift[ch] = 1/s, -m/s
	}
	return scale, shift
}
