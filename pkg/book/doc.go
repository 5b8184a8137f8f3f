// Package book holds the helpers behind the book's figures and tables, chapter by chapter:
// the computation graph of chapter 02; the network's layer table and the explicit loop's
// running loss of chapters 03 and 04; the optimizer race down Rosenbrock's valley, the loss
// curves on MNIST and on a synthetic sparse bag of words, and the optimizers' colours of
// chapter 05; the loss curves and their derivatives, the PyTorch comparison table and CTC by
// enumeration of chapter 06; the activation curves and the depth study of chapter 07; dropout's
// statistics and its comparison with torch, the overfitting study and its rate sweep of chapter
// 08; the pictures pooled, the shift study and the pooling networks of chapter 09; the
// photographs as grey, RGB and RGBA tensors, Sobel's kernels, the layer run with given weights
// and the learned edge detector of chapter 10; the augmentation gallery and ablation of chapter
// 11; the 1998 LeNet-5 computed by hand, the paper's table I and its connection counts of
// chapter 13.
//
// It is scaffolding for the text, not the library: a program that trains a model imports
// [github.com/godl-book/godl/pkg/training], [github.com/godl-book/godl/pkg/losses] and
// [github.com/godl-book/godl/pkg/optim], never this package. Its errors start with "book: ".
package book
