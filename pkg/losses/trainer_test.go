package losses

import (
	"errors"
	"strings"
	"testing"

	"github.com/godl-book/godl/internal/testbackend"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// trainingBatch is 8 points in 4 features, of 3 classes, with labels shaped [batch, 1] as the
// datasets give them.
func trainingBatch() (x, labels *tensors.Tensor) {
	x = tensors.FromValue([][]float32{
		{1, 0, 0, 0.5}, {0.9, 0.1, 0, 0}, {0, 1, 0.2, 0}, {0.1, 0.8, 0, 0.3},
		{0, 0, 1, 0}, {0.2, 0, 0.9, 0.1}, {1, 0.1, 0.1, 0}, {0, 0.2, 0.8, 0.5},
	})
	labels = tensors.FromValue([][]int32{{0}, {0}, {1}, {1}, {2}, {2}, {0}, {2}})
	return x, labels
}

func linearModel(ctx *context.Context, _ any, inputs []*Node) []*Node {
	return []*Node{layers.Dense(ctx, inputs[0], true, 3)}
}

// trainSteps runs steps of plain SGD with lossFn and returns the batch loss before each.
func trainSteps(t *testing.T, lossFn train.LossFn, steps int) ([]float64, error) {
	t.Helper()
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(6)) // the same initial weights every run
	opt := optimizers.StochasticGradientDescent().WithLearningRate(0.3).WithDecay(false).Done()
	trainer := train.NewTrainer(testbackend.Get(t), ctx, linearModel, lossFn, opt, nil, nil)
	x, labels := trainingBatch()
	var history []float64
	for range steps {
		metrics, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{labels})
		if err != nil {
			return nil, err
		}
		history = append(history, tensorFloats(metrics[0])[0])
	}
	return history, nil
}

// TestForTrainerLossFalls trains a linear classifier for 3 steps with train.Trainer and each
// adapter, and checks that the loss falls at every step.
func TestForTrainerLossFalls(t *testing.T) {
	for name, lossFn := range map[string]train.LossFn{
		"ForTrainer(CrossEntropy)": ForTrainer(CrossEntropy),
		"ForTrainerFunc(CrossEntropy.LabelSmoothing)": ForTrainerFunc(func(logits, labels *Node) *Node {
			return CrossEntropy(logits, labels).LabelSmoothing(0.1).Done()
		}),
		"ForTrainer(MultiMargin)": ForTrainer(MultiMargin),
	} {
		t.Run(name, func(t *testing.T) {
			history, err := trainSteps(t, lossFn, 3)
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i < len(history); i++ {
				if !(history[i] < history[i-1]) {
					t.Fatalf("loss did not fall: %v", history)
				}
			}
			t.Logf("loss over 3 steps: %.4f", history)
		})
	}
}

// TestForTrainerErrors checks that a loss that can't build comes back from TrainStep as the
// *Error, not as a crash.
func TestForTrainerErrors(t *testing.T) {
	// The model predicts 3 classes; BinaryCrossEntropyWithLogits wants float targets of that shape.
	_, err := trainSteps(t, ForTrainer(BinaryCrossEntropyWithLogits), 1)
	var lerr *Error
	if !errors.As(err, &lerr) || lerr.Loss != "BinaryCrossEntropyWithLogits" {
		t.Fatalf("TrainStep error = %v, want the BinaryCrossEntropyWithLogits *Error", err)
	}
	twoHeads := ForTrainer(CrossEntropy)
	_, err = trainSteps(t, func(labels, predictions []*Node) *Node {
		return twoHeads(labels, append(predictions, predictions[0]))
	}, 1)
	if !errors.As(err, &lerr) || !strings.Contains(err.Error(), "got 1 labels and 2 predictions, want 1 and 1") {
		t.Fatalf("TrainStep error = %v, want the ForTrainer *Error", err)
	}
}
