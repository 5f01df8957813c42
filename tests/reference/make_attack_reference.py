#!/usr/bin/python3
"""Writes tests/reference/attack_reference.csv: FGSM/FGM, PGD, APGD (Croce & Hein 2020,
Algorithm 1, as robust/apgd.hpp states it), MI-FGSM (Dong et al. 2018), DeepFool
(Moosavi-Dezfooli et al. 2016, as robust/deepfool.hpp states it) and Carlini-Wagner L2 (2017, as
robust/carlini_wagner.hpp states it: Kingma & Ba's Adam, per-sample early abort), without random starts, on a small fixed network,
re-implemented in PyTorch (Debian's python3-torch) from the papers' definitions, as the oracle
for qhybrid::robust.

    /usr/bin/python3 tests/reference/make_attack_reference.py

The network: Linear(6, 8), tanh, Linear(8, 4), float64. An attack step is x + step * sign(g)
(L-inf) or x + step * g / ||g||_2 (L2), g the gradient of the summed loss; then the projection
onto the epsilon-ball around the clean input (clamping; for L2 scaling the perturbation down to
norm epsilon) and onto the box [0, 1]. Losses: cross-entropy; DLR as Croce & Hein (2020) eq. 5,
and targeted (eq. 6; targets: label + 1 mod 4). Rows: weight,NAME,ROWS,COLS,values (row-major, W as
[in, out]); input,values; label,values; case,NAME,NORM,EPSILON,STEPS,STEP,LOSS,adversarial values
(row-major; STEP 0 for APGD, whose step adapts; LOSS ce, dlr or dlr_t).
"""
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(19)
torch.set_default_dtype(torch.float64)

w1, b1 = torch.randn(6, 8) * 0.9, torch.randn(8) * 0.3
w2, b2 = torch.randn(8, 4) * 1.1, torch.randn(4) * 0.3
x0 = torch.rand(5, 6)
x0[0, 0], x0[1, 3], x0[2, 5] = 0.0, 1.0, 0.01  # at and near the box's faces


def logits(x):
    return torch.tanh(x @ w1 + b1) @ w2 + b2


labels = logits(x0).argmax(1)  # the attacks start from correctly classified inputs
targets = (labels + 1) % 4


def cross_entropy(z, y):
    return torch.nn.functional.cross_entropy(z, y, reduction="sum")


def dlr(z, y):
    zs, order = z.sort(dim=1)
    top_is_label = (order[:, -1] == y).double()
    rows = torch.arange(z.shape[0])
    return (-(z[rows, y] - zs[:, -2] * top_is_label - zs[:, -1] * (1 - top_is_label)) / (zs[:, -1] - zs[:, -3] + 1e-12)).sum()


def per_sample_ce(z, y, _=None):
    return torch.nn.functional.cross_entropy(z, y, reduction="none")


def per_sample_dlr(z, y, _=None):
    zs, order = z.sort(dim=1)
    top_is_label = (order[:, -1] == y).double()
    rows = torch.arange(z.shape[0])
    return -(z[rows, y] - zs[:, -2] * top_is_label - zs[:, -1] * (1 - top_is_label)) / (zs[:, -1] - zs[:, -3] + 1e-12)


def per_sample_dlr_targeted(z, y, t):
    zs, _ = z.sort(dim=1)
    rows = torch.arange(z.shape[0])
    return -(z[rows, y] - z[rows, t]) / (zs[:, -1] - (zs[:, -3] + zs[:, -4]) / 2 + 1e-12)


def ascend(x, g, step, norm):
    if norm == "linf":
        return x + step * torch.sign(g)
    length = g.norm(dim=1, keepdim=True)
    return x + torch.where(length > 0, step * g / length, torch.zeros_like(g))


def project(x, eps, norm):
    if norm == "linf":
        x = torch.min(torch.max(x, x0 - eps), x0 + eps)
    else:
        d = x - x0
        n = d.norm(dim=1, keepdim=True)
        x = x0 + d * torch.where(n > eps, eps / n, torch.ones_like(n))
    return x.clamp(0, 1)


def checkpoints(steps):
    w, before, p = [], 0.0, 0.22
    while p <= 1:
        w.append(math.ceil(p * steps - 1e-9))
        before, p = p, p + max(p - before - 0.03, 0.06)
    return w


def apgd(norm, eps, steps, loss, tgt=None, rho=0.75, alpha=0.75):
    def f(x):
        x = x.clone().requires_grad_(True)
        z = logits(x)
        per = loss(z, labels, tgt)
        g, = torch.autograd.grad(per.sum(), x)
        pred = z.argmax(1)
        return per.detach(), g, (pred != labels) if tgt is None else (pred == tgt)

    x = x0.clone()
    loss_now, g, fooled = f(x)
    out, out_loss, out_fooled = x.clone(), loss_now.clone(), fooled.clone()
    best_grad, before, last, best_at_check = g.clone(), x.clone(), loss_now.clone(), loss_now.clone()
    eta = torch.full((x.shape[0], 1), 2 * eps)
    rises = torch.zeros(x.shape[0])
    halved = torch.zeros(x.shape[0], dtype=torch.bool)
    w, next_check, last_check = checkpoints(steps), 0, 0
    for k in range(steps):
        z = project(ascend(x, g, eta, norm), eps, norm)
        if k > 0:
            z = project(x + alpha * (z - x) + (1 - alpha) * (x - before), eps, norm)
        before, x = x, z
        loss_now, g_new, fooled = f(x)
        rises += (loss_now > last).double()
        last = loss_now.clone()
        better = loss_now > out_loss
        update = ~out_fooled & (fooled | better)
        out[update], out_loss[update], out_fooled[update] = x[update], loss_now[update], fooled[update]
        best_grad[better] = g_new[better]
        g = g_new
        if next_check < len(w) and k + 1 == w[next_check]:
            window = w[next_check] - last_check
            halved = (rises < rho * window) | (~halved & (out_loss <= best_at_check))
            best_at_check, rises = out_loss.clone(), torch.zeros_like(rises)
            back = halved & ~out_fooled
            eta[back] /= 2
            x, g = x.clone(), g.clone()
            x[back], g[back], last[back] = out[back], best_grad[back], out_loss[back]
            last_check, next_check = w[next_check], next_check + 1
    return out


def mi_fgsm(norm, eps, steps, mu=1.0):
    x, g = x0.clone(), torch.zeros_like(x0)
    for _ in range(steps):
        x.requires_grad_(True)
        grad, = torch.autograd.grad(cross_entropy(logits(x), labels), x)
        x = x.detach()
        l1 = grad.abs().sum(dim=1, keepdim=True)
        g = mu * g + torch.where(l1 > 0, grad / l1, torch.zeros_like(grad))
        x = project(ascend(x, g, eps / steps, norm), eps, norm)
    return x


def deepfool(norm, max_iter=50, overshoot=0.02, candidates=10):
    out = x0.clone()
    for b in range(x0.shape[0]):
        x, y = x0[b:b + 1].clone(), int(labels[b])
        order = [k for k in torch.sort(logits(x)[0], descending=True, stable=True)[1].tolist() if k != y][:candidates]
        total, adv = torch.zeros_like(x), x.clone()
        for it in range(max_iter + 1):
            if int(logits(adv)[0].argmax()) != y or it == max_iter:
                break
            best, step = math.inf, None
            for k in order:
                a = adv.clone().requires_grad_(True)
                z = logits(a)[0]
                w, = torch.autograd.grad(z[k] - z[y], a)
                f = float(z[k] - z[y])
                dual = float(w.norm()) if norm == "l2" else float(w.abs().sum())
                if dual == 0 or abs(f) / dual >= best:
                    continue
                best = abs(f) / dual
                step = (best + 1e-4) * (w / w.norm() if norm == "l2" else torch.sign(w))
            total = total + step
            adv = (x + (1 + overshoot) * total).clamp(0, 1)
        out[b] = adv[0]
    return out


def carlini_wagner(search_steps, iterations, lr=0.01, c0=1e-3, kappa=0.0, tgt=None):
    n, half = x0.shape[0], 0.5
    c, lower, upper = [c0] * n, [0.0] * n, [1e10] * n
    best_l2, out = [math.inf] * n, x0.clone()
    w0 = torch.atanh((x0 / half - 1) * 0.999999)
    check_every = max(1, iterations // 10)
    for _ in range(search_steps):
        w, m, v = w0.clone(), torch.zeros_like(x0), torch.zeros_like(x0)
        found, running, previous = [False] * n, [True] * n, [math.inf] * n
        for it in range(iterations):
            if not any(running):
                break
            adv = (half * (torch.tanh(w) + 1)).requires_grad_(True)
            z = logits(adv)
            cot = torch.zeros_like(z)
            loss = [0.0] * n
            for b in range(n):
                if not running[b]:
                    continue
                wanted = int(labels[b]) if tgt is None else int(tgt[b])
                others = [k for k in range(z.shape[1]) if k != wanted]
                other = max(others, key=lambda k: (float(z[b, k]), -k))
                f = float(z[b, wanted] - z[b, other]) if tgt is None else float(z[b, other] - z[b, wanted])
                l2 = float(((adv[b] - x0[b]) ** 2).sum())
                loss[b] = l2 + c[b] * max(f, -kappa)
                if f < -kappa:
                    found[b] = True
                    if l2 < best_l2[b]:
                        best_l2[b] = l2
                        out[b] = adv[b].detach()
                if f > -kappa:
                    cot[b, wanted] += c[b] if tgt is None else -c[b]
                    cot[b, other] += -c[b] if tgt is None else c[b]
            dz, = torch.autograd.grad((z * cot).sum(), adv)
            adv = adv.detach()
            s1, s2 = 1 - 0.9 ** (it + 1), 1 - 0.999 ** (it + 1)
            for b in range(n):
                if not running[b]:
                    continue
                th = torch.tanh(w[b])
                g = (2 * (adv[b] - x0[b]) + dz[b]) * half * (1 - th * th)
                m[b] = 0.9 * m[b] + 0.1 * g
                v[b] = 0.999 * v[b] + 0.001 * g * g
                w[b] = w[b] - lr * (m[b] / s1) / (torch.sqrt(v[b] / s2) + 1e-8)
                if (it + 1) % check_every == 0:
                    if loss[b] > previous[b] * 0.9999:
                        running[b] = False
                    previous[b] = loss[b]
        for b in range(n):
            if found[b]:
                upper[b] = min(upper[b], c[b])
            else:
                lower[b] = max(lower[b], c[b])
            c[b] = (lower[b] + upper[b]) / 2 if upper[b] < 1e10 else c[b] * 10
    return out


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
for name, norm, eps, steps, loss, tgt in (("apgd_ce_linf", "linf", 0.08, 20, per_sample_ce, None),
                                          ("apgd_dlr_linf", "linf", 0.08, 20, per_sample_dlr, None),
                                          ("apgd_ce_l2", "l2", 0.4, 20, per_sample_ce, None),
                                          ("apgd_t_dlr_linf", "linf", 0.15, 30, per_sample_dlr_targeted, targets)):
    adv = apgd(norm, eps, steps, loss, tgt)
    kind = "ce" if loss is per_sample_ce else "dlr" if tgt is None else "dlr_t"
    rows.append(("case", name, norm, repr(eps), str(steps), "0", kind, *map(repr, adv.flatten().tolist())))
for name, norm, eps, steps in (("mi_fgsm_linf", "linf", 0.05, 10), ("mi_fgsm_l2", "l2", 0.3, 10)):
    rows.append(("case", name, norm, repr(eps), str(steps), repr(eps / steps), "ce", *map(repr, mi_fgsm(norm, eps, steps).flatten().tolist())))
for norm in ("l2", "linf"):
    rows.append(("case", "deepfool_" + norm, norm, "0", "50", "0", "margin", *map(repr, deepfool(norm).flatten().tolist())))
rows.append(("case", "carlini_wagner", "l2", "0", "60", "0.01", "margin", *map(repr, carlini_wagner(5, 60).flatten().tolist())))
rows.append(("case", "carlini_wagner_targeted", "l2", "0", "60", "0.01", "margin_t",
             *map(repr, carlini_wagner(5, 60, tgt=targets).flatten().tolist())))

with open(os.path.join(HERE, "attack_reference.csv"), "w") as f:
    f.write(f"# written by make_attack_reference.py with torch {torch.__version__}\n")
    for r in rows:
        f.write(",".join(r) + "\n")
