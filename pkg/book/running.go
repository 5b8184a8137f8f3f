package book

import (
	"fmt"
	"io"
	"os"
)

// RunningLoss is the PyTorch blitz's running loss: it averages the losses of each block of
// Every batches and prints the average as "[epoch 1, batch  200] running loss 0.842", the
// progress report of chapter 04's explicit training loop.
type RunningLoss struct {
	Epoch, Every int
	Means        []float64 // the average of each full block, in order
	Out          io.Writer // where the reports go (os.Stdout from NewRunningLoss)
	sum          float64
	batches      int
}

// NewRunningLoss reports every `every` batches of the given epoch; every must be ≥ 1.
func NewRunningLoss(epoch, every int) (*RunningLoss, error) {
	if every < 1 {
		return nil, fmt.Errorf("book: NewRunningLoss: every = %d, want ≥ 1", every)
	}
	return &RunningLoss{Epoch: epoch, Every: every, Out: os.Stdout}, nil
}

// Add records one batch's loss, and reports when it completes a block.
func (r *RunningLoss) Add(loss float64) {
	r.sum += loss
	r.batches++
	if r.batches%r.Every == 0 {
		mean := r.sum / float64(r.Every)
		r.Means, r.sum = append(r.Means, mean), 0
		fmt.Fprintf(r.Out, "[epoch %d, batch %4d] running loss %.3f\n", r.Epoch, r.batches, mean)
	}
}
