// Package byhand holds reference implementations by plain Go loops — convolution, transposed
// convolution and pooling written out as their definitions — used by chapters 09 and 10 to check
// the library: what layers.Conv2D, layers.ConvTranspose2D and the pooling layers compute with
// GoMLX graphs, these functions compute one multiplication at a time, slowly and visibly.
package byhand
