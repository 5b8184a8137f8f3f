// Command backend prints the backends godl can run on here and the one it picks (chapter 00).
package main

import (
	"fmt"
	"os"

	"github.com/godl-book/godl/pkg/backend"
)

func main() {
	for _, c := range backend.Available() {
		fmt.Printf("available: %s\n", c)
	}
	b, err := backend.Default()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("picked: %s — %s\n", backend.Current().Name, b.Description())
}
