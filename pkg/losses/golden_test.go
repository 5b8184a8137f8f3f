package losses

import (
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/godl-book/godl/internal/floats"
	"github.com/godl-book/godl/internal/goldens"
	"github.com/godl-book/godl/internal/testbackend"
	"github.com/godl-book/godl/pkg/backend"
)

// Tolerances against the PyTorch goldens (torch computed in float64 from float32 inputs).
// A value passes when |got − want| ≤ rtol·(|want| + scale), where scale is the largest |want|
// of its tensor: relative per element, and relative to the tensor's magnitude for entries that
// are tiny beside the rest (BCE-with-logits' gradient at x = −100 is 2.8e-44, which float32
// holds only as a subnormal that XLA flushes to zero; and at x = 100, target 1, torch itself
// returns 0 for σ(100) − 1). TestBCEWithLogitsTails checks those tails relatively instead.
//
// Measured (TestGoldens logs it), XLA CPU and pure Go alike: the tightest rtol that holds is
// 3.8e-7 in float32 and 3.5e-15 in float64, so 1e-6 and 1e-12 leave a margin; entries with
// |want| ≥ 1e-3·scale are within 1.5e-5 of torch elementwise in float32 (the worst: a small
// entry of CTC's gradient, summed over every alignment).
const (
	rtolFloat32 = 1e-6
	rtolFloat64 = 1e-12
)

// TestMain lowers XLA's optimization level unless $XLA_FLAGS is set: the goldens compile into
// one large graph, which XLA compiles in about two thirds of the time at level 0, with the same
// results. Run `XLA_FLAGS= go test ./pkg/losses/` to test at XLA's default level.
func TestMain(m *testing.M) {
	if _, set := os.LookupEnv("XLA_FLAGS"); !set {
		_ = os.Setenv("XLA_FLAGS", "--xla_backend_optimization_level=0")
	}
	os.Exit(m.Run())
}

// buildGolden builds a case's loss from its inputs and options with this package's API.
func buildGolden(c *GoldenCase, in map[string]*Node, o *goldens.Options) (*Node, error) {
	r := Mean
	if v, ok := o.String("reduction"); ok {
		var err error
		if r, err = ParseReduction(v); err != nil {
			return nil, err
		}
	}
	x, y := in["input"], in["target"]
	w, pw := in["weight"], in["pos_weight"]
	margin, hasMargin := o.Float("margin")
	var l Loss
	switch c.Loss {
	case "l1_loss":
		l = L1(x, y).Reduction(r)
	case "mse_loss":
		l = MSE(x, y).Reduction(r)
	case "smooth_l1_loss":
		s := SmoothL1(x, y).Reduction(r)
		if v, ok := o.Float("beta"); ok {
			s.Beta(v)
		}
		l = s
	case "poisson_nll_loss":
		p := PoissonNLL(x, y).Reduction(r)
		if v, ok := o.Bool("log_input"); ok {
			p.LogInput(v)
		}
		if v, ok := o.Bool("full"); ok {
			p.Full(v)
		}
		if v, ok := o.Float("eps"); ok {
			p.Eps(v)
		}
		l = p
	case "kl_div":
		k := KLDiv(x, y).Reduction(r)
		if v, ok := o.Bool("log_target"); ok {
			k.LogTarget(v)
		}
		l = k
	case "binary_cross_entropy":
		l = BinaryCrossEntropy(x, y).Weight(w).Reduction(r)
	case "binary_cross_entropy_with_logits":
		l = BinaryCrossEntropyWithLogits(x, y).Weight(w).PosWeight(pw).Reduction(r)
	case "soft_margin_loss":
		l = SoftMargin(x, y).Reduction(r)
	case "multilabel_soft_margin_loss":
		l = MultilabelSoftMargin(x, y).Weight(w).Reduction(r)
	case "cross_entropy":
		ce := CrossEntropy(x, y).Weight(w).Reduction(r)
		if v, ok := o.Float("ignore_index"); ok {
			ce.IgnoreIndex(int(v))
		}
		if v, ok := o.Float("label_smoothing"); ok {
			ce.LabelSmoothing(v)
		}
		l = ce
	case "nll_loss":
		n := NLL(x, y).Weight(w).Reduction(r)
		if v, ok := o.Float("ignore_index"); ok {
			n.IgnoreIndex(int(v))
		}
		l = n
	case "multi_margin_loss":
		m := MultiMargin(x, y).Weight(w).Reduction(r)
		if v, ok := o.Float("p"); ok {
			m.P(int(v))
		}
		if hasMargin {
			m.Margin(margin)
		}
		l = m
	case "multilabel_margin_loss":
		l = MultilabelMargin(x, y).Reduction(r)
	case "cosine_embedding_loss":
		ce := CosineEmbedding(in["input1"], in["input2"], y).Reduction(r)
		if hasMargin {
			ce.Margin(margin)
		}
		l = ce
	case "hinge_embedding_loss":
		h := HingeEmbedding(x, y).Reduction(r)
		if hasMargin {
			h.Margin(margin)
		}
		l = h
	case "margin_ranking_loss":
		m := MarginRanking(in["input1"], in["input2"], y).Reduction(r)
		if hasMargin {
			m.Margin(margin)
		}
		l = m
	case "triplet_margin_loss":
		tm := TripletMargin(in["anchor"], in["positive"], in["negative"]).Reduction(r)
		if hasMargin {
			tm.Margin(margin)
		}
		if v, ok := o.Float("p"); ok {
			tm.P(v)
		}
		if v, ok := o.Float("eps"); ok {
			tm.Eps(v)
		}
		if v, ok := o.Bool("swap"); ok {
			tm.Swap(v)
		}
		l = tm
	case "huber_loss":
		h := Huber(x, y).Reduction(r)
		if v, ok := o.Float("delta"); ok {
			h.Delta(v)
		}
		l = h
	case "gaussian_nll_loss":
		gn := GaussianNLL(x, y, in["var"]).Reduction(r)
		if v, ok := o.Bool("full"); ok {
			gn.Full(v)
		}
		if v, ok := o.Float("eps"); ok {
			gn.Eps(v)
		}
		l = gn
	case "triplet_margin_with_distance_loss":
		tm := TripletMarginWithDistance(in["anchor"], in["positive"], in["negative"]).Reduction(r)
		if hasMargin {
			tm.Margin(margin)
		}
		if v, ok := o.Bool("swap"); ok {
			tm.Swap(v)
		}
		if v, ok := o.String("distance"); ok {
			if v != "sqeuclidean" {
				return nil, fmt.Errorf("unknown distance %q", v)
			}
			tm.Distance(func(u, v *Node) *Node { return ReduceSum(Square(Sub(u, v)), -1) })
		}
		l = tm
	case "ctc_loss":
		// The goldens feed logits: torch's ctc_loss gradient is the logits' one (see CTC).
		logProbs := LogSoftmax(in["logits"], 2)
		ctc := CTC(logProbs, in["targets"], in["input_lengths"], in["target_lengths"]).Reduction(r)
		if v, ok := o.Float("blank"); ok {
			ctc.Blank(int(v))
		}
		if v, ok := o.Bool("zero_infinity"); ok {
			ctc.ZeroInfinity(v)
		}
		l = ctc
	default:
		return nil, fmt.Errorf("no Go loss for %q", c.Loss)
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return l.Done(), nil
}

// result of running one golden case: the loss and the gradients, in the order of gradNames.
type result struct {
	loss      *tensors.Tensor
	grads     []*tensors.Tensor
	gradNames []string
	err       error
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// runGoldens runs every case in one graph — compiling one graph per case would take minutes —
// and returns one result per case; a case that fails to build gets its error.
func runGoldens(b backends.Backend, cases []*GoldenCase, dtype dtypes.DType) ([]*result, error) {
	results := make([]*result, len(cases))
	var args []any
	first := make([]int, len(cases)) // index of each case's first input in args
	for i, c := range cases {
		results[i] = &result{gradNames: sortedKeys(c.Grads)}
		first[i] = len(args)
		for _, n := range sortedKeys(c.Inputs) {
			tt, err := tensorAs(c.Inputs[n], dtype)
			if err != nil {
				return nil, fmt.Errorf("%s: input %s: %w", c.Name, n, err)
			}
			args = append(args, tt)
		}
		if c.Upstream != nil {
			tt, err := tensorAs(c.Upstream, dtype)
			if err != nil {
				return nil, fmt.Errorf("%s: upstream: %w", c.Name, err)
			}
			args = append(args, tt)
		}
	}
	numOutputs := make([]int, len(cases))
	exec, err := NewExec(b, func(nodes []*Node) []*Node {
		var outs []*Node
		for i, c := range cases {
			res := results[i]
			func() {
				defer func() {
					if r := recover(); r != nil {
						res.err = fmt.Errorf("%v", r)
					}
				}()
				in := map[string]*Node{}
				for j, n := range sortedKeys(c.Inputs) {
					in[n] = nodes[first[i]+j]
				}
				o := goldens.NewOptions(c.Options)
				loss, err := buildGolden(c, in, o)
				if err == nil {
					err = o.Err()
				}
				if err != nil {
					res.err = err
					return
				}
				total := loss
				if c.Upstream != nil {
					total = ReduceAllSum(Mul(loss, nodes[first[i]+len(c.Inputs)]))
				}
				wrt := make([]*Node, len(res.gradNames))
				for j, n := range res.gradNames {
					wrt[j] = in[n]
				}
				caseOuts := []*Node{loss}
				if len(wrt) > 0 {
					caseOuts = append(caseOuts, Gradient(total, wrt...)...)
				}
				outs = append(outs, caseOuts...)
				numOutputs[i] = len(caseOuts)
			}()
		}
		return outs
	})
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	outs, err := exec.Exec(args...)
	if err != nil {
		return nil, err
	}
	for i, res := range results {
		if numOutputs[i] == 0 {
			continue
		}
		res.loss, res.grads = outs[0], outs[1:numOutputs[i]]
		outs = outs[numOutputs[i]:]
	}
	return results, nil
}

// tensorFloats returns a float tensor's values as float64, and panics on any other.
func tensorFloats(t *tensors.Tensor) []float64 {
	f, err := floats.FromTensor(t)
	if err != nil {
		panic(err)
	}
	return f
}

// errStats measures how far got is from want: need is the smallest rtol for which the
// tolerance holds; elemRel the worst elementwise relative error over the entries that matter,
// those with |want| ≥ 1e-3·scale.
type errStats struct {
	need, elemRel float64
	where         string
}

func (s *errStats) merge(o errStats) {
	if o.elemRel > s.elemRel {
		s.elemRel, s.where = o.elemRel, o.where
	}
	s.need = math.Max(s.need, o.need)
}

// compare checks got against want, flattened, of shape wantShape, with tolerance rtol and
// returns the error statistics.
func compare(t *testing.T, what string, got *tensors.Tensor, wantShape []int, w []float64, rtol float64) errStats {
	t.Helper()
	var st errStats
	if !slices.Equal(got.Shape().Dimensions, wantShape) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape().Dimensions, wantShape)
		return st
	}
	g := tensorFloats(got)
	scale := 0.0
	for _, v := range w {
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			scale = math.Max(scale, math.Abs(v))
		}
	}
	bad := 0
	for i := range w {
		gi, wi := g[i], w[i]
		switch {
		case math.IsNaN(wi) || math.IsNaN(gi):
			if math.IsNaN(wi) != math.IsNaN(gi) {
				t.Errorf("%s[%d] = %g, want %g", what, i, gi, wi)
			}
			continue
		case math.IsInf(wi, 0) || math.IsInf(gi, 0):
			if gi != wi {
				t.Errorf("%s[%d] = %g, want %g", what, i, gi, wi)
			}
			continue
		}
		diff := math.Abs(gi - wi)
		if wi != 0 && math.Abs(wi) >= 1e-3*scale {
			if r := diff / math.Abs(wi); r > st.elemRel {
				st.elemRel, st.where = r, fmt.Sprintf("%s[%d] = %.9g, want %.9g", what, i, gi, wi)
			}
		}
		if diff > 0 {
			st.need = math.Max(st.need, diff/(math.Abs(wi)+scale))
		}
		if diff > rtol*math.Abs(wi)+rtol*scale {
			bad++
			if bad <= 3 {
				t.Errorf("%s[%d] = %.9g, want %.9g (diff %.3g, tolerance %.3g)", what, i, gi, wi, diff,
					rtol*math.Abs(wi)+rtol*scale)
			}
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d of %d values out of tolerance", what, bad, len(w))
	}
	return st
}

// goldenBackends are the backends the goldens run on: the default one (what notebooks use),
// and pure Go too when the default is XLA: pure Go is godl's fallback, and it runs float64.
func goldenBackends(t *testing.T) map[string]backends.Backend {
	t.Helper()
	all := map[string]backends.Backend{}
	b := testbackend.Get(t)
	all[backend.Current().Name] = b
	if backend.Current().Name != "go" {
		goBackend, err := backend.Load(backend.Choice{Config: "go", Name: "go"})
		if err != nil {
			t.Fatalf("pure Go backend: %v", err)
		}
		all["go"] = goBackend
	}
	return all
}

// TestGoldens runs every PyTorch golden case on each backend — in float32, and in float64 on
// pure Go — and compares the loss and its gradients with torch's.
func TestGoldens(t *testing.T) {
	cases, err := goldenCases()
	if err != nil {
		t.Fatalf("reading goldens: %v", err)
	}
	if len(cases) < 21*5 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	t.Logf("%d golden cases, torch %s", len(cases), cases[0].TorchVersion)
	seen := map[string]int{}
	for _, c := range cases {
		seen[c.Loss]++
	}
	if len(seen) != 21 {
		t.Errorf("goldens cover %d losses, want torch.nn.functional's 21: %v", len(seen), seen)
	}
	for name, b := range goldenBackends(t) {
		runs := []struct {
			dtype dtypes.DType
			rtol  float64
		}{{dtypes.Float32, rtolFloat32}, {dtypes.Float64, rtolFloat64}}
		if name != "go" {
			// XLA compiles the goldens' graph in about 20 s of CPU per dtype; float64, which checks
			// the formulas rather than the backend, runs on pure Go, where it takes a second.
			runs = runs[:1]
		}
		for _, dt := range runs {
			var worst errStats
			t.Run(name+"/"+dt.dtype.String(), func(t *testing.T) {
				results, err := runGoldens(b, cases, dt.dtype)
				if err != nil {
					t.Fatalf("running the goldens: %v", err)
				}
				for i, c := range cases {
					res := results[i]
					t.Run(c.Name, func(t *testing.T) {
						if res.err != nil {
							t.Fatalf("%v", res.err)
						}
						worst.merge(compare(t, c.Name+": loss", res.loss, c.OutputShape, c.Output, dt.rtol))
						if len(res.grads) != len(c.Grads) {
							t.Fatalf("%d gradients, want %d", len(res.grads), len(c.Grads))
						}
						for j, n := range res.gradNames {
							worst.merge(compare(t, c.Name+": grad["+n+"]", res.grads[j], c.Inputs[n].Shape().Dimensions, c.Grads[n],
								dt.rtol))
						}
					})
				}
			})
			t.Logf("%s %s: rtol %.0e holds; the tightest that would is %.2g; the worst relative error of an "+
				"entry with |want| ≥ 1e-3·max|want| is %.2g (%s)", name, dt.dtype, dt.rtol, worst.need, worst.elemRel, worst.where)
		}
	}
}
