#!/usr/bin/python3
"""Writes tests/reference/resample_reference.csv, the oracle values test_audio_resample reads.

Run with Debian's interpreter (python3-scipy 1.10, python3-numpy):
    /usr/bin/python3 tests/reference/make_resample_reference.py

The oracle is scipy, not qhybrid: for each rate pair, the filter is designed by
scipy.signal.firwin (Kaiser window) from the parameters that docs/audio.md states (pass band to
0.9 of the lower Nyquist frequency, stop band from it, Kaiser's formulas asked for 80 + 3 dB,
an odd length), and a 20 ms test signal (a chirp, two tones and a click; the C++ test repeats its
formula) is resampled by scipy.signal.resample_poly(x, up, down, window=h). Two more cases
exercise the caller's own filters: scipy's default filter (its `window=('kaiser', 5.0)` design)
and an even-length random one. Rows: case, kind, index, value.
"""
import math
import os

import numpy as np
from scipy import signal

HERE = os.path.dirname(os.path.abspath(__file__))
PAIRS = [(8000, 44100), (44100, 8000), (16000, 44100), (22050, 44100), (48000, 44100), (96000, 44100),
         (44100, 48000), (44100, 16000)]
ATTENUATION_DB = 80.0 + 3.0
PASSBAND_EDGE = 0.9


def test_signal(rate):
    """20 ms: a chirp 200 Hz -> 0.45 rate, 440 Hz, a tone at 0.41 rate, and a click at n / 3."""
    n = rate // 50
    t = np.arange(n, dtype=np.float64) / rate
    duration = n / rate
    top = 0.45 * rate
    x = (0.5 * np.sin(2 * np.pi * (200.0 * t + 0.5 * (top - 200.0) / duration * t * t))
         + 0.3 * np.sin(2 * np.pi * 440.0 * t) + 0.1 * np.cos(2 * np.pi * (0.41 * rate) * t))
    x[n // 3] += 0.8
    return x


def design(larger_factor):
    """numtaps, cutoff and beta as kaiserord and kaiser_beta give them, then firwin's taps."""
    width = (1.0 - PASSBAND_EDGE) / larger_factor  # relative to the Nyquist frequency of L * fs_in
    numtaps = int(math.ceil((ATTENUATION_DB - 7.95) / 2.285 / (math.pi * width) + 1))
    numtaps += numtaps % 2 == 0
    cutoff = (1.0 + PASSBAND_EDGE) / 2 / larger_factor
    beta = signal.kaiser_beta(ATTENUATION_DB)
    return numtaps, cutoff, beta, signal.firwin(numtaps, cutoff, window=("kaiser", beta), scale=True)


def main():
    rows = []

    def put(case, kind, values, start=0):
        rows.extend(f"{case},{kind},{start + i},{float(v)!r}" for i, v in enumerate(values))

    for fs_in, fs_out in PAIRS:
        g = math.gcd(fs_in, fs_out)
        up, down = fs_out // g, fs_in // g
        numtaps, cutoff, beta, h = design(max(up, down))
        case = f"{fs_in}-{fs_out}"
        put(case, "numtaps", [numtaps])
        put(case, "cutoff", [cutoff])
        put(case, "beta", [beta])
        centre = (numtaps - 1) // 2
        picks = sorted(set(np.linspace(0, numtaps - 1, 61).round().astype(int)) | {centre - 1, centre, centre + 1})
        rows.extend(f"{case},tap,{k},{float(h[k])!r}" for k in picks)
        k = np.arange(numtaps)
        put(case, "tap_abs_sum", [np.abs(h).sum()])
        put(case, "tap_abs_moment2", [(np.abs(h) * ((k - centre) / numtaps) ** 2).sum()])
        put(case, "out", signal.resample_poly(test_signal(fs_in), up, down, window=h, padtype="constant"))

    # scipy's default filter, the caller's taps in the C++ test (computed there from these parameters).
    up, down = 441, 160
    put("default-16000-44100", "out", signal.resample_poly(test_signal(16000), up, down, padtype="constant"))

    # An even-length random filter for 3 / 2 on 50 samples of noise.
    rng = np.random.default_rng(16)
    h, x = rng.uniform(-1, 1, 12), rng.uniform(-1, 1, 50)
    put("even-3-2", "tap", h)
    put("even-3-2", "in", x)
    put("even-3-2", "out", signal.resample_poly(x, 3, 2, window=h, padtype="constant"))

    with open(os.path.join(HERE, "resample_reference.csv"), "w") as f:
        f.write("case,kind,index,value\n")
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
