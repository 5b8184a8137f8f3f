package datasets

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// CIFAR10Classes are the class names of CIFAR-10, in label order (as batches.meta.txt lists them).
var CIFAR10Classes = []string{
	"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
}

// Per-channel (R, G, B) mean and standard deviation of CIFAR-10's training images on the [0, 1]
// scale, for Normalize.
var (
	CIFAR10Mean = []float32{0.4914, 0.4822, 0.4465}
	CIFAR10Std  = []float32{0.2470, 0.2435, 0.2616}
)

const (
	cifarSide      = 32
	cifarImageSize = cifarSide * cifarSide * 3
	cifarRecord    = 1 + cifarImageSize // a label byte, then the red, green and blue planes
	cifarFolder    = "cifar-10-batches-bin"
	cifarMetaFile  = "batches.meta.txt"
	// cifarMaxEntry bounds one extracted file; the real ones have 30730000 bytes.
	cifarMaxEntry = 64 << 20
)

// cifarSet describes where CIFAR-10 is published.
type cifarSet struct {
	name    string
	archive remoteFile
	mirrors []string
	train   []string // batch files, in order
	test    string
	records int // in every batch file
}

// cifar10 is the binary version of CIFAR-10; the MD5 sum is the one its site publishes.
var cifar10 = cifarSet{
	name:    "cifar-10",
	archive: remoteFile{name: "cifar-10-binary.tar.gz", sum: md5Sum("c32a1d4ab5d03f1284b67883e8d87530")},
	mirrors: []string{"https://www.cs.toronto.edu/~kriz/"},
	train:   []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"},
	test:    "test_batch.bin",
	records: 10000,
}

// CIFAR10 returns the training (50000) and test (10000) splits of CIFAR-10: 32×32×3 colour
// images in 10 classes (CIFAR10Classes). Chapters 04, 11 and 17 move to it from Fashion-MNIST.
//
// It uses the binary version: cifar-10-binary.tar.gz is downloaded once into the cache folder,
// checked against the MD5 sum the dataset's site publishes, and its batch files are extracted
// next to it; later calls read the extracted files. The records store each image as three
// colour planes; they are turned into the HWC layout of every Dataset.
func CIFAR10(opts ...Option) (train, test *Dataset, err error) {
	return loadCIFAR(&cifar10, newOptions(opts))
}

func (s *cifarSet) files() []string {
	return append(append([]string{cifarMetaFile}, s.train...), s.test)
}

func loadCIFAR(s *cifarSet, o *options) (train, test *Dataset, err error) {
	root := o.cacheDir(s.name)
	dir := filepath.Join(root, cifarFolder)
	source := dir
	if !allExist(dir, s.files()) {
		archive := filepath.Join(root, s.archive.name)
		if exists(archive) {
			if err := verifyFile(s.name, archive, s.archive.sum); err != nil {
				return nil, nil, err
			}
		} else {
			url, err := download(s.name, o, root, s.mirrors, s.archive)
			if err != nil {
				return nil, nil, err
			}
			source = fmt.Sprintf("%s (downloaded from %s)", dir, url)
		}
		if err := extractCIFAR(s, archive, dir); err != nil {
			return nil, nil, err
		}
	}
	if err := checkCIFARSizes(s, dir); err != nil {
		return nil, nil, err
	}
	classes, err := readCIFARMeta(s.name, filepath.Join(dir, cifarMetaFile))
	if err != nil {
		return nil, nil, err
	}
	train, err = readCIFARFiles(s, dir, s.train, o.limitTrain, classes, "train", source)
	if err != nil {
		return nil, nil, err
	}
	test, err = readCIFARFiles(s, dir, []string{s.test}, o.limitTest, classes, "test", source)
	if err != nil {
		return nil, nil, err
	}
	o.logf("%s: %d train + %d test images from %s", s.name, train.Len(), test.Len(), source)
	return train, test, nil
}

// checkCIFARSizes checks that every batch file holds s.records whole records, before any is read:
// a batch cut at a record boundary would otherwise load as fewer images.
func checkCIFARSizes(s *cifarSet, dir string) error {
	for _, n := range append(slices.Clone(s.train), s.test) {
		p := filepath.Join(dir, n)
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("datasets: %s: %w", s.name, err)
		}
		if want := int64(s.records) * cifarRecord; st.Size() != want {
			return fmt.Errorf("datasets: %s: %s: %d bytes, want %d (%d records of %d bytes); delete %s to extract it again",
				s.name, n, st.Size(), want, s.records, cifarRecord, p)
		}
	}
	return nil
}

func allExist(dir string, names []string) bool {
	for _, n := range names {
		if !exists(filepath.Join(dir, n)) {
			return false
		}
	}
	return true
}

// extractCIFAR writes the files CIFAR10 needs from the archive into dir. Only those names are
// taken, so an entry such as "../x" can never write outside dir.
func extractCIFAR(s *cifarSet, archive, dir string) error {
	name := filepath.Base(archive)
	fh, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("datasets: %s: %w", s.name, err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return fmt.Errorf("datasets: %s: %s: %w", s.name, name, err)
	}
	defer zr.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("datasets: %s: %w", s.name, err)
	}
	want := map[string]bool{}
	for _, f := range s.files() {
		want[cifarFolder+"/"+f] = true
		removeStaleParts(dir, f, DefaultIdleTimeout)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("datasets: %s: %s: %w", s.name, name, eofIsUnexpected(err))
		}
		entry := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if !want[entry] || h.Typeflag != tar.TypeReg {
			continue
		}
		if h.Size > cifarMaxEntry {
			return fmt.Errorf("datasets: %s: %s: %s has %d bytes, more than %d", s.name, name, entry, h.Size, cifarMaxEntry)
		}
		if err := writeAtomically(filepath.Join(dir, path.Base(entry)), io.LimitReader(tr, h.Size)); err != nil {
			return fmt.Errorf("datasets: %s: %s: %s: %w", s.name, name, entry, eofIsUnexpected(err))
		}
		delete(want, entry)
	}
	for _, f := range s.files() {
		if want[cifarFolder+"/"+f] {
			return fmt.Errorf("datasets: %s: %s: has no %s/%s", s.name, name, cifarFolder, f)
		}
	}
	return nil
}

// writeAtomically copies r to a temporary file and renames it to dst once complete.
func writeAtomically(dst string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// readCIFARMeta reads the class names, one a line.
func readCIFARMeta(set, p string) ([]string, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", set, err)
	}
	classes, err := parseCIFARMeta(data, len(CIFAR10Classes))
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %s: %w", set, filepath.Base(p), err)
	}
	return classes, nil
}

func parseCIFARMeta(data []byte, want int) ([]string, error) {
	var classes []string
	for line := range strings.Lines(string(data)) {
		if line = strings.TrimSpace(line); line != "" {
			classes = append(classes, line)
		}
	}
	if len(classes) != want {
		return nil, fmt.Errorf("%d class names, want %d", len(classes), want)
	}
	return classes, nil
}

func readCIFARFiles(s *cifarSet, dir string, names []string, limit int, classes []string, split, source string) (*Dataset, error) {
	var pix []uint8
	var labels []int32
	for _, n := range names {
		left := 0 // no limit
		if limit > 0 {
			if left = limit - len(labels); left <= 0 {
				break
			}
		}
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", s.name, err)
		}
		p, l, err := parseCIFAR(data, left, len(classes))
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %s: %w", s.name, n, err)
		}
		if pix == nil {
			pix, labels = p, l
		} else {
			pix, labels = append(pix, p...), append(labels, l...)
		}
	}
	return newMemDataset(s.name+"/"+split, source, classes, cifarSide, cifarSide, 3, pix, labels), nil
}

// parseCIFAR decodes the records of a CIFAR-10 binary batch, at most limit of them when limit > 0.
// A record is a label byte and 3072 pixel bytes: the 32×32 red plane, then green, then blue; the
// result is in HWC order.
func parseCIFAR(data []byte, limit, numClasses int) (pix []uint8, labels []int32, err error) {
	if len(data) == 0 {
		return nil, nil, errors.New("empty file")
	}
	if r := len(data) % cifarRecord; r != 0 {
		return nil, nil, fmt.Errorf("%d bytes is not a whole number of %d-byte records (record %d is truncated to %d bytes)",
			len(data), cifarRecord, len(data)/cifarRecord, r)
	}
	n := len(data) / cifarRecord
	if limit > 0 {
		n = min(n, limit)
	}
	pix = make([]uint8, n*cifarImageSize)
	labels = make([]int32, n)
	const plane = cifarSide * cifarSide
	for i := range n {
		rec := data[i*cifarRecord : (i+1)*cifarRecord]
		if int(rec[0]) >= numClasses {
			return nil, nil, fmt.Errorf("record %d: label %d, want < %d", i, rec[0], numClasses)
		}
		labels[i] = int32(rec[0])
		img := pix[i*cifarImageSize : (i+1)*cifarImageSize]
		r, g, b := rec[1:1+plane], rec[1+plane:1+2*plane], rec[1+2*plane:]
		for p := range plane {
			img[3*p], img[3*p+1], img[3*p+2] = r[p], g[p], b[p]
		}
	}
	return pix, labels, nil
}
