#!/usr/bin/python3
"""Writes tests/reference/audio_reference.csv, the oracle values test_audio_features reads.

Run with Debian's interpreter (python3-torch, python3-torchaudio, python3-numpy):
    /usr/bin/python3 tests/reference/make_audio_reference.py [DATA_DIR]

Two independent oracles, neither of them qhybrid:
  * torchaudio 0.13 configured to librosa's conventions (float64, Slaney mel scale and norm,
    periodic Hann, constant or reflect centre padding) for the STFT power, mel spectrogram,
    MFCC (n_fft 2048, 512, and torchaudio's default 400) and spectral centroid, and
    torchaudio.load for the samples of the WAV files;
  * numpy re-statements of librosa's published definitions (librosa 0.10 source: filters.chroma,
    piptrack, estimate_tuning, pitch_tuning, spectral_bandwidth, spectral_rolloff,
    zero_crossing_rate, rms) for the features torchaudio lacks, on numpy's own FFT.
Signals: four FSDD recordings (8 kHz) and a synthetic chirp at 22.05 kHz whose formula the C++
test repeats.
"""
import math
import os
import sys

import numpy as np
import torch
import torchaudio

torch.set_default_dtype(torch.float64)  # before building any transform: windows, filterbanks, DCT

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
    "QHYBRID_DATA", os.path.join(HERE, "..", "..", "..", "shared", "data"))
FSDD = ["0_jackson_0", "3_lucas_30", "7_theo_12", "9_nicolas_4"]
TINY = np.finfo(np.float64).tiny


def chirp():
    """1 s at 22050 Hz: a linear chirp 100 Hz -> 4 kHz plus a 440 Hz tone and a quiet 7 kHz tone."""
    rate = 22050
    t = np.arange(rate, dtype=np.float64) / rate
    y = (0.5 * np.sin(2 * np.pi * (100.0 * t + 0.5 * (4000.0 - 100.0) * t * t))
         + 0.2 * np.sin(2 * np.pi * 440.0 * t) + 0.05 * np.sin(2 * np.pi * 7000.0 * t))
    return y, rate


# ---- torchaudio, configured as librosa --------------------------------------------------------
def torch_mfcc(y, rate, n_fft, hop, n_mels, pad_mode, mel_scale, norm):
    mfcc = torchaudio.transforms.MFCC(
        sample_rate=rate, n_mfcc=20, dct_type=2, norm="ortho", log_mels=False,
        melkwargs=dict(n_fft=n_fft, win_length=n_fft, hop_length=hop, f_min=0.0, f_max=rate / 2,
                       n_mels=n_mels, window_fn=torch.hann_window, power=2.0, center=True,
                       pad_mode=pad_mode, norm=norm, mel_scale=mel_scale))
    return mfcc(torch.from_numpy(y)).numpy().T  # (frames, 20)


def torch_centroid(y, rate, n_fft=2048, hop=512):
    # torchaudio's centroid pads with reflect; librosa >= 0.9 pads zeros: pad by hand instead.
    padded = torch.from_numpy(np.pad(y, n_fft // 2))
    spec = torchaudio.functional.spectrogram(padded, pad=0, window=torch.hann_window(n_fft), n_fft=n_fft,
                                             hop_length=hop, win_length=n_fft, power=1.0, normalized=False,
                                             center=False)
    freqs = torch.linspace(0, rate / 2, n_fft // 2 + 1)
    return ((freqs[:, None] * spec).sum(0) / spec.sum(0)).numpy()


# ---- numpy, from librosa's definitions ---------------------------------------------------------
def frames_of(y, length, hop, mode):
    padded = np.pad(y, length // 2, mode=mode)
    n = 1 + (len(padded) - length) // hop
    return np.stack([padded[t * hop: t * hop + length] for t in range(n)])  # (frames, length)


def power_spectrogram(y, n_fft=2048, hop=512):
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    return np.abs(np.fft.rfft(frames_of(y, n_fft, hop, "constant") * window, axis=1)) ** 2  # (frames, bins)


def hz_to_octs(f, tuning=0.0, bins_per_octave=12):
    return np.log2(f / (440.0 * 2.0 ** (tuning / bins_per_octave) / 16))


def estimate_tuning(S, rate):
    """librosa.estimate_tuning(S=S): piptrack (fmin 150, fmax 4000, threshold 0.1), then pitch_tuning."""
    S = S.T  # (bins, frames) as librosa holds it
    n_fft = 2 * (S.shape[0] - 1)
    freqs = np.arange(S.shape[0]) * rate / n_fft
    avg = 0.5 * (S[2:] - S[:-2])  # np.gradient inside the array
    # librosa 0.10's parabolic interpolation, a rounded in its order (that order decides flat
    # spectra): -b / a, and 0 where the vertex is a bin or more away (a = 0 among them; the 1
    # only keeps numpy from warning about a division by 0 whose result is discarded)
    a = S[2:] + S[:-2] - 2 * S[1:-1]
    b = (S[2:] - S[:-2]) / 2
    shift = np.where(np.abs(b) >= np.abs(a), 0.0, -b / np.where(a == 0, 1.0, a))
    avg = np.pad(avg, ((1, 1), (0, 0)))
    shift = np.pad(shift, ((1, 1), (0, 0)))
    gated = S * (S > 0.1 * S.max(axis=0, keepdims=True))
    edge = np.pad(gated, ((1, 1), (0, 0)), mode="edge")
    localmax = (gated > edge[:-2]) & (gated >= edge[2:])
    mask = ((150.0 <= freqs) & (freqs < min(4000.0, rate / 2)))[:, None] & localmax
    k, t = np.nonzero(mask)
    pitch = np.zeros_like(S)
    mag = np.zeros_like(S)
    pitch[k, t] = (k + shift[k, t]) * rate / n_fft
    mag[k, t] = (S + 0.5 * avg * shift)[k, t]
    voiced = pitch > 0
    threshold = np.median(mag[voiced]) if voiced.any() else 0.0
    f = pitch[(mag >= threshold) & voiced]
    f = f[f > 0]
    if f.size == 0:
        return 0.0
    residual = np.mod(12 * hz_to_octs(f), 1.0)
    residual[residual >= 0.5] -= 1.0
    counts, edges = np.histogram(residual, np.linspace(-0.5, 0.5, 101))
    return float(edges[np.argmax(counts)])


def chroma_filters(rate, n_fft, tuning):
    frequencies = np.linspace(0, rate, n_fft, endpoint=False)[1:]
    frqbins = 12 * hz_to_octs(frequencies, tuning, 12)
    frqbins = np.concatenate(([frqbins[0] - 18.0], frqbins))
    widths = np.concatenate((np.maximum(frqbins[1:] - frqbins[:-1], 1.0), [1]))
    D = np.subtract.outer(frqbins, np.arange(12.0)).T
    D = np.remainder(D + 6 + 120, 12) - 6
    w = np.exp(-0.5 * (2 * D / widths[None, :]) ** 2)
    length = np.sum(w ** 2, axis=0) ** 0.5
    length[length < TINY] = 1.0
    w = w / length * np.exp(-0.5 * ((frqbins / 12 - 5.0) / 2.0) ** 2)[None, :]
    return np.roll(w, -3, axis=0)[:, : n_fft // 2 + 1]


def chroma_stft(S, rate):
    raw = S @ chroma_filters(rate, 2 * (S.shape[1] - 1), estimate_tuning(S, rate)).T  # (frames, 12)
    peak = np.abs(raw).max(axis=1, keepdims=True)
    peak[peak < TINY] = 1.0
    return raw / peak


def l1_normalised(M):
    norm = M.sum(axis=1, keepdims=True)
    norm[norm < TINY] = 1.0
    return M / norm


def bandwidth(M, rate, centroid):
    freqs = np.arange(M.shape[1]) * rate / (2 * (M.shape[1] - 1))
    return np.sum(l1_normalised(M) * np.abs(freqs[None, :] - centroid[:, None]) ** 2, axis=1) ** 0.5


def rolloff(M, rate):
    freqs = np.arange(M.shape[1]) * rate / (2 * (M.shape[1] - 1))
    total = np.cumsum(M, axis=1)
    below = np.where(total < 0.85 * total[:, -1:], np.nan, 1)
    return np.nanmin(below * freqs[None, :], axis=1)


def zero_crossing_rate(y):
    f = frames_of(y, 2048, 512, "edge").copy()
    f[np.abs(f) <= 1e-10] = 0
    negative = np.signbit(f)
    return np.concatenate((np.zeros((f.shape[0], 1), bool), negative[:, 1:] != negative[:, :-1]), axis=1).mean(axis=1)


def rms(y):
    return np.sqrt(np.mean(np.abs(frames_of(y, 2048, 512, "constant")) ** 2, axis=1))


def centroid_numpy(M, rate):
    freqs = np.arange(M.shape[1]) * rate / (2 * (M.shape[1] - 1))
    return np.sum(freqs[None, :] * l1_normalised(M), axis=1)


def deep_voice(y, rate):
    rows = []
    for first in range(0, len(y), rate):
        w = y[first: first + rate]
        S = power_spectrogram(w)
        M = np.sqrt(S)
        c = centroid_numpy(M, rate)
        mf = torch_mfcc(w, rate, 2048, 512, 128, "constant", "slaney", "slaney")
        rows.append([chroma_stft(S, rate).mean(), rms(w).mean(), c.mean(), bandwidth(M, rate, c).mean(),
                     rolloff(M, rate).mean(), zero_crossing_rate(w).mean(), *mf.mean(axis=0)])
    return np.array(rows)


def main():
    out = []

    def emit(signal, feature, matrix):
        matrix = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
        for t, row in enumerate(matrix):
            for k, v in enumerate(row):
                out.append(f"{signal},{feature},{t},{k},{v!r}")

    signals = []
    for name in FSDD:
        wav, rate = torchaudio.load(os.path.join(DATA, "fsdd", "recordings", name + ".wav"))
        y = wav[0].numpy().astype(np.float64)
        signals.append((name, y, rate))
        emit(name, "samples_head", y[:64][None, :])
        emit(name, "samples_summary", [[len(y), rate, float(np.sum(y)), float(np.sum(y * y))]])
    signals.append(("chirp",) + chirp())

    for name, y, rate in signals:
        emit(name, "mfcc", torch_mfcc(y, rate, 2048, 512, 128, "constant", "slaney", "slaney"))
        if name != "chirp":  # the options path, on the short recordings only (keeps the file small)
            emit(name, "mfcc_reflect_htk_512", torch_mfcc(y, rate, 512, 128, 40, "reflect", "htk", None))
        # torchaudio's default n_fft (400, hop 200), not a power of two: 40 Slaney mels
        emit(name, "mfcc_400", torch_mfcc(y, rate, 400, 200, 40, "constant", "slaney", "slaney"))
        emit(name, "centroid", torch_centroid(y, rate)[None, :])
        S = power_spectrogram(y)
        M = np.sqrt(S)
        emit(name, "tuning", [[estimate_tuning(S, rate)]])
        emit(name, "chroma", chroma_stft(S, rate))
        emit(name, "bandwidth", bandwidth(M, rate, centroid_numpy(M, rate))[None, :])
        emit(name, "rolloff", rolloff(M, rate)[None, :])
        emit(name, "zcr", zero_crossing_rate(y)[None, :])
        emit(name, "rms", rms(y)[None, :])
        emit(name, "deep_voice", deep_voice(y, rate))

    path = os.path.join(HERE, "audio_reference.csv")
    with open(path, "w") as f:
        f.write("signal,feature,frame,index,value\n")
        f.write("\n".join(out) + "\n")
    print(f"wrote {len(out)} values to {path}")


if __name__ == "__main__":
    main()
