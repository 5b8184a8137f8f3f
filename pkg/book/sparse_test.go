package book

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/optim"
)

func TestBagOfWordsIsSparseZipfAndRepeatable(t *testing.T) {
	b := BagOfWords{Docs: 2000, Vocab: 1000, WordsPerDoc: 20, Seed: 3}
	docs, y := b.data()
	again, yAgain := b.data()
	if !reflect.DeepEqual(docs, again) || !reflect.DeepEqual(y, yAgain) {
		t.Fatal("the same seed gave different documents")
	}
	counts, positives := make([]int, b.Vocab), 0.0
	for d, words := range docs {
		if len(words) == 0 || len(words) > b.WordsPerDoc {
			t.Fatalf("document %d has %d words, want 1…%d", d, len(words), b.WordsPerDoc)
		}
		for _, k := range words {
			counts[k]++
		}
		positives += float64(y[d])
	}
	// Zipf: the most common word is in most documents, the rarest half in almost none.
	rare := 0
	for _, c := range counts[b.Vocab/2:] {
		rare += c
	}
	if float64(counts[0])/float64(b.Docs) < 0.8 || float64(rare)/float64(b.Docs*b.Vocab/2) > 0.01 {
		t.Errorf("word 0 in %d of %d documents, rarest half %d times: not Zipf-sparse", counts[0], b.Docs, rare)
	}
	if frac := positives / float64(b.Docs); frac < 0.3 || frac > 0.7 {
		t.Errorf("%.2f of the labels are 1, want both classes", frac)
	}
}

func TestSparseRaceCurves(t *testing.T) {
	b := BagOfWords{Docs: 200, Vocab: 300, WordsPerDoc: 10, Seed: 1}
	curves, err := b.SparseRace(40, 16, 10,
		Named("SGD", optim.SGD(0.5).Done()), Named("AdaGrad", optim.Adagrad(0.5).Done()))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range curves {
		if want := []string{"SGD", "AdaGrad"}[i]; c.Name != want {
			t.Errorf("curve %d named %q, want %q", i, c.Name, want)
		}
		if !reflect.DeepEqual(c.X, []float64{10, 20, 30, 40}) || len(c.Y) != 4 {
			t.Fatalf("%s: X %v, %d Y values; want X 10…40 and 4 values", c.Name, c.X, len(c.Y))
		}
		// From zero weights the first loss is ln 2; training must lower it.
		if c.Y[0] > math.Ln2+1e-3 || !(c.Y[3] < c.Y[0]) {
			t.Errorf("%s: losses %v, want at most ln 2 and falling", c.Name, c.Y)
		}
	}
}

func TestSparseRaceRejectsBadSettings(t *testing.T) {
	good := BagOfWords{Docs: 20, Vocab: 30, WordsPerDoc: 3, Seed: 1}
	adam := Named("Adam", optim.Adam(0.1).Done())
	cases := []struct {
		b                   BagOfWords
		steps, batch, every int
		racer               NamedOptimizer
		want                string
	}{
		{good, 10, 32, 5, adam, "Docs ≥ batch"},
		{BagOfWords{Docs: 20, Vocab: 0, WordsPerDoc: 3}, 10, 4, 5, adam, "want all ≥ 1"},
		{good, 0, 4, 5, adam, "want all ≥ 1"},
		{good, 10, 4, 5, Named("L-BFGS", optim.LBFGS(1).Done()), "want an optim.Optimizer"},
	}
	for _, c := range cases {
		_, err := c.b.SparseRace(c.steps, c.batch, c.every, c.racer)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "book: ") {
			t.Errorf("%+v steps %d batch %d: err %v, want one mentioning %q", c.b, c.steps, c.batch, err, c.want)
		}
	}
}
