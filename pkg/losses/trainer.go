package losses

import (
	"fmt"
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// ForTrainer turns a loss of a prediction and a label into the train.LossFn that GoMLX's
// train.NewTrainer takes, with the loss's default options:
//
//	trainer := train.NewTrainer(b, ctx, model, losses.ForTrainer(losses.CrossEntropy), opt, nil, nil)
//
// It fits the two-input losses (not CosineEmbedding, MarginRanking or TripletMargin: write a
// train.LossFn for those). See ForTrainerFunc for options, and for the label shapes accepted.
// Chapter 06 ("06-losses").
func ForTrainer[L Loss](newLoss func(predictions, labels *Node) L) train.LossFn {
	return ForTrainerFunc(func(predictions, labels *Node) *Node { return newLoss(predictions, labels).Done() })
}

// ForTrainerFunc turns a function of one prediction and one label into the train.LossFn that
// GoMLX's train.NewTrainer takes — the place to set options:
//
//	lossFn := losses.ForTrainerFunc(func(logits, labels *Node) *Node {
//		return losses.CrossEntropy(logits, labels).LabelSmoothing(0.1).Done()
//	})
//
// GoMLX passes (labels, predictions) and this swaps them into torch's order. Integer labels
// shaped [batch, 1] — the GoMLX datasets' and godl's convention — lose their last axis when the
// prediction has the same rank, so they fit CrossEntropy, NLL and MultiMargin as class
// indices. The train.LossFn panics (and the trainer returns the error) unless it gets exactly
// one prediction and one label. Chapter 06 ("06-losses").
func ForTrainerFunc(fn func(predictions, labels *Node) *Node) train.LossFn {
	return func(labels, predictions []*Node) *Node {
		if len(labels) != 1 || len(predictions) != 1 {
			panic(&Error{Loss: "ForTrainer", Msg: fmt.Sprintf(
				"got %d labels and %d predictions, want 1 and 1 (write a train.LossFn for several heads)",
				len(labels), len(predictions))})
		}
		pred, label := predictions[0], labels[0]
		if d := dims(label); label.DType().IsInt() && label.Rank() == pred.Rank() && label.Rank() >= 2 &&
			d[len(d)-1] == 1 && dims(pred)[len(d)-1] != 1 {
			label = Reshape(label, slices.Clone(d[:len(d)-1])...)
		}
		return fn(pred, label)
	}
}
