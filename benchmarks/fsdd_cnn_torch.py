#!/usr/bin/python3
"""The CNN of examples/fsdd_cnn.cpp (models::fsdd_cnn) in PyTorch, trained the same way on the
same features, for the time per epoch side by side with qhybrid's (one thread each, in float64 or
float32 as `fsdd_cnn --precision` trains).

Features: torchaudio configured as librosa (the configuration tests/reference checks against
qhybrid to 1e-12): 1 s, n_fft 512, hop 128, 40 Slaney mels, power_to_db(top_db 80), standardised
with the training mean and deviation. Network: conv 3x3 16/16/32 + ReLU + 2x2 max-pool, dropout
0.3, dense 64, dense classes; Adam lr 1e-3, batch 32, digit task, official split.

    /usr/bin/python3 benchmarks/fsdd_cnn_torch.py [DATA_DIR] [EPOCHS] [float64|float32]
"""
import os
import sys
import time

import torch
import torchaudio


def fsdd_cnn(classes=10):
    """models::fsdd_cnn in PyTorch."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Dropout(0.3), torch.nn.Linear(32 * 7 * 5, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, classes))


if __name__ == "__main__":
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(1)

    data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("QHYBRID_DATA", "../shared/data")
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    dtype = sys.argv[3] if len(sys.argv) > 3 else "float64"  # the features are computed in float64 either way
    folder = os.path.join(data, "fsdd", "recordings")
    names = sorted(f for f in os.listdir(folder) if f.endswith(".wav"))

    mel = torchaudio.transforms.MelSpectrogram(sample_rate=8000, n_fft=512, hop_length=128, f_min=0.0, f_max=4000.0,
                                               n_mels=40, window_fn=torch.hann_window, power=2.0, center=True,
                                               pad_mode="constant", norm="slaney", mel_scale="slaney")
    to_db = torchaudio.transforms.AmplitudeToDB("power", top_db=80.0)
    x, y, test = [], [], []
    with torch.no_grad():
        for n in names:
            wav, _ = torchaudio.load(os.path.join(folder, n))
            s = wav[0].to(torch.float64)[:8000]
            s = torch.nn.functional.pad(s, (0, 8000 - s.shape[0]))
            x.append(to_db(mel(s)).T[None])  # [1, frames, mels]
            digit, _, index = n[:-4].split("_")
            y.append(int(digit))
            test.append(int(index) < 5)
    x, y, test = torch.stack(x), torch.tensor(y), torch.tensor(test)
    train = ~test
    mean, sd = x[train].mean(), x[train].std(unbiased=False)
    x = (x - mean) / sd
    if dtype == "float32":
        torch.set_default_dtype(torch.float32)
        x = x.float()

    net = fsdd_cnn()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xtr, ytr = x[train], y[train]
    times = []
    for epoch in range(epochs):
        net.train()
        start = time.perf_counter()
        order = torch.randperm(len(ytr))
        for b in range(0, len(order), 32):
            rows = order[b: b + 32]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(xtr[rows]), ytr[rows])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}  loss {loss.item():.4f}  {times[-1]:.2f} s", file=sys.stderr)
    net.eval()
    with torch.no_grad():
        acc = (net(x[test]).argmax(1) == y[test]).double().mean().item()
    print(f"pytorch {torch.__version__} digit task: test accuracy {acc:.4f}, {sum(times) / len(times):.2f} s per epoch "
          f"(mean of {epochs} epochs, one thread, {dtype})")
