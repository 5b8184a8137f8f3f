package datasets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// idxBytes builds an IDX file of unsigned bytes with the given dimensions.
func idxBytes(magic uint32, dims []int, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	return b.Bytes()
}

func gz(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// fakeMNIST makes the four IDX files of an n-train/m-test set with 4×3 images whose pixels
// encode the example: pixel p of example i is (i*7+p) % 256 and its label is i % 10.
func fakeMNIST(nTrain, nTest int) map[string][]byte {
	const h, w = 4, 3
	make1 := func(n int) (images, labels []byte) {
		images = make([]byte, n*h*w)
		labels = make([]byte, n)
		for i := range n {
			for p := range h * w {
				images[i*h*w+p] = byte(i*7 + p)
			}
			labels[i] = byte(i % 10)
		}
		return idxBytes(idxImagesMagic, []int{n, h, w}, images), idxBytes(idxLabelsMagic, []int{n}, labels)
	}
	trI, trL := make1(nTrain)
	teI, teL := make1(nTest)
	return map[string][]byte{
		"train-images-idx3-ubyte.gz": gz(trI), "train-labels-idx1-ubyte.gz": gz(trL),
		"t10k-images-idx3-ubyte.gz": gz(teI), "t10k-labels-idx1-ubyte.gz": gz(teL),
	}
}

// testIDXSet describes gzipped files like fakeMNIST's, with their real checksums, compressed
// and not.
func testIDXSet(files map[string][]byte, mirrors ...string) *idxSet {
	s := &idxSet{name: "test-mnist", classes: MNISTClasses, mirrors: mirrors}
	for i, n := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
		"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		sum := sha256.Sum256(files[n])
		s.files[i] = remoteFile{name: n, sum: sha256Sum(hex.EncodeToString(sum[:]))}
		if zr, err := gzip.NewReader(bytes.NewReader(files[n])); err == nil {
			if raw, err := io.ReadAll(zr); err == nil {
				rawSum := sha256.Sum256(raw)
				s.files[i].also = []string{hex.EncodeToString(rawSum[:])}
			}
		}
	}
	return s
}

// fakeCIFARRecords makes n CIFAR-10 records; record i has label i%10 and its red, green and
// blue planes filled with i, i+1 and i+2 plus the pixel index.
func fakeCIFARRecords(n int) []byte {
	out := make([]byte, 0, n*cifarRecord)
	for i := range n {
		out = append(out, byte(i%10))
		for c := range 3 {
			for p := range 1024 {
				out = append(out, byte(i+c+p))
			}
		}
	}
	return out
}

// tarGz packs files (name → content) into a tar.gz archive, in the given order.
func tarGz(t testing.TB, names []string, files map[string][]byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(files[n])
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return b.Bytes()
}

// fakeCIFARArchive builds a cifar-10-binary.tar.gz whose batches have perBatch records each.
func fakeCIFARArchive(t testing.TB, perBatch int) []byte {
	files := map[string][]byte{}
	names := []string{cifarFolder + "/" + cifarMetaFile}
	files[names[0]] = []byte("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n")
	for _, b := range append(append([]string{}, cifar10.train...), cifar10.test, "readme.html") {
		n := cifarFolder + "/" + b
		names = append(names, n)
		files[n] = fakeCIFARRecords(perBatch)
	}
	return tarGz(t, names, files)
}

// testCIFARSet describes an archive like fakeCIFARArchive's, with its checksum and records per batch.
func testCIFARSet(archive []byte, records int, mirrors ...string) *cifarSet {
	s := cifar10
	s.records = records
	sum := md5.Sum(archive)
	s.name = "test-cifar"
	s.archive = remoteFile{name: cifar10.archive.name, sum: md5Sum(hex.EncodeToString(sum[:]))}
	s.mirrors = mirrors
	return &s
}

// server serves files by base name and counts requests.
type server struct {
	*httptest.Server
	hits atomic.Int64
}

func serve(t testing.TB, files map[string][]byte) *server {
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		data, ok := files[filepath.Base(r.URL.Path)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func writeFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for n, data := range files {
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// quiet returns options for tests: no printing, the given cache folder, no machine copies.
func quiet(dir string, more ...Option) *options {
	o := newOptions(append([]Option{Quiet(), Dir(dir)}, more...))
	o.skipSystem = true
	return o
}
