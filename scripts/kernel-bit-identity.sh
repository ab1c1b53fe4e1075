#!/usr/bin/env bash
# Compares the C kernels' Q6_K outputs of the working tree with those of git revision REV byte for byte, at
# levels 1 (AVX2) and 2 (AVX-512 where the CPU has it), over batches that take the decode and the repacked
# prefill paths and ragged row counts. Usage: scripts/kernel-bit-identity.sh REV   (exit 1 on any difference)
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
for shape in "2048 768 1" "2045 1024 1" "13 256 2" "21 512 3" "37 768 4" "45 512 5" "30 1536 17" "8 256 1" "7 256 9"; do
  for level in 1 2; do
    "$TMP/kd_old" 14 $shape $level > "$TMP/old.bin"; "$TMP/kd_new" 14 $shape $level > "$TMP/new.bin"
    if cmp -s "$TMP/old.bin" "$TMP/new.bin"; then echo "same: rows cols batch $shape, level $level"
    else echo "DIFFERENT: rows cols batch $shape, level $level"; failed=1; fi
  done
done
exit $failed
