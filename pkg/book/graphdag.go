package book

import (
	"fmt"
	"strings"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive

	"github.com/godl-book/godl/pkg/viz"
)

// GraphDAG draws the nodes of a GoMLX graph that outputs need, as chapter 02's computation
// graph: parameters on top by name, constants by value, every other node by its operation
// (with its shape when it is not a scalar), and outputs at the bottom. Nodes that y needs are
// the forward pass; the others — the nodes Gradient added — are drawn as the backward pass.
func GraphDAG(title string, y *Node, outputs ...*Node) (*viz.DAGDiagram, error) {
	if y == nil || len(outputs) == 0 {
		return nil, fmt.Errorf("book: GraphDAG(%q): want a node y and at least one output", title)
	}
	forward := ancestors(y)
	needed := map[*Node]bool{}
	for _, out := range outputs {
		if out.Graph() != y.Graph() {
			return nil, fmt.Errorf("book: GraphDAG(%q): output %s is not in y's graph", title, out.Type())
		}
		for n := range ancestors(out) {
			needed[n] = true
		}
	}
	isOutput := map[*Node]bool{}
	for _, out := range outputs {
		isOutput[out] = true
	}
	index := map[*Node]int{}
	var nodes []viz.DAGNode
	for _, n := range y.Graph().Nodes() { // in creation order, so inputs come first
		if !needed[n] {
			continue
		}
		d := viz.DAGNode{Label: nodeLabel(n), Role: viz.BackwardOp}
		switch {
		case isOutput[n]:
			d.Role = viz.Output
		case n.Type() == NodeTypeParameter:
			d.Role = viz.Input
		case forward[n]:
			d.Role = viz.ForwardOp
		}
		for _, in := range n.Inputs() {
			d.Inputs = append(d.Inputs, index[in])
		}
		index[n] = len(nodes)
		nodes = append(nodes, d)
	}
	return viz.DAG(title, nodes...), nil
}

// ancestors returns n and every node it reads, directly or not.
func ancestors(n *Node) map[*Node]bool {
	seen := map[*Node]bool{}
	stack := []*Node{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[m] {
			continue
		}
		seen[m] = true
		stack = append(stack, m.Inputs()...)
	}
	return seen
}

// nodeLabel names a node as the figure shows it: "x", "3", "Mul", "ReduceSum [3]".
func nodeLabel(n *Node) string {
	switch n.Type() {
	case NodeTypeParameter:
		return n.GetParameterName()
	case NodeTypeConstant:
		if n.Shape().IsScalar() {
			return strings.TrimSpace(fmt.Sprint(n.ConstantValue().Value()))
		}
	}
	label := strings.TrimPrefix(n.Type().String(), "NodeType")
	if !n.Shape().IsScalar() {
		label += fmt.Sprintf(" %v", n.Shape().Dimensions)
	}
	return label
}
