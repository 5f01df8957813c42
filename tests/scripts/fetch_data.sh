#!/usr/bin/env bash
# scripts/fetch-data against a file:// mirror built from the reference data folder: FSDD's archive
# rebuilt in GitHub's layout (with a metadata.py written from speakers.csv), the IBM calibrations at
# their qiskit-ibm-runtime paths and MNIST's two test files (the training files are not in the
# reference copy: they must be reported missing). Checks that what it fetches is identical to the
# reference, that a second run downloads nothing, that corrupted, hostile or incomplete sources are
# refused with a line naming them and leave nothing behind, and what it says about DEEP-VOICE.
#   fetch_data.sh SOURCE_DIR DATA_DIR WORK_DIR
set -euo pipefail
fetch=$1/scripts/fetch-data ref=$2 work=$3
top=free-spoken-digit-dataset-1.0.10
archive=Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz
qiskit=Qiskit/qiskit-ibm-runtime/0.38.0/qiskit_ibm_runtime/fake_provider/backends
rm -rf "$work" && mkdir -p "$work" && cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
# run NAME CODE ARGS...: fetch-data ARGS with its output in NAME.log; its exit code must be CODE.
run() {
    local name=$1 code=$2 got=0
    shift 2
    "$fetch" "$@" >"$name.log" 2>&1 || got=$?
    [ $got -eq "$code" ] || { cat "$name.log"; fail "$name: exit code $got, expected $code"; }
}
# says NAME TEXT: NAME.log has a line containing TEXT.
says() { grep -qF -- "$2" "$1.log" || { cat "$1.log"; fail "$1: no line with \"$2\""; }; }
absent() { for p; do [ ! -e "$p" ] || fail "$p exists"; done; }
no_leftovers() { [ -z "$(find "$work" -maxdepth 1 -name '.*.fetch-*')" ] || fail "a staging folder was left behind"; }

# tree DIR: the folder GitHub's archive holds, with the reference recordings and a metadata.py in
# the data set's format (a Python dict; upstream indents with tabs and spaces both).
tree() {
    mkdir -p "$1/$top"
    cp -r --no-preserve=mode "$ref/fsdd/recordings" "$1/$top/"
    echo "not unpacked" >"$1/$top/README.md"
    {
        echo 'metadata = {'
        tail -n +2 "$ref/fsdd/speakers.csv" | while IFS=, read -r name gender accent language; do
            printf "    '%s': {\n\t'gender': '%s',\n        'accent': '%s',\n\t'language': '%s'\n    },\n" \
                   "$name" "$gender" "$accent" "$language"
        done
        echo '}'
    } >"$1/$top/metadata.py"
}
# pack DIR OUT: DIR's folder as a .tar.gz laid out like git archive's (a pax header naming the commit).
pack() {
    mkdir -p "$(dirname "$2")"
    tar -C "$1" --format=pax --pax-option=globexthdr.name=pax_global_header,comment=d6938f9bf1545aa66d8489fc9f1385a7abd64282 \
        --owner=0 --group=0 -cf - "$top" | gzip -1 >"$2"
}
flip() { printf '\377' | dd of="$1" bs=1 seek=100 conv=notrunc status=none; }   # corrupt one byte

# The mirror: every file at its upstream path under one folder.
tree good
pack good "mirror/$archive"
for d in "$ref"/ibm-backends/*/; do
    n=$(basename "$d")
    mkdir -p "mirror/$qiskit/$n"
    cp --no-preserve=mode "$d/props.json" "mirror/$qiskit/$n/props_$n.json"
    cp --no-preserve=mode "$d/conf.json" "mirror/$qiskit/$n/conf_$n.json"
done
mkdir -p mirror/mnist && cp --no-preserve=mode "$ref"/mnist/t10k-* mirror/mnist/

# Everything public: identical to the reference, except MNIST's training files, reported missing.
run all 1 --mirror "file://$work/mirror" --only fsdd,ibm,mnist out
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz; do
    says all "mnist/$f: download failed: file://$work/mirror/mnist/$f"
done
says all "mnist         2 of 4 files present and verified; NOT: train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz"
says all "export QHYBRID_DATA=$work/out"
for d in fsdd ibm-backends mnist; do diff -r "$ref/$d" "out/$d" || fail "out/$d differs from $ref/$d"; done
no_leftovers

# A second run finds everything in place and downloads nothing (the mirror does not exist).
QHYBRID_DATA=$work/out QHYBRID_DATA_MIRROR=file:///nonexistent run again 0 --only fsdd,ibm
says again "fsdd: present and verified"
says again "ibm-backends/brisbane: present and verified"
! grep -q downloading again.log || fail "the second run downloaded"

# A corrupted mirror: the files are named with both hashes and nothing of their set is kept.
cp -al good bad   # hard links; the corrupted file gets an inode of its own
cp --remove-destination "good/$top/recordings/3_theo_7.wav" "bad/$top/recordings/3_theo_7.wav"
flip "bad/$top/recordings/3_theo_7.wav"
pack bad "bad-mirror/$archive"
cp -r mirror/Qiskit bad-mirror/
flip "bad-mirror/$qiskit/nairobi/props_nairobi.json"
run corrupt 1 --mirror "file://$work/bad-mirror" --only fsdd,ibm corrupt
says corrupt "fsdd/recordings/3_theo_7.wav: SHA-256 is "
says corrupt ", expected $(awk '$2 == "fsdd/recordings/3_theo_7.wav" { print $1 }' "${fetch}.sha256")"
says corrupt "ibm-backends/nairobi/props.json: SHA-256 is "
absent corrupt/fsdd corrupt/ibm-backends/nairobi
diff -r "$ref/ibm-backends/lagos" corrupt/ibm-backends/lagos || fail "the good devices were not kept"
no_leftovers

# Hostile or wrong archives are refused before anything is unpacked.
mkdir -p small/$top/recordings && cp "$ref/fsdd/recordings/0_jackson_0.wav" small/$top/recordings/
ln -s /etc/passwd small/$top/recordings/1_jackson_0.wav
pack small "symlink/$archive"
rm small/$top/recordings/1_jackson_0.wav
ln small/$top/recordings/0_jackson_0.wav small/$top/recordings/1_jackson_0.wav
pack small "hardlink/$archive"
rm small/$top/recordings/1_jackson_0.wav
mkdir -p escape "dotdot/$(dirname "$archive")" "absolute/$(dirname "$archive")" "outside/$(dirname "$archive")"
echo x >escape/f
tar -C escape --transform "s,^,$top/../," -czf "dotdot/$archive" f
tar -C escape -P --transform "s,^,/$top/," -czf "absolute/$archive" f
tar -C escape --transform "s,^,elsewhere/," -czf "outside/$archive" f
pack small "short/$archive"
mkdir -p "twice/$(dirname "$archive")"
tar -C small -cf twice.tar "$top" && tar -C small -rf twice.tar "$top/recordings/0_jackson_0.wav" && gzip -c twice.tar >"twice/$archive"
mkdir -p "notgz/$(dirname "$archive")" && echo "<html>" >"notgz/$archive"
for case in "symlink:holds links or special files" "hardlink:holds links or special files" \
            "dotdot:holds paths outside $top/" "absolute:holds paths outside $top/" "outside:holds paths outside $top/" \
            "twice:holds a member twice" "short:lacks 3000 expected files" "notgz:is not a gzip file"; do
    name=${case%%:*}
    run "$name" 1 --mirror "file://$work/$name" --only fsdd "out-$name"
    says "$name" "fsdd: file://$work/$name/$archive ${case#*:}"
    absent "out-$name/fsdd" "$work/f" "$work/out-$name/f" "/$top"
done
no_leftovers

# A set that is there but incomplete is reported and left as it is.
mkdir -p partial/fsdd && cp "$ref/fsdd/speakers.csv" partial/fsdd/
run partial 1 --mirror "file://$work/mirror" --only fsdd partial
says partial "fsdd/recordings/0_george_0.wav: missing (in $work/partial: remove $work/partial/fsdd to fetch it again)"
says partial "fsdd: 2995 more files missing or different"
[ "$(ls partial/fsdd)" = speakers.csv ] || fail "the partial set was changed"

# A folder without write permission is left alone, even by root (the shared reference copy is one).
mkdir ro && chmod a-w ro
run readonly 1 --mirror "file://$work/mirror" --only ibm ro
says readonly "$work/ro is read-only"
[ -z "$(ls -A ro)" ] || fail "something was written into a read-only folder"
chmod u+w ro
no_leftovers

# DEEP-VOICE: instructions while it is missing, then its hash.
run kaggle 1 --only deep-voice dv
says kaggle "https://www.kaggle.com/datasets/birdy654/deep-voice-deepfake-voice-recognition"
says kaggle "KAGGLE/DATASET-balanced.csv"
says kaggle "$work/dv/deep-voice/DATASET-balanced.csv"
mkdir -p dv/deep-voice && head -c 1000 "$ref/deep-voice/DATASET-balanced.csv" >dv/deep-voice/DATASET-balanced.csv
run kaggle-wrong 1 --only deep-voice dv
says kaggle-wrong "deep-voice/DATASET-balanced.csv: SHA-256 is "
cp "$ref/deep-voice/DATASET-balanced.csv" dv/deep-voice/
run kaggle-right 0 --only deep-voice dv
says kaggle-right "deep-voice    present and verified"

run usage 2 --only fsdd,cifar
says usage "unknown data set 'cifar'"
rm -rf "$work"   # ~100 MB; kept when a check fails
echo "fetch-data: all checks passed"
