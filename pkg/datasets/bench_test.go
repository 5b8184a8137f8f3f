package datasets

import (
	"io"
	"testing"
)

// BenchmarkFashionMNISTLoad reads the full Fashion-MNIST (Debian's copy, gzip) each iteration.
func BenchmarkFashionMNISTLoad(b *testing.B) {
	for b.Loop() {
		if _, _, err := FashionMNIST(Dir(b.TempDir()), Quiet()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMNISTLoad reads the full MNIST (the GoMNIST module's copy, gzip) each iteration.
func BenchmarkMNISTLoad(b *testing.B) {
	for b.Loop() {
		if _, _, err := MNIST(Dir(b.TempDir()), Quiet()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoaderEpoch makes one shuffled, normalized epoch of 60000 28×28 images in batches of 64.
func BenchmarkLoaderEpoch(b *testing.B) {
	train, _, err := MNIST(Dir(b.TempDir()), Quiet())
	if err != nil {
		b.Fatal(err)
	}
	l := NewLoader(train, 64, Shuffle(1), Normalize(MNISTMean, MNISTStd))
	for b.Loop() {
		for {
			bt, err := l.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			bt.finalize()
		}
		l.Reset()
	}
}
