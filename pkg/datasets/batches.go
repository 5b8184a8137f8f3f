package datasets

import (
	"errors"
	"io"
	"iter"
)

// Batches ranges over the batches of a run, as Next gives them, for the explicit training loop
// of chapter 04:
//
//	for batch, err := range loader.Batches() { ... }
//
// The run ends after its last batch (io.EOF is not yielded) or after an error is yielded.
// Breaking out of the loop early leaves the rest of the run to the next Next or Batches.
func (l *Loader) Batches() iter.Seq2[*Batch, error] {
	return func(yield func(*Batch, error) bool) {
		for {
			b, err := l.Next()
			if errors.Is(err, io.EOF) || !yield(b, err) || err != nil {
				return
			}
		}
	}
}
