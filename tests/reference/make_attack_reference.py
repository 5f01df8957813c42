#!/usr/bin/python3
"""Writes tests/reference/attack_reference.csv: FGSM/FGM and PGD without random start on a small
fixed network, re-implemented in PyTorch (Debian's python3-torch) from the papers' definitions,
as the oracle for qhybrid::robust.

    /usr/bin/python3 tests/reference/make_attack_reference.py

The network: Linear(6, 8), tanh, Linear(8, 4), float64. An attack step is x + step * sign(g)
(L-inf) or x + step * g / ||g||_2 (L2), g the gradient of the summed loss; then the projection
onto the epsilon-ball around the clean input (clamping; for L2 scaling the perturbation down to
norm epsilon) and onto the box [0, 1]. Losses: cross-entropy; DLR as Croce & Hein (2020) eq. 5.
Rows: weight,NAME,ROWS,COLS,values (row-major, W as [in, out]); input,values; label,values;
case,NAME,NORM,EPSILON,STEPS,STEP,LOSS,adversarial values (row-major).
"""
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(19)
torch.set_default_dtype(torch.float64)

w1, b1 = torch.randn(6, 8) * 0.9, torch.randn(8) * 0.3
w2, b2 = torch.randn(8, 4) * 1.1, torch.randn(4) * 0.3
x0 = torch.rand(5, 6)
x0[0, 0], x0[1, 3], x0[2, 5] = 0.0, 1.0, 0.01  # at and near the box's faces
labels = torch.tensor([0, 1, 2, 3, 1])


def logits(x):
    return torch.tanh(x @ w1 + b1) @ w2 + b2


def cross_entropy(z, y):
    return torch.nn.functional.cross_entropy(z, y, reduction="sum")


def dlr(z, y):
    zs, order = z.sort(dim=1)
    top_is_label = (order[:, -1] == y).double()
    rows = torch.arange(z.shape[0])
    return (-(z[rows, y] - zs[:, -2] * top_is_label - zs[:, -1] * (1 - top_is_label)) / (zs[:, -1] - zs[:, -3] + 1e-12)).sum()


def attack(norm, eps, steps, step, loss):
    x = x0.clone()
    for _ in range(steps):
        x.requires_grad_(True)
        g, = torch.autograd.grad(loss(logits(x), labels), x)
        x = x.detach()
        if norm == "linf":
            x = x + step * torch.sign(g)
            x = torch.min(torch.max(x, x0 - eps), x0 + eps)
        else:
            length = g.norm(dim=1, keepdim=True)
            x = x + torch.where(length > 0, step * g / length, torch.zeros_like(g))
            d = x - x0
            n = d.norm(dim=1, keepdim=True)
            x = x0 + d * torch.where(n > eps, eps / n, torch.ones_like(n))
        x = x.clamp(0, 1)
    return x


cases = [("fgsm", "linf", 0.05, 1, 0.05, "ce"), ("fgm", "l2", 0.3, 1, 0.3, "ce"),
         ("pgd_linf", "linf", 0.1, 7, 0.03, "ce"), ("pgd_l2", "l2", 0.5, 5, 0.2, "ce"),
         ("pgd_linf_dlr", "linf", 0.1, 7, 0.03, "dlr")]
rows = [("weight", "w1", "6", "8", *map(repr, w1.flatten().tolist())), ("weight", "b1", "1", "8", *map(repr, b1.tolist())),
        ("weight", "w2", "8", "4", *map(repr, w2.flatten().tolist())), ("weight", "b2", "1", "4", *map(repr, b2.tolist()))]
rows += [("input", *map(repr, x0[i].tolist())) for i in range(5)]
rows.append(("label", *map(str, labels.tolist())))
for name, norm, eps, steps, step, loss in cases:
    adv = attack(norm, eps, steps, step, cross_entropy if loss == "ce" else dlr)
    rows.append(("case", name, norm, repr(eps), str(steps), repr(step), loss, *map(repr, adv.flatten().tolist())))

with open(os.path.join(HERE, "attack_reference.csv"), "w") as f:
    f.write(f"# written by make_attack_reference.py with torch {torch.__version__}\n")
    for r in rows:
        f.write(",".join(r) + "\n")
