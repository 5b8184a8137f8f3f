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
	total, epochs      int              // total is 0 when unknown
	start, first, last time.Time        // first: when step 1 ended
	now                func() time.Time // the clock
	displayID          string           // GoNB display to update in place; "" outside a notebook
	out                io.Writer        // terminal output; nil in a notebook
	heldOut            string           // what the epoch line calls the held-out set
}

// newProgress makes the bar of a run; heldOut names the set evaluated after each epoch.
func newProgress(totalSteps, epochs int, heldOut string) *progress {
	p := &progress{total: totalSteps, epochs: epochs, start: time.Now(), now: time.Now, heldOut: heldOut}
	if gonbui.IsNotebook {
		p.displayID = "godl-progress-" + gonbui.UniqueID()
	} else {
		p.out = os.Stdout
	}
	return p
}

// step redraws the bar, at most 5 times a second.
func (p *progress) step(step int, loss float64) {
	now := p.now()
	if step == 1 {
		p.first = now
	}
	if step != 1 && step != p.total && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	text := p.text(step, loss, now)
	if p.total == 0 {
		p.show(text, "")
		return
	}
	if p.displayID != "" {
		p.show(text, fmt.Sprintf(`<progress value="%d" max="%d" style="width:40%%"></progress> `, step, p.total))
		return
	}
	const width = 30
	done := step * width / p.total
	p.show(text, "["+strings.Repeat("=", done)+strings.Repeat(" ", width-done)+"] ")
}

// text says where training is and how long it has left. The estimate starts after the first
// step, which includes compiling the training graph, and uses the steps since.
func (p *progress) text(step int, loss float64, now time.Time) string {
	text := fmt.Sprintf("step %d", step)
	if p.total > 0 {
		text += fmt.Sprintf("/%d", p.total)
	}
	text += fmt.Sprintf("  loss %.4f  %s elapsed", loss, now.Sub(p.start).Round(time.Second))
	switch {
	case p.total == 0:
		return text
	case step == 1:
		return text + ", estimating the time left"
	}
	perStep := now.Sub(p.first) / time.Duration(step-1)
	return text + fmt.Sprintf(", %s left", (perStep*time.Duration(p.total-step)).Round(time.Second))
}

// show draws the bar (HTML in a notebook) and the text.
func (p *progress) show(text, bar string) {
	if p.displayID != "" {
		gonbui.UpdateHTML(p.displayID, `<div style="font-family:monospace">`+bar+html.EscapeString(text)+`</div>`)
		return
	}
	fmt.Fprintf(p.out, "\r%s%s ", bar, text)
}

// epoch prints the numbers of a finished epoch on a line of its own.
func (p *progress) epoch(e Epoch) {
	if p.out != nil {
		fmt.Fprint(p.out, "\r\033[K")
	}
	heldOut := p.heldOut
	if heldOut == "" {
		heldOut = "test"
	}
	fmt.Printf("epoch %d/%d  train loss %.4f acc %.2f%%  |  %s loss %.4f acc %.2f%%  |  %.0f examples/s\n",
		e.Epoch, p.epochs, e.TrainLoss, 100*e.TrainAccuracy, heldOut, e.TestLoss, 100*e.TestAccuracy,
		e.ExamplesPerSecond())
}
