#!/usr/bin/python3
"""Writes tests/reference/square_reference.csv: the L2 Square attack's window profile (Andriushchenko
et al., ECCV 2020, section 3.2 and Figure 2) as the authors' own code computes it, which
test_robust reads.

The profile is a square of side s whose two halves are "pseudo-Gaussian" bumps of opposite sign:
concentric rectangles of weight 1 / (k + 1)^2, ring k around the centre. This script runs the
authors' functions pseudo_gaussian_pert_rectangles and meta_pseudo_gaussian_pert, taken from their
attack.py by its syntax tree (the module itself imports their models and TensorFlow), with
np.random.rand answering 0 (no transposition). Fetch their code first:
    git clone https://github.com/max-andr/square-attack /tmp/square-attack
    /usr/bin/python3 tests/reference/make_square_reference.py /tmp/square-attack/attack.py
(written from commit ea95eeb of that repository).

Rows: "bump,rows,cols,values..." (pseudo_gaussian_pert_rectangles(rows, cols), row-major) and
"profile,s,values..." (meta_pseudo_gaussian_pert(s), row-major).
"""
import ast
import sys
import types
from pathlib import Path

import numpy


def authors_functions(path):
    tree = ast.parse(Path(path).read_text())
    wanted = {"pseudo_gaussian_pert_rectangles", "meta_pseudo_gaussian_pert"}
    module = ast.Module(body=[f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name in wanted], type_ignores=[])
    # numpy as the functions call it, with the one random draw (transpose or not) fixed to "not".
    np = types.SimpleNamespace(zeros=numpy.zeros, sqrt=numpy.sqrt, sum=numpy.sum, transpose=numpy.transpose,
                               random=types.SimpleNamespace(rand=lambda n: numpy.zeros(n), choice=numpy.random.choice))
    scope = {"np": np}
    exec(compile(module, path, "exec"), scope)
    return scope["pseudo_gaussian_pert_rectangles"], scope["meta_pseudo_gaussian_pert"]


def main(path):
    bump, profile = authors_functions(path)
    out = Path(__file__).with_name("square_reference.csv")
    lines = ["# written by make_square_reference.py from the authors' attack.py (max-andr/square-attack)"]
    for rows, cols in [(1, 1), (1, 5), (2, 5), (3, 3), (3, 7), (4, 4), (5, 9), (6, 3)]:
        lines.append(",".join(["bump", str(rows), str(cols)] + [repr(float(v)) for v in bump(rows, cols).ravel()]))
    for s in [1, 2, 3, 4, 5, 7, 8, 11]:
        lines.append(",".join(["profile", str(s)] + [repr(float(v)) for v in profile(s).ravel()]))
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/square-attack/attack.py")
