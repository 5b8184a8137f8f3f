package audio

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The goldens come from tools/goldens/audio.py (librosa 0.11, scipy 1.17, soundfile 0.14 with
// libsndfile 1.2; versions in the JSON). librosa computes spectra in float32 (complex64 STFT,
// float32 mel basis and products), so spectral values are compared relative to the largest value
// of the case; the errors measured when the tolerances were set are noted beside each.

type golden struct {
	Librosa string               `json:"librosa_version"`
	Signals map[string][]float32 `json:"signals"`
	Windows []struct {
		Kind   string
		N      int
		Values []float32
	}
	MelScale []struct{ Hz, Slaney, HTK float64 } `json:"mel_scale"`
	STFT     []struct {
		Signal     string
		NFFT       int `json:"n_fft"`
		Hop        int
		WinLength  int `json:"win_length"`
		Window     string
		Center     bool
		Real, Imag [][]float64
	}
	Filterbanks []struct {
		Rate    int
		NFFT    int `json:"n_fft"`
		NMels   int `json:"n_mels"`
		FMin    float64
		FMax    float64
		HTK     bool
		Norm    *string
		Weights [][]float64
	}
	Mel []melCase
	DB  []struct {
		MelCase int `json:"mel_case"`
		Ref     string
		Amin    float64
		TopDB   float64 `json:"top_db"`
		Values  [][]float64
	}
	MFCC []struct {
		melCase
		NMFCC int `json:"n_mfcc"`
	}
	Resample []struct {
		Signal string
		N      int
		From   int
		To     int
		Values []float64
	}
	WAV []struct {
		File     string
		Writer   string
		Rate     int
		Channels [][]float64
	}
}

type melCase struct {
	Signal            string
	Rate              int
	NFFT              int `json:"n_fft"`
	Hop               int
	NMels             int `json:"n_mels"`
	FMin, FMax, Power float64
	Center, HTK       bool
	Values            [][]float64
}

func (c melCase) options() MelOptions {
	return MelOptions{NFFT: c.NFFT, Hop: c.Hop, NMels: c.NMels, FMin: c.FMin, FMax: c.FMax,
		Power: c.Power, NoCenter: !c.Center, HTK: c.HTK}
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "audio_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// maxErr returns the largest |got − want| and the largest |want|.
func maxErr[T float32 | float64](got [][]T, want [][]float64, t *testing.T, what string) (float64, float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	var e, scale float64
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s: row %d has %d values, want %d", what, i, len(got[i]), len(want[i]))
		}
		for j, w := range want[i] {
			e = math.Max(e, math.Abs(float64(got[i][j])-w))
			scale = math.Max(scale, math.Abs(w))
		}
	}
	return e, scale
}

func TestGoldenWindows(t *testing.T) {
	for _, c := range loadGolden(t).Windows {
		w, err := Window(c.Kind, c.N)
		if err != nil {
			t.Fatal(err)
		}
		for i := range w {
			if math.Abs(float64(w[i]-c.Values[i])) > 1e-7 {
				t.Errorf("%s(%d)[%d] = %g, librosa %g", c.Kind, c.N, i, w[i], c.Values[i])
			}
		}
	}
}

func TestGoldenMelScale(t *testing.T) {
	for _, c := range loadGolden(t).MelScale {
		for _, htk := range []bool{false, true} {
			want := c.Slaney
			if htk {
				want = c.HTK
			}
			if got := HzToMel(c.Hz, htk); math.Abs(got-want) > 1e-9*math.Max(1, want) {
				t.Errorf("HzToMel(%g, htk=%v) = %.12g, librosa %.12g", c.Hz, htk, got, want)
			}
			if back := MelToHz(want, htk); math.Abs(back-c.Hz) > 1e-9*math.Max(1, c.Hz) {
				t.Errorf("MelToHz(%g, htk=%v) = %.12g, want %g", want, htk, back, c.Hz)
			}
		}
	}
}

// STFT: measured error ≤ 3e-8 of the largest value (librosa's complex64).
func TestGoldenSTFT(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.STFT {
		w, err := Window(c.Window, c.WinLength)
		if err != nil {
			t.Fatal(err)
		}
		s, err := STFT(g.Signals[c.Signal], c.NFFT, c.Hop, w, c.Center)
		if err != nil {
			t.Fatal(err)
		}
		re, im := make([][]float64, len(s)), make([][]float64, len(s))
		for i, row := range s {
			for _, z := range row {
				re[i] = append(re[i], real(z))
				im[i] = append(im[i], imag(z))
			}
		}
		er, scale := maxErr(re, c.Real, t, "real")
		ei, _ := maxErr(im, c.Imag, t, "imag")
		t.Logf("nFFT %d hop %d win %s/%d center %v: %d frames, error %.2g of %.3g", c.NFFT, c.Hop,
			c.Window, c.WinLength, c.Center, len(s), math.Max(er, ei), scale)
		if math.Max(er, ei) > 1e-6*scale {
			t.Errorf("nFFT %d: error %g, scale %g", c.NFFT, math.Max(er, ei), scale)
		}
	}
}

// Filterbanks: measured error ≤ 1.3e-7 of the largest weight (float32 rounding).
func TestGoldenMelFilterbank(t *testing.T) {
	for _, c := range loadGolden(t).Filterbanks {
		fb, err := MelFilterbankOf(c.Rate, MelOptions{NFFT: c.NFFT, NMels: c.NMels, FMin: c.FMin,
			FMax: c.FMax, HTK: c.HTK, NoNorm: c.Norm == nil})
		if err != nil {
			t.Fatal(err)
		}
		e, scale := maxErr(fb, c.Weights, t, "weights")
		t.Logf("rate %d nFFT %d nMels %d htk %v: error %.2g of %.3g", c.Rate, c.NFFT, c.NMels, c.HTK, e, scale)
		if e > 1e-6*scale {
			t.Errorf("rate %d nFFT %d: error %g, scale %g", c.Rate, c.NFFT, e, scale)
		}
	}
}

// Mel spectrograms: measured error ≤ 1.6e-7 of the largest value.
func TestGoldenMelSpectrogram(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Mel {
		m, err := MelSpectrogram(g.Signals[c.Signal], c.Rate, c.options())
		if err != nil {
			t.Fatal(err)
		}
		e, scale := maxErr(m, c.Values, t, "mel")
		t.Logf("nFFT %d power %g: %d frames, error %.2g of %.3g", c.NFFT, c.Power, len(m), e, scale)
		if e > 1e-6*scale {
			t.Errorf("nFFT %d: error %g, scale %g", c.NFFT, e, scale)
		}
	}
}

// power_to_db: measured error ≤ 8e-6 dB.
func TestGoldenPowerToDB(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.DB {
		in := make([][]float32, len(g.Mel[c.MelCase].Values))
		for i, row := range g.Mel[c.MelCase].Values {
			for _, v := range row {
				in[i] = append(in[i], float32(v))
			}
		}
		ref := 1.0
		if c.Ref == "max" {
			ref = MaxPower(in)
		}
		db, err := PowerToDB(in, ref, c.Amin, c.TopDB)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := maxErr(db, c.Values, t, "dB")
		t.Logf("mel case %d ref %s amin %g topDB %g: error %.2g dB", c.MelCase, c.Ref, c.Amin, c.TopDB, e)
		if e > 1e-4 {
			t.Errorf("mel case %d ref %s: error %g dB", c.MelCase, c.Ref, e)
		}
	}
}

// MFCC: measured error ≤ 1.6e-7 of the largest coefficient (3e-5 of 198).
func TestGoldenMFCC(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.MFCC {
		m, err := MFCC(g.Signals[c.Signal], c.Rate, c.NMFCC, c.options())
		if err != nil {
			t.Fatal(err)
		}
		e, scale := maxErr(m, c.Values, t, "mfcc")
		t.Logf("%d MFCCs: %d frames, error %.2g of %.3g", c.NMFCC, len(m), e, scale)
		if e > 1e-6*scale {
			t.Errorf("%d MFCCs: error %g, scale %g", c.NMFCC, e, scale)
		}
	}
}

// Resample: measured error ≤ 4.2e-8 of the largest value against scipy's float64
// resample_poly (the Go output is float32).
func TestGoldenResample(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Resample {
		y, err := Resample(g.Signals[c.Signal][:c.N], c.From, c.To)
		if err != nil {
			t.Fatal(err)
		}
		e, scale := maxErr([][]float32{y}, [][]float64{c.Values}, t, "resample")
		t.Logf("%d→%d Hz: %d→%d samples, error %.2g of %.3g", c.From, c.To, c.N, len(y), e, scale)
		if e > 1e-6*scale {
			t.Errorf("%d→%d: error %g, scale %g", c.From, c.To, e, scale)
		}
	}
}

// WAV files written by soundfile and scipy read to soundfile's samples, exactly (as float32).
func TestGoldenWAV(t *testing.T) {
	for _, c := range loadGolden(t).WAV {
		clip, err := ReadWAV(filepath.Join("testdata", c.File))
		if err != nil {
			t.Errorf("%s (%s): %v", c.File, c.Writer, err)
			continue
		}
		if clip.Rate != c.Rate || len(clip.Channels) != len(c.Channels) {
			t.Errorf("%s: %d Hz, %d channels; want %d Hz, %d", c.File, clip.Rate, len(clip.Channels),
				c.Rate, len(c.Channels))
			continue
		}
		for ch, want := range c.Channels {
			if len(clip.Channels[ch]) != len(want) {
				t.Fatalf("%s: channel %d has %d samples, want %d", c.File, ch, len(clip.Channels[ch]), len(want))
			}
			for i, w := range want {
				if clip.Channels[ch][i] != float32(w) {
					t.Errorf("%s (%s): channel %d sample %d = %g, soundfile %g", c.File, c.Writer, ch, i,
						clip.Channels[ch][i], w)
				}
			}
		}
	}
}
