package optim_test

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"

	"github.com/godl-book/godl/pkg/optim"
)

// Adam walks down the bowl (x − 3)² + (y + 1)² to its minimum at (3, −1). In a model, the same
// optimizer goes to GoMLX's train.NewTrainer instead of Path.
func ExampleAdam() {
	opt := optim.Adam(0.1).Done()
	bowl := func(x, y *graph.Node) *graph.Node {
		return graph.Add(graph.Square(graph.AddScalar(x, -3)), graph.Square(graph.AddScalar(y, 1)))
	}
	path, err := optim.Path(opt, bowl, [2]float64{0, 0}, 300)
	if err != nil {
		fmt.Println(err)
		return
	}
	end := path[len(path)-1]
	fmt.Printf("from (0, 0) to (%.3f, %.3f) in %d steps\n", end[0], end[1], len(path)-1)
	// Output: from (0, 0) to (3.000, -1.000) in 300 steps
}

// An invalid setting is an error before anything runs: Nesterov momentum needs a momentum.
func ExampleSGD() {
	opt := optim.SGD(0.1).Nesterov().Done()
	fmt.Println(opt.Err())
	// Output: optim: SGD: Nesterov momentum needs momentum > 0 and zero dampening, got momentum 0, dampening 0
}
