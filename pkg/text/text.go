// Package text turns text into the integer tensors a network reads, as chapter 12 teaches:
// tokenizers (whitespace, NLTK's wordpunct, characters — the way into Chinese), a vocabulary
// (词表) with unknown and padding tokens built as torchtext's build_vocab_from_iterator builds
// it, encoding and decoding, n-grams, one-hot vectors, padding and batching with a mask, and an
// embedding lookup checked against its one-hot form.
package text

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Tokenizer splits a text into tokens (词元).
type Tokenizer func(string) []string

// Whitespace splits on runs of white space, as Python's str.split() does: Unicode's white space
// and the four ASCII separators U+001C–U+001F, which Python also counts as space.
func Whitespace(s string) []string { return strings.FieldsFunc(s, pySpace) }

// pySpace reports whether Python's str.isspace holds for r.
func pySpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// wordChar reports whether r is a word character, \w, as the regex module that NLTK 3.10 compiles
// its patterns with defines it (Unicode's recommendation, UTS #18): letters, combining marks,
// decimal digits and letter numbers (Ⅻ), connector punctuation (_ and ‿), the zero-width
// (non-)joiners, and symbols that are alphabetic (Ⓐ). Digits like ² and ½ are not.
func wordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.In(r, unicode.M, unicode.Nd, unicode.Nl, unicode.Pc) ||
		r == 0x200c || r == 0x200d || unicode.Is(unicode.So, r) && unicode.Is(unicode.Other_Alphabetic, r)
}

// WordPunct splits a text into runs of word characters (see wordChar: letters, digits,
// underscore, …) and runs of other non-space characters, as NLTK's wordpunct_tokenize (the
// regular expression \w+|[^\w\s]+) does: "don't!" gives "don", "'", "t", "!". Chinese characters
// are letters, so a Chinese sentence without spaces stays one token.
func WordPunct(s string) []string {
	class := func(r rune) int {
		switch {
		case wordChar(r):
			return 1
		case unicode.IsSpace(r):
			return 0
		}
		return 2
	}
	var tokens []string
	start, prev := 0, 0
	for i, r := range s {
		c := class(r)
		if c != prev {
			if prev != 0 {
				tokens = append(tokens, s[start:i])
			}
			start, prev = i, c
		}
	}
	if prev != 0 {
		tokens = append(tokens, s[start:])
	}
	return tokens
}

// Chars splits a text into its characters (Unicode code points), leaving out white space (as
// Whitespace defines it): the
// character-level tokenization that Chinese models such as Chinese BERT use, since Chinese
// writes no spaces between words. Segmenting Chinese into words (分词) needs a dictionary and a
// model, as jieba has; this package does not do it.
func Chars(s string) []string {
	var tokens []string
	for _, r := range s {
		if !pySpace(r) {
			tokens = append(tokens, string(r))
		}
	}
	return tokens
}

// Tokenize applies a tokenizer to a text and returns an error naming the text (name: a file name
// or a label) when it holds no token at all.
func Tokenize(name, s string, tok Tokenizer) ([]string, error) {
	tokens := tok(s)
	if len(tokens) == 0 {
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("text: %s: empty text", name)
		}
		return nil, fmt.Errorf("text: %s: no tokens in %q", name, s)
	}
	return tokens, nil
}

// Lowered returns a tokenizer that lower-cases the text before tok splits it, as English
// vocabularies are usually built.
func Lowered(tok Tokenizer) Tokenizer {
	return func(s string) []string { return tok(strings.ToLower(s)) }
}

// NGrams returns the n-grams (n 元语法) of tokens: every run of n consecutive tokens, in order,
// as NLTK's ngrams does; there are len(tokens) − n + 1 of them, none when the text is shorter.
func NGrams(tokens []string, n int) ([][]string, error) {
	if n < 1 {
		return nil, fmt.Errorf("text: NGrams: n = %d, want at least 1", n)
	}
	var grams [][]string
	for i := 0; i+n <= len(tokens); i++ {
		grams = append(grams, slices.Clone(tokens[i:i+n]))
	}
	return grams, nil
}
