package book

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/viz"
)

// BagOfWords is a synthetic sparse classification problem for chapter 05 ("05-optimizers"),
// standing in for the IMDB bag-of-words features of the Adam paper's figure 1: each document
// is a 0/1 vector over Vocab words, marking WordsPerDoc draws from Zipf's law (word k is
// drawn with probability ∝ 1/(k+1)), and its label is 1 with probability σ(s), s the sum of
// its words' hidden weights, drawn from a standard normal. Rare words weigh as much as common
// ones, but their features are almost always 0, so their gradients are too.
type BagOfWords struct {
	Docs, Vocab, WordsPerDoc int
	Seed                     uint64
}

// data draws the documents, each as the list of the words it contains, and their labels.
func (b BagOfWords) data() (docs [][]int, y []float32) {
	r := rand.New(rand.NewPCG(b.Seed, 5))
	weight, cum := make([]float64, b.Vocab), make([]float64, b.Vocab)
	total := 0.0
	for k := range b.Vocab {
		weight[k] = r.NormFloat64()
		total += 1 / float64(k+1)
		cum[k] = total
	}
	docs, y = make([][]int, b.Docs), make([]float32, b.Docs)
	for d := range docs {
		sum := 0.0
		for range b.WordsPerDoc {
			k, _ := slices.BinarySearch(cum, r.Float64()*total)
			if !slices.Contains(docs[d], k) {
				docs[d], sum = append(docs[d], k), sum+weight[k]
			}
		}
		if r.Float64() < 1/(1+math.Exp(-sum)) {
			y[d] = 1
		}
	}
	return docs, y
}

// SparseRace trains logistic regression (a weight per word and a bias, from zero, with the
// binary cross-entropy) on the problem with each named graph optimizer, for steps mini-batches
// of batch documents taken in the same shuffled order for all, and returns each optimizer's
// training loss averaged over every block of every steps, named after it. It fails for sizes
// or steps < 1, an optimizer that is not an optim.Optimizer, or when the backend does.
func (b BagOfWords) SparseRace(steps, batch, every int, racers ...NamedOptimizer) ([]viz.Series, error) {
	if b.Docs < batch || b.Vocab < 1 || b.WordsPerDoc < 1 || batch < 1 || steps < 1 || every < 1 {
		return nil, fmt.Errorf("book: SparseRace: %+v with %d steps of batch %d, every %d: want all ≥ 1, Docs ≥ batch",
			b, steps, batch, every)
	}
	be, err := backend.Default()
	if err != nil {
		return nil, fmt.Errorf("book: SparseRace: %w", err)
	}
	docs, y := b.data()
	order := rand.New(rand.NewPCG(b.Seed, 7)).Perm(b.Docs)
	curves := make([]viz.Series, len(racers))
	for i, racer := range racers {
		opt, ok := racer.Opt.(optim.Optimizer)
		if !ok {
			return nil, fmt.Errorf("book: SparseRace: %s is a %T, want an optim.Optimizer", racer.Name, racer.Opt)
		}
		exec, err := context.NewExec(be, context.New(), func(ctx *context.Context, xb, yb *Node) *Node {
			w := ctx.VariableWithValue("w", tensors.FromShape(shapes.Make(dtypes.Float32, b.Vocab, 1)))
			bias := ctx.VariableWithValue("b", float32(0))
			z := Add(Reshape(MatMul(xb, w.ValueGraph(xb.Graph())), batch), bias.ValueGraph(xb.Graph()))
			loss := ReduceAllMean(Sub(Softplus(z), Mul(yb, z)))
			opt.UpdateGraph(ctx, xb.Graph(), loss)
			return loss
		})
		if err != nil {
			return nil, fmt.Errorf("book: SparseRace: %s: %w", racer.Name, err)
		}
		curves[i].Name = racer.Name
		xb, yb, sum := make([]float32, batch*b.Vocab), make([]float32, batch), 0.0
		for step := range steps {
			clear(xb)
			for j := range batch {
				d := order[(step*batch+j)%b.Docs]
				for _, k := range docs[d] {
					xb[j*b.Vocab+k] = 1
				}
				yb[j] = y[d]
			}
			out, err := exec.Exec(tensors.FromFlatDataAndDimensions(xb, batch, b.Vocab),
				tensors.FromFlatDataAndDimensions(yb, batch))
			if err != nil {
				return nil, fmt.Errorf("book: SparseRace: %s: step %d: %w", racer.Name, step+1, err)
			}
			if sum += float64(tensors.ToScalar[float32](out[0])); (step+1)%every == 0 {
				curves[i].X = append(curves[i].X, float64(step+1))
				curves[i].Y, sum = append(curves[i].Y, sum/float64(every)), 0
			}
		}
	}
	return curves, nil
}
