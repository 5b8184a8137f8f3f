package audio

import (
	"fmt"
	"math"
	"math/cmplx"
)

// Window returns a window of n samples, periodic as scipy.signal.get_window (fftbins=True) and
// librosa make them for spectra: "hann" 0.5 − 0.5·cos(2πi/n), "hamming" 0.54 − 0.46·cos(2πi/n),
// "blackman" 0.42 − 0.5·cos(2πi/n) + 0.08·cos(4πi/n), and "rect" (also "boxcar") all ones.
// Chapter 12 multiplies each frame by it before the FFT, to soften the frame's edges.
func Window(kind string, n int) ([]float32, error) {
	if n <= 0 {
		return nil, fmt.Errorf("audio: window of %d samples", n)
	}
	w := make([]float32, n)
	for i := range w {
		c := 2 * math.Pi * float64(i) / float64(n)
		var v float64
		switch kind {
		case "hann":
			v = 0.5 - 0.5*math.Cos(c)
		case "hamming":
			v = 0.54 - 0.46*math.Cos(c)
		case "blackman":
			v = 0.42 - 0.5*math.Cos(c) + 0.08*math.Cos(2*c)
		case "rect", "boxcar":
			v = 1
		default:
			return nil, fmt.Errorf("audio: unknown window %q; want hann, hamming, blackman or rect", kind)
		}
		w[i] = float32(v)
	}
	return w, nil
}

// Frames cuts x into frames of length samples, one every hop samples, as librosa.util.frame; with
// center, x is first padded with length/2 zeros on each side, so frame t is centred on sample
// t·hop (librosa.stft's center=True with pad_mode "constant"). The frames are copies; there are
// 1 + (len − length)/hop of them (len after padding), none when x is shorter than a frame.
func Frames(x []float32, length, hop int, center bool) ([][]float32, error) {
	if length <= 0 || hop <= 0 {
		return nil, fmt.Errorf("audio: frames of length %d every %d samples; both must be positive", length, hop)
	}
	pad := 0
	if center {
		pad = length / 2
	}
	total := len(x) + 2*pad
	if total < length {
		return [][]float32{}, nil
	}
	frames := make([][]float32, 1+(total-length)/hop)
	for t := range frames {
		f := make([]float32, length)
		for i := range f {
			if j := t*hop + i - pad; j >= 0 && j < len(x) {
				f[i] = x[j]
			}
		}
		frames[t] = f
	}
	return frames, nil
}

// STFT returns the short-time Fourier transform of x as librosa.stft computes it, laid out
// [frame][bin]: each frame of nFFT samples (see Frames; center pads with zeros, librosa's default
// pad_mode "constant") times the window, then the FFT's first nFFT/2+1 bins. A window shorter
// than nFFT is centred in nFFT zeros, as librosa does for win_length < n_fft. nFFT may be any
// size; powers of two are fastest.
func STFT(x []float32, nFFT, hop int, window []float32, center bool) ([][]complex128, error) {
	if nFFT <= 0 || hop <= 0 {
		return nil, fmt.Errorf("audio: STFT with nFFT %d, hop %d; both must be positive", nFFT, hop)
	}
	if len(window) == 0 || len(window) > nFFT {
		return nil, fmt.Errorf("audio: STFT window of %d samples for nFFT %d; want 1 to nFFT", len(window), nFFT)
	}
	frames, err := Frames(x, nFFT, hop, center)
	if err != nil {
		return nil, err
	}
	if len(frames) == 0 {
		return nil, fmt.Errorf("audio: STFT of %d samples, shorter than nFFT %d (without centring)", len(x), nFFT)
	}
	w := make([]float64, nFFT)
	off := (nFFT - len(window)) / 2
	for i, v := range window {
		w[off+i] = float64(v)
	}
	out := make([][]complex128, len(frames))
	buf := make([]complex128, nFFT)
	for t, f := range frames {
		for i, v := range f {
			buf[i] = complex(float64(v)*w[i], 0)
		}
		out[t] = fft(buf)[:nFFT/2+1]
	}
	return out, nil
}

// PowerSpectrogram returns |S|² of an STFT, element by element, in the same [frame][bin] layout.
func PowerSpectrogram(s [][]complex128) [][]float32 {
	return mapSpectrum(s, func(z complex128) float64 { return real(z)*real(z) + imag(z)*imag(z) })
}

// MagnitudeSpectrogram returns |S| of an STFT, element by element, in the same [frame][bin] layout.
func MagnitudeSpectrogram(s [][]complex128) [][]float32 {
	return mapSpectrum(s, cmplx.Abs)
}

func mapSpectrum(s [][]complex128, f func(complex128) float64) [][]float32 {
	out := make([][]float32, len(s))
	for t, row := range s {
		out[t] = make([]float32, len(row))
		for k, z := range row {
			out[t][k] = float32(f(z))
		}
	}
	return out
}

// BinFrequency returns the frequency in Hz at the centre of an STFT bin: bin·rate/nFFT
// (librosa.fft_frequencies).
func BinFrequency(bin, nFFT, rate int) float64 {
	return float64(bin) * float64(rate) / float64(nFFT)
}

// PowerToDB converts a power spectrogram to decibels as librosa.power_to_db does:
// 10·log10(max(amin, S)) − 10·log10(max(amin, ref)), then, when topDB > 0, raises every value to at
// least the maximum minus topDB. librosa's defaults are ref 1, amin 1e-10, topDB 80; pass
// MaxPower(s) as ref for librosa's ref=np.max (0 dB at the loudest cell). amin must be positive.
func PowerToDB(s [][]float32, ref, amin, topDB float64) ([][]float32, error) {
	if !(amin > 0) {
		return nil, fmt.Errorf("audio: PowerToDB with amin %g; it must be positive", amin)
	}
	offset := 10 * math.Log10(math.Max(amin, math.Abs(ref)))
	out := make([][]float32, len(s))
	peak := math.Inf(-1)
	for t, row := range s {
		out[t] = make([]float32, len(row))
		for k, v := range row {
			db := 10*math.Log10(math.Max(amin, float64(v))) - offset
			out[t][k] = float32(db)
			peak = math.Max(peak, db)
		}
	}
	if topDB > 0 {
		floor := float32(peak - topDB)
		for _, row := range out {
			for k, v := range row {
				row[k] = max(v, floor)
			}
		}
	}
	return out, nil
}

// MaxPower returns the largest value of a spectrogram (0 when it is empty): PowerToDB's ref for
// librosa's ref=np.max.
func MaxPower(s [][]float32) float64 {
	m := 0.0
	for _, row := range s {
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
	}
	return m
}

// Upright turns a [frame][bin] spectrogram into [bin][frame] with the highest bin first, the
// layout of a spectrogram picture: viz.Heatmap draws row 0 at the top, so time runs left to right
// and low frequencies sit at the bottom. Chapter 12 draws spectrograms with it.
func Upright(s [][]float32) [][]float32 {
	if len(s) == 0 {
		return nil
	}
	out := make([][]float32, len(s[0]))
	for k := range out {
		row := make([]float32, len(s))
		for t := range s {
			row[t] = s[t][len(out)-1-k]
		}
		out[k] = row
	}
	return out
}

// PeakBin returns the index of the largest value of a spectrum frame (the first, on ties; −1
// for an empty frame); BinFrequency turns it into Hz.
func PeakBin(frame []float32) int {
	best := -1
	for i, v := range frame {
		if best < 0 || v > frame[best] {
			best = i
		}
	}
	return best
}
