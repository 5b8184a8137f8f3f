package book

// OptimizerColors gives every optimizer of chapter 05 ("05-optimizers") one colour in all its
// figures — the race down Rosenbrock's valley, f along the path, the loss curves on MNIST —
// for viz's Colors. The colours stand out from the contour lines' blues, greens and yellows.
var OptimizerColors = map[string]string{
	"SGD":          "#7f7f7f", // grey
	"momentum":     "#ff7f0e", // orange
	"SGD Nesterov": "#8c564b", // brown
	"AdaGrad":      "#e377c2", // pink
	"RMSProp":      "#17becf", // cyan
	"Adadelta":     "#bcbd22", // olive
	"Adam":         "#d62728", // red
	"AdaMax":       "#9467bd", // purple
	"AMSGrad":      "#7b1c1c", // dark red
	"AdamW":        "#ff9896", // light red
	"L-BFGS":       "#111111", // black
}
