package viz

import (
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// kernel stands in for GoNB's side of its named pipes: it records what the program displays
// and acknowledges gonbui.Sync requests, as GoNB does once everything sent before them is out.
var kernel struct {
	mu   sync.Mutex
	sent []protocol.DisplayData
}

// TestMain makes the two named pipes gonbui talks to GoNB through (gonbui opens them once per
// process and keeps them) and starts the stand-in kernel on them.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "viz-gonb-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	toKernel, fromKernel := filepath.Join(dir, "pipe"), filepath.Join(dir, "pipe_back")
	for _, p := range []string{toKernel, fromKernel} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Setenv(protocol.GONB_PIPE_ENV, toKernel)
	os.Setenv(protocol.GONB_PIPE_BACK_ENV, fromKernel)
	go serveKernel(toKernel, fromKernel)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// serveKernel opens the pipes in the order gonbui opens the other ends, then serves until the
// program ends.
func serveKernel(toKernel, fromKernel string) {
	in, err := os.Open(toKernel)
	if err != nil {
		panic(err)
	}
	out, err := os.OpenFile(fromKernel, os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	dec, enc := gob.NewDecoder(in), gob.NewEncoder(out)
	for {
		var msg protocol.DisplayData
		if err := dec.Decode(&msg); err != nil {
			return
		}
		if req, ok := msg.Data[protocol.MIMECommValue].(protocol.CommValue); ok && req.Address == protocol.GonbuiSyncAddress {
			if err := enc.Encode(&protocol.CommValue{Address: protocol.GonbuiSyncAckAddress, Value: req.Value}); err != nil {
				return
			}
			continue
		}
		kernel.mu.Lock()
		kernel.sent = append(kernel.sent, msg)
		kernel.mu.Unlock()
	}
}

// sent returns what the program displayed so far.
func sent() []protocol.DisplayData {
	kernel.mu.Lock()
	defer kernel.mu.Unlock()
	return append([]protocol.DisplayData(nil), kernel.sent...)
}

// TestDisplayInNotebook displays a figure and a broken one in the stand-in notebook and checks
// what arrived: once Display returns, the figure is out, as SVG, as HTML and as text.
func TestDisplayInNotebook(t *testing.T) {
	gonbui.IsNotebook = true
	t.Cleanup(func() { gonbui.IsNotebook = false })
	before := len(sent())

	if err := Lines("loss 损失", Series{"train", nil, []float64{3, 2, 1}}).Display(); err != nil {
		t.Fatalf("Display: %v", err)
	}
	if err := Lines("broken").Display(); err == nil {
		t.Errorf("Display of a plot without series succeeded")
	}

	msgs := sent()
	if len(msgs) != before+1 {
		t.Fatalf("%d messages arrived, want 1: the figure before Display returned, the broken one never", len(msgs)-before)
	}
	msg := msgs[len(msgs)-1]
	svg, ok := msg.Data[protocol.MIMEImageSVG].(string)
	if !ok {
		t.Fatalf("sent %v, want an image/svg+xml string", msg.Data)
	}
	if got := parseSVG(t, svg).texts("title"); !equalStrings(got, []string{"loss 损失"}) {
		t.Errorf("displayed SVG has title %q", got)
	}
	if html := msg.Data[protocol.MIMETextHTML]; html != svg {
		t.Errorf("text/html alternative is not the SVG inline: %.80q", html)
	}
	if alt := msg.Data[protocol.MIMETextPlain]; alt != "line plot: loss 损失" {
		t.Errorf("text/plain alternative %q", alt)
	}
}

// TestDrainOutputWaitsForTheReader replaces stdout by a pipe whose reader starts late and reads
// slowly, as a busy kernel does, and checks drainOutput returns only once all is read.
func TestDrainOutputWaitsForTheReader(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("unread counts a pipe's unread bytes on Linux only")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	t.Cleanup(func() { os.Stdout = stdout; w.Close(); r.Close() })

	text := strings.Repeat("✓ a line the kernel must send before the figure\n", 100)
	if _, err := io.WriteString(w, text); err != nil {
		t.Fatal(err)
	}
	if n, ok := unread(w); !ok || n != len(text) {
		t.Fatalf("unread = %d, %v; want %d, true", n, ok, len(text))
	}
	var read sync.WaitGroup
	read.Add(1)
	var got int
	go func() {
		defer read.Done()
		time.Sleep(50 * time.Millisecond)
		buf := make([]byte, 256)
		for got < len(text) {
			n, err := r.Read(buf)
			got += n
			if err != nil {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	start := time.Now()
	drainOutput()
	if n, _ := unread(w); n != 0 {
		t.Errorf("drainOutput returned after %v with %d bytes unread", time.Since(start), n)
	}
	read.Wait()
	if got != len(text) {
		t.Errorf("reader got %d bytes, want %d", got, len(text))
	}
	if f, err := os.CreateTemp(t.TempDir(), "out"); err == nil {
		if _, ok := unread(f); ok {
			t.Errorf("unread of a regular file reports a count; only pipes have one")
		}
		f.Close()
	}
}
