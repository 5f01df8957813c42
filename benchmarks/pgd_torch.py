#!/usr/bin/python3
"""PGD on the FSDD CNN in PyTorch (Debian's 1.13), the yardstick of bench_robust's P1-P2: the
network of benchmarks/fsdd_cnn_torch.py in evaluation mode, a minibatch of 32 random
spectrograms in [-1, 1], one thread. Times, as bench_robust reports them, per minibatch:
  P1 one forward and backward pass to the inputs (cross-entropy summed over the batch);
  P2 PGD, L-inf, epsilon 0.1, 10 steps of 2.5 epsilon / 10 from a uniform random start, each step
     sign-ascent then projection onto the ball and the box, plus the final forward.
Median of 5 repetitions of at least 1 s each.

    /usr/bin/python3 benchmarks/pgd_torch.py [float64|float32]
"""
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsdd_cnn_torch import fsdd_cnn  # noqa: E402

torch.set_num_threads(1)
dtype = torch.float64 if (sys.argv[1] if len(sys.argv) > 1 else "float64") == "float64" else torch.float32
torch.set_default_dtype(dtype)
torch.manual_seed(1)
net = fsdd_cnn().eval()
x = torch.rand(32, 1, 63, 40) * 2 - 1
y = torch.arange(32) % 10
eps, steps = 0.1, 10


def one_pass():
    a = x.clone().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(net(a), y, reduction="sum")
    torch.autograd.grad(loss, a)


def pgd():
    adv = (x + (torch.rand_like(x) * 2 - 1) * eps).clamp(-1, 1)
    for _ in range(steps):
        adv.requires_grad_(True)
        g, = torch.autograd.grad(torch.nn.functional.cross_entropy(net(adv), y, reduction="sum"), adv)
        adv = adv.detach() + 2.5 * eps / steps * g.sign()
        adv = torch.min(torch.max(adv, x - eps), x + eps).clamp(-1, 1)
    with torch.no_grad():
        net(adv).argmax(1)


def median_ms(f):
    runs = []
    for _ in range(5):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < 1.0:
            f()
            n += 1
        runs.append((time.perf_counter() - start) / n * 1e3)
    return statistics.median(runs)


p1, p2 = median_ms(one_pass), median_ms(pgd)
print(f"pytorch {torch.__version__} {str(dtype)[6:]}, 1 thread: P1 {p1:.2f} ms, P2 {p2:.2f} ms per minibatch of 32 (P2 / P1 {p2 / p1:.2f})")
