package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadIDX: any input gives an array consistent with its dimensions, or an error; never a panic.
func FuzzReadIDX(f *testing.F) {
	images := idxBytes(idxImagesMagic, []int{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	labels := idxBytes(idxLabelsMagic, []int{4}, []byte{0, 1, 2, 9})
	for _, seed := range [][]byte{
		images, labels, gz(images), gz(labels),
		images[:10], gz(images)[:20],
		idxBytes(0x802, []int{1, 1}, []byte{7}),
		idxBytes(0xd03, []int{1, 1, 1}, []byte{0, 0, 0, 0}),
		idxBytes(idxImagesMagic, []int{1 << 20, 1 << 20, 1 << 10}, nil),
		{0x1f, 0x8b}, nil,
	} {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, limit uint8) {
		x, err := ReadIDX(bytes.NewReader(data), int(limit))
		if err != nil {
			if x != nil {
				t.Fatal("value and error")
			}
			return
		}
		if len(x.Data) != product(x.Dims) {
			t.Fatalf("dims %v with %d bytes", x.Dims, len(x.Data))
		}
		if limit > 0 && x.Dims[0] > int(limit) {
			t.Fatalf("limit %d, read %d", limit, x.Dims[0])
		}
	})
}

// FuzzParseCIFAR: any batch file gives images and labels that agree, or an error.
func FuzzParseCIFAR(f *testing.F) {
	f.Add(fakeCIFARRecords(1), uint8(0), "airplane\nautomobile\n")
	f.Add(fakeCIFARRecords(2), uint8(1), strings.Join(CIFAR10Classes, "\n"))
	f.Add(fakeCIFARRecords(2)[:cifarRecord+1], uint8(0), "")
	f.Add(append([]byte{200}, make([]byte, cifarImageSize)...), uint8(0), "\r\n\n")
	f.Add([]byte{}, uint8(0), "x")
	f.Fuzz(func(t *testing.T, data []byte, limit uint8, meta string) {
		pix, labels, err := parseCIFAR(data, int(limit), 10)
		if err == nil {
			if len(pix) != len(labels)*cifarImageSize {
				t.Fatalf("%d labels, %d pixels", len(labels), len(pix))
			}
			for _, l := range labels {
				if l < 0 || l >= 10 {
					t.Fatalf("label %d", l)
				}
			}
		}
		if classes, err := parseCIFARMeta([]byte(meta), 10); err == nil && len(classes) != 10 {
			t.Fatalf("%d classes", len(classes))
		}
	})
}

// FuzzExtractCIFAR: a damaged archive gives an error naming it, and nothing is written outside
// the target folder.
func FuzzExtractCIFAR(f *testing.F) {
	good := fakeCIFARArchive(f, 1)
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add(tarGz(f, []string{"../" + cifarMetaFile, cifarFolder + "/../../x"},
		map[string][]byte{"../" + cifarMetaFile: []byte("a"), cifarFolder + "/../../x": []byte("b")}))
	f.Add([]byte("not an archive"))
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		archive := filepath.Join(root, "in", "cifar-10-binary.tar.gz")
		os.MkdirAll(filepath.Dir(archive), 0o755)
		if err := os.WriteFile(archive, data, 0o644); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, "out", cifarFolder)
		err := extractCIFAR(&cifar10, archive, dir)
		if err != nil && !strings.Contains(err.Error(), "cifar-10: cifar-10-binary.tar.gz: ") {
			t.Fatalf("error %q does not name the archive", err)
		}
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			if e.Name() != "in" && e.Name() != "out" {
				t.Fatalf("wrote %s outside the target folder", e.Name())
			}
		}
	})
}
