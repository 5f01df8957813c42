#!/usr/bin/python3
"""Plots the demo's CSV files in a results folder as PNG images (matplotlib, Debian's
python3-matplotlib):
  qt_cnn_accuracy_vs_blocks.png  QT-CNN test accuracy (mean +- sd over seeds) against QNN blocks,
                                 with the classical CNN as a band;
  qt_cnn_training_curves.png     training loss per epoch, mean over seeds, per model;
  qc_cnn_training_curves.png     the same for QC-CNN and its CNN, one panel per task;
  noisy_qnn.png                  the VQC on IBM devices: test accuracy and <Z_0> drift against the
                                 noise scale, with and without ZZ crosstalk, one line per device.
Usage: plot_results.py RESULTS_DIR"""
import csv
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


def main(folder):
    out = Path(folder)
    written = []
    if (out / "qt_cnn.csv").exists():
        summary = rows(out / "qt_cnn.csv")
        qt = [r for r in summary if r["model"].startswith("QT-CNN")]
        blocks = [int(r["model"].split()[1].rstrip("b")) for r in qt]
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.errorbar(blocks, [float(r["test_accuracy_mean"]) for r in qt],
                    yerr=[float(r["test_accuracy_sd"]) for r in qt], marker="o", capsize=4, label="QT-CNN")
        for r in summary:
            if r["model"] == "CNN":
                m, s = float(r["test_accuracy_mean"]), float(r["test_accuracy_sd"])
                ax.axhspan(m - s, m + s, alpha=0.2, color="gray")
                ax.axhline(m, color="gray", label=f"classical CNN ({r['trainable']} weights)")
        for b, r in zip(blocks, qt):
            ax.annotate(f"{r['trainable']} trainable", (b, float(r["test_accuracy_mean"])),
                        textcoords="offset points", xytext=(0, -14), ha="center", fontsize=7)
        ax.set_xscale("log", base=2)
        ax.set_xticks(blocks, [str(b) for b in blocks])
        ax.set_xlabel("QNN blocks (12 qubits)")
        ax.set_ylabel("test accuracy (DEEP-VOICE, 80/20)")
        ax.set_title(f"QT-CNN: accuracy against blocks ({summary[0]['seeds']} seeds)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "qt_cnn_accuracy_vs_blocks.png", dpi=120)
        written.append("qt_cnn_accuracy_vs_blocks.png")
    if (out / "qt_cnn_curves.csv").exists():
        curves = mean_curves(rows(out / "qt_cnn_curves.csv"), lambda r: r["model"])
        fig, ax = plt.subplots(figsize=(6, 4))
        for model, (e, loss) in curves.items():
            ax.plot(e, loss, label=model)
        ax.set_xlabel("epoch")
        ax.set_ylabel("training cross-entropy (mean over seeds)")
        ax.set_yscale("log")
        ax.set_title("QT-CNN and CNN on DEEP-VOICE")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "qt_cnn_training_curves.png", dpi=120)
        written.append("qt_cnn_training_curves.png")
    if (out / "qc_cnn_curves.csv").exists():
        records = rows(out / "qc_cnn_curves.csv")
        tasks = list(dict.fromkeys(r["task"] for r in records))
        fig, axes = plt.subplots(1, len(tasks), figsize=(4.5 * len(tasks), 4), squeeze=False)
        for ax, task in zip(axes[0], tasks):
            curves = mean_curves([r for r in records if r["task"] == task], lambda r: r["model"])
            for model, (e, loss) in curves.items():
                ax.plot(e, loss, label=model)
            ax.set_title(f"FSDD {task}")
            ax.set_xlabel("epoch")
            ax.set_ylabel("training cross-entropy (mean over seeds)")
            ax.legend()
        fig.tight_layout()
        fig.savefig(out / "qc_cnn_training_curves.png", dpi=120)
        written.append("qc_cnn_training_curves.png")
    if (out / "noisy_qnn.csv").exists():
        records = rows(out / "noisy_qnn.csv")
        fig, (acc, drift) = plt.subplots(1, 2, figsize=(10, 4))
        for device in dict.fromkeys(r["device"] for r in records):
            for crosstalk, style in (("none", "-o"), ("zz", "--s")):
                rs = [r for r in records if r["device"] == device and r["crosstalk"] == crosstalk]
                label = f"{device} ({rs[0]['qubits']} qubits){', ZZ crosstalk' if crosstalk == 'zz' else ''}"
                scale = [float(r["scale"]) for r in rs]
                acc.plot(scale, [float(r["test_accuracy"]) for r in rs], style, label=label)
                drift.plot(scale, [float(r["z0_drift"]) for r in rs], style, label=label)
        acc.set_xlabel("noise scale (x calibrated errors)")
        acc.set_ylabel("test accuracy (DEEP-VOICE)")
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
