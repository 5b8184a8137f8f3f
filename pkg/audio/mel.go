package audio

import (
	"fmt"
	"math"
)

// Slaney's mel scale (Auditory Toolbox, librosa's default): linear below 1 kHz, 3 mels per
// 200 Hz, logarithmic above, with 27 mel steps per factor 6.4.
const (
	slaneyStep   = 200.0 / 3
	slaneyKneeHz = 1000.0
	slaneyKnee   = slaneyKneeHz / slaneyStep // 15 mel
)

var slaneyLogStep = math.Log(6.4) / 27

// HzToMel converts a frequency to mels, as librosa.hz_to_mel: Slaney's scale (linear to 1 kHz,
// logarithmic above), or with htk 2595·log10(1 + f/700).
func HzToMel(f float64, htk bool) float64 {
	if htk {
		return 2595 * math.Log10(1+f/700)
	}
	if f >= slaneyKneeHz {
		return slaneyKnee + math.Log(f/slaneyKneeHz)/slaneyLogStep
	}
	return f / slaneyStep
}

// MelToHz converts mels to a frequency, the inverse of HzToMel (librosa.mel_to_hz).
func MelToHz(m float64, htk bool) float64 {
	if htk {
		return 700 * (math.Pow(10, m/2595) - 1)
	}
	if m >= slaneyKnee {
		return slaneyKneeHz * math.Exp(slaneyLogStep*(m-slaneyKnee))
	}
	return m * slaneyStep
}

// MelOptions are the settings of MelSpectrogram and MFCC; their zero values mean librosa's
// defaults, so MelOptions{} is librosa.feature.melspectrogram's call without keywords.
type MelOptions struct {
	NFFT     int     // FFT size; 0 means 2048
	Hop      int     // hop between frames; 0 means NFFT/4
	Window   string  // window kind (see Window), NFFT long; "" means "hann"
	NoCenter bool    // frames start at sample 0 instead of being centred (librosa center=False)
	Power    float64 // exponent of the magnitude; 0 means 2 (power); 1 is magnitude
	NMels    int     // number of mel bands; 0 means 128
	FMin     float64 // lowest frequency in Hz (default 0)
	FMax     float64 // highest frequency in Hz; 0 means rate/2
	HTK      bool    // HTK's mel scale instead of Slaney's
	NoNorm   bool    // triangles of height 1 instead of Slaney's area normalisation (norm=None)
}

func (o MelOptions) withDefaults(rate int) MelOptions {
	if o.NFFT == 0 {
		o.NFFT = 2048
	}
	if o.Hop == 0 {
		o.Hop = o.NFFT / 4
	}
	if o.Window == "" {
		o.Window = "hann"
	}
	if o.Power == 0 {
		o.Power = 2
	}
	if o.NMels == 0 {
		o.NMels = 128
	}
	if o.FMax == 0 {
		o.FMax = float64(rate) / 2
	}
	return o
}

// MelFilterbank returns nMels triangular filters over the nFFT/2+1 bins of an STFT, as
// librosa.filters.mel with its defaults (Slaney's mel scale, Slaney's normalisation: each
// triangle scaled by 2/(its width in Hz), so all have the same area): row m rises from mel point m
// to m+1 and falls to m+2, the nMels+2 points spaced evenly in mels from fmin to fmax (0 means
// rate/2). Chapter 12 multiplies a power spectrogram by it to get a mel spectrogram.
// MelFilterbankOf also offers HTK's scale and triangles without normalisation.
func MelFilterbank(rate, nFFT, nMels int, fmin, fmax float64) ([][]float32, error) {
	return MelFilterbankOf(rate, MelOptions{NFFT: nFFT, NMels: nMels, FMin: fmin, FMax: fmax})
}

// MelFilterbankOf returns the mel filterbank that MelSpectrogram uses with options o (NFFT, NMels,
// FMin, FMax, HTK, NoNorm; zero values are librosa's defaults), as librosa.filters.mel.
func MelFilterbankOf(rate int, o MelOptions) ([][]float32, error) {
	o = o.withDefaults(rate)
	nFFT, nMels, fmin, fmax := o.NFFT, o.NMels, o.FMin, o.FMax
	if rate <= 0 || nFFT <= 0 || nMels <= 0 {
		return nil, fmt.Errorf("audio: mel filterbank with rate %d, nFFT %d, nMels %d; all must be positive",
			rate, nFFT, nMels)
	}
	if !(fmin >= 0 && fmin < fmax) {
		return nil, fmt.Errorf("audio: mel filterbank from %g Hz to %g Hz; want 0 ≤ fmin < fmax", fmin, fmax)
	}
	lo, hi := HzToMel(fmin, o.HTK), HzToMel(fmax, o.HTK)
	points := make([]float64, nMels+2)
	for i := range points {
		points[i] = MelToHz(lo+(hi-lo)*float64(i)/float64(nMels+1), o.HTK)
	}
	bins := nFFT/2 + 1
	fb := make([][]float32, nMels)
	for m := range fb {
		fb[m] = make([]float32, bins)
		left, centre, right := points[m], points[m+1], points[m+2]
		scale := 1.0
		if !o.NoNorm {
			scale = 2 / (right - left)
		}
		for k := range fb[m] {
			f := BinFrequency(k, nFFT, rate)
			w := math.Min((f-left)/(centre-left), (right-f)/(right-centre))
			if w > 0 {
				fb[m][k] = float32(w * scale)
			}
		}
	}
	return fb, nil
}

// MelSpectrogram returns the mel spectrogram of x, [frame][mel band], as
// librosa.feature.melspectrogram: the STFT's |X|^Power (power 2 by default) times the mel
// filterbank. MelOptions{} gives librosa's defaults.
func MelSpectrogram(x []float32, rate int, o MelOptions) ([][]float32, error) {
	o = o.withDefaults(rate)
	if o.Power < 0 {
		return nil, fmt.Errorf("audio: mel spectrogram with power %g", o.Power)
	}
	fb, err := MelFilterbankOf(rate, o)
	if err != nil {
		return nil, err
	}
	w, err := Window(o.Window, o.NFFT)
	if err != nil {
		return nil, err
	}
	s, err := STFT(x, o.NFFT, o.Hop, w, !o.NoCenter)
	if err != nil {
		return nil, err
	}
	spec := PowerSpectrogram(s)
	exponent := o.Power / 2 // |X|^power = (|X|²)^(power/2)
	out := make([][]float32, len(spec))
	for t, row := range spec {
		out[t] = make([]float32, o.NMels)
		for m, filter := range fb {
			var sum float64
			for k, v := range row {
				if filter[k] != 0 {
					p := float64(v)
					if exponent != 1 {
						p = math.Pow(p, exponent)
					}
					sum += float64(filter[k]) * p
				}
			}
			out[t][m] = float32(sum)
		}
	}
	return out, nil
}

// MFCC returns nMFCC mel-frequency cepstral coefficients per frame, [frame][coefficient], as
// librosa.feature.mfcc with its defaults: the orthonormal DCT-II (scipy's norm="ortho") of each
// frame of the log-mel spectrogram PowerToDB(MelSpectrogram(x, rate, o), 1, 1e-10, 80), keeping
// the first nMFCC coefficients. librosa's default nMFCC is 20.
func MFCC(x []float32, rate int, nMFCC int, o MelOptions) ([][]float32, error) {
	o = o.withDefaults(rate)
	if nMFCC <= 0 || nMFCC > o.NMels {
		return nil, fmt.Errorf("audio: %d MFCCs from %d mel bands; want 1 to %d", nMFCC, o.NMels, o.NMels)
	}
	mel, err := MelSpectrogram(x, rate, o)
	if err != nil {
		return nil, err
	}
	db, err := PowerToDB(mel, 1, 1e-10, 80)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(db))
	for t, row := range db {
		out[t] = dctOrtho(row, nMFCC)
	}
	return out, nil
}

// dctOrtho returns the first k coefficients of the orthonormal DCT-II of x:
// X_j = s_j Σ x_n cos(πj(2n+1)/(2N)), s_0 = √(1/N), s_j = √(2/N).
func dctOrtho(x []float32, k int) []float32 {
	n := len(x)
	out := make([]float32, k)
	for j := range out {
		var sum float64
		for i, v := range x {
			sum += float64(v) * math.Cos(math.Pi*float64(j)*float64(2*i+1)/float64(2*n))
		}
		s := math.Sqrt(2 / float64(n))
		if j == 0 {
			s = math.Sqrt(1 / float64(n))
		}
		out[j] = float32(s * sum)
	}
	return out
}
