package audio

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"
)

// The FFT equals the DFT's definition, summed directly, for powers of two (radix 2) and other
// sizes (Bluestein), primes included.
func TestFFTMatchesDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 5, 8, 12, 17, 64, 100, 400, 1009} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		got := fft(x)
		var worst float64
		for k := 0; k < n; k++ {
			var want complex128
			for j, v := range x {
				want += v * cmplx.Rect(1, -2*math.Pi*float64((j*k)%n)/float64(n))
			}
			worst = math.Max(worst, cmplx.Abs(got[k]-want))
		}
		if worst > 1e-9*float64(n) {
			t.Errorf("n=%d: largest error %g", n, worst)
		}
	}
}

// A tone of a bin's frequency peaks in that bin of every frame (away from the padded edges).
func TestToneAtItsBin(t *testing.T) {
	for _, tc := range []struct {
		rate, nFFT, bin int
	}{{16000, 512, 28}, {22050, 1024, 100}, {8000, 200, 11}, {16000, 400, 55}} {
		freq := BinFrequency(tc.bin, tc.nFFT, tc.rate) // 875 Hz, 2153.3 Hz, 440 Hz, 2200 Hz
		w, _ := Window("hann", tc.nFFT)
		s, err := STFT(Tone(freq, tc.rate, 0.25), tc.nFFT, tc.nFFT/4, w, true)
		if err != nil {
			t.Fatal(err)
		}
		p := PowerSpectrogram(s)
		for f := 4; f < len(p)-4; f++ {
			if k := PeakBin(p[f]); k != tc.bin {
				t.Errorf("%g Hz at %d Hz, nFFT %d: frame %d peaks at bin %d, want %d", freq, tc.rate,
					tc.nFFT, f, k, tc.bin)
			}
		}
	}
	if f := BinFrequency(28, 512, 16000); f != 875 {
		t.Errorf("BinFrequency(28, 512, 16000) = %g, want 875", f)
	}
}

func TestUprightAndPeakBin(t *testing.T) {
	s := [][]float32{{1, 2, 3}, {4, 5, 6}} // 2 frames of 3 bins
	want := [][]float32{{3, 6}, {2, 5}, {1, 4}}
	got := Upright(s)
	for k := range want {
		for f := range want[k] {
			if got[k][f] != want[k][f] {
				t.Fatalf("Upright = %v, want %v", got, want)
			}
		}
	}
	for _, tc := range []struct {
		x    []float32
		want int
	}{{nil, -1}, {[]float32{-3}, 0}, {[]float32{1, 7, 7, 2}, 1}, {[]float32{-5, -2, -9}, 1}} {
		if got := PeakBin(tc.x); got != tc.want {
			t.Errorf("PeakBin(%v) = %d, want %d", tc.x, got, tc.want)
		}
	}
}

// A chirp's peak bin climbs from f0 to f1.
func TestChirpRises(t *testing.T) {
	const rate, nFFT = 16000, 512
	w, _ := Window("hann", nFFT)
	s, _ := STFT(Chirp(500, 4000, rate, 1), nFFT, 256, w, false)
	p := PowerSpectrogram(s)
	first := BinFrequency(PeakBin(p[0]), nFFT, rate)
	last := BinFrequency(PeakBin(p[len(p)-1]), nFFT, rate)
	if math.Abs(first-500-3500*0.016) > 40 || math.Abs(last-4000+3500*0.016) > 40 {
		t.Errorf("chirp 500→4000 Hz: first frame peaks at %g Hz, last at %g Hz", first, last)
	}
}

func TestFramesAndMix(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5}
	for _, tc := range []struct {
		length, hop int
		center      bool
		want        [][]float32
	}{
		{2, 2, false, [][]float32{{1, 2}, {3, 4}}},
		{3, 1, false, [][]float32{{1, 2, 3}, {2, 3, 4}, {3, 4, 5}}},
		{4, 2, true, [][]float32{{0, 0, 1, 2}, {1, 2, 3, 4}, {3, 4, 5, 0}}},
		{8, 1, false, [][]float32{}},
	} {
		got, err := Frames(x, tc.length, tc.hop, tc.center)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("Frames(%d, %d, %v): %v, want %v", tc.length, tc.hop, tc.center, got, tc.want)
		}
		for i := range got {
			for j := range got[i] {
				if got[i][j] != tc.want[i][j] {
					t.Errorf("Frames(%d, %d, %v): %v, want %v", tc.length, tc.hop, tc.center, got, tc.want)
				}
			}
		}
	}
	if m := Mix([]float32{1, 2}, []float32{0.5, 0.5, 0.5}); len(m) != 3 || m[0] != 1.5 || m[2] != 0.5 {
		t.Errorf("Mix = %v, want [1.5 2.5 0.5]", m)
	}
	if n := len(Tone(440, 16000, 0.5)); n != 8000 {
		t.Errorf("Tone for 0.5 s at 16 kHz: %d samples, want 8000", n)
	}
	if n := len(Tone(440, 0, 1)); n != 0 {
		t.Errorf("Tone at rate 0: %d samples", n)
	}
}

// A 1 kHz tone keeps its frequency through resampling, and a tone above the new Nyquist
// frequency is removed rather than folded back (aliased) into the band.
func TestResampleKeepsToneAndStopsAliases(t *testing.T) {
	for _, tc := range []struct{ from, to int }{{44100, 16000}, {16000, 22050}, {8000, 16000}, {48000, 44100}} {
		y, err := Resample(Tone(1000, tc.from, 0.5), tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if want := (tc.from/2*tc.to + tc.from - 1) / tc.from; len(y) != want {
			t.Errorf("%d→%d: %d samples, want %d", tc.from, tc.to, len(y), want)
		}
		nFFT := tc.to / 10 // bins 10 Hz apart
		w, _ := Window("hann", nFFT)
		s, _ := STFT(y, nFFT, nFFT, w, false)
		if f := BinFrequency(PeakBin(PowerSpectrogram(s)[1]), nFFT, tc.to); f != 1000 {
			t.Errorf("%d→%d: the 1 kHz tone peaks at %g Hz", tc.from, tc.to, f)
		}
	}
	// 7 kHz at 16 kHz would alias to 1 kHz at 8 kHz; the filter leaves it ≥ 60 dB down.
	y, _ := Resample(Tone(7000, 16000, 0.5), 16000, 8000)
	rms := 0.0
	for _, v := range y[200 : len(y)-200] { // away from the edges, where the filter sees zeros
		rms += float64(v) * float64(v)
	}
	rms = math.Sqrt(rms / float64(len(y)-400))
	db := 20 * math.Log10(rms/math.Sqrt(0.5))
	t.Logf("7 kHz tone resampled 16→8 kHz: %.1f dB", db)
	if db > -60 {
		t.Errorf("7 kHz tone resampled 16→8 kHz keeps %.1f dB; want ≤ −60 dB", db)
	}
}

// Settings that cannot work give an error naming them, not a panic.
func TestSpectrumErrors(t *testing.T) {
	x := Tone(440, 8000, 0.1)
	hann, _ := Window("hann", 64)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"window kind", second(Window("kaiser", 8)), `unknown window "kaiser"`},
		{"window size", second(Window("hann", 0)), "window of 0"},
		{"frames", second(Frames(x, 0, 1, true)), "length 0"},
		{"stft hop", second(STFT(x, 64, 0, hann, true)), "hop 0"},
		{"stft window", second(STFT(x, 32, 8, hann, true)), "window of 64 samples for nFFT 32"},
		{"stft short", second(STFT(x[:10], 64, 8, hann, false)), "shorter than nFFT"},
		{"resample", second(Resample(x, 0, 8000)), "rates must be positive"},
		{"resample ratio", second(Resample(x, 100003, 100019)), "round a rate"},
		{"amin", second(PowerToDB(nil, 1, 0, 80)), "amin 0"},
		{"filterbank", second(MelFilterbank(16000, 512, 40, 9000, 8000)), "want 0 ≤ fmin < fmax"},
		{"mels", second(MelSpectrogram(x, 8000, MelOptions{Window: "x"})), "unknown window"},
		{"mfcc", second(MFCC(x, 8000, 200, MelOptions{NFFT: 256})), "200 MFCCs from 128 mel bands"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// The mel scale of librosa's default is linear to 1 kHz (15 mels) and the filterbank's defaults
// are librosa's: 128 bands over nFFT/2+1 bins up to rate/2.
func TestMelDefaults(t *testing.T) {
	if m := HzToMel(1000, false); m != 15 {
		t.Errorf("HzToMel(1000) = %g, want 15", m)
	}
	fb, err := MelFilterbankOf(22050, MelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 128 || len(fb[0]) != 1025 {
		t.Errorf("default filterbank %d×%d, want 128×1025", len(fb), len(fb[0]))
	}
	m, err := MelSpectrogram(Tone(440, 22050, 1), 22050, MelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 44 || len(m[0]) != 128 { // 1 + 22050/512 frames
		t.Errorf("default mel spectrogram %d×%d, want 44×128", len(m), len(m[0]))
	}
}
