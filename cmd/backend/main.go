// Command backend prints the backends godl can run on here and the one it picks (chapter 00).
package main

import (
	"fmt"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/janpfeifer/must"
)

func main() {
	for _, c := range backend.Available() {
		fmt.Printf("available: %s\n", c)
	}
	b := must.M1(backend.Default())
	fmt.Printf("picked: %s — %s\n", backend.Current().Name, b.Description())
}
