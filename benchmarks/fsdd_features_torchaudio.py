#!/usr/bin/python3
"""torchaudio's time for the work of benchmarks/fsdd_features.cpp (log-mel and MFCC of every FSDD
recording, configured as librosa: float64, Slaney mel scale and norm, zero centre padding), one
thread. torchaudio has no chroma, so the DEEP-VOICE set has no counterpart here.

    /usr/bin/python3 benchmarks/fsdd_features_torchaudio.py [DATA_DIR]
"""
import os
import sys
import time

import torch
import torchaudio

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("QHYBRID_DATA", "../shared/data")
folder = os.path.join(data, "fsdd", "recordings")
files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".wav"))

mel = torchaudio.transforms.MelSpectrogram(sample_rate=8000, n_fft=512, hop_length=128, f_min=0.0, f_max=4000.0,
                                           n_mels=40, window_fn=torch.hann_window, power=2.0, center=True,
                                           pad_mode="constant", norm="slaney", mel_scale="slaney")
to_db = torchaudio.transforms.AmplitudeToDB("power", top_db=80.0)
mfcc = torchaudio.transforms.MFCC(sample_rate=8000, n_mfcc=20, dct_type=2, norm="ortho", log_mels=False,
                                  melkwargs=dict(n_fft=2048, hop_length=512, f_min=0.0, f_max=4000.0, n_mels=128,
                                                 window_fn=torch.hann_window, power=2.0, center=True,
                                                 pad_mode="constant", norm="slaney", mel_scale="slaney"))


def timed(name, work):
    audio = 0.0
    checksum = 0.0
    start = time.perf_counter()
    with torch.no_grad():
        for f in files:
            wav, rate = torchaudio.load(f)
            y = wav[0].to(torch.float64)
            audio += y.shape[0] / rate
            checksum += float(work(y))
    s = time.perf_counter() - start
    print(f"torchaudio {name:<10} {len(files)} files, {audio:.1f} s of audio: {s:.3f} s, {audio / s:.0f}x real time "
          f"(checksum {checksum:.6g})")


def log_mel(y):
    y = torch.nn.functional.pad(y[:8000], (0, max(0, 8000 - y.shape[0])))
    return to_db(mel(y))[0, 0]


timed("log-mel", log_mel)
timed("mfcc", lambda y: mfcc(y)[1, 0])
