package models_test

import (
	"fmt"

	"github.com/godl-book/godl/pkg/models"
)

// The 1998 LeNet-5 on one 32×32 image, with the paper's layer names and its 60,000 trainable
// parameters; C3's 16 small convolutions are hidden below depth 0.
func ExampleSummary() {
	s, err := models.Summary(models.LeNet5(10, models.LeCun1998()), 1, 32, 32, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(s.Format(0))
	// Output:
	// Layer (kind)                         Output shape            Param #         Mult-adds
	// ──────────────────────────────────────────────────────────────────────────────────────
	// c1 (Conv2D)                          [1 28 28 6]                 156           117,600
	// s2 (Subsample)                       [1 14 14 6]                  12                --
	// c3 (SparseConv)                      [1 10 10 16]              1,516           150,000
	// s4 (Subsample)                       [1 5 5 16]                   32                --
	// c5 (Conv2D)                          [1 1 1 120]              48,120            48,000
	// f6 (Dense)                           [1 84]                   10,164            10,080
	// output (RBF)                         [1 10]                        0               840
	// ──────────────────────────────────────────────────────────────────────────────────────
	// Input [1 32 32 1] → output [1 10]
	// Trainable params: 60,000
	// Non-trainable values (running statistics, fixed weights): 840
	// Multiply-adds: 326,520 (0.33 M)
}
