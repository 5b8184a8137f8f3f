package datasets

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCIFAR10DownloadVerifyExtract(t *testing.T) {
	archive := fakeCIFARArchive(t, 7)
	srv := serve(t, map[string][]byte{"cifar-10-binary.tar.gz": archive})
	set := testCIFARSet(archive, 7, srv.URL+"/~kriz/")
	dir := t.TempDir()

	train, test, err := loadCIFAR(set, quiet(dir))
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 35 || test.Len() != 7 || train.Height != 32 || train.Width != 32 || train.Channels != 3 {
		t.Fatalf("got %d/%d images %d×%d×%d", train.Len(), test.Len(), train.Height, train.Width, train.Channels)
	}
	if !slices.Equal(train.Classes, CIFAR10Classes) {
		t.Errorf("classes from batches.meta.txt: %v", train.Classes)
	}
	if !strings.Contains(train.Source, "downloaded from "+srv.URL) {
		t.Errorf("Source %q", train.Source)
	}
	// Record 3 of each batch: label 3; pixel p of channel c is 3+c+p (mod 256). The planes are
	// interleaved into HWC.
	pix := make([]uint8, cifarImageSize)
	label, err := train.Read(7+3, pix) // batch 2, record 3
	if err != nil || label != 3 {
		t.Fatalf("label %d, err %v", label, err)
	}
	for _, p := range []int{0, 1, 33, 1023} {
		for c := range 3 {
			if got, want := pix[3*p+c], byte(3+c+p); got != want {
				t.Errorf("pixel %d channel %d = %d, want %d", p, c, got, want)
			}
		}
	}
	// readme.html was not extracted; the batches were.
	if exists(filepath.Join(dir, "test-cifar", cifarFolder, "readme.html")) ||
		!exists(filepath.Join(dir, "test-cifar", cifarFolder, "data_batch_5.bin")) {
		t.Error("extracted the wrong files")
	}
	// A second load reads the extracted files and does not download again.
	hits := srv.hits.Load()
	train2, _, err := loadCIFAR(set, quiet(dir, Limit(10)))
	if err != nil || srv.hits.Load() != hits || train2.Len() != 10 {
		t.Errorf("second load: err %v, %d requests, %d images", err, srv.hits.Load()-hits, train2.Len())
	}
	if !strings.HasSuffix(train2.Source, cifarFolder) {
		t.Errorf("second Source %q, want the cache folder", train2.Source)
	}
}

// TestCIFAR10ArchiveErrors covers a bad download, a bad cached archive and incomplete archives.
func TestCIFAR10ArchiveErrors(t *testing.T) {
	good := fakeCIFARArchive(t, 2)
	onlyMeta := tarGz(t, []string{cifarFolder + "/" + cifarMetaFile},
		map[string][]byte{cifarFolder + "/" + cifarMetaFile: []byte(strings.Join(CIFAR10Classes, "\n"))})
	badBatch := func() []byte {
		names := []string{cifarFolder + "/" + cifarMetaFile}
		files := map[string][]byte{names[0]: []byte(strings.Join(CIFAR10Classes, "\n"))}
		for _, b := range append(slices.Clone(cifar10.train), cifar10.test) {
			names = append(names, cifarFolder+"/"+b)
			files[cifarFolder+"/"+b] = fakeCIFARRecords(2)
		}
		files[cifarFolder+"/data_batch_4.bin"] = fakeCIFARRecords(2)[:cifarRecord+5]
		return tarGz(t, names, files)
	}()
	shortBatch := func() []byte { // a record fewer in the test batch, cut at the record boundary
		names := []string{cifarFolder + "/" + cifarMetaFile}
		files := map[string][]byte{names[0]: []byte(strings.Join(CIFAR10Classes, "\n"))}
		for _, b := range append(slices.Clone(cifar10.train), cifar10.test) {
			names = append(names, cifarFolder+"/"+b)
			files[cifarFolder+"/"+b] = fakeCIFARRecords(2)
		}
		files[cifarFolder+"/test_batch.bin"] = fakeCIFARRecords(1)
		return tarGz(t, names, files)
	}()
	for _, tc := range []struct {
		name    string
		served  []byte // what the mirror serves
		sumOf   []byte // the archive whose checksum is expected
		cached  []byte // an archive already in the cache
		want    string
		wantErr string
	}{
		{name: "checksum mismatch", served: good[:len(good)-1], sumOf: good,
			wantErr: "test-cifar: cifar-10-binary.tar.gz: md5 "},
		{name: "corrupt cached archive", cached: good[:len(good)-1], sumOf: good,
			wantErr: "test-cifar: cifar-10-binary.tar.gz: md5 "},
		{name: "missing batches", served: onlyMeta, sumOf: onlyMeta,
			wantErr: "test-cifar: cifar-10-binary.tar.gz: has no cifar-10-batches-bin/data_batch_1.bin"},
		{name: "truncated batch", served: badBatch, sumOf: badBatch,
			wantErr: "test-cifar: data_batch_4.bin: 3078 bytes, want 6146 (2 records of 3073 bytes); delete "},
		{name: "batch short by a record", served: shortBatch, sumOf: shortBatch,
			wantErr: "test-cifar: test_batch.bin: 3073 bytes, want 6146 (2 records of 3073 bytes); delete "},
		{name: "not gzip", served: []byte("<html>moved</html>"), sumOf: []byte("<html>moved</html>"),
			wantErr: "test-cifar: cifar-10-binary.tar.gz: gzip: invalid header"},
		{name: "truncated archive", served: good[:len(good)/2], sumOf: good[:len(good)/2],
			wantErr: "test-cifar: cifar-10-binary.tar.gz: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			srv := serve(t, map[string][]byte{"cifar-10-binary.tar.gz": tc.served})
			set := testCIFARSet(tc.sumOf, 2, srv.URL)
			if tc.cached != nil {
				writeFiles(t, filepath.Join(dir, "test-cifar"), map[string][]byte{"cifar-10-binary.tar.gz": tc.cached})
			}
			_, _, err := loadCIFAR(set, quiet(dir))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestParseCIFAR(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  []byte
		limit int
		wantN int
		want  string
	}{
		{"three records", fakeCIFARRecords(3), 0, 3, ""},
		{"limit", fakeCIFARRecords(3), 2, 2, ""},
		{"empty", nil, 0, 0, "empty file"},
		{"truncated", fakeCIFARRecords(2)[:cifarRecord+100], 0, 0, "record 1 is truncated to 100 bytes"},
		{"bad label", append([]byte{10}, make([]byte, cifarImageSize)...), 0, 0, "record 0: label 10, want < 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pix, labels, err := parseCIFAR(tc.data, tc.limit, 10)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil || len(labels) != tc.wantN || len(pix) != tc.wantN*cifarImageSize {
				t.Fatalf("%d labels, %d pixels, err %v", len(labels), len(pix), err)
			}
			if labels[1] != 1 || pix[cifarImageSize+3*5+2] != byte(1+2+5) {
				t.Errorf("record 1: label %d, blue of pixel 5 = %d", labels[1], pix[cifarImageSize+3*5+2])
			}
		})
	}
}

func TestParseCIFARMeta(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       string
	}{
		{"canonical", strings.Join(CIFAR10Classes, "\n") + "\n\n", ""},
		{"crlf and spaces", " " + strings.Join(CIFAR10Classes, " \r\n") + "\r\n", ""},
		{"too few", "cat\ndog\n", "2 class names, want 10"},
	} {
		classes, err := parseCIFARMeta([]byte(tc.data), 10)
		if tc.want != "" {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
			}
			continue
		}
		if err != nil || !slices.Equal(classes, CIFAR10Classes) {
			t.Errorf("%s: %v, %v", tc.name, classes, err)
		}
	}
}

// TestCIFAR10FromCache reads batch files put in the cache by hand, with no archive and no server,
// and checks that CIFAR10 refuses them when they hold fewer records than the real ones.
func TestCIFAR10FromCache(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{cifarMetaFile: []byte(strings.Join(CIFAR10Classes, "\n"))}
	for _, b := range append(slices.Clone(cifar10.train), cifar10.test) {
		files[b] = fakeCIFARRecords(4)
	}
	writeFiles(t, filepath.Join(dir, "cifar-10", cifarFolder), files)
	four := cifar10
	four.records = 4
	train, test, err := loadCIFAR(&four, quiet(dir))
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 20 || test.Len() != 4 || train.Name != "cifar-10/train" {
		t.Errorf("%v; %v", train, test)
	}
	// Batches cut at a record boundary used to load as fewer images.
	if _, _, err := CIFAR10(Dir(dir), Quiet()); err == nil ||
		!strings.Contains(err.Error(), "cifar-10: data_batch_1.bin: 12292 bytes, want 30730000 (10000 records") {
		t.Errorf("CIFAR10 with 4-record batches: %v, want an error about the record count", err)
	}
	if err := os.Remove(filepath.Join(dir, "cifar-10", cifarFolder, "test_batch.bin")); err != nil {
		t.Fatal(err)
	}
	// Without a file and without the archive it downloads; the server here refuses.
	srv := serve(t, nil)
	if _, _, err := CIFAR10(Dir(dir), Quiet(), Mirror(srv.URL)); err == nil ||
		!strings.Contains(err.Error(), "cifar-10: cifar-10-binary.tar.gz: 404 Not Found") {
		t.Errorf("error %v", err)
	}
}
