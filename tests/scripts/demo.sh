#!/usr/bin/env bash
# scripts/demo checks its data before it installs or builds anything. It runs from a copy of
# scripts/ whose setup, plot script, cmake and example programs are stand-ins that log their calls:
#   - with an empty data folder it names the missing sets and the folder, exits non-zero, and
#     neither setup nor cmake ran;
#   - with FSDD only it installs the demo's packages, configures with the tests and benchmarks off,
#     builds and runs QC-CNN and the unlearning part alone and says which parts it skipped;
#   - with DEEP-VOICE, the IBM calibrations and MNIST it runs QT-CNN, the noisy VQC, the detector's
#     evaluation and QShield, and skips QC-CNN.
#   demo.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1 work=$2
rm -rf "$work" && mkdir -p "$work/root/scripts" "$work/bin" && cd "$work"
export LOG=$work/calls.log PATH=$work/bin:$PATH

cp "$src/scripts/demo" root/scripts/
stand_in() { printf '#!/usr/bin/env bash\necho "%s $*" >>"$LOG"\n' "$1" >"$2" && chmod +x "$2"; }
stand_in setup root/scripts/setup
stand_in plot root/scripts/plot_results.py
stand_in detector-eval root/scripts/detector-eval
# cmake logs its arguments; `--build DIR ... --target T...` writes a stand-in for each T.
cat >bin/cmake <<'EOF'
#!/usr/bin/env bash
echo "cmake $*" >>"$LOG"
[ "$1" = --build ] || exit 0
dir=$2/examples
mkdir -p "$dir"
while [ $# -gt 0 ] && [ "$1" != --target ]; do shift; done
shift
for t; do
    printf '#!/usr/bin/env bash\necho "ran %s $*" >>"$LOG"\n' "$t" >"$dir/$t"
    chmod +x "$dir/$t"
done
EOF
chmod +x bin/cmake

fail() { echo "FAIL: $*" >&2; [ ! -f "$LOG" ] || cat "$LOG" >&2; exit 1; }
# demo NAME CODE: runs the demo on data folder NAME (stdin not a terminal); its exit code must be CODE.
demo() {
    local got=0
    rm -f "$LOG"
    mkdir -p "$1"
    QHYBRID_DATA=$work/$1 root/scripts/demo </dev/null >"$1.log" 2>&1 || got=$?
    [ $got -eq "$2" ] || { cat "$1.log"; fail "$1: exit code $got, expected $2"; }
}
says() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$1: no line with \"$2\""; }; }

demo empty 1
says empty.log "missing in $work/empty (\$QHYBRID_DATA): deep-voice fsdd ibm-backends mnist"
says empty.log "scripts/fetch-data $work/empty"
says empty.log "nothing was installed or built"
[ ! -e "$LOG" ] || fail "setup or cmake ran without data"
[ ! -e root/build ] && [ ! -e root/results ] || fail "the demo created a build or results folder"

mkdir -p fsdd-only/fsdd/recordings && touch fsdd-only/fsdd/recordings/0_jackson_0.wav fsdd-only/fsdd/speakers.csv
demo fsdd-only 0
says fsdd-only.log "missing in $work/fsdd-only (\$QHYBRID_DATA): deep-voice ibm-backends mnist"
says fsdd-only.log "skipping QShield on MNIST"
says fsdd-only.log "skipping QNAD on MNIST"
says fsdd-only.log "skipping QT-CNN on DEEP-VOICE"
says fsdd-only.log "skipping the VQC on IBM devices"
says fsdd-only.log "skipping the deepfake detector"
says "$LOG" "setup demo"
says "$LOG" "-DQHYBRID_BUILD_TESTS=OFF -DQHYBRID_BUILD_BENCHMARKS=OFF"
grep -q -- "--target qc_cnn_fsdd unlearn_fsdd$" "$LOG" || fail "fsdd-only: the build was not of qc_cnn_fsdd and unlearn_fsdd alone"
says "$LOG" "ran qc_cnn_fsdd --data $work/fsdd-only"
says "$LOG" "ran unlearn_fsdd --data $work/fsdd-only"
[ "$(grep -c '^ran ' "$LOG")" -eq 2 ] || fail "fsdd-only: parts other than QC-CNN and unlearning ran"

mkdir -p no-fsdd/deep-voice && touch no-fsdd/deep-voice/DATASET-balanced.csv
for d in nairobi brisbane; do mkdir -p no-fsdd/ibm-backends/$d && touch no-fsdd/ibm-backends/$d/{props,conf}.json; done
mkdir -p no-fsdd/mnist && touch no-fsdd/mnist/t10k-{images-idx3,labels-idx1}-ubyte.gz
demo no-fsdd 0
says no-fsdd.log "skipping QC-CNN on FSDD"
says no-fsdd.log "skipping QPAudioEraser on FSDD"
grep -q -- "--target qt_cnn_deepvoice noisy_qnn qhybrid_cli qshield qnad$" "$LOG" || fail "no-fsdd: wrong build targets"
says "$LOG" "ran qshield --data $work/no-fsdd"
says "$LOG" "ran qnad --data $work/no-fsdd"
says "$LOG" "ran qt_cnn_deepvoice --data $work/no-fsdd"
says "$LOG" "ran noisy_qnn --data $work/no-fsdd"
says "$LOG" "detector-eval $work/root/build/release/examples/qhybrid $work/no-fsdd $work/root/results/detector"
! grep -q "ran qc_cnn_fsdd\|ran unlearn_fsdd" "$LOG" || fail "no-fsdd: a part that needs FSDD ran"
rm -rf "$work"
echo "demo: all checks passed"
