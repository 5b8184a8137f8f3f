package audio_test

import (
	"fmt"

	"github.com/godl-book/godl/pkg/audio"
)

// A 1 kHz tone at 16 kHz peaks in the bin of 1000 Hz of a 512-point STFT, and its mel
// spectrogram has librosa's shape: one row per frame, one column per mel band.
func Example() {
	x := audio.Tone(1000, 16000, 0.5)
	win, _ := audio.Window("hann", 512)
	s, _ := audio.STFT(x, 512, 128, win, true)
	p := audio.PowerSpectrogram(s)
	k := audio.PeakBin(p[len(p)/2])
	fmt.Printf("%d frames × %d bins, peak at bin %d = %g Hz\n", len(p), len(p[0]), k,
		audio.BinFrequency(k, 512, 16000))
	mel, _ := audio.MelSpectrogram(x, 16000, audio.MelOptions{NFFT: 512, Hop: 128, NMels: 40})
	fmt.Printf("mel spectrogram: %d frames × %d bands\n", len(mel), len(mel[0]))
	// Output:
	// 63 frames × 257 bins, peak at bin 32 = 1000 Hz
	// mel spectrogram: 63 frames × 40 bands
}
