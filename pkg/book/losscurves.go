package book

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive

	"github.com/godl-book/godl/internal/floats"
	"github.com/godl-book/godl/pkg/losses"
)

// Grid returns n points evenly spaced from lo to hi, both included: the inputs at which chapter
// 06 ("06-losses") draws its loss curves. As numpy.linspace, it gives just lo for n = 1 and no
// points for n < 1.
func Grid(lo, hi float64, n int) []float64 {
	if n < 1 {
		return nil
	}
	xs := make([]float64, n)
	for i := 1; i < n; i++ {
		xs[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	xs[0] = lo
	return xs
}

// Each builds the loss l with Reduction(losses.None): one value per element or example, as
// chapter 06 ("06-losses") plots them. It takes any of the losses package's builders:
//
//	Each(losses.MSE(x, ZerosLike(x)))
func Each[L interface {
	Reduction(losses.Reduction) L
	Done() *Node
}](l L) *Node {
	return l.Reduction(losses.None).Done()
}

// Like returns a node shaped like x and filled with v: a constant target for the curves of
// chapter 06 ("06-losses").
func Like(x *Node, v float64) *Node { return AddScalar(ZerosLike(x), v) }

// Label returns Int32 class labels shaped like x, all equal to class (chapter 06, "06-losses").
func Label(x *Node, class int) *Node { return ConvertDType(Like(x, float64(class)), dtypes.Int32) }

// Pair stacks two vectors as the columns of an (N, 2) matrix: the scores of two classes, or N
// points in the plane (chapter 06, "06-losses").
func Pair(a, b *Node) *Node { return Stack([]*Node{a, b}, 1) }

// Softplus64 returns log(1 + eˣ), computed so that it never overflows: max(x, 0) + log(1 + e^−|x|).
// Chapter 06 ("06-losses") writes the logistic losses with it.
func Softplus64(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// Curve evaluates loss — a function of a vector of inputs that returns one value per input, such
// as Each(losses.MSE(x, ZerosLike(x))) — at every x of xs on backend b, in float64, and returns the
// values. Chapter 06 ("06-losses") plots losses with it.
func Curve(b backends.Backend, loss func(x *Node) *Node, xs []float64) ([]float64, error) {
	out, err := ExecOnce(b, loss, xs)
	if err != nil {
		return nil, fmt.Errorf("book: Curve: %w", err)
	}
	got, err := floats.FromTensor(out)
	if err != nil {
		return nil, fmt.Errorf("book: Curve: %w", err)
	}
	if len(got) != len(xs) {
		return nil, fmt.Errorf("book: Curve: %d values for %d inputs (use Reduction(losses.None))",
			len(got), len(xs))
	}
	return got, nil
}

// FormulaCurve is a loss curve of chapter 06 ("06-losses"): the loss as godl computes it on a
// vector of inputs, and the formula written in the text that it must equal.
type FormulaCurve struct {
	Name    string
	Loss    func(x *Node) *Node
	Formula func(x float64) float64
}

// CurveValues are a curve's values at the inputs: Got computed by the loss, Want by its formula,
// and Slope the loss's derivative by autodiff. Chapter 06 ("06-losses") checks that Got and Want
// agree and plots Got beside Slope.
type CurveValues struct {
	Name             string
	Got, Want, Slope []float64
}

// Slope is the derivative of loss (as in Curve) at every x of xs, by autodiff: the gradient of
// the sum of its values, since each value depends on its own input only. Chapter 06
// ("06-losses") plots it beside each loss.
func Slope(b backends.Backend, loss func(x *Node) *Node, xs []float64) ([]float64, error) {
	out, err := ExecOnce(b, func(x *Node) *Node { return Gradient(ReduceAllSum(loss(x)), x)[0] }, xs)
	if err != nil {
		return nil, fmt.Errorf("book: Slope: %w", err)
	}
	return floats.FromTensor(out)
}

// Curves evaluates each curve at xs on b (see Curve), its slope (see Slope) and its formula at
// the same points, for
// chapter 06 ("06-losses") to check one against the other and plot.
func Curves(b backends.Backend, xs []float64, curves ...FormulaCurve) ([]CurveValues, error) {
	out := make([]CurveValues, len(curves))
	for i, c := range curves {
		got, err := Curve(b, c.Loss, xs)
		if err != nil {
			return nil, fmt.Errorf("book: Curves: %q: %w", c.Name, err)
		}
		slope, err := Slope(b, c.Loss, xs)
		if err != nil {
			return nil, fmt.Errorf("book: Curves: %q: %w", c.Name, err)
		}
		want := make([]float64, len(xs))
		for j, x := range xs {
			want[j] = c.Formula(x)
		}
		out[i] = CurveValues{Name: c.Name, Got: got, Want: want, Slope: slope}
	}
	return out, nil
}

// MergeEqual returns the curves with each one whose Got equals the previous one's, within tol at
// every point, merged into it: one line named "A = B". Chapter 06 ("06-losses") draws curves that
// coincide as one line. The input is not modified.
func MergeEqual(curves []CurveValues, tol float64) []CurveValues {
	near := func(a, b float64) bool { return math.Abs(a-b) <= tol }
	var out []CurveValues
	for _, c := range curves {
		if n := len(out); n > 0 && slices.EqualFunc(c.Got, out[n-1].Got, near) {
			out[n-1].Name += " = " + c.Name
			continue
		}
		out = append(out, c)
	}
	return out
}

// GoldenTable maps names of losses.Golden cases to the godl call that must reproduce each, given
// the case's inputs by torch's argument names. Chapter 06 ("06-losses") checks one case per loss this way.
type GoldenTable = map[string]func(in map[string]*Node) *Node

// GoldenRow is one line of a golden comparison: the case, its loss, godl's value and torch's.
type GoldenRow struct {
	Name, Loss string
	Got, Want  float64
}

// GoldenReport is the comparison of golden tables with PyTorch (see CompareGoldens).
type GoldenReport struct{ Rows []GoldenRow }

// CompareGoldens runs every case of each table on b — tables in order, each table's cases by
// name — and returns godl's first output value next to torch's. Chapter 06 ("06-losses") compares
// all 21 losses with PyTorch with it.
func CompareGoldens(b backends.Backend, tables ...GoldenTable) (*GoldenReport, error) {
	r := &GoldenReport{}
	for _, table := range tables {
		names := make([]string, 0, len(table))
		for name := range table {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			c, err := losses.Golden(name)
			if err != nil {
				return nil, fmt.Errorf("book: CompareGoldens: %w", err)
			}
			got, err := c.Run(b, table[name])
			if err != nil {
				return nil, fmt.Errorf("book: CompareGoldens: %w", err)
			}
			if len(got) == 0 || len(c.Output) == 0 {
				return nil, fmt.Errorf("book: CompareGoldens: golden case %s: no output", name)
			}
			r.Rows = append(r.Rows, GoldenRow{Name: c.Name, Loss: c.Loss, Got: got[0], Want: c.Output[0]})
		}
	}
	return r, nil
}

// Got returns godl's values, one per row.
func (r *GoldenReport) Got() []float64 {
	out := make([]float64, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = row.Got
	}
	return out
}

// Want returns torch's values, one per row.
func (r *GoldenReport) Want() []float64 {
	out := make([]float64, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = row.Want
	}
	return out
}

// Losses returns how many different torch.nn.functional losses the rows cover.
func (r *GoldenReport) Losses() int {
	seen := map[string]bool{}
	for _, row := range r.Rows {
		seen[row.Loss] = true
	}
	return len(seen)
}

// String formats the report as a table: case, godl, PyTorch and their relative difference.
func (r *GoldenReport) String() string {
	var sb strings.Builder
	width := len("PyTorch 1.13 golden case")
	for _, row := range r.Rows {
		width = max(width, utf8.RuneCountInString(row.Name))
	}
	fmt.Fprintf(&sb, "%-*s %11s %11s %9s\n", width, "PyTorch 1.13 golden case", "godl", "PyTorch", "rel. diff")
	for _, row := range r.Rows {
		rel := math.Abs(row.Got-row.Want) / math.Abs(row.Want)
		fmt.Fprintf(&sb, "%-*s %11.6f %11.6f %9.1e\n", width, row.Name, row.Got, row.Want, rel)
	}
	return sb.String()
}
