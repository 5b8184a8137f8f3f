#!/usr/bin/env python3
"""Golden values and WAV fixtures for pkg/audio, made with librosa, scipy and soundfile.

Not torch: run it with a venv outside the repository that has librosa (0.11 when these were
made), scipy, numpy and soundfile:

    python3 -m venv /tmp/venv-goldens
    /tmp/venv-goldens/bin/pip install librosa scipy numpy soundfile
    /tmp/venv-goldens/bin/python tools/goldens/audio.py

It writes pkg/audio/testdata/audio_golden.json and the WAV files pkg/audio/testdata/*.wav, and
records the versions it used in the JSON. The inputs (signals) are in the JSON as float32
values, so the Go tests feed exactly what librosa saw. Spectra are stored [frame][bin], the
layout pkg/audio uses (librosa's is [bin][frame]).
"""

import json
import os

import librosa
import numpy as np
import scipy
import scipy.io.wavfile
import scipy.signal
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "pkg", "audio", "testdata")


def f32list(a):
    """A float32 array (any shape) as nested lists of the float32 values."""
    return np.asarray(a, dtype=np.float32).astype(np.float64).tolist()


def signals():
    """Short deterministic test signals, float32."""
    rng = np.random.default_rng(12)
    t = np.arange(1600) / 16000.0
    speechy = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 1234.5 * t)
    speechy += 0.05 * rng.standard_normal(t.size)
    speechy *= np.hanning(t.size) + 0.1  # an onset and a decay, so frames differ
    noise = 0.3 * rng.standard_normal(441)
    t44 = np.arange(441) / 44100.0
    tone44 = 0.7 * np.sin(2 * np.pi * 1000 * t44) + noise
    return {
        "speechy16k": speechy.astype(np.float32),
        "short300": speechy[:300].astype(np.float32),
        "tone44k": tone44.astype(np.float32),
    }


def windows():
    out = []
    for kind, n in [("hann", 8), ("hann", 7), ("hamming", 8), ("hamming", 9), ("blackman", 10),
                    ("rect", 5), ("hann", 400)]:
        name = "boxcar" if kind == "rect" else kind
        out.append({"kind": kind, "n": n, "values": f32list(librosa.filters.get_window(name, n))})
    return out


def stfts(sig):
    cases = [
        dict(signal="short300", n_fft=64, hop=16, win_length=64, window="hann", center=True),
        dict(signal="short300", n_fft=48, hop=12, win_length=48, window="hamming", center=False),
        dict(signal="short300", n_fft=60, hop=20, win_length=40, window="hann", center=True),
        dict(signal="short300", n_fft=100, hop=33, win_length=100, window="rect", center=True),
    ]
    for c in cases:
        name = "boxcar" if c["window"] == "rect" else c["window"]
        s = librosa.stft(sig[c["signal"]], n_fft=c["n_fft"], hop_length=c["hop"],
                         win_length=c["win_length"], window=name, center=c["center"])
        c["real"] = f32list(s.real.T)
        c["imag"] = f32list(s.imag.T)
    return cases


def mel_scale():
    out = []
    for hz in [0.0, 100.0, 440.0, 999.0, 1000.0, 1001.0, 2000.0, 4000.0, 8000.0, 11025.0]:
        out.append({"hz": hz,
                    "slaney": float(librosa.hz_to_mel(hz, htk=False)),
                    "htk": float(librosa.hz_to_mel(hz, htk=True))})
    return out


def filterbanks():
    cases = [
        dict(rate=16000, n_fft=512, n_mels=40, fmin=0.0, fmax=8000.0, htk=False, norm="slaney"),
        dict(rate=22050, n_fft=256, n_mels=24, fmin=50.0, fmax=7000.0, htk=True, norm="slaney"),
        dict(rate=8000, n_fft=200, n_mels=16, fmin=20.0, fmax=4000.0, htk=False, norm=None),
    ]
    for c in cases:
        w = librosa.filters.mel(sr=c["rate"], n_fft=c["n_fft"], n_mels=c["n_mels"], fmin=c["fmin"],
                                fmax=c["fmax"], htk=c["htk"], norm=c["norm"])
        c["weights"] = f32list(w)
    return cases


MEL_CASES = [
    dict(signal="speechy16k", rate=16000, n_fft=512, hop=160, n_mels=40, fmin=0.0, fmax=8000.0,
         power=2.0, center=True, htk=False),
    dict(signal="speechy16k", rate=16000, n_fft=400, hop=100, n_mels=32, fmin=30.0, fmax=6000.0,
         power=1.0, center=False, htk=True),
]


def mels(sig):
    out = []
    for c in MEL_CASES:
        m = librosa.feature.melspectrogram(
            y=sig[c["signal"]], sr=c["rate"], n_fft=c["n_fft"], hop_length=c["hop"],
            n_mels=c["n_mels"], fmin=c["fmin"], fmax=c["fmax"], power=c["power"],
            center=c["center"], htk=c["htk"])
        out.append(dict(c, values=f32list(m.T)))
    return out


def dbs(mel_cases):
    out = []
    for i, c in enumerate(mel_cases):
        m = np.asarray(c["values"], dtype=np.float32).T
        for ref_name, ref, amin, top_db in [("1", 1.0, 1e-10, 80.0), ("max", np.max, 1e-10, 80.0),
                                           ("1", 1.0, 1e-5, None), ("max", np.max, 1e-10, 40.0)]:
            d = librosa.power_to_db(m, ref=ref, amin=amin, top_db=top_db)
            out.append({"mel_case": i, "ref": ref_name, "amin": amin,
                        "top_db": 0.0 if top_db is None else top_db, "values": f32list(d.T)})
    return out


def mfccs(sig):
    out = []
    for c, n_mfcc in [(MEL_CASES[0], 13), (MEL_CASES[0], 20)]:
        m = librosa.feature.mfcc(
            y=sig[c["signal"]], sr=c["rate"], n_mfcc=n_mfcc, n_fft=c["n_fft"],
            hop_length=c["hop"], n_mels=c["n_mels"], fmin=c["fmin"], fmax=c["fmax"],
            center=c["center"], htk=c["htk"])
        out.append(dict(c, n_mfcc=n_mfcc, values=f32list(m.T)))
    return out


def resamples(sig):
    out = []
    for name, rate_from, rate_to, n in [("tone44k", 44100, 16000, 441), ("speechy16k", 16000, 22050, 400),
                                        ("speechy16k", 8000, 16000, 200), ("tone44k", 48000, 44100, 441),
                                        ("speechy16k", 16000, 8000, 401)]:
        x = sig[name][:n].astype(np.float64)
        g = np.gcd(rate_from, rate_to)
        y = scipy.signal.resample_poly(x, rate_to // g, rate_from // g)
        out.append({"signal": name, "n": n, "from": rate_from, "to": rate_to, "values": y.tolist()})
    return out


def wav_fixtures():
    """Small WAV files written by soundfile (libsndfile) and scipy.io.wavfile; the expected samples
    are soundfile's float64 reading, checked here against scipy's raw integers."""
    rng = np.random.default_rng(5)
    frames = 16
    base = rng.uniform(-1, 1, size=(frames, 2))
    base[0] = [-1.0, 0.0]
    base[1] = [0.999, -0.5]
    cases = []

    def add(fname, writer, rate, channels):
        data, got_rate = sf.read(os.path.join(OUT, fname), dtype="float64", always_2d=True)
        assert got_rate == rate
        assert data.shape[1] == channels
        cases.append({"file": fname, "writer": writer, "rate": rate, "channels": data.T.tolist()})
        return data

    for subtype, fname, ch, fmt in [("PCM_U8", "sf_pcm_u8_mono.wav", 1, "WAV"),
                                    ("PCM_16", "sf_pcm16_stereo.wav", 2, "WAV"),
                                    ("PCM_24", "sf_pcm24_stereo.wav", 2, "WAV"),
                                    ("PCM_32", "sf_pcm32_mono.wav", 1, "WAV"),
                                    ("FLOAT", "sf_float32_stereo.wav", 2, "WAV"),
                                    ("DOUBLE", "sf_float64_mono.wav", 1, "WAV"),
                                    ("PCM_16", "sf_wavex_pcm16_stereo.wav", 2, "WAVEX"),
                                    ("PCM_24", "sf_wavex_pcm24_mono.wav", 1, "WAVEX"),
                                    ("FLOAT", "sf_wavex_float32_stereo.wav", 2, "WAVEX")]:
        rate = 8000 if ch == 1 else 22050
        with sf.SoundFile(os.path.join(OUT, fname), "w", samplerate=rate, channels=ch,
                          subtype=subtype, format=fmt) as f:
            if fname == "sf_pcm16_stereo.wav":
                f.title = "godl"  # a LIST chunk the reader must skip
            f.write(base[:, :ch])
        add(fname, "soundfile " + fmt + " " + subtype, rate, ch)

    for dtype, fname, scale in [(np.uint8, "scipy_u8_stereo.wav", 128),
                                (np.int16, "scipy_int16_mono.wav", 32768),
                                (np.int32, "scipy_int32_stereo.wav", 2**31),
                                (np.float32, "scipy_float32_stereo.wav", None)]:
        ch = 1 if "mono" in fname else 2
        x = base[:, :ch] if ch == 2 else base[:, 0]
        if scale is None:
            arr = x.astype(np.float32)
        elif dtype == np.uint8:
            arr = np.clip(np.round(x * 128) + 128, 0, 255).astype(np.uint8)
        else:
            arr = np.clip(np.round(x * scale), -scale, scale - 1).astype(dtype)
        scipy.io.wavfile.write(os.path.join(OUT, fname), 16000, arr)
        data = add(fname, "scipy.io.wavfile " + np.dtype(dtype).name, 16000, ch)
        _, raw = scipy.io.wavfile.read(os.path.join(OUT, fname))
        raw = raw.reshape(frames, ch).astype(np.float64)
        want = raw if scale is None else ((raw - 128) / 128 if dtype == np.uint8 else raw / scale)
        assert np.allclose(data, want, rtol=0, atol=1e-12), fname
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    sig = signals()
    mel_cases = mels(sig)
    golden = {
        "script": "tools/goldens/audio.py",
        "librosa_version": librosa.__version__,
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "soundfile_version": sf.__version__,
        "libsndfile_version": sf.__libsndfile_version__,
        "signals": {k: f32list(v) for k, v in sig.items()},
        "windows": windows(),
        "mel_scale": mel_scale(),
        "stft": stfts(sig),
        "filterbanks": filterbanks(),
        "mel": mel_cases,
        "db": dbs(mel_cases),
        "mfcc": mfccs(sig),
        "resample": resamples(sig),
        "wav": wav_fixtures(),
    }
    path = os.path.join(OUT, "audio_golden.json")
    with open(path, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
