package text

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

// OneHot returns one row per ID with a 1 at the ID's position and 0 elsewhere: vectors of length
// size, the vocabulary's size. An ID outside [0, size) is an error.
func OneHot(ids []int32, size int) ([][]float32, error) {
	rows := make([][]float32, len(ids))
	for i, id := range ids {
		if id < 0 || int(id) >= size {
			return nil, fmt.Errorf("text: OneHot: ID %d at position %d is outside [0, %d)", id, i, size)
		}
		rows[i] = make([]float32, size)
		rows[i][id] = 1
	}
	return rows, nil
}

// Batch is a batch of sequences padded (or cut) to one length, as a network takes them.
type Batch struct {
	IDs     [][]int32 // [batch][length], padded with the pad ID
	Mask    [][]bool  // true where IDs holds a token of the text, false on padding
	Lengths []int     // each sequence's length after cutting, before padding
}

// PadBatch pads the sequences with pad up to the longest one's length, as PyTorch's
// pad_sequence(batch_first=True, padding_value=pad) does, or to maxLen when maxLen > 0, cutting
// longer sequences (keeping their start). An empty batch or an empty sequence is an error.
func PadBatch(seqs [][]int32, pad int32, maxLen int) (*Batch, error) {
	if len(seqs) == 0 {
		return nil, fmt.Errorf("text: PadBatch: no sequences")
	}
	length := maxLen
	if maxLen <= 0 {
		for _, s := range seqs {
			length = max(length, len(s))
		}
	}
	b := &Batch{}
	for i, s := range seqs {
		if len(s) == 0 {
			return nil, fmt.Errorf("text: PadBatch: sequence %d is empty", i)
		}
		n := min(len(s), length)
		ids, mask := make([]int32, length), make([]bool, length)
		copy(ids, s[:n])
		for j := range length {
			mask[j] = j < n
			if j >= n {
				ids[j] = pad
			}
		}
		b.IDs, b.Mask, b.Lengths = append(b.IDs, ids), append(b.Mask, mask), append(b.Lengths, n)
	}
	return b, nil
}

// Tensor returns the IDs as an int32 tensor of shape [batch, length].
func (b *Batch) Tensor() *tensors.Tensor { return tensors.FromValue(b.IDs) }

// Embedded holds an embedding lookup (嵌入) computed two ways by Embed.
type Embedded struct {
	Table    [][]float32   // the [vocabulary, dim] table, a context variable initialized at random
	Lookup   [][][]float32 // layers.Embedding(ids): row IDs[b][t] of the table, [batch, length, dim]
	ByMatMul [][][]float32 // OneHot(ids) · table: the same rows, as a product of matrices
}

// Embed looks the batch's IDs up in a [vocabSize, dim] embedding table that GoMLX's
// layers.Embedding creates in a fresh context seeded with seed, and computes the same vectors as
// one-hot rows times the table, to show that an embedding is a dense layer without bias whose input
// is one-hot — computed without materializing the one-hot matrix.
func Embed(b backends.Backend, batch *Batch, vocabSize, dim int, seed int64) (*Embedded, error) {
	for i, row := range batch.IDs {
		for j, id := range row {
			if id < 0 || int(id) >= vocabSize {
				return nil, fmt.Errorf("text: Embed: ID %d at [%d][%d] is outside [0, %d)", id, i, j, vocabSize)
			}
		}
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(seed); err != nil {
		return nil, fmt.Errorf("text: Embed: %w", err)
	}
	exec, err := context.NewExec(b, ctx, func(ctx *context.Context, ids *graph.Node) (*graph.Node, *graph.Node, *graph.Node) {
		ectx := ctx.In("embedding")
		// An explicit last axis of 1: without it, layers.Embedding would read [batch, 1] as
		// [batch] indices and drop the length axis.
		looked := layers.Embedding(ectx, graph.InsertAxes(ids, -1), dtypes.Float32, vocabSize, dim)
		table := ectx.GetVariableByScopeAndName(ectx.Scope(), "embeddings").ValueGraph(ids.Graph())
		oneHot := graph.OneHot(ids, vocabSize, dtypes.Float32) // [batch, length, vocabulary]
		return table, looked, graph.Einsum("blv,vd->bld", oneHot, table)
	})
	if err != nil {
		return nil, fmt.Errorf("text: Embed: %w", err)
	}
	out, err := exec.Exec(batch.Tensor())
	if err != nil {
		return nil, fmt.Errorf("text: Embed: %w", err)
	}
	return &Embedded{Table: out[0].Value().([][]float32), Lookup: out[1].Value().([][][]float32),
		ByMatMul: out[2].Value().([][][]float32)}, nil
}

// Differences returns the largest absolute difference, over the batch, between each of Lookup
// and ByMatMul and the table row its ID selects; chapter 12 prints them (both are 0).
func (e *Embedded) Differences(b *Batch) (lookup, byMatMul float64) {
	for i, row := range b.IDs {
		for j, id := range row {
			for k, want := range e.Table[id] {
				lookup = max(lookup, math.Abs(float64(e.Lookup[i][j][k]-want)))
				byMatMul = max(byMatMul, math.Abs(float64(e.ByMatMul[i][j][k]-want)))
			}
		}
	}
	return lookup, byMatMul
}
