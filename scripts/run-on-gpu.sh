#!/bin/sh
# Runs on the GPU machine (no Java there, no network): the CUDA backend's tests and benchmarks from the
# bundle that scripts/gpu-check.sh built. Results go to $OUT (or <bundle>/out):
#   gpu-tests.txt   JUnit tree of every test in dev.canopy.executor.cuda (GPU tests included)
#   bench.md        tokens/s table of the Java GPU backend (and CPU on stories260K), a row appended as
#                   soon as it is measured
#   bench.log       the benchmark's timestamped progress (each stage before it starts, model writing and
#                   loading times, 1B logits GPU vs CPU; a hung stage's thread stacks)
#   torch.md        the PyTorch reference rows (same 1B shape, bf16, eager)
#   env.txt         nvidia-smi, libcuda, runtime versions, exit codes
# Each stage has a time limit (tests 120 s, benchmark 180 s, PyTorch 90 s; typically far less), so a
# hang in one still leaves the others' results. The benchmark keeps its own budget of 155 s, each of its
# stages capped in steps and seconds; a hung stage logs every thread's stack and ends it (exit 3).
# Exit codes (124: timed out) are in env.txt.
# Usage from the repository root: sh target/gpu-bundle/run-on-gpu.sh [stages], stages a subset of
# "tests bench torch" (default: all three), e.g. "tests" to rerun only the tests after a fix.
B=$(cd "$(dirname "$0")" && pwd)
STAGES=${1:-tests bench torch}
has() { case " $STAGES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
OUT=${OUT:-$B/out}
mkdir -p "$OUT"
ENV="$OUT/env.txt"
JRE=/tmp/canopy-jre
WORK=/tmp/canopy-work

{ date; uname -a; nvidia-smi 2>&1 | head -20; } > "$ENV"
# libcuda.so.1 must be loadable; add the driver's folder where the loader does not know it
if ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; then
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
    if [ -e "$d/libcuda.so.1" ]; then LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; export LD_LIBRARY_PATH; break; fi
  done
fi
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >> "$ENV"
ldconfig -p 2>/dev/null | grep libcuda >> "$ENV"

rm -rf "$JRE" && mkdir -p "$JRE" && tar xzf "$B/runtime.tar.gz" -C "$JRE" --strip-components=1
JAVA="$JRE/bin/java"
"$JAVA" -version >> "$ENV" 2>&1
CP="$B/test-classes:$B/lib/*"
FLAGS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Djava.library.path=$B/native"
export CANOPY_MODELS_DIR="$B/models"

# the 1B-shaped synthetic models are written by one CPU process while the GPU tests run
if has bench; then
  timeout 150 "$JAVA" $FLAGS -cp "$CP" dev.canopy.executor.cuda.CudaBenchmark generate "$WORK" > "$OUT/bench.log" 2>&1 &
  GENERATOR=$!
fi

if has tests; then
  timeout 120 "$JAVA" $FLAGS -cp "$CP" org.junit.platform.console.ConsoleLauncher execute \
    --scan-classpath "$B/test-classes" --include-package dev.canopy.executor.cuda --details=tree \
    --disable-banner --disable-ansi-colors > "$OUT/gpu-tests.txt" 2>&1
  echo "gpu tests exit code: $?" >> "$ENV"
fi

if has bench; then
  wait $GENERATOR
  echo "model generation exit code: $?" >> "$ENV"
  timeout 180 "$JAVA" $FLAGS -cp "$CP" dev.canopy.executor.cuda.CudaBenchmark run "$OUT" "$WORK" >> "$OUT/bench.log" 2>&1
  echo "benchmark exit code: $?" >> "$ENV"
fi

if ! has torch; then
  :
elif python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  PYTHONUNBUFFERED=1 timeout 90 python3 "$B/gpu-bench-torch.py" > "$OUT/torch.md" 2>&1
  echo "torch reference exit code: $?" >> "$ENV"
else
  echo "no PyTorch with CUDA: reference skipped" >> "$ENV"
fi
tail -n 25 "$OUT/gpu-tests.txt" 2>/dev/null
cat "$OUT/bench.md" "$OUT/torch.md" "$ENV" 2>/dev/null
