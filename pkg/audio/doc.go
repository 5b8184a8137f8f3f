// Package audio turns sound into the arrays a network reads: chapter 12 (preprocessing) reads
// WAV files, makes test signals and speech, resamples, and computes spectrograms, mel
// spectrograms and MFCCs with librosa's conventions, so that numbers match a Python pipeline.
//
// Reading and writing: [ReadWAV] and [DecodeWAV] read RIFF/WAVE files with PCM samples of 8
// (unsigned), 16, 24 or 32 bits, IEEE float of 32 or 64 bits, in plain or
// WAVE_FORMAT_EXTENSIBLE headers, into a [Clip] of float32 samples; integers are scaled by
// 2^(bits−1) as libsndfile (soundfile) does, so 16-bit −32768 reads as −1. [WriteWAV] writes
// 8-, 16- or 24-bit PCM, or 32-bit float.
//
// Signals: [Tone], [Chirp] and [Mix] make test signals; [Speak] runs Debian's espeak-ng to say a
// text into a WAV file.
//
// Resampling: [Resample] is a polyphase windowed-sinc filter (Kaiser window, β = 5, 10 zero
// crossings at the lower rate), the same filter and alignment as scipy.signal.resample_poly.
//
// Spectra, in librosa's conventions (librosa 0.10 defaults): [Window] ("hann", "hamming",
// "blackman" periodic as scipy's get_window; "rect"), [Frames], [STFT] (centred frames padded with
// zeros), [PowerSpectrogram], [MagnitudeSpectrogram], [PowerToDB] (librosa.power_to_db),
// [MelFilterbank] (librosa.filters.mel: Slaney mel scale and Slaney area normalisation by
// default, HTK scale as an option), [MelSpectrogram] and [MFCC] (DCT-II, orthonormal, of the
// log-mel spectrogram, as librosa.feature.mfcc). The FFT handles any length: radix 2 for powers
// of two, Bluestein's chirp-z algorithm otherwise.
//
// Layout differs from librosa in one way: spectrograms are [frame][bin] (time first, one row per
// frame, the layout a sequence model reads), where librosa returns [bin][frame]. Functions whose
// input can be invalid (sizes, options) return an error instead of panicking.
package audio
