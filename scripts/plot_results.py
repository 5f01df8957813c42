#!/usr/bin/python3
"""Plots the demo's CSV files in a results folder as PNG images (matplotlib, Debian's
python3-matplotlib):
  qt_cnn_accuracy_vs_blocks.png  test accuracy (mean and 95% t interval over seeds) against trainable
                                 parameters: the CNNs, QT-CNN and its classical-generator ablation;
  qt_cnn_training_curves.png     training loss per epoch, mean over seeds, per model at its chosen
                                 learning rate;
  noisy_qnn.png                  the VQC on IBM devices: test accuracy and <Z_0> drift (mean and 95%
                                 t interval over seeds) against the noise scale, with and without ZZ
                                 crosstalk, one line per device;
  robust_fsdd_DOMAIN.png         examples/robust_fsdd's APGD-CE success against the budget and
                                 against its steps, per seed (DOMAIN: features or waveform);
  detector_roc.png, detector_reliability.png, detector_confusion.png
                                 the deepfake detectors of scripts/detector-eval (seed 1): ROC curves
                                 with their EER points, reliability before and after temperature
                                 scaling, confusion matrices on the test split;
and prints the detectors' table over seeds (detector/table.md, from `qhybrid eval --table`) and
the outcome of every input `qhybrid detect` judged (detector/cases.jsonl).
Usage: plot_results.py RESULTS_DIR"""
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def mean_curves(records, key):
    """{key: (epochs, mean loss)} over seeds."""
    sums = defaultdict(lambda: defaultdict(list))
    for r in records:
        sums[key(r)][int(r["epoch"])].append(float(r["loss"]))
    return {k: (sorted(v), [sum(v[e]) / len(v[e]) for e in sorted(v)]) for k, v in sums.items()}


def detector_tables(folder):
    """Prints the detectors' table over seeds (written by `qhybrid eval --table`) and the detect
    outcomes as Markdown tables."""
    if (folder / "table.md").exists():
        print((folder / "table.md").read_text())
    if not (folder / "cases.jsonl").exists():
        return
    print("\n| input | rate | model | outcome | P(verdict) or reason |")
    print("|---|---|---|---|---|")
    for line in open(folder / "cases.jsonl"):
        if not line.strip():
            continue
        c = json.loads(line)
        p = c["p_fake"]
        what = f"{max(p, 1 - p):.4f} ({c['windows_judged']} of {len(c.get('windows', [])) or c['windows_judged'] + c['windows_too_short'] + c['windows_silent'] + c['windows_narrow_band'] + c['windows_out_of_domain']} windows)" if p is not None else c.get("reason", "")
        print(f"| {Path(c['file']).name} | {c['input_rate']} | {c['model']} | {c['verdict']} | {what} |")


def detector_plots(folder, out, written):
    curves = folder / "curves"
    models = sorted(p.name[: -len("_roc.csv")] for p in curves.glob("*_1_roc.csv"))  # seed 1
    if not models:
        return
    fig, ax = plt.subplots(figsize=(5, 5))
    for m in models:
        roc = rows(curves / f"{m}_roc.csv")
        line, = ax.plot([float(r["fpr"]) for r in roc], [float(r["tpr"]) for r in roc],
                        label=f"{m} (AUC {float(roc[0]['auc']):.4f}, EER {float(roc[0]['eer']):.4f})")
        ax.plot(float(roc[0]["eer_fpr"]), float(roc[0]["eer_tpr"]), "o", color=line.get_color())
    grid = [0] + [10 ** (-3 + 3 * k / 200) for k in range(201)]  # dense: the axis is not linear
    ax.plot(grid, [1 - f for f in grid], ":", color="gray", label="FPR = FNR")
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_xlim(0, 1)
    ax.set_xlabel("false-positive rate (REAL called FAKE)")
    ax.set_ylabel("true-positive rate (FAKE called FAKE)")
    ax.set_title("DEEP-VOICE test split, seed 1: ROC and EER points")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(out / "detector_roc.png", dpi=120)
    written.append("detector_roc.png")

    fig, axes = plt.subplots(1, len(models), figsize=(4.5 * len(models), 4.2), squeeze=False)
    for ax, m in zip(axes[0], models):
        bins = rows(curves / f"{m}_reliability.csv")
        for calibrated, style, label in (("0", "s--", "raw"), ("1", "o-", "temperature-scaled")):
            bs = [b for b in bins if b["calibrated"] == calibrated and int(b["count"]) > 0]
            ax.plot([float(b["confidence"]) for b in bs], [float(b["accuracy"]) for b in bs], style,
                    label=f"{label} (ECE {float(bs[0]['ece']):.4f})")
        ax.plot([0.5, 1], [0.5, 1], ":", color="gray")
        ax.set_xlabel("mean confidence in the bin (15 bins)")
        ax.set_ylabel("accuracy in the bin")
        ax.set_title(m)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "detector_reliability.png", dpi=120)
    written.append("detector_reliability.png")

    fig, axes = plt.subplots(1, len(models), figsize=(3.6 * len(models), 3.4), squeeze=False)
    for ax, m in zip(axes[0], models):
        cells = {(r["true"], r["predicted"]): int(r["count"]) for r in rows(curves / f"{m}_confusion.csv")}
        labels = ["REAL", "FAKE"]
        grid = [[cells[(t, p)] for p in labels] for t in labels]
        ax.imshow(grid, cmap="Blues")
        for i in range(2):
            for j in range(2):
                ax.text(j, i, str(grid[i][j]), ha="center", va="center", color="black")
        ax.set_xticks([0, 1], labels)
        ax.set_yticks([0, 1], labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(m)
    fig.tight_layout()
    fig.savefig(out / "detector_confusion.png", dpi=120)
    written.append("detector_confusion.png")


def robust_curves(out, domain, written):
    """APGD-CE's success against the budget (on correctly classified recordings) and against its
    steps (on all attacked recordings, at the middle budget), one line per seed
    (robust_fsdd_DOMAIN_{sweep,iterations}.csv from examples/robust_fsdd)."""
    sweep = rows(out / f"robust_fsdd_{domain}_sweep.csv")
    iterations = rows(out / f"robust_fsdd_{domain}_iterations.csv")
    unit = "epsilon_db" if "epsilon_db" in sweep[0] else "epsilon"
    fig, (by_budget, by_steps) = plt.subplots(1, 2, figsize=(10, 4))
    for seed in sorted({r["seed"] for r in sweep}, key=int):
        points = sorted((float(r[unit]), float(r["success_on_correct"])) for r in sweep if r["seed"] == seed)
        by_budget.plot([p[0] for p in points], [p[1] for p in points], "-o", label=f"seed {seed}")
        points = sorted((int(r["steps"]), float(r["success"])) for r in iterations if r["seed"] == seed)
        by_steps.plot([p[0] for p in points], [p[1] for p in points], "-o", label=f"seed {seed}")
    by_budget.set_xscale("log")
    by_budget.set_xlabel("L-inf budget (dB of log-mel power)" if unit == "epsilon_db" else "L-inf budget (sample amplitude)")
    by_budget.set_ylabel("APGD-CE success on correct recordings")
    by_steps.set_xscale("log")
    by_steps.set_xlabel("APGD-CE steps (middle budget)")
    by_steps.set_ylabel("share of attacked recordings fooled")
    by_budget.legend(fontsize=7)
    fig.suptitle(f"FSDD digit CNN, {domain} domain")
    fig.tight_layout()
    name = f"robust_fsdd_{domain}.png"
    fig.savefig(out / name, dpi=120)
    written.append(name)


def main(folder):
    out = Path(folder)
    written = []
    for domain in ("features", "waveform"):
        if (out / f"robust_fsdd_{domain}_sweep.csv").exists():
            robust_curves(out, domain, written)
    if (out / "detector" / "curves").exists():
        detector_tables(out / "detector")
        detector_plots(out / "detector", out, written)
    if (out / "qt_cnn.csv").exists() and (out / "qt_cnn_models.csv").exists():
        # qt_cnn.csv: stats::seed_table's summary (model, metric, runs, failed, mean, sd, low, high);
        # qt_cnn_models.csv: each model's trainable count and chosen learning rate.
        chosen = {r["model"]: r for r in rows(out / "qt_cnn_models.csv")}
        accuracy = {r["model"]: r for r in rows(out / "qt_cnn.csv") if r["metric"] == "test accuracy"}
        fig, ax = plt.subplots(figsize=(6, 4))
        for family, style in (("CNN", "-o"), ("QT-CNN", "-s"), ("RBM-gen", "--^")):
            ms = sorted((m for m in accuracy if m.split()[0] == family), key=lambda m: int(chosen[m]["trainable"]))
            if not ms:
                continue
            x = [int(chosen[m]["trainable"]) for m in ms]
            y = [float(accuracy[m]["mean"]) for m in ms]
            low = [float(accuracy[m]["low"]) if accuracy[m]["low"] != "nan" else float(accuracy[m]["mean"]) for m in ms]
            high = [float(accuracy[m]["high"]) if accuracy[m]["high"] != "nan" else float(accuracy[m]["mean"]) for m in ms]
            ax.errorbar(x, y, yerr=[[a - b for a, b in zip(y, low)], [b - a for a, b in zip(y, high)]],
                        fmt=style, capsize=3, label=family if family != "RBM-gen" else "RBM generator (classical ablation)")
        ax.set_xscale("log")
        ax.set_xlabel("trainable parameters")
        ax.set_ylabel("test accuracy (DEEP-VOICE, 70/10/20)")
        runs = next(iter(accuracy.values()))["runs"]
        ax.set_title(f"QT-CNN against size-matched CNNs (mean, 95% t interval, {runs} seeds)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "qt_cnn_accuracy_vs_blocks.png", dpi=120)
        written.append("qt_cnn_accuracy_vs_blocks.png")
    if (out / "qt_cnn_curves.csv").exists() and (out / "qt_cnn_models.csv").exists():
        chosen = {r["model"]: r["lr"] for r in rows(out / "qt_cnn_models.csv")}
        records = [r for r in rows(out / "qt_cnn_curves.csv") if float(r["lr"]) == float(chosen.get(r["model"], "nan"))]
        curves = mean_curves(records, lambda r: r["model"])
        fig, ax = plt.subplots(figsize=(6, 4))
        for model, (e, loss) in curves.items():
            ax.plot(e, loss, label=model)
        ax.set_xlabel("epoch")
        ax.set_ylabel("training cross-entropy (mean over seeds)")
        ax.set_yscale("log")
        ax.set_title("DEEP-VOICE, each model at its chosen learning rate")
        ax.legend(fontsize=6)
        fig.tight_layout()
        fig.savefig(out / "qt_cnn_training_curves.png", dpi=120)
        written.append("qt_cnn_training_curves.png")
    noisy = sorted(out.glob("noisy_qnn_ibm_*_summary.csv"))
    noisy = [p for p in noisy if not p.name.endswith(("_lr_summary.csv", "_models_summary.csv", "_sampling_summary.csv"))]
    if noisy:
        fig, (acc, drift) = plt.subplots(1, 2, figsize=(10, 4))
        for path in noisy:
            device = path.name[len("noisy_qnn_"):-len("_summary.csv")]
            records = rows(path)
            for crosstalk, style in (("", "-o"), (" + ZZ", "--s")):
                # models are named "1.5x" or "1.5x + ZZ"
                rs = [r for r in records if r["model"].endswith("x" + crosstalk)]
                label = f"{device}{', ZZ crosstalk' if crosstalk else ''}"
                for ax, metric in ((acc, "accuracy"), (drift, "<Z_0> drift")):
                    m = sorted((float(r["model"].split("x")[0]), float(r["mean"]), float(r["low"]), float(r["high"]))
                               for r in rs if r["metric"] == metric)
                    ax.errorbar([v[0] for v in m], [v[1] for v in m],
                                yerr=[[v[1] - v[2] for v in m], [v[3] - v[1] for v in m]],
                                fmt=style, capsize=3, label=label)
        acc.set_xlabel("noise scale (x calibrated errors)")
        acc.set_ylabel("test accuracy (mean, 95% t interval)")
        acc.set_title("VQC under device noise")
        drift.set_xlabel("noise scale (x calibrated errors)")
        drift.set_ylabel("mean |<Z_0> - noiseless <Z_0>|")
        drift.set_title("read-out drift")
        acc.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "noisy_qnn.png", dpi=120)
        written.append("noisy_qnn.png")
    for name in written:
        print(f"wrote {out / name}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
