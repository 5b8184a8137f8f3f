package losses_test

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/losses"
)

// Cross entropy of two examples of three classes, with label smoothing; torch 1.13 gives
// 0.4369 for F.cross_entropy(x, y, label_smoothing=0.1).
func ExampleCrossEntropy() {
	b, err := backend.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	logits := [][]float32{{2, 1, 0.1}, {0.5, 2.5, 0.3}}
	labels := []int32{0, 1}
	loss := graph.MustExecOnce(b, func(x, y *graph.Node) *graph.Node {
		return losses.CrossEntropy(x, y).LabelSmoothing(0.1).Done()
	}, logits, labels)
	fmt.Printf("%.4f\n", loss.Value())
	// Output: 0.4369
}

// Binary cross entropy from logits stays exact where log(σ(x)) would overflow.
func ExampleBinaryCrossEntropyWithLogits() {
	b, err := backend.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	loss := graph.MustExecOnce(b, func(x, y *graph.Node) *graph.Node {
		return losses.BinaryCrossEntropyWithLogits(x, y).Reduction(losses.None).Done()
	}, []float32{100, -100, 0}, []float32{0, 1, 1})
	fmt.Printf("%.4f\n", loss.Value())
	// Output: [100.0000 100.0000 0.6931]
}

// A shape mismatch is an error that Validate returns before anything is built.
func ExampleLoss_validate() {
	b, err := backend.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	g := graph.NewGraph(b, "example")
	logits := graph.Const(g, [][]float32{{2, 1, 0.1}, {0.5, 2.5, 0.3}})
	labels := graph.Const(g, [][]int32{{0}, {1}})
	fmt.Println(losses.CrossEntropy(logits, labels).Validate())
	// Output: losses: CrossEntropy: labels shape (Int32)[2 1] does not fit input shape (Float32)[2 3]: want labels of dimensions [2], the input's without its class axis 1 (labels shaped [batch, 1]: drop the last axis, e.g. with Reshape(labels, -1))
}
