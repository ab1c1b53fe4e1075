#!/usr/bin/env bash
# Compares the C kernels' outputs of the working tree with those of git revision REV byte for byte, for every
# affine type (TYPES, default 3 6 7 12 13 14 39: Q4_1 Q5_0 Q5_1 Q4_K Q5_K Q6_K MXFP4), at levels 1 (AVX2) and 2
# (AVX-512 where the CPU has it), over batches that take the decode and the repacked prefill paths, ragged row
# counts and (legacy types) block counts that end in a partial group; and, in the working tree's build, each batch's
# first activation row against the same row multiplied alone (the weights and that row's activations come from the
# same seed). Usage: scripts/kernel-bit-identity.sh REV   (exit 1 on any difference)
set -euo pipefail
REV=${1:?usage: scripts/kernel-bit-identity.sh REV}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/old"
git -C "$ROOT" archive "$REV" executor/src/main/c | tar -x -C "$TMP/old"
CFLAGS=(-O2 -ffp-contract=off -fno-strict-aliasing)
gcc "${CFLAGS[@]}" -DKERNELS="\"$TMP/old/executor/src/main/c/canopy_kernels.c\"" -o "$TMP/kd_old" "$ROOT/executor/src/test/c/kernel_dump.c" -lm
gcc "${CFLAGS[@]}" -DKERNELS="\"$ROOT/executor/src/main/c/canopy_kernels.c\"" -o "$TMP/kd_new" "$ROOT/executor/src/test/c/kernel_dump.c" -lm
failed=0
for shape in "2048 768 1" "2045 1024 1" "13 256 2" "21 512 3" "37 768 4" "45 512 5" "30 1536 17" "8 256 1" "7 256 9" "19 416 1" "11 416 6"; do
  for type in ${TYPES:-3 6 7 12 13 14 39}; do
    cols=$(echo $shape | cut -d' ' -f2)
    case $type in 12|13|14) [ $((cols % 256)) -eq 0 ] || continue ;; esac
    for level in 1 2; do
      "$TMP/kd_old" $type $shape $level > "$TMP/old.bin"; "$TMP/kd_new" $type $shape $level > "$TMP/new.bin"
      if cmp -s "$TMP/old.bin" "$TMP/new.bin"; then echo "same: type $type, rows cols batch $shape, level $level"
      else echo "DIFFERENT: type $type, rows cols batch $shape, level $level"; failed=1; fi
      rows=$(echo $shape | cut -d' ' -f1); batch=$(echo $shape | cut -d' ' -f3)
      if [ "$batch" -gt 1 ]; then # the first activation row alone (decode) against it in the batch (prefill tiles)
        "$TMP/kd_new" $type $rows $cols 1 $level > "$TMP/one.bin"
        if cmp -s -n $((rows * 4)) "$TMP/one.bin" "$TMP/new.bin"; then echo "decode = batch: type $type, rows cols batch $shape, level $level"
        else echo "DECODE DIFFERS FROM BATCH: type $type, rows cols batch $shape, level $level"; failed=1; fi
      fi
    done
  done
done
exit $failed
