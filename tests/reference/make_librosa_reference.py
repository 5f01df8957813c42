#!/usr/bin/python3
"""Writes tests/reference/librosa_reference.csv: real librosa 0.10.2.post1's own outputs, which
test_audio_features reads.

librosa is not packaged in Debian 12. Fetch its source at tag 0.10.2.post1 and put it on the path
(its Debian dependencies: python3-numba python3-lazy-loader python3-soundfile python3-audioread
python3-pooch python3-msgpack python3-joblib python3-decorator python3-typing-extensions
python3-sklearn):
    git clone --branch 0.10.2.post1 https://github.com/librosa/librosa /tmp/librosa
    PYTHONPATH=/tmp/librosa /usr/bin/python3 tests/reference/make_librosa_reference.py [DATA_DIR]

Rows (signal, feature, frame, index, value), frames first as in the C++ frame_matrix. Two
one-frame spectra (22050 Hz, n_fft 2048) on which librosa 0.9's parabolic shift gives another
tuning, written exactly ("power") so that the C++ test feeds its estimate the same numbers, with
"tuning" = librosa.estimate_tuning(S=power) and "chroma" = chroma_stft(S=power, dtype=float64):
  * "impulse": librosa's power spectrogram of a unit impulse at sample 33 of 100 samples. It is
    flat, so its peaks are rounding noise and a = S[k+1] + S[k-1] - 2 S[k] is of the order of
    that noise: the order of the rounding decides the shift (0.9 computed 2 S[k] - S[k+1] - S[k-1]);
  * "plateaus": 2^60 in every bin but every third, which is one unit in the last place lower. At
    each peak (a plateau's first bin) a rounds to 0, and 0.10 does not shift (|b| >= |a|); 0.9's
    curvature is exact there and shifts by half a bin, and -b / a without that clamp (-b with 0.9's
    guard against 0) by -64 bins.
And the four FSDD recordings and the chirp of make_audio_reference.py: estimate_tuning (of the
power spectrogram, as chroma_stft calls it), chroma_stft, mfcc and rms from the float64 samples
with dtype=np.float64, and ("_default") as librosa computes them by default: from float32 samples
(librosa.load's dtype; exact for 16-bit PCM, but the STFT then runs in complex64) with float32
filterbanks and rms squared in float32.
It also prints, per signal, how far librosa's defaults move the MFCCs, and the float32 mel
filterbank alone; test_audio_features prints qhybrid's agreement with every row.
"""
import os
import sys
import types
import warnings

import numpy as np

try:
    import soxr  # noqa: F401
except ImportError:  # not packaged in Debian 12; librosa imports it at load, this script never resamples
    sys.modules["soxr"] = types.ModuleType("soxr")

import librosa  # noqa: E402
import soundfile  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_audio_reference import DATA, FSDD, chirp  # noqa: E402

VERSION = "0.10.2.post1"


def impulse():
    y = np.zeros(100)
    y[33] = 1.0
    return y, 22050


def plateaus():
    """One frame of 1025 bins: 2^60, but every third bin one unit in the last place lower."""
    S = np.ones((1025, 1))
    S[::3] = np.nextafter(1.0, 0.0)
    return S * 2.0 ** 60


def mfcc_errors(got, want):
    """|got - want| over the largest |want| of the same coefficient, and over |want| itself (the
    worst value's coefficient, |want| and that coefficient's largest |want|)."""
    diff = np.abs(got - want)
    scale = np.abs(want).max(axis=1, keepdims=True)
    c, t = np.unravel_index(np.argmax(diff / np.abs(want)), want.shape)
    return (diff / scale).max(), diff[c, t] / abs(want[c, t]), c, abs(want[c, t]), scale[c, 0]


def main():
    if librosa.__version__ != VERSION:
        sys.exit(f"librosa {librosa.__version__} on the path ({librosa.__file__}), need {VERSION}")
    warnings.simplefilter("ignore")  # n_fft larger than the impulse's 100 samples is the point
    out = []

    def emit(signal, feature, matrix):  # librosa's (features, frames) -> frames first
        matrix = np.atleast_2d(np.asarray(matrix, dtype=np.float64)).T
        for t, row in enumerate(matrix):
            for k, v in enumerate(row):
                out.append(f"{signal},{feature},{t},{k},{v!r}")

    y, rate = impulse()
    for name, S in (("impulse", np.abs(librosa.stft(y)) ** 2), ("plateaus", plateaus())):
        emit(name, "power", S)
        emit(name, "tuning", [[librosa.estimate_tuning(S=S, sr=rate)]])
        emit(name, "chroma", librosa.feature.chroma_stft(S=S, sr=rate, dtype=np.float64))

    signals = []
    for name in FSDD:
        y, rate = soundfile.read(os.path.join(DATA, "fsdd", "recordings", name + ".wav"), dtype="float64")
        signals.append((name, y, rate))
    signals.append(("chirp",) + chirp())
    for name, y, rate in signals:
        y32 = y.astype(np.float32)  # librosa.load's samples (exact for 16-bit PCM)
        # chroma_stft's estimate: on the power spectrogram (estimate_tuning(y=...) would use magnitudes)
        emit(name, "tuning", [[librosa.estimate_tuning(S=np.abs(librosa.stft(y)) ** 2, sr=rate)]])
        emit(name, "chroma", librosa.feature.chroma_stft(y=y, sr=rate, dtype=np.float64))
        emit(name, "chroma_default", librosa.feature.chroma_stft(y=y32, sr=rate))
        mfcc = librosa.feature.mfcc(y=y, sr=rate, dtype=np.float64)
        mfcc_default = librosa.feature.mfcc(y=y32, sr=rate)
        emit(name, "mfcc", mfcc)
        emit(name, "mfcc_default", mfcc_default)
        emit(name, "rms", librosa.feature.rms(y=y, dtype=np.float64).T)  # one row, as in audio_reference.csv
        emit(name, "rms_default", librosa.feature.rms(y=y32).T)
        print(f"{name}: librosa's default MFCCs against dtype=float64: %.2g of each coefficient's largest "
              "|value|, %.2g of the value (coefficient %d, |value| %.3g, largest %.3g); from float64 samples "
              "(only the mel filterbank in float32): %.2g, %.2g"
              % (*mfcc_errors(mfcc_default, mfcc), *mfcc_errors(librosa.feature.mfcc(y=y, sr=rate), mfcc)[:2]))

    path = os.path.join(HERE, "librosa_reference.csv")
    with open(path, "w") as f:
        f.write("signal,feature,frame,index,value\n")
        f.write("\n".join(out) + "\n")
    print(f"wrote {len(out)} values from librosa {librosa.__version__} to {path}")


if __name__ == "__main__":
    main()
