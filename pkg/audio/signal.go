package audio

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strings"
)

// Tone returns a sine of frequency freq Hz and amplitude 1, sampled at rate Hz for the given
// seconds (rounded to whole samples): sin(2π·freq·n/rate). It is empty when rate or seconds is not
// positive. Chapter 12 finds its frequency again in a spectrogram.
func Tone(freq float64, rate int, seconds float64) []float32 {
	n := samples(rate, seconds)
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Sin(2 * math.Pi * freq * float64(i) / float64(rate)))
	}
	return x
}

// Chirp returns a linear chirp of amplitude 1 whose frequency rises (or falls) from f0 to f1 Hz
// over the given seconds: sin(2π(f0·t + (f1−f0)·t²/(2T))), as scipy.signal.chirp's "linear" method
// with a sine. It is empty when rate or seconds is not positive.
func Chirp(f0, f1 float64, rate int, seconds float64) []float32 {
	n := samples(rate, seconds)
	x := make([]float32, n)
	for i := range x {
		t := float64(i) / float64(rate)
		x[i] = float32(math.Sin(2 * math.Pi * (f0*t + (f1-f0)*t*t/(2*seconds))))
	}
	return x
}

func samples(rate int, seconds float64) int {
	if rate <= 0 || !(seconds > 0) || seconds*float64(rate) > math.MaxInt32 {
		return 0
	}
	return int(math.Round(seconds * float64(rate)))
}

// Mix returns the sample-by-sample sum of the signals, as long as the longest (shorter ones count
// as silence past their end). Scale the inputs first to keep the sum within [−1, 1].
func Mix(signals ...[]float32) []float32 {
	n := 0
	for _, s := range signals {
		n = max(n, len(s))
	}
	out := make([]float32, n)
	for _, s := range signals {
		for i, v := range s {
			out[i] += v
		}
	}
	return out
}

// Speak says text with the espeak-ng speech synthesizer (Debian package espeak-ng) into a WAV file
// at path: 16-bit mono at 22050 Hz. voice is an espeak-ng voice such as "en", "en-us" or "zh"
// (empty for espeak-ng's default). Chapter 12 uses it for speech to turn into spectrograms.
func Speak(text, voice, path string) error {
	bin, err := exec.LookPath("espeak-ng")
	if err != nil {
		return errors.New("audio: espeak-ng not found on PATH; install the Debian package " +
			"(apt-get install espeak-ng, or make apt-packages)")
	}
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("audio: %s: nothing to say (empty text)", path)
	}
	args := []string{"-w", path, "--stdin"}
	if voice != "" {
		args = append([]string{"-v", voice}, args...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("audio: espeak-ng -v %q -w %s: %v: %s", voice, path, err,
			strings.TrimSpace(stderr.String()))
	}
	return nil
}
