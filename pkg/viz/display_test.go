package viz

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// gonbPipe is the file that stands in for GoNB's pipe. gonbui opens its pipes once per
// process and keeps them, so TestMain makes them once for every run of every test.
var gonbPipe string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "viz-gonb-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gonbPipe = filepath.Join(dir, "pipe")
	back := filepath.Join(dir, "pipe_back")
	for _, p := range []string{gonbPipe, back} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Setenv(protocol.GONB_PIPE_ENV, gonbPipe)
	os.Setenv(protocol.GONB_PIPE_BACK_ENV, back)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sent decodes every message written to the pipe so far (one gob stream, so from the start).
func sent(t *testing.T) []protocol.DisplayData {
	t.Helper()
	f, err := os.Open(gonbPipe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := gob.NewDecoder(f)
	var msgs []protocol.DisplayData
	for {
		var msg protocol.DisplayData
		err := dec.Decode(&msg)
		if errors.Is(err, io.EOF) {
			return msgs
		}
		if err != nil {
			t.Fatalf("decoding what Display sent: %v", err)
		}
		msgs = append(msgs, msg)
	}
}

// TestDisplayInNotebook stands in for GoNB: gonbui writes to a file instead of a pipe; the
// test displays a figure and a broken one, and decodes what was sent.
func TestDisplayInNotebook(t *testing.T) {
	gonbui.IsNotebook = true
	t.Cleanup(func() { gonbui.IsNotebook = false })
	before := len(sent(t))

	if err := Lines("loss 损失", Series{"train", nil, []float64{3, 2, 1}}).Display(); err != nil {
		t.Fatalf("Display: %v", err)
	}
	if err := Lines("broken").Display(); err == nil {
		t.Errorf("Display of a plot without series succeeded")
	}

	msgs := sent(t)
	if len(msgs) != before+1 {
		t.Fatalf("%d messages sent, want 1: the broken figure sends none", len(msgs)-before)
	}
	msg := msgs[len(msgs)-1]
	svg, ok := msg.Data[protocol.MIMEImageSVG].(string)
	if !ok {
		t.Fatalf("sent %v, want an image/svg+xml string", msg.Data)
	}
	if got := parseSVG(t, svg).texts("title"); !equalStrings(got, []string{"loss 损失"}) {
		t.Errorf("displayed SVG has title %q", got)
	}
	if alt := msg.Data[protocol.MIMETextPlain]; alt != "line plot: loss 损失" {
		t.Errorf("text/plain alternative %q", alt)
	}
}
