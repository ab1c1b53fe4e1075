#!/bin/sh
# Runs on the GPU machine (no Java there, no network): the CUDA backend's tests and benchmarks from the
# bundle that scripts/gpu-check.sh built. Results go to $OUT (or <bundle>/out):
#   summary.txt     what each stage gave, in a few lines (also printed at the end)
#   results.json    the same as data: exit codes, test counts, every benchmark row, the W1 check
#   gpu-tests.txt   JUnit tree of every test in dev.canopy.executor.cuda (GPU tests included)
#   w1.md, w1.log   the engine (scheduler, prefix cache, batching) on a W1-shaped shared-prefix workload
#                   on the 1B-shaped Q8_0 model: prefix cache on, off, on + shared-prefix attention
#   bench.md        tokens/s table of the Java GPU backend (stories260K, 1B-shaped Q8_0 on CUDA and
#                   tensor cores, 1B-shaped Q4_K, single-stream decode of a 7B-shaped Q8_0 model), a row
#                   appended as soon as it is measured
#   bench.log       the benchmark's timestamped progress (each stage before it starts, model writing and
#                   loading times, 1B logits GPU vs CPU; a hung stage's thread stacks)
#   torch.md        the PyTorch reference rows (same 1B shape, bf16, eager; W1 shape included)
#   gemv-lab.md     (stage "lab") batch-1 GEMV designs on 7B-shaped Q8_0/Q4_0 weights: µs, GB/s, % of peak,
#                   registers, bits vs main's kernel, the launch floor, GEMV time per 7B token (GemvLab)
#   lab.log         its timestamped progress
#   env.txt         nvidia-smi, libcuda, runtime versions, exit codes
# Each stage has a time limit (lab 90 s, tests 150 s, W1 120 s, benchmark 145 s, PyTorch 90 s) and the whole
# script a budget of $BUDGET seconds (default 360): a stage gets what is left when less, and is skipped
# when under 20 s are left. A failing or hung stage never stops the next one. Exit codes (124: timed
# out) are in env.txt and results.json.
# Usage from the repository root: sh target/gpu-bundle/run-on-gpu.sh [stages], stages a subset of
# "lab tests w1 bench torch profile" (default: tests w1 bench torch), e.g. "tests" to rerun only the tests after a fix;
# "lab" runs the GEMV lab first (about 15 s, under a minute; see gemv-lab.md above), e.g. "lab" alone or "lab tests";
# "profile" writes profile.md and profile.log: each kernel's GPU time in decode steps (CudaBenchmark).
# "ab" (a bundle built with CANOPY_AB_REF=<git ref>, see gpu-check.sh): the GPU tests and the kernel times
# again with that ref's kernels (ab/cuda/canopy.fatbin, first on the classpath), in gpu-tests-ab.txt and
# ab/profile.md: a before/after of a kernel change in one run, e.g. "tests profile ab".
B=$(cd "$(dirname "$0")" && pwd)
STAGES=${1:-tests w1 bench torch}
has() { case " $STAGES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
OUT=${OUT:-$B/out}
mkdir -p "$OUT"
ENV="$OUT/env.txt"
JRE=/tmp/canopy-jre
WORK=/tmp/canopy-work
BUDGET=${BUDGET:-360}
DEADLINE=$(( $(date +%s) + BUDGET ))
CODES=""

# limit SECONDS: the stage's limit, or what is left of the budget when less (0: skip the stage)
limit() {
  left=$(( DEADLINE - $(date +%s) ))
  if [ "$left" -lt 20 ]; then echo 0; elif [ "$left" -lt "$1" ]; then echo "$left"; else echo "$1"; fi
}
# record NAME CODE: remembers a stage's exit code for env.txt and results.json
record() {
  echo "$1 exit code: $2" >> "$ENV"
  CODES="$CODES${CODES:+, }\"$1\": $2"
}
# stage NAME LIMIT LOG COMMAND...: runs COMMAND, its output in LOG, for at most LIMIT seconds (or what is left
# of the budget) and records its exit code as NAME; 125 when the budget has no time left for it
stage() {
  stage_name=$1
  stage_limit=$(limit "$2")
  stage_log=$3
  shift 3
  if [ "$stage_limit" -gt 0 ]; then
    timeout "$stage_limit" "$@" > "$stage_log" 2>&1
    record "$stage_name" $?
  else
    record "$stage_name" 125
  fi
}

{ date; uname -a; nvidia-smi 2>&1 | head -20; echo "profilers: $(command -v nsys ncu /usr/local/cuda/bin/nsys /usr/local/cuda/bin/ncu 2>/dev/null | tr '\n' ' ')"; } > "$ENV"
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
# gpu_tests NAME CLASSPATH LOG: every test in dev.canopy.executor.cuda (GPU tests included) as a stage
gpu_tests() {
  stage "$1" 150 "$3" "$JAVA" $FLAGS -cp "$2" org.junit.platform.console.ConsoleLauncher execute \
    --scan-classpath "$B/test-classes" --include-package dev.canopy.executor.cuda --details=tree \
    --disable-banner --disable-ansi-colors
}

# the 1B-shaped synthetic models (Q8_0, then Q4_K) and the 7B-shaped Q8_0 one (7 GB, for the bench only)
# are written by two CPU processes while the GPU tests run
if has bench || has w1 || has profile || has ab; then
  timeout 150 "$JAVA" $FLAGS -cp "$CP" dev.canopy.executor.cuda.CudaBenchmark generate "$WORK" 1b > "$OUT/generate.log" 2>&1 &
  GENERATOR=$!
fi
if has bench || has profile || has ab; then
  timeout 120 "$JAVA" $FLAGS -cp "$CP" dev.canopy.executor.cuda.CudaBenchmark generate "$WORK" 7b > "$OUT/generate-7b.log" 2>&1 &
  GENERATOR_7B=$!
fi

if has lab; then
  stage lab 90 "$OUT/lab.log" "$JAVA" $FLAGS -cp "$CP" dev.canopy.executor.cuda.GemvLab "$OUT"
fi

if has tests; then
  gpu_tests tests "$CP" "$OUT/gpu-tests.txt"
fi

if [ -n "${GENERATOR:-}" ]; then
  wait $GENERATOR
  record generate $?
fi
if [ -n "${GENERATOR_7B:-}" ]; then
  wait $GENERATOR_7B
  record generate-7b $?
fi

if has w1; then
  stage w1 120 "$OUT/w1.log" "$JAVA" $FLAGS -cp "$CP" dev.canopy.executor.cuda.EngineBenchmark "$OUT" "$WORK"
fi

if has bench; then
  stage bench 145 "$OUT/bench.log" "$JAVA" $FLAGS -cp "$CP" dev.canopy.executor.cuda.CudaBenchmark run "$OUT" "$WORK"
fi

if has profile; then
  stage profile 120 "$OUT/profile.log" "$JAVA" $FLAGS -cp "$CP" dev.canopy.executor.cuda.CudaBenchmark run "$OUT" \
    "$WORK" profile
fi

if has ab; then
  if [ -f "$B/ab/cuda/canopy.fatbin" ]; then
    cat "$B/ab/REF" >> "$ENV"
    gpu_tests tests-ab "$B/ab:$CP" "$OUT/gpu-tests-ab.txt"
    mkdir -p "$OUT/ab"
    stage profile-ab 120 "$OUT/ab/profile.log" "$JAVA" $FLAGS -cp "$B/ab:$CP" dev.canopy.executor.cuda.CudaBenchmark \
      run "$OUT/ab" "$WORK" profile
  else
    echo "no ab/cuda/canopy.fatbin in the bundle: build it with CANOPY_AB_REF=<ref> scripts/gpu-check.sh" >> "$ENV"
  fi
fi

if ! has torch; then
  :
elif python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  stage torch 90 "$OUT/torch.md" env PYTHONUNBUFFERED=1 python3 "$B/gpu-bench-torch.py"
else
  echo "no PyTorch with CUDA: reference skipped" >> "$ENV"
fi

# summary.txt and results.json (exit code 125: skipped, the budget was spent)
{
  echo "== exit codes (0 ok, 124 timed out, 125 skipped for lack of time, 2 no GPU): $CODES"
  if has lab; then
    echo "== GEMV lab (gemv-lab.md)"
    cat "$OUT/gemv-lab.md" 2>/dev/null
    grep -E 'No GEMV lab|FAILED|EXPECTED|HUNG|Exception|Cannot' "$OUT/lab.log" 2>/dev/null | head -20
  fi
  echo "== GPU tests"
  grep -E 'tests (successful|failed|aborted|skipped)' "$OUT/gpu-tests.txt" 2>/dev/null
  grep -E '✘|MethodSource.*FAILED' "$OUT/gpu-tests.txt" 2>/dev/null | head -20
  grep -m1 'no usable GPU' "$OUT/gpu-tests.txt" 2>/dev/null
  echo "== W1 on the engine"
  cat "$OUT/w1.md" 2>/dev/null
  grep -E 'identical|FAILED|Cannot' "$OUT/w1.log" 2>/dev/null
  echo "== benchmark"
  cat "$OUT/bench.md" 2>/dev/null
  grep -E 'logit difference|FAILED' "$OUT/bench.log" 2>/dev/null
  echo "== PyTorch"
  cat "$OUT/torch.md" 2>/dev/null
} > "$OUT/summary.txt"
python3 - "$OUT" "{$CODES}" <<'PY' 2>> "$ENV" || echo "results.json not written (no python3)" >> "$ENV"
import json, re, sys, pathlib
out, codes = pathlib.Path(sys.argv[1]), json.loads(sys.argv[2])
def text(name):
    p = out / name
    return p.read_text(errors="replace") if p.exists() else ""
def rows(name):
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text(name).splitlines()
            if line.startswith("|") and not line.startswith("|---") and "tokens/s" not in line and "prefix cache |" not in line]
counts = {k: int(v) for v, k in re.findall(r"(\d+) tests (successful|failed|aborted|skipped)", text("gpu-tests.txt"))}
w1check = re.findall(r"completions identical.*", text("w1.log"))
logits = re.findall(r"largest logit difference.*", text("bench.log"))
lab = re.findall(r"Fastest: .*", text("gemv-lab.md"))
json.dump({"exit_codes": codes, "tests": counts, "w1": rows("w1.md"), "w1_check": w1check, "bench": rows("bench.md"),
           "logits_check": logits, "torch": rows("torch.md"), "lab_fastest": lab}, open(out / "results.json", "w"), indent=1)
PY
cat "$OUT/summary.txt"
cat "$ENV" 2>/dev/null | tail -8
