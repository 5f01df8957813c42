#!/usr/bin/env bash
# scripts/compare-runs on hand-made runs files: one file and two, against the paired t test
# computed by hand (d = 0.1, 0, 0.2: mean 0.1, sd 0.1, t = sqrt 3 on 2 degrees of freedom,
# p = 0.2254, half-width t(0.975, 2) 0.1 / sqrt 3 = 0.2484), failed runs left out, and refusals.
#   compare_runs.sh SOURCE_DIR WORK_DIR
set -euo pipefail
compare=$1/scripts/compare-runs work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > one.csv <<'CSV'
model,seed,failed,clean accuracy,"1 dB, worst case"
a,1,0,0.9,0.5
a,2,0,0.9,0.6
a,3,0,0.9,0.7
a,4,1,0,0
b,1,0,0.9,0.4
b,2,0,0.9,0.6
b,3,0,0.9,0.5
b,4,0,0.9,0.1
CSV
out=$("$compare" one.csv a b "1 dB, worst case")
[ "$out" = "a - b, 1 dB, worst case: +0.1000 [-0.1484, +0.3484] (95%, paired t over 3 seeds, p = 0.23); a higher on 2, b on 0, ties 1" ] ||
    fail "one file: $out"
out=$("$compare" one.csv a b "clean accuracy")
[[ "$out" == *"+0.0000 [+0.0000, +0.0000]"*"p = 1)"* ]] || fail "equal runs: $out"

head -1 one.csv > other.csv && grep '^b,' one.csv | sed 's/^b,/cnn,/' >> other.csv
out=$("$compare" one.csv a other.csv cnn "1 dB, worst case")
[[ "$out" == "a - cnn, 1 dB, worst case: +0.1000 [-0.1484, +0.3484]"* ]] || fail "two files: $out"

"$compare" one.csv a c >err.txt 2>&1 && fail "an unknown model was accepted"
grep -q "no model 'c' (it has: a, b)" err.txt || fail "unknown model: $(cat err.txt)"
"$compare" one.csv a b "2 dB" >err.txt 2>&1 && fail "an unknown metric was accepted"
grep -q "no metric '2 dB'" err.txt || fail "unknown metric: $(cat err.txt)"
echo "model,seed" > bad.csv
"$compare" bad.csv a b >err.txt 2>&1 && fail "a file without runs was accepted"
grep -q "not a runs file" err.txt || fail "not a runs file: $(cat err.txt)"
rm -rf "$work"
echo "compare-runs: all checks passed"
