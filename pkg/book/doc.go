// Package book holds the helpers behind the book's figures and tables: the loss curves and their
// derivatives, the PyTorch comparison table and CTC by enumeration of chapter 06 ("06-losses"),
// the optimizer race down Rosenbrock's valley and the loss curves on MNIST of chapter 05
// ("05-optimizers").
//
// It is scaffolding for the text, not the library: a program that trains a model imports
// [github.com/godl-book/godl/pkg/training], [github.com/godl-book/godl/pkg/losses] and
// [github.com/godl-book/godl/pkg/optim], never this package. Its errors start with "book: ".
package book
