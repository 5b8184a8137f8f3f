package training

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/layers"
	"github.com/godl-book/godl/pkg/losses"
	"github.com/godl-book/godl/pkg/optim"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// line gives batches of x in [-1, 1] labelled y = 3x + 1, in order.
func line(batches, size int, seed uint64, opts ...datasets.LoaderOption) *datasets.TensorLoader {
	rng := rand.New(rand.NewPCG(seed, 1))
	x, y := make([][]float32, batches*size), make([][]float32, batches*size)
	for i := range x {
		v := 2*rng.Float32() - 1
		x[i], y[i] = []float32{v}, []float32{3*v + 1}
	}
	return datasets.FromTensors("line", size, []*tensors.Tensor{tensors.FromValue(x)},
		[]*tensors.Tensor{tensors.FromValue(y)}, opts...)
}

// affine is y = x·w + b with w and b in scope "affine".
func affine(ctx *context.Context, inputs []*Node) []*Node {
	return []*Node{layers.Dense(ctx.In("affine"), inputs[0], 1)}
}

func mseTask() Task {
	return Task{Network: affine, Loss: losses.ForTrainer(losses.MSE)}
}

// weights returns the values of the trainable variables of ctx by their scoped name.
func weights(t *testing.T, ctx *context.Context) map[string][]float32 {
	t.Helper()
	out := map[string][]float32{}
	for v := range ctx.IterVariables() {
		if v.Trainable {
			val, err := v.Value()
			if err != nil {
				t.Fatal(err)
			}
			out[v.ScopeAndName()] = tensors.MustCopyFlatData[float32](val)
		}
	}
	return out
}

// (a) A regression network with MSE learns y = 3x + 1.
func TestTrainerRegression(t *testing.T) {
	tr, err := NewTrainer(mseTask(), optimizers.Adam().LearningRate(0.1).Done(), Epochs(40), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(line(4, 16, 1), line(2, 16, 2)); err != nil {
		t.Fatal(err)
	}
	last := tr.History[len(tr.History)-1]
	if len(tr.History) != 40 || last.Examples != 64 || !(last.TrainLoss < tr.History[0].TrainLoss/100) {
		t.Errorf("%d epochs, last of %d examples; train loss %.4g → %.4g, want 40, 64 and a 100× fall",
			len(tr.History), last.Examples, tr.History[0].TrainLoss, last.TrainLoss)
	}
	scores, err := tr.Evaluate(line(2, 16, 3))
	if err != nil {
		t.Fatal(err)
	}
	if scores["loss"] > 1e-3 || len(scores) != 1 || math.Abs(last.TestLoss) > 1e-3 {
		t.Errorf("evaluation %v, test loss %.4g after training, want only a loss below 1e-3", scores, last.TestLoss)
	}
	w := weights(t, tr.Context)
	if len(w) != 2 || math.Abs(float64(w["/affine/weight"][0])-3) > 0.05 || math.Abs(float64(w["/affine/bias"][0])-1) > 0.05 {
		t.Errorf("learned %v, want weight 3 and bias 1", w)
	}
}

// twoHeads gives batches of two inputs a, b in [-1, 1], labelled a+b and a > b.
func twoHeads(batches, size int, seed uint64) *datasets.TensorLoader {
	rng := rand.New(rand.NewPCG(seed, 2))
	n := batches * size
	a, b, sum := make([][]float32, n), make([][]float32, n), make([][]float32, n)
	greater := make([][]int32, n)
	for i := range n {
		x, y := 2*rng.Float32()-1, 2*rng.Float32()-1
		a[i], b[i], sum[i] = []float32{x}, []float32{y}, []float32{x + y}
		if x > y {
			greater[i] = []int32{1}
		} else {
			greater[i] = []int32{0}
		}
	}
	return datasets.FromTensors("two-heads", size, []*tensors.Tensor{tensors.FromValue(a), tensors.FromValue(b)},
		[]*tensors.Tensor{tensors.FromValue(sum), tensors.FromValue(greater)})
}

// (b) Two inputs, two outputs (a regression and a classification head), a summed loss and two
// metrics, one per head.
func TestTrainerTwoOutputs(t *testing.T) {
	task := Task{
		Network: func(ctx *context.Context, inputs []*Node) []*Node {
			x := Concatenate(inputs, -1)
			return []*Node{layers.Dense(ctx.In("sum"), x, 1), layers.Dense(ctx.In("greater"), x, 2)}
		},
		Loss: func(labels, outputs []*Node) *Node {
			return Add(losses.ForTrainer(losses.MSE)(labels[:1], outputs[:1]),
				losses.ForTrainer(losses.CrossEntropy)(labels[1:], outputs[1:]))
		},
		Metrics: []Metric{
			{Name: "mae", Fn: func(labels, outputs []*Node) *Node {
				return ReduceAllMean(Abs(Sub(outputs[0], labels[0])))
			}},
			{Name: "accuracy", Fn: func(labels, outputs []*Node) *Node {
				return metrics.SparseCategoricalAccuracyGraph(nil, labels[1:], outputs[1:])
			}},
		},
	}
	tr, err := NewTrainer(task, optimizers.Adam().LearningRate(0.05).Done(), Epochs(30), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(twoHeads(8, 32, 1), twoHeads(4, 32, 2)); err != nil {
		t.Fatal(err)
	}
	first, last := tr.History[0], tr.History[len(tr.History)-1]
	t.Logf("first %+v\nlast %+v", first, last)
	if last.Test["accuracy"] < 0.9 || last.Test["mae"] > 0.1 || last.TestAccuracy != last.Test["accuracy"] {
		t.Errorf("test metrics %v (TestAccuracy %.3f), want accuracy ≥ 0.9 and mae ≤ 0.1", last.Test, last.TestAccuracy)
	}
	if len(last.Train) != 2 || !(last.Train["mae"] < first.Train["mae"]) || last.TrainAccuracy != last.Train["accuracy"] {
		t.Errorf("train metrics %v after %v, want mae and accuracy with mae falling", last.Train, first.Train)
	}
	scores, err := tr.Evaluate(twoHeads(4, 32, 2))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"loss": last.TestLoss, "mae": last.Test["mae"], "accuracy": last.TestAccuracy} {
		if got, ok := scores[name]; !ok || math.Abs(got-want) > 1e-6 {
			t.Errorf("Evaluate %s = %v (present %v), want the last epoch's %v", name, got, ok, want)
		}
	}
}

// (c) The caller's context: its learning rate hyperparameter drives the optimizer, and the
// variables it holds are the starting weights (here the exact solution: the loss is 0 from the
// first step and the weights stay).
func TestTrainerUsesTheCallersContext(t *testing.T) {
	ctx := context.New()
	ctx.SetParam(optimizers.ParamLearningRate, 0.025)
	ctx.In("affine").VariableWithValue("weight", [][]float32{{3}})
	ctx.In("affine").VariableWithValue("bias", []float32{1})
	var stepLosses []float64
	tr, err := NewTrainer(mseTask(), optimizers.Adam().Done(), WithContext(ctx), Epochs(2), NoProgress(),
		OnStep(func(_ int, loss float64) { stepLosses = append(stepLosses, loss) }))
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(line(4, 16, 1), nil); err != nil {
		t.Fatal(err)
	}
	if tr.Context != ctx || len(stepLosses) != 8 || stepLosses[0] > 1e-10 {
		t.Errorf("same context %v, %d steps, first loss %g: want the caller's context, 8 steps and loss 0",
			tr.Context == ctx, len(stepLosses), stepLosses[0])
	}
	if lr, _, err := optim.LearningRate(ctx); err != nil || math.Abs(lr-0.025) > 1e-9 || tr.History[1].LearningRate != lr {
		t.Errorf("learning rate %v (error %v), history %v; want the context's 0.025", lr, err, tr.History[1].LearningRate)
	}
	w := weights(t, ctx)
	if math.Abs(float64(w["/affine/weight"][0])-3) > 1e-6 || math.Abs(float64(w["/affine/bias"][0])-1) > 1e-6 {
		t.Errorf("weights %v after training from the exact solution, want them unchanged", w)
	}
	if tr.History[0].Test != nil || tr.History[0].TestLoss != 0 {
		t.Errorf("epoch %+v without test data, want no test numbers", tr.History[0])
	}
}

// (d) An explicit backend: pure Go here, whatever backend.Default would pick; Fit takes it too.
func TestTrainerUsesTheGivenBackend(t *testing.T) {
	b, err := backend.Load(backend.Choice{Config: "go", Name: "go"})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(mseTask(), optimizers.Adam().LearningRate(0.1).Done(), WithBackend(b), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(line(2, 16, 1), nil); err != nil {
		t.Fatal(err)
	}
	if tr.Backend != b || len(tr.History) != 1 {
		t.Errorf("trainer backend %s with %d epochs, want the given %s and 1", tr.Backend.Name(), len(tr.History), b.Name())
	}
	train, test, err := datasets.MNIST(datasets.Limit(64), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	run, err := Fit(mlp, train, test.Take(32), optimizers.Adam().Done(), WithBackend(b), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	if run.Backend != b {
		t.Errorf("Fit ran on %s, want the given %s", run.Backend.Name(), b.Name())
	}
}

func TestTrainerRejectsBadSetups(t *testing.T) {
	adam := optimizers.Adam().Done()
	metric := Metric{Name: "m", Fn: func(_, o []*Node) *Node { return ReduceAllMean(o[0]) }}
	for name, try := range map[string]func() (*Trainer, error){
		"no network":      func() (*Trainer, error) { return NewTrainer(Task{Loss: mseTask().Loss}, adam) },
		"no loss":         func() (*Trainer, error) { return NewTrainer(Task{Network: affine}, adam) },
		"no optimizer":    func() (*Trainer, error) { return NewTrainer(mseTask(), nil) },
		"zero epochs":     func() (*Trainer, error) { return NewTrainer(mseTask(), adam, Epochs(0)) },
		"Fit's BatchSize": func() (*Trainer, error) { return NewTrainer(mseTask(), adam, BatchSize(8)) },
		"SaveEvery alone": func() (*Trainer, error) { return NewTrainer(mseTask(), adam, SaveEvery(2)) },
		"SaveEvery(-1)": func() (*Trainer, error) {
			return NewTrainer(mseTask(), adam, SaveEvery(-1), Checkpoint(t.TempDir()))
		},
		"repeated metric": func() (*Trainer, error) {
			task := mseTask()
			task.Metrics = []Metric{metric, metric}
			return NewTrainer(task, adam)
		},
		"metric named loss": func() (*Trainer, error) {
			task := mseTask()
			task.Metrics = []Metric{{Name: "loss", Fn: metric.Fn}}
			return NewTrainer(task, adam)
		},
	} {
		if _, err := try(); err == nil || err.Error()[:9] != "training:" {
			t.Errorf("%s: error %v, want one starting with training:", name, err)
		}
	}
	tr, err := NewTrainer(mseTask(), adam, NoProgress(), CosineDecay())
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(datasets.FromTensors("empty", 1, nil, nil), nil); err == nil {
		t.Error("Fit with CosineDecay on an empty data set succeeded, want an error")
	}
}

// A datasets.Loader feeds a Trainer directly: the classification Task without Fit.
func TestTrainerOnADatasetsLoader(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(500), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	norm := datasets.Normalize(datasets.MNISTMean, datasets.MNISTStd)
	tr, err := NewTrainer(Classification(mlp), optimizers.Adam().Done(), Epochs(2), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(datasets.NewLoader(train, 50, norm, datasets.Shuffle(1)), datasets.NewLoader(test.Take(200), 100, norm)); err != nil {
		t.Fatal(err)
	}
	last := tr.History[1]
	if last.Examples != 500 || last.TestAccuracy < 0.5 || !(last.TrainLoss < tr.History[0].TrainLoss) || last.Test["accuracy"] != last.TestAccuracy {
		t.Errorf("last epoch %+v, want 500 examples, a falling loss and a test accuracy ≥ 0.5", last)
	}
}
