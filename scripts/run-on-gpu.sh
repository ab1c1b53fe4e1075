#!/bin/sh
# Runs on the GPU machine (no Java there, no network): the CUDA backend's tests and benchmarks from the
# bundle that scripts/gpu-check.sh built. Results go to $OUT (or <bundle>/out):
#   report.md       everything important in one file: the summary, every .md table of every build, test
#                   counts and failing tests, the checks, env.txt (the device tool brings back at most 8 files)
#   summary.txt     the short version (also printed at the end): exit codes, test counts, W1, benchmark and
#                   PyTorch tables, and with the ab stage a table of each measure for this build and each variant
#   results.json    the same as data: exit codes, test counts, every benchmark row, the W1 check, the variants
#   all.tar.gz      every other file below, packed (PACK=0 leaves them loose instead)
#   gpu-tests.txt   JUnit tree of every test in dev.canopy.executor.cuda (GPU tests included)
#   w1.md, w1.log   the engine (scheduler, prefix cache, batching) on a W1-shaped shared-prefix workload
#                   on the 1B-shaped Q8_0 model: prefix cache on, off, on + shared-prefix attention
#   bench.md        tokens/s table of the Java GPU backend (stories260K, 1B-shaped Q8_0 on CUDA and
#                   tensor cores, 1B-shaped Q4_K, single-stream decode of a 7B-shaped Q8_0 model), a row
#                   appended as soon as it is measured
#   bench.log       the benchmark's timestamped progress (each stage before it starts, model writing and
#                   loading times, 1B logits GPU vs CPU; a hung stage's thread stacks)
#   profile.md, profile.log  each kernel's GPU time in decode steps (CudaBenchmark ... profile)
#   gemv-lab.md, lab.log  (stage "lab", where the test classes have dev.canopy.executor.cuda.GemvLab) batch-1 GEMV
#                   designs on 7B-shaped Q8_0/Q4_0 weights: µs, GB/s, % of peak, registers, bits vs main's kernel,
#                   the launch floor, GEMV time per 7B token; about 15 s, run first
#   torch.md        the PyTorch reference rows (same 1B shape, bf16, eager; W1 shape included)
#   env.txt         nvidia-smi, libcuda, runtime versions, exit codes
#   ab/<n>/         the same files for ab variant n (its gpu-tests.txt, profile.md, ...)
# Each stage has a time limit (tests 150 s, W1 120 s, benchmark 145 s, profile 120 s, lab 90 s, PyTorch
# 90 s) and the whole script a budget of $BUDGET seconds (default 360, 540 with the ab stage): a stage gets
# what is left when less, and is skipped (exit code 125) when under 20 s are left. A failing or hung stage
# never stops the next one. Exit codes (124: timed out) are in env.txt and results.json.
# Usage from the repository root: sh target/gpu-bundle/run-on-gpu.sh [stages], stages a subset of
# "tests w1 bench torch profile lab ab" (default: the first four), e.g. "tests" to rerun only the tests after a fix.
# "ab" (a bundle built with CANOPY_AB_REFS="<git ref> ...", see gpu-check.sh): for each variant ab/<n>, the
# stages in $AB_STAGES (default "tests profile"; any of tests w1 bench profile lab, and tests=<Class>+<Class> for
# only those classes of dev.canopy.executor.cuda; or the variant's own, given to gpu-check.sh as
# <ref>:<stage>,...) with that ref's jars and
# test classes instead of this build's, in $OUT/ab/<n>/, exit codes named e.g. tests-ab1: several branches
# against this build in one run, e.g. "tests profile ab".
B=$(cd "$(dirname "$0")" && pwd)
STAGES=${1:-tests w1 bench torch}
AB_STAGES=${AB_STAGES:-tests profile}
# in_list WORD LIST: whether the space-separated LIST holds WORD
in_list() { case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
has() { in_list "$1" "$STAGES"; }
# wants STAGE: whether this build or a variant runs STAGE
wants() { has "$1" || { has ab && in_list "$1" "$AB_STAGES $(cat "$B"/ab/*/STAGES 2>/dev/null | tr '\n' ' ')"; }; }
for s in $STAGES; do
  in_list "$s" "tests w1 bench torch profile lab ab" \
    || { echo "Cannot run stage '$s': the stages are tests w1 bench torch profile lab ab" >&2; exit 1; }
done
for s in $AB_STAGES; do
  in_list "${s%%=*}" "tests w1 bench profile lab" \
    || { echo "Cannot run '$s' on the ab variants (AB_STAGES): they run tests w1 bench profile lab" >&2; exit 1; }
done
OUT=${OUT:-$B/out}
mkdir -p "$OUT"
ENV="$OUT/env.txt"
JRE=/tmp/canopy-jre
WORK=/tmp/canopy-work
VARIANTS=/tmp/canopy-ab
if has ab; then BUDGET=${BUDGET:-540}; else BUDGET=${BUDGET:-360}; fi
DEADLINE=$(( $(date +%s) + BUDGET ))
CODES=""

# limit SECONDS: the stage's limit, or what is left of the budget when less (0: skip the stage)
limit() {
  left=$(( DEADLINE - $(date +%s) ))
  if [ "$left" -lt 20 ]; then echo 0; elif [ "$left" -lt "$1" ]; then echo "$left"; else echo "$1"; fi
}
# record NAME CODE [SECONDS]: remembers a stage's exit code (and how long it ran) for env.txt and results.json
record() {
  echo "$1 exit code: $2${3:+ after $3 s}" >> "$ENV"
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
    stage_start=$(date +%s)
    timeout "$stage_limit" "$@" > "$stage_log" 2>&1
    record "$stage_name" $? $(( $(date +%s) - stage_start ))
  else
    record "$stage_name" 125
  fi
}

{ echo "main: $(cat "$B/REF" 2>/dev/null)"; date; uname -a; nvidia-smi 2>&1 | head -20; echo "profilers: $(command -v nsys ncu /usr/local/cuda/bin/nsys /usr/local/cuda/bin/ncu 2>/dev/null | tr '\n' ' ')"; } > "$ENV"
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
CP="$B/test-classes:$B/canopy/*:$B/lib/*"
FLAGS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Djava.library.path=$B/native"
export CANOPY_MODELS_DIR="$B/models"

# java_stages SUFFIX DIR TEST_CLASSES CLASSPATH STAGES: runs the Java stages among STAGES (lab tests w1 bench
# profile, in that order) of one build, its results in DIR and its exit codes named <stage>SUFFIX
java_stages() {
  suffix=$1; dir=$2; classes=$3; classpath=$4
  mkdir -p "$dir"
  for s in lab tests w1 bench profile; do
    picked="" # the stage as STAGES names it: e.g. tests, or tests=ForwardKernelsGpuTest+CudaBackendGpuTest
    for t in $5; do case $t in "$s"|"$s="*) picked=$t ;; esac; done
    [ -n "$picked" ] || continue
    case $s in
      tests) # every test in dev.canopy.executor.cuda (GPU tests included), or the classes named after "tests="
        if [ "$picked" = tests ]; then
          select="--scan-classpath $classes --include-package dev.canopy.executor.cuda"
        else
          select=$(echo "${picked#tests=}" | tr '+' '\n' | sed 's/^/--select-class dev.canopy.executor.cuda./' | tr '\n' ' ')
        fi
        stage "tests$suffix" 150 "$dir/gpu-tests.txt" "$JAVA" $FLAGS -cp "$classpath" \
          org.junit.platform.console.ConsoleLauncher execute $select --details=tree --disable-banner \
          --disable-ansi-colors ;;
      w1) stage "w1$suffix" 120 "$dir/w1.log" "$JAVA" $FLAGS -cp "$classpath" \
          dev.canopy.executor.cuda.EngineBenchmark "$dir" "$WORK" ;;
      bench) stage "bench$suffix" 145 "$dir/bench.log" "$JAVA" $FLAGS -cp "$classpath" \
          dev.canopy.executor.cuda.CudaBenchmark run "$dir" "$WORK" ;;
      profile) stage "profile$suffix" 120 "$dir/profile.log" "$JAVA" $FLAGS -cp "$classpath" \
          dev.canopy.executor.cuda.CudaBenchmark run "$dir" "$WORK" profile ;;
      lab)
        if [ -f "$classes/dev/canopy/executor/cuda/GemvLab.class" ]; then
          stage "lab$suffix" 90 "$dir/lab.log" "$JAVA" $FLAGS -cp "$classpath" \
            dev.canopy.executor.cuda.GemvLab "$dir"
        else
          echo "lab$suffix: no dev.canopy.executor.cuda.GemvLab in $classes, skipped" >> "$ENV"
        fi ;;
    esac
  done
}

# the 1B-shaped synthetic models (Q8_0, then Q4_K) and the 7B-shaped Q8_0 one (7 GB, for the bench only)
# are written by two CPU processes while the GPU tests run
if wants bench || wants w1 || wants profile; then
  timeout 150 "$JAVA" $FLAGS -cp "$CP" dev.canopy.executor.cuda.CudaBenchmark generate "$WORK" 1b > "$OUT/generate.log" 2>&1 &
  GENERATOR=$!
fi
if wants bench || wants profile; then
  timeout 120 "$JAVA" $FLAGS -cp "$CP" dev.canopy.executor.cuda.CudaBenchmark generate "$WORK" 7b > "$OUT/generate-7b.log" 2>&1 &
  GENERATOR_7B=$!
fi

java_stages "" "$OUT" "$B/test-classes" "$CP" "$(for s in lab tests; do has $s && printf "%s " $s; done)"

if [ -n "${GENERATOR:-}" ]; then
  wait $GENERATOR
  record generate $?
fi
if [ -n "${GENERATOR_7B:-}" ]; then
  wait $GENERATOR_7B
  record generate-7b $?
fi

java_stages "" "$OUT" "$B/test-classes" "$CP" "$(for s in w1 bench profile; do has $s && printf "%s " $s; done)"
VARIANT_LIST="" # the variants' numbers, in order
if has ab; then
  for v in "$B"/ab/*/REF; do
    [ -f "$v" ] || { echo "no ab variants in the bundle: build it with CANOPY_AB_REFS=\"<ref> ...\" scripts/gpu-check.sh" >> "$ENV"; break; }
    VARIANT_LIST="$VARIANT_LIST $(basename "$(dirname "$v")")"
  done
  VARIANT_LIST=$(echo $VARIANT_LIST | tr ' ' '\n' | sort -n | tr '\n' ' ')
  for n in $VARIANT_LIST; do
    echo "ab$n: $(cat "$B/ab/$n/REF"), stages: $(cat "$B/ab/$n/STAGES" 2>/dev/null || echo "$AB_STAGES")" >> "$ENV"
    rm -rf "$VARIANTS/$n" && mkdir -p "$VARIANTS/$n"
    if tar xzf "$B/ab/$n/test-classes.tar.gz" -C "$VARIANTS/$n"; then
      stages=$AB_STAGES
      [ -f "$B/ab/$n/STAGES" ] && stages=$(cat "$B/ab/$n/STAGES") # the variant's own, from gpu-check.sh
      java_stages "-ab$n" "$OUT/ab/$n" "$VARIANTS/$n/test-classes" "$VARIANTS/$n/test-classes:$B/ab/$n/*:$B/lib/*" \
        "$stages"
    else
      record "unpack-ab$n" 1
    fi
  done
fi

if ! has torch; then
  :
elif python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  stage torch 90 "$OUT/torch.md" env PYTHONUNBUFFERED=1 python3 "$B/gpu-bench-torch.py"
else
  echo "no PyTorch with CUDA: reference skipped" >> "$ENV"
fi

# test_lines DIR: DIR's GPU test counts, failing tests and why GPU tests were skipped
test_lines() {
  grep -E 'tests (successful|failed|aborted|skipped)' "$1/gpu-tests.txt" 2>/dev/null
  grep -E '✘|MethodSource.*FAILED' "$1/gpu-tests.txt" 2>/dev/null | head -20
  grep -m1 'no usable GPU' "$1/gpu-tests.txt" 2>/dev/null
}
# w1_check DIR, bench_check DIR, lab_check DIR: the benchmarks' own checks in DIR (completions identical, logit
# difference, failures, no GPU)
w1_check() { grep -E 'identical|FAILED|Cannot' "$1/w1.log" 2>/dev/null; }
bench_check() { grep -E 'logit difference|FAILED' "$1/bench.log" 2>/dev/null; }
lab_check() { grep -E 'No GEMV lab|FAILED|EXPECTED|HUNG|Exception|Cannot' "$1/lab.log" 2>/dev/null | head -20; }
# measures NAME DIR: "NAME<tab>measure<tab>value" for each number of DIR worth comparing: test counts, tokens/s
# of each bench.md and w1.md row, tokens/s with CUDA graphs of each profile.md table
measures() {
  name=$1; dir=$2; set --
  for f in gpu-tests.txt w1.md bench.md profile.md; do [ -f "$dir/$f" ] && set -- "$@" "$dir/$f"; done
  [ $# -gt 0 ] || return 0
  awk -v name="$name" '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    function put(key, value) { print name "\t" key "\t" value }
    FNR == 1 { valcol = 0; table = FILENAME; sub(/.*\//, "", table); sub(/\.md$/, "", table) }
    table == "gpu-tests.txt" && /^\[ *[0-9]+ tests (successful|failed|aborted|skipped)/ {
      gsub(/\[|\]/, ""); put("tests " $3, $1) }
    (table == "bench" || table == "w1") && /^\|/ && !/^\|---/ {
      n = split($0, c, "|")
      if (!valcol) { # the header: tokens/s (bench) or output tok/s (w1)
        for (i = 2; i < n; i++) if (trim(c[i]) == "tokens/s" || trim(c[i]) == "output tok/s") valcol = i
        next
      }
      key = table; last = table == "bench" ? 5 : 4 # model, backend, workload, sequences; cache, attention, backend
      for (i = 2; i <= last; i++) key = key (i == 2 ? " " : ", ") trim(c[i])
      put(key, trim(c[valcol])) }
    table == "profile" && /^## / { key = substr($0, 4); sub(/: [0-9]+ steps$/, "", key) }
    table == "profile" && /^With CUDA graphs/ { put("profile " key, $4) }
  ' "$@"
}
# comparison: a markdown table of the measures read as "name<tab>measure<tab>value", one column per build
comparison() {
  awk -F '\t' -v names="main $(for n in $VARIANT_LIST; do printf 'ab%s ' "$n"; done)" '
    !($2 in known) { known[$2] = 1; keys[++count] = $2 }
    { value[$2, $1] = $3 }
    END {
      if (!count) exit
      columns = split(names, name, " ")
      line = "| measure (tests: count, others: tok/s) |"; rule = "|---|"
      for (c = 1; c <= columns; c++) { line = line " " name[c] " |"; rule = rule "---|" }
      print line; print rule
      for (k = 1; k <= count; k++) {
        line = "| " keys[k] " |"
        for (c = 1; c <= columns; c++) line = line " " ((keys[k], name[c]) in value ? value[keys[k], name[c]] : "") " |"
        print line
      }
    }'
}

# summary.txt and results.json (exit code 125: skipped, the budget was spent)
{
  echo "== exit codes (0 ok, 124 timed out, 125 skipped for lack of time, 2 no GPU): $CODES"
  if has lab; then
    echo "== GEMV lab (gemv-lab.md)"
    cat "$OUT/gemv-lab.md" 2>/dev/null
    lab_check "$OUT"
  fi
  if has tests; then echo "== GPU tests"; test_lines "$OUT"; fi
  if has w1; then echo "== W1 on the engine"; cat "$OUT/w1.md" 2>/dev/null; w1_check "$OUT"; fi
  if has bench; then echo "== benchmark"; cat "$OUT/bench.md" 2>/dev/null; bench_check "$OUT"; fi
  if has torch; then echo "== PyTorch"; cat "$OUT/torch.md" 2>/dev/null; fi
  if [ -n "$VARIANT_LIST" ]; then
    echo "== ab variants"
    for n in $VARIANT_LIST; do
      echo "-- ab$n: $(cat "$B/ab/$n/REF"), stages: $(cat "$B/ab/$n/STAGES" 2>/dev/null || echo "$AB_STAGES")"
      test_lines "$OUT/ab/$n"
      w1_check "$OUT/ab/$n"
      bench_check "$OUT/ab/$n"
      lab_check "$OUT/ab/$n"
    done
    echo "== main ($(cat "$B/REF" 2>/dev/null)) beside the ab variants"
    { measures main "$OUT"; for n in $VARIANT_LIST; do measures "ab$n" "$OUT/ab/$n"; done; } | comparison
  fi
} > "$OUT/summary.txt"

# report.md: the summary, then every table and check of every build, then env.txt
{
  echo "# GPU run of $(date -u '+%Y-%m-%d %H:%M UTC'): $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
  echo
  echo "stages: $STAGES${VARIANT_LIST:+; ab stages: $AB_STAGES}; budget $BUDGET s, $(( BUDGET - DEADLINE + $(date +%s) )) s used"
  echo
  cat "$OUT/summary.txt"
  for n in main $VARIANT_LIST; do
    if [ "$n" = main ]; then dir=$OUT; echo; echo "## main: $(cat "$B/REF" 2>/dev/null)"; set -- profile.md
    else dir=$OUT/ab/$n; echo; echo "## ab$n: $(cat "$B/ab/$n/REF")"; set -- w1.md bench.md profile.md gemv-lab.md; fi
    for f in "$@"; do
      [ -f "$dir/$f" ] && { echo; echo "### $f"; echo; cat "$dir/$f"; }
    done
  done
  echo
  echo "## env.txt"
  echo
  echo '```'
  cat "$ENV"
  echo '```'
} > "$OUT/report.md"

VARIANTS_JSON=$(for n in $VARIANT_LIST; do printf '%s\t%s\n' "$n" "$(cat "$B/ab/$n/REF")"; done)
python3 - "$OUT" "{$CODES}" "$VARIANTS_JSON" "$(cat "$B/REF" 2>/dev/null)" <<'PY' 2>> "$ENV" || echo "results.json not written (no python3)" >> "$ENV"
import json, re, sys, pathlib
out, codes = pathlib.Path(sys.argv[1]), json.loads(sys.argv[2])
variants = [line.split("\t", 1) for line in sys.argv[3].splitlines() if line]
def text(folder, name):
    p = folder / name
    return p.read_text(errors="replace") if p.exists() else ""
def rows(folder, name):
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text(folder, name).splitlines()
            if line.startswith("|") and not line.startswith("|---") and "tokens/s" not in line and "prefix cache |" not in line]
def results(folder):
    profile = re.findall(r"^## (.*?): \d+ steps\n\nWith CUDA graphs ([\d.]+) tok/s", text(folder, "profile.md"), re.M)
    return {"tests": {k: int(v) for v, k in re.findall(r"(\d+) tests (successful|failed|aborted|skipped)",
                                                        text(folder, "gpu-tests.txt"))},
            "w1": rows(folder, "w1.md"), "w1_check": re.findall(r"completions identical.*", text(folder, "w1.log")),
            "bench": rows(folder, "bench.md"),
            "logits_check": re.findall(r"largest logit difference.*", text(folder, "bench.log")),
            "profile": [{"table": t, "tokens_per_second": float(v)} for t, v in profile],
            "lab_fastest": re.findall(r"Fastest: .*", text(folder, "gemv-lab.md"))}
report = {"ref": sys.argv[4], "exit_codes": codes, **results(out), "torch": rows(out, "torch.md")}
report["ab"] = [{"variant": int(n), "ref": ref, **results(out / "ab" / n)} for n, ref in variants]
json.dump(report, open(out / "results.json", "w"), indent=1)
PY

cat "$OUT/summary.txt"
tail -8 "$ENV" 2>/dev/null
# the device tool brings back at most 8 files: pack all but the report, the summary and results.json
if [ "${PACK:-1}" = 1 ]; then
  (cd "$OUT" && ls -A | grep -v -x -e report.md -e summary.txt -e results.json -e all.tar.gz > /tmp/canopy-packed.txt \
    && tar czf all.tar.gz -T /tmp/canopy-packed.txt && xargs rm -rf < /tmp/canopy-packed.txt)
fi
