package audio

import (
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Speak writes a 22050 Hz mono WAV that lasts a while and is not silent. Skipped only where
// espeak-ng is not installed (make apt-packages installs it).
func TestSpeak(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng not installed")
	}
	path := filepath.Join(t.TempDir(), "hello.wav")
	if err := Speak("hello world", "en", path); err != nil {
		t.Fatal(err)
	}
	c, err := ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	var energy float64
	for _, v := range c.Mono() {
		energy += float64(v) * float64(v)
	}
	rms := math.Sqrt(energy / float64(c.Len()))
	t.Logf("%d Hz, %d channel(s), %v, RMS %.3f", c.Rate, len(c.Channels), c.Duration(), rms)
	if c.Rate != 22050 || len(c.Channels) != 1 || c.Duration() < 200*time.Millisecond || rms < 0.01 {
		t.Errorf("spoken clip: %d Hz, %d channels, %v, RMS %g", c.Rate, len(c.Channels), c.Duration(), rms)
	}
	err = Speak("hello", "xx-nosuchvoice", filepath.Join(t.TempDir(), "x.wav"))
	if err == nil || !strings.Contains(err.Error(), "xx-nosuchvoice") ||
		!strings.Contains(err.Error(), "does not exist") {
		t.Errorf("unknown voice: error %v", err)
	}
	if err := Speak("  ", "en", path); err == nil || !strings.Contains(err.Error(), "empty text") {
		t.Errorf("empty text: error %v", err)
	}
}
