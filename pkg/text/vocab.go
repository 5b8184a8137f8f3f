package text

import (
	"fmt"
	"sort"
)

// The special tokens of a vocabulary: Unk stands for every token the vocabulary does not hold,
// Pad fills sequences up to the length of a batch.
const (
	Unk = "<unk>"
	Pad = "<pad>"
)

// Vocab is a vocabulary (词表): a numbered list of tokens, built by BuildVocab.
type Vocab struct {
	tokens []string
	index  map[string]int
	counts map[string]int
	unk    int // the ID of unknown tokens, -1 when the vocabulary has no Unk
}

// BuildVocab counts the tokens of docs and numbers them as torchtext's
// build_vocab_from_iterator(docs, min_freq, specials) does: the specials first, in the order
// given, then every other token seen at least minFreq times, the most frequent first and tokens of
// equal count in lexicographic order. If Unk is among the specials, unknown tokens encode to it.
// docs with no token at all are an error.
func BuildVocab(docs [][]string, minFreq int, specials ...string) (*Vocab, error) {
	v := &Vocab{index: map[string]int{}, counts: map[string]int{}, unk: -1}
	for _, doc := range docs {
		for _, t := range doc {
			v.counts[t]++
		}
	}
	if len(v.counts) == 0 {
		return nil, fmt.Errorf("text: BuildVocab: %d documents and no tokens", len(docs))
	}
	for _, s := range specials {
		if _, dup := v.index[s]; dup {
			return nil, fmt.Errorf("text: BuildVocab: special token %q given twice", s)
		}
		v.index[s] = len(v.tokens)
		v.tokens = append(v.tokens, s)
	}
	var words []string
	for t, n := range v.counts {
		if _, special := v.index[t]; !special && n >= minFreq {
			words = append(words, t)
		}
	}
	sort.Slice(words, func(i, j int) bool {
		ni, nj := v.counts[words[i]], v.counts[words[j]]
		return ni > nj || ni == nj && words[i] < words[j]
	})
	for _, t := range words {
		v.index[t] = len(v.tokens)
		v.tokens = append(v.tokens, t)
	}
	if id, ok := v.index[Unk]; ok {
		v.unk = id
	}
	return v, nil
}

// Len returns the number of tokens, specials included.
func (v *Vocab) Len() int { return len(v.tokens) }

// Tokens returns the tokens in the order of their IDs.
func (v *Vocab) Tokens() []string { return append([]string(nil), v.tokens...) }

// Count returns how many times the token was seen while building (0 for specials not in the text).
func (v *Vocab) Count(token string) int { return v.counts[token] }

// ID returns the token's ID: its position in the vocabulary, or Unk's for a token not in it, or −1
// when the vocabulary has no Unk either.
func (v *Vocab) ID(token string) int {
	if id, ok := v.index[token]; ok {
		return id
	}
	return v.unk
}

// Token returns the token with the given ID, or an error for an ID out of range.
func (v *Vocab) Token(id int) (string, error) {
	if id < 0 || id >= len(v.tokens) {
		return "", fmt.Errorf("text: token ID %d out of range [0, %d)", id, len(v.tokens))
	}
	return v.tokens[id], nil
}

// Encode maps tokens to their IDs; a token the vocabulary does not hold is an error unless it has
// Unk.
func (v *Vocab) Encode(tokens []string) ([]int32, error) {
	ids := make([]int32, len(tokens))
	for i, t := range tokens {
		id := v.ID(t)
		if id < 0 {
			return nil, fmt.Errorf("text: Encode: token %d, %q, is not in the vocabulary, which has no %s",
				i, t, Unk)
		}
		ids[i] = int32(id)
	}
	return ids, nil
}

// EncodeAll encodes every document, as Encode; an error names the document.
func (v *Vocab) EncodeAll(docs [][]string) ([][]int32, error) {
	out := make([][]int32, len(docs))
	for i, d := range docs {
		ids, err := v.Encode(d)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		out[i] = ids
	}
	return out, nil
}

// Decode maps IDs back to tokens; an ID out of range is an error.
func (v *Vocab) Decode(ids []int32) ([]string, error) {
	tokens := make([]string, len(ids))
	for i, id := range ids {
		t, err := v.Token(int(id))
		if err != nil {
			return nil, fmt.Errorf("text: Decode: position %d: %w", i, err)
		}
		tokens[i] = t
	}
	return tokens, nil
}
