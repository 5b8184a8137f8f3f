package models

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/backend"
)

// Layer is one row of a Table: a layer or a block of layers, by the scope its weights live in.
type Layer struct {
	Name   string // scope path without the leading "/", PyTorch's module name with "/" for ".": "layer1/0/conv1"
	Kind   string // what it is: "Conv2D", "BatchNorm", "MaxPool2D", "BasicBlock", …
	Depth  int    // how many rows of the table contain it
	Output []int  // its output's shape, [batch, height, width, channels] for images
	Params int    // trainable values in its scope and below
	MACs   int64  // multiply-adds of its convolutions and dense layers for the whole batch
}

// Table is what Summary returns: the layers of a model in the order they run, and totals.
type Table struct {
	Input, Output []int
	Layers        []Layer
	// Trainable counts weights and biases (PyTorch's parameters()); NonTrainable the values
	// that training does not differentiate — batch norms' running statistics (PyTorch's
	// buffers) and fixed weights such as LeNet-5 1998's output codes.
	Trainable, NonTrainable int
	MACs                    int64 // multiply-adds of one forward pass over the input batch
}

// Summary builds model on an input of the given shape, [batch, height, width, channels], and
// reports each layer's output shape, parameters and multiply-adds, with totals — as torchinfo's
// summary does for PyTorch (chapter 13 prints them). Nothing is executed: the graph is only built,
// on the default backend, in evaluation mode. Multiply-adds count convolutions (output size ×
// kernel size) and dense layers (inputs × units), as torchinfo and the usual "GFLOPs" tables do;
// batch norm, pooling and activations are left out.
//
// The models of this package record their layers; a Model from elsewhere gets its parameter
// totals and output shape only (no rows, no multiply-adds).
// Errors in building (a shape the model cannot take) come back as errors naming the input.
func Summary(model Model, input ...int) (t *Table, err error) {
	if len(input) != 4 || slices.Min(input) < 1 {
		return nil, fmt.Errorf("models.Summary: input shape %v, want [batch, height, width, channels], all ≥ 1", input)
	}
	b, err := backend.Default()
	if err != nil {
		return nil, fmt.Errorf("models.Summary: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("models.Summary: input %v: %v", input, r)
		}
	}()
	g := graph.NewGraph(b, "summary")
	defer g.Finalize()
	ctx := context.New()
	rec := &recorder{}
	ctx.SetGraphParam(g, recorderKey, rec)
	out := model(ctx, graph.Parameter(g, "images", shapes.Make(dtypes.Float32, input...)))
	t = &Table{Input: slices.Clone(input), Output: slices.Clone(out.Shape().Dimensions)}
	for v := range ctx.IterVariables() {
		if v.Trainable {
			t.Trainable += v.Shape().Size()
		} else {
			t.NonTrainable += v.Shape().Size()
		}
	}
	t.Layers = rec.rows(ctx)
	for _, l := range t.Layers {
		if l.Depth == 0 {
			t.MACs += l.MACs
		}
	}
	return t, nil
}

const recorderKey = "godl_models_summary"

// recorder collects the layers that mark reports while Summary builds a model.
type recorder struct{ marks []Layer }

// mark records y as the output of the layer whose scope is ctx, of the given kind, when Summary
// is building the model; it returns y either way.
func mark(ctx *context.Context, kind string, y *graph.Node) *graph.Node {
	if rec := context.GetGraphParamOr[*recorder](ctx, y.Graph(), recorderKey, nil); rec != nil {
		rec.marks = append(rec.marks, Layer{Name: strings.TrimPrefix(ctx.Scope(), context.ScopeSeparator), Kind: kind,
			Output: slices.Clone(y.Shape().Dimensions)})
	}
	return y
}

// rows orders the marks as torchinfo does, each block before the layers it contains (marks come
// after them, as a block is done only when its layers are), and fills in depths, parameters and
// multiply-adds from the variables.
func (r *recorder) rows(ctx *context.Context) []Layer {
	within := func(name, scope string) bool { return name == scope || strings.HasPrefix(name, scope+"/") }
	first := make([]int, len(r.marks)) // index of the first mark inside each
	for i, m := range r.marks {
		first[i] = i
		for j := range i {
			if within(r.marks[j].Name, m.Name) {
				first[i] = j
				break
			}
		}
	}
	order := make([]int, len(r.marks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if first[a] != first[b] {
			return first[a] - first[b]
		}
		return len(r.marks[a].Name) - len(r.marks[b].Name) // the block before its first layer
	})
	rows := make([]Layer, len(order))
	for i, o := range order {
		rows[i] = r.marks[o]
	}
	leaf := make([]bool, len(rows))
	for i := range rows {
		leaf[i] = true
		for j := range rows {
			if i != j && within(rows[j].Name, rows[i].Name) && rows[j].Name != rows[i].Name {
				leaf[i] = false
			}
			if j < i && rows[j].Name != rows[i].Name && within(rows[i].Name, rows[j].Name) {
				rows[i].Depth++
			}
		}
	}
	for v := range ctx.IterVariables() {
		name := strings.TrimPrefix(v.Scope(), context.ScopeSeparator)
		for i := range rows {
			if !within(name, rows[i].Name) {
				continue
			}
			if v.Trainable {
				rows[i].Params += v.Shape().Size()
			}
			// A convolution's or a dense layer's weight: each output position takes one
			// multiply-add per weight feeding its channel.
			if r := v.Shape().Rank(); leaf[i] && v.Name() == "weight" && (r == 2 || r == 4) {
				out := rows[i].Output
				positions := shapes.Make(dtypes.Float32, out...).Size() / out[len(out)-1]
				rows[i].MACs += int64(v.Shape().Size()) * int64(positions)
			}
		}
	}
	// A block's multiply-adds are its layers', counted once per leaf.
	for i := range rows {
		if leaf[i] {
			continue
		}
		for j := range rows {
			if leaf[j] && within(rows[j].Name, rows[i].Name) {
				rows[i].MACs += rows[j].MACs
			}
		}
	}
	return rows
}

// String formats the whole table.
func (t *Table) String() string { return t.Format(-1) }

// Format formats the table as torchinfo prints one: a row per layer down to maxDepth (−1: all),
// indented by depth, with its kind, output shape, parameters and multiply-adds ("--" for layers
// without: pooling, batch norm), then the totals. Lines are 86 columns wide.
func (t *Table) Format(maxDepth int) string {
	var sb strings.Builder
	line := strings.Repeat("─", 86) + "\n"
	fmt.Fprintf(&sb, "%-36s %-18s %12s %17s\n", "Layer (kind)", "Output shape", "Param #", "Mult-adds")
	sb.WriteString(line)
	for _, l := range t.Layers {
		if maxDepth >= 0 && l.Depth > maxDepth {
			continue
		}
		name := l.Name[strings.LastIndex(l.Name, "/")+1:]
		label := fmt.Sprintf("%s%s (%s)", strings.Repeat("  ", l.Depth), name, l.Kind)
		macs := "--"
		if l.MACs > 0 {
			macs = Commas(int(l.MACs))
		}
		fmt.Fprintf(&sb, "%-36s %-18s %12s %17s\n", label, fmt.Sprint(l.Output), Commas(l.Params), macs)
	}
	sb.WriteString(line)
	fmt.Fprintf(&sb, "Input %v → output %v\n", t.Input, t.Output)
	fmt.Fprintf(&sb, "Trainable params: %s\n", Commas(t.Trainable))
	fmt.Fprintf(&sb, "Non-trainable values (running statistics, fixed weights): %s\n", Commas(t.NonTrainable))
	unit, scale := "M", 1e6
	if t.MACs >= 1e9 {
		unit, scale = "G", 1e9
	}
	fmt.Fprintf(&sb, "Multiply-adds: %s (%.2f %s)\n", Commas(int(t.MACs)), float64(t.MACs)/scale, unit)
	return sb.String()
}

// Commas writes n with thousands separators, as torchinfo and torchvision's documentation do:
// 25,557,032.
func Commas(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + Commas(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
