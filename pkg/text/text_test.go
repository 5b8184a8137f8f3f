package text

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/godl-book/godl/internal/testbackend"
)

// TestTokenizers: expected tokens worked out by hand from each tokenizer's documented rule
// (NLTK's wordpunct_tokenize is the regular expression \w+|[^\w\s]+).
func TestTokenizers(t *testing.T) {
	for _, c := range []struct {
		name string
		tok  Tokenizer
		in   string
		want []string
	}{
		{"whitespace", Whitespace, "  Don't stop\tbelieving!\n", []string{"Don't", "stop", "believing!"}},
		{"wordpunct", WordPunct, "Don't stop believing!", []string{"Don", "'", "t", "stop", "believing", "!"}},
		{"wordpunct runs", WordPunct, "a...b, c_d 3.14 (x)", []string{"a", "...", "b", ",", "c_d", "3", ".", "14", "(", "x", ")"}},
		{"wordpunct accents", WordPunct, "café naïve", []string{"café", "naïve"}},
		{"wordpunct Chinese", WordPunct, "我爱北京。你呢?", []string{"我爱北京", "。", "你呢", "?"}},
		{"chars Chinese", Chars, "我爱 北京。", []string{"我", "爱", "北", "京", "。"}},
		{"chars", Chars, "ab c", []string{"a", "b", "c"}},
		{"empty", WordPunct, "", nil},
	} {
		if got := c.tok(c.in); !slices.Equal(got, c.want) {
			t.Errorf("%s(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestTokenizeErrors(t *testing.T) {
	for _, in := range []string{"", "   \n\t"} {
		_, err := Tokenize("review-7.txt", in, WordPunct)
		if err == nil || !strings.Contains(err.Error(), "review-7.txt") || !strings.Contains(err.Error(), "empty") {
			t.Errorf("Tokenize(%q): error %v, want one naming review-7.txt and saying empty", in, err)
		}
	}
	if got, err := Tokenize("ok", "Hi there", Lowered(Whitespace)); err != nil || !slices.Equal(got, []string{"hi", "there"}) {
		t.Errorf("Tokenize(lowered) = %q, %v", got, err)
	}
}

func TestNGrams(t *testing.T) {
	toks := []string{"the", "cat", "sat", "down"}
	for _, c := range []struct {
		n    int
		want string
	}{{1, "[[the] [cat] [sat] [down]]"}, {2, "[[the cat] [cat sat] [sat down]]"}, {4, "[[the cat sat down]]"}, {5, "[]"}} {
		got, err := NGrams(toks, c.n)
		if err != nil || fmt.Sprint(got) != c.want && !(c.want == "[]" && len(got) == 0) {
			t.Errorf("NGrams(n=%d) = %v, %v; want %s", c.n, got, err, c.want)
		}
	}
	if _, err := NGrams(toks, 0); err == nil {
		t.Error("NGrams(n=0): no error")
	}
}

// TestBuildVocab follows build_vocab_from_iterator's order: specials first, then by count
// descending, ties in lexicographic order; min_freq drops rare tokens; a special token in the
// text is not listed twice.
func TestBuildVocab(t *testing.T) {
	docs := [][]string{{"the", "cat", "sat", "on", "the", "mat"}, {"the", "dog", "sat", "<pad>"}, {"a", "cat"}}
	v, err := BuildVocab(docs, 1, Unk, Pad)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{Unk, Pad, "the", "cat", "sat", "a", "dog", "mat", "on"}
	if !slices.Equal(v.Tokens(), want) {
		t.Errorf("tokens %q, want %q", v.Tokens(), want)
	}
	v2, _ := BuildVocab(docs, 2, Unk, Pad)
	if want := []string{Unk, Pad, "the", "cat", "sat"}; !slices.Equal(v2.Tokens(), want) {
		t.Errorf("min_freq 2: tokens %q, want %q", v2.Tokens(), want)
	}
	ids, err := v.Encode([]string{"the", "bird", "sat"})
	if err != nil || !slices.Equal(ids, []int32{2, 0, 4}) {
		t.Errorf("Encode = %v, %v; want [2 0 4] (bird unknown → <unk> = 0)", ids, err)
	}
	back, err := v.Decode(ids)
	if err != nil || !slices.Equal(back, []string{"the", Unk, "sat"}) {
		t.Errorf("Decode = %q, %v", back, err)
	}
	if _, err := v.Decode([]int32{9}); err == nil {
		t.Error("Decode(9) of a 9-token vocabulary: no error")
	}
	if v.Count("the") != 3 || v.ID("the") != 2 {
		t.Errorf("the: count %d, ID %d; want 3, 2", v.Count("the"), v.ID("the"))
	}
	all, err := v.EncodeAll([][]string{{"a", "cat"}, {"bird"}})
	if err != nil || fmt.Sprint(all) != "[[5 3] [0]]" {
		t.Errorf("EncodeAll = %v, %v; want [[5 3] [0]]", all, err)
	}
	noUnk, _ := BuildVocab(docs, 1)
	if _, err := noUnk.EncodeAll([][]string{{"a"}, {"bird"}}); err == nil || !strings.Contains(err.Error(), "document 1") {
		t.Errorf("EncodeAll without <unk>: error %v, want one naming document 1", err)
	}
	if _, err := noUnk.Encode([]string{"bird"}); err == nil || !strings.Contains(err.Error(), "bird") {
		t.Errorf("Encode(bird) without <unk>: error %v, want one naming bird", err)
	}
	if _, err := BuildVocab([][]string{{}, nil}, 1, Unk); err == nil {
		t.Error("BuildVocab of empty documents: no error")
	}
	if _, err := BuildVocab(docs, 1, Unk, Unk); err == nil {
		t.Error("BuildVocab with <unk> twice: no error")
	}
}

func TestOneHot(t *testing.T) {
	rows, err := OneHot([]int32{2, 0}, 3)
	if err != nil || fmt.Sprint(rows) != "[[0 0 1] [1 0 0]]" {
		t.Errorf("OneHot = %v, %v", rows, err)
	}
	if _, err := OneHot([]int32{3}, 3); err == nil {
		t.Error("OneHot(3) with size 3: no error")
	}
}

// TestPadBatch: as pad_sequence(batch_first=True), padding to the longest, or cutting to maxLen.
func TestPadBatch(t *testing.T) {
	seqs := [][]int32{{5, 6, 7}, {8}, {9, 10}}
	b, err := PadBatch(seqs, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(b.IDs) != "[[5 6 7] [8 1 1] [9 10 1]]" || fmt.Sprint(b.Lengths) != "[3 1 2]" ||
		fmt.Sprint(b.Mask) != "[[true true true] [true false false] [true true false]]" {
		t.Errorf("PadBatch = %v %v %v", b.IDs, b.Mask, b.Lengths)
	}
	if got := b.Tensor().Shape().Dimensions; !slices.Equal(got, []int{3, 3}) {
		t.Errorf("Tensor shape %v, want [3 3]", got)
	}
	cut, _ := PadBatch(seqs, 0, 2)
	if fmt.Sprint(cut.IDs) != "[[5 6] [8 0] [9 10]]" || fmt.Sprint(cut.Lengths) != "[2 1 2]" {
		t.Errorf("PadBatch(maxLen 2) = %v %v", cut.IDs, cut.Lengths)
	}
	if _, err := PadBatch([][]int32{{1}, {}}, 0, 0); err == nil || !strings.Contains(err.Error(), "sequence 1") {
		t.Errorf("PadBatch with an empty sequence: error %v, want one naming sequence 1", err)
	}
	if _, err := PadBatch(nil, 0, 0); err == nil {
		t.Error("PadBatch(nil): no error")
	}
}

// TestEmbed checks that the lookup returns table rows, equal to one-hot times the table.
func TestEmbed(t *testing.T) {
	b := testbackend.Get(t)
	batch, _ := PadBatch([][]int32{{3, 1, 4}, {1}}, 0, 0)
	e, err := Embed(b, batch, 5, 4, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Table) != 5 || len(e.Table[0]) != 4 || len(e.Lookup) != 2 || len(e.Lookup[0]) != 3 {
		t.Fatalf("shapes: table %d×%d, lookup %d×%d", len(e.Table), len(e.Table[0]), len(e.Lookup), len(e.Lookup[0]))
	}
	for i, row := range batch.IDs {
		for j, id := range row {
			if !slices.Equal(e.Lookup[i][j], e.Table[id]) || !slices.Equal(e.ByMatMul[i][j], e.Table[id]) {
				t.Errorf("[%d][%d] (ID %d): lookup %v, one-hot %v, table row %v", i, j, id, e.Lookup[i][j], e.ByMatMul[i][j], e.Table[id])
			}
		}
	}
	if l, m := e.Differences(batch); l != 0 || m != 0 {
		t.Errorf("Differences = %g, %g; want 0, 0", l, m)
	}
	one, _ := PadBatch([][]int32{{2}, {4}}, 0, 0)
	if e1, err := Embed(b, one, 5, 4, 42); err != nil || len(e1.Lookup[0]) != 1 {
		t.Errorf("length-1 batch: %v, want [2][1][4]", err)
	}
	if _, err := Embed(b, batch, 4, 4, 42); err == nil {
		t.Error("Embed with ID 4 in a 4-token vocabulary: no error")
	}
}

// TestTokenizeGoldens replays testdata/tokenize_golden.json (tools/goldens/text.py): NLTK's
// wordpunct_tokenize and Python's str.split() on 19 texts in several scripts, with combining
// marks, superscripts, letter numbers, emoji, a zero-width joiner and exotic spaces.
func TestTokenizeGoldens(t *testing.T) {
	data, err := os.ReadFile("testdata/tokenize_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			Text             string
			WordPunct, Split []string
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Cases) != 19 {
		t.Fatalf("tokenize_golden.json: %d cases, %v", len(doc.Cases), err)
	}
	for _, c := range doc.Cases {
		if got := WordPunct(c.Text); !slices.Equal(got, c.WordPunct) && len(got)+len(c.WordPunct) > 0 {
			t.Errorf("WordPunct(%q) = %q, NLTK %q", c.Text, got, c.WordPunct)
		}
		if got := Whitespace(c.Text); !slices.Equal(got, c.Split) && len(got)+len(c.Split) > 0 {
			t.Errorf("Whitespace(%q) = %q, str.split() %q", c.Text, got, c.Split)
		}
	}
}
