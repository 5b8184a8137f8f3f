package training

import (
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// progress shows how far training is: a bar updated in place (HTML in a GoNB notebook, a
// carriage-return line on a terminal) and one printed line per finished epoch.
type progress struct {
	total, epochs int
	start, last   time.Time
	displayID     string    // GoNB display to update in place; "" outside a notebook
	out           io.Writer // terminal output; nil in a notebook
}

func newProgress(totalSteps, epochs int) *progress {
	p := &progress{total: totalSteps, epochs: epochs, start: time.Now()}
	if gonbui.IsNotebook {
		p.displayID = "godl-progress-" + gonbui.UniqueID()
	} else {
		p.out = os.Stdout
	}
	return p
}

// step redraws the bar, at most 5 times a second.
func (p *progress) step(step int, loss float64) {
	if step != p.total && time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	frac := float64(step) / float64(p.total)
	elapsed := time.Since(p.start)
	eta := time.Duration(float64(elapsed) * (1/frac - 1)).Round(time.Second)
	text := fmt.Sprintf("step %d/%d  loss %.4f  %s elapsed, %s left", step, p.total, loss, elapsed.Round(time.Second), eta)
	if p.displayID != "" {
		gonbui.UpdateHTML(p.displayID, fmt.Sprintf(
			`<div style="font-family:monospace"><progress value="%d" max="%d" style="width:40%%"></progress> %s</div>`,
			step, p.total, html.EscapeString(text)))
		return
	}
	const width = 30
	done := int(frac * width)
	fmt.Fprintf(p.out, "\r[%s%s] %s ", strings.Repeat("=", done), strings.Repeat(" ", width-done), text)
}

// epoch prints the numbers of a finished epoch on a line of its own.
func (p *progress) epoch(e Epoch) {
	if p.out != nil {
		fmt.Fprint(p.out, "\r\033[K")
	}
	fmt.Printf("epoch %d/%d  train loss %.4f acc %.2f%%  |  test loss %.4f acc %.2f%%  |  %.0f examples/s\n",
		e.Epoch, p.epochs, e.TrainLoss, 100*e.TrainAccuracy, e.TestLoss, 100*e.TestAccuracy, e.ExamplesPerSecond())
}
