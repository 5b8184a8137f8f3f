package layers_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/layers"
)

// The backends under test, loaded once per test binary.
var (
	loadOnce          sync.Once
	goBackend, native backends.Backend // native: the first available backend with every native op (XLA)
	nativeName        string
	nativeMissing     string // why native is nil
	loadErr           error
)

// loadBackends loads pure Go and, unless $GOMLX_BACKEND=go or no plugin is installed, a backend
// with every native op (XLA); tests that need the latter call requireNative.
func loadBackends(t testing.TB) {
	t.Helper()
	loadOnce.Do(func() {
		choices := backend.Available()
		if backend.Choose().Name == "go" {
			choices = choices[len(choices)-1:]
			nativeMissing = "the chosen backend is pure Go (" + backend.Choose().Reason + ")"
		}
		for _, c := range choices {
			b, err := backend.Load(c)
			if err != nil {
				loadErr = err
				return
			}
			if c.Name == "go" {
				goBackend = b
				continue
			}
			ops := append(append(append(append([]backends.OpType{}, layers.ConvNativeOps...),
				layers.MaxPoolNativeOps...), layers.AvgPoolNativeOps...), layers.BatchNormNativeOps...)
			if native == nil && layers.HasOps(b, ops...) {
				native, nativeName = b, c.Name
			}
		}
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	if goBackend == nil {
		t.Fatal("the pure Go backend is not available")
	}
	if native == nil && nativeMissing == "" {
		nativeMissing = "no backend with native convolution, pooling and batch-norm gradients (XLA) is available: " +
			"run `make setup` to install the CPU PJRT plugin"
	}
}

// requireNative skips a test that compares with GoMLX's native ops when no backend has them.
func requireNative(t testing.TB) {
	t.Helper()
	loadBackends(t)
	if native == nil {
		t.Skip("needs XLA's native ops: " + nativeMissing)
	}
}

// backendsUnderTest returns the loaded backends by name: pure Go, and XLA when it is loaded.
func backendsUnderTest(t testing.TB) map[string]backends.Backend {
	t.Helper()
	loadBackends(t)
	out := map[string]backends.Backend{"go": goBackend}
	if native != nil {
		out[nativeName] = native
	}
	return out
}

// randomTensor returns a [dims...] float32 tensor of N(0,1) values from a fixed seed.
func randomTensor(seed uint64, dims ...int) *tensors.Tensor {
	r := rand.New(rand.NewPCG(seed, 1))
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(r.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// layerResult holds what a layer computes on one input: its output, the gradient of
// Σ output·r (r a fixed pattern of weights in [−1, 1]) with respect to the input and to each
// trainable variable, by name, and every variable's value after the step (running averages move).
type layerResult struct {
	y, dx []float32
	dvars map[string][]float32
	vars  map[string][]float32
}

// variable is a variable's scope, name and initial value.
type variable struct {
	scope, name string
	dims        []int
	value       []float32
}

// layerVariables discovers the variables that layer creates for an input of the given shape and
// gives them values from a fixed seed — the same on every backend, unlike GoMLX's random
// initializers, whose generators differ between XLA and Go. Running variances get values in
// [0.5, 1.5], everything else N(0, 1).
func layerVariables(t *testing.T, layer func(ctx *context.Context, x *graph.Node) *graph.Node, dims []int) []variable {
	t.Helper()
	ctx := context.New()
	_, err := context.ExecOnce(goBackend, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return layer(ctx, x)
	}, randomTensor(0, dims...))
	if err != nil {
		t.Fatal(err)
	}
	var vars []variable
	for v := range ctx.IterVariables() {
		if !v.Shape().DType.IsFloat() {
			continue
		}
		value := tensors.MustCopyFlatData[float32](randomTensor(uint64(len(vars)+100), v.Shape().Dimensions...))
		if v.Name() == "running_var" {
			for i := range value {
				value[i] = 1 + float32(math.Tanh(float64(value[i])))/2
			}
		}
		vars = append(vars, variable{scope: v.Scope(), name: v.Name(), dims: v.Shape().Dimensions, value: value})
	}
	sort.Slice(vars, func(i, j int) bool {
		return path.Join(vars[i].scope, vars[i].name) < path.Join(vars[j].scope, vars[j].name)
	})
	return vars
}

// runLayer builds layer on a context holding vars, runs it on input with backend b and returns its
// output, gradients and updated variables.
func runLayer(t *testing.T, b backends.Backend, training bool, impl layers.Impl, vars []variable,
	layer func(ctx *context.Context, x *graph.Node) *graph.Node, input *tensors.Tensor) layerResult {
	t.Helper()
	x, err := input.LocalClone() // a tensor lives on one backend; give each run its own
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	ctx.SetParam(layers.ParamImpl, impl.String())
	for _, v := range vars {
		ctx.InAbsPath(v.scope).VariableWithValue(v.name, tensors.FromFlatDataAndDimensions(slices.Clone(v.value), v.dims...))
	}
	var names []string
	exec, err := context.NewExec(b, ctx.Reuse(), func(ctx *context.Context, x *graph.Node) []*graph.Node {
		g := x.Graph()
		ctx.SetTraining(g, training)
		y := layer(ctx, x)
		// Weigh each output differently, so that the gradient tells every output apart.
		r := graph.Sin(graph.MulScalar(graph.IotaFull(g, y.Shape()), 0.37))
		loss := graph.ReduceAllSum(graph.Mul(y, r))
		wrt := []*graph.Node{x}
		names = names[:0]
		for _, v := range vars {
			if cv := ctx.InAbsPath(v.scope).GetVariable(v.name); cv.Trainable {
				names = append(names, path.Join(v.scope, v.name))
				wrt = append(wrt, cv.ValueGraph(g))
			}
		}
		return append([]*graph.Node{y}, graph.Gradient(loss, wrt...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []*tensors.Tensor
	var execErr error
	if err := catch(func() { out, execErr = exec.Exec(x) }); err != nil || execErr != nil {
		if err == nil {
			err = execErr
		}
		t.Fatalf("%s %s: %v", b.Name(), impl, err)
	}
	res := layerResult{y: tensors.MustCopyFlatData[float32](out[0]), dx: tensors.MustCopyFlatData[float32](out[1]),
		dvars: map[string][]float32{}, vars: map[string][]float32{}}
	for i, name := range names {
		res.dvars[name] = tensors.MustCopyFlatData[float32](out[2+i])
	}
	for _, v := range vars {
		res.vars[path.Join(v.scope, v.name)] = tensors.MustCopyFlatData[float32](ctx.InAbsPath(v.scope).GetVariable(v.name).MustValue())
	}
	return res
}

// catch runs fn and turns a panic into an error: GoMLX reports graph-building errors by panicking.
func catch(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	fn()
	return nil
}

// assertClose fails unless |got−want| ≤ tol·max(1, max|want|) element-wise: a tolerance relative to
// the scale of the values, since float32 sums in different orders differ by a few ulps of the largest terms.
func assertClose(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	if len(want) == 0 {
		t.Fatalf("%s: no values to compare", what)
	}
	scale := 1.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	worst, at := 0.0, 0
	for i := range got {
		if d := math.Abs(float64(got[i]) - float64(want[i])); d > worst || math.IsNaN(d) {
			worst, at = d, i
			if math.IsNaN(d) {
				break
			}
		}
	}
	if !(worst <= tol*scale) {
		t.Errorf("%s: |got−want| = %.3g at [%d] (got %v, want %v) > %.1g·%.3g", what, worst, at, got[at], want[at], tol, scale)
	}
}
