package viz

import (
	"fmt"
	"os"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// show sends a figure to the notebook as one output, in program order with the cell's printed
// text. GoNB forwards what a cell prints through its stdout and stderr pipes, and displayed data
// through a named pipe of its own, each read by its own goroutine in the kernel, so a figure
// can overtake the text printed before it, and text printed after it can overtake the figure.
// show waits until the kernel has read all that was printed (drainOutput), sends the figure,
// and waits for GoNB to acknowledge it (gonbui.Sync), which it does once the figure is out.
//
// The figure goes as image/svg+xml, which saved notebooks and the book's site keep as an image,
// and as text/html holding the same SVG inline, which JupyterLab prefers: it shows SVG images at
// their natural width, while inline SVG shrinks to the output area (the SVG's own style).
func show(svg, alt string) error {
	drainOutput()
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMEImageSVG:  svg,
		protocol.MIMETextHTML:  svg,
		protocol.MIMETextPlain: alt,
	}})
	if err := gonbui.Error(); err != nil {
		return fmt.Errorf("viz: displaying %s: %w", alt, err)
	}
	gonbui.Sync()
	if err := gonbui.Error(); err != nil {
		return fmt.Errorf("viz: displaying %s: %w", alt, err)
	}
	return nil
}

// drainTimeout bounds how long drainOutput waits for a reader that does not read.
const drainTimeout = 2 * time.Second

// drainOutput waits until whoever reads this program's stdout and stderr pipes (GoNB's kernel)
// has read everything written to them, then a moment longer for the kernel to send on what it
// read. Go's os.Stdout has no buffer of its own, so the pipe holds all that is pending.
func drainOutput() {
	deadline := time.Now().Add(drainTimeout)
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		for time.Now().Before(deadline) {
			n, ok := unread(f)
			if !ok || n == 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	time.Sleep(2 * time.Millisecond)
}
