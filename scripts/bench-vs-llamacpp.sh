#!/usr/bin/env bash
# Canopy against a local llama.cpp build, per weight type and x86 kernel path (docs/kernels.md, issue 21):
# for each pair, llama-bench (the ISA build) then `canopy bench` with the same ISA forced, back to back, two rounds.
# Usage: LLAMA_BUILDS=/path/with/build-avx2,build-avx512 MODELS=/dir/with/synth-{Q8_0,Q4_K_M,Q6_K,Q4_0}.gguf \
#        scripts/bench-vs-llamacpp.sh [threads]
# (models: bin/canopy synth-model --type F32, then bin/canopy quantize --type ...; llama.cpp: cmake -DGGML_NATIVE=OFF
#  -DGGML_AVX2=ON -DGGML_AVX512=OFF into build-avx2, and -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON into build-avx512)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LLAMA=${LLAMA_BUILDS:?set LLAMA_BUILDS to the folder holding build-avx2 and build-avx512}
M=${MODELS:?set MODELS to the folder of the synthetic models}
T=${1:-1}
for round in 1 2; do
  for t in Q8_0 Q4_K_M Q6_K Q4_0; do
    for isa in avx2 avx512; do
      echo "=== round $round $t $isa llama $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
      timeout 400 "$LLAMA/build-$isa/bin/llama-bench" -m "$M/synth-$t.gguf" -p 128 -n 64 -t "$T" -r 1 -o csv 2>/dev/null | tail -2
      echo "=== round $round $t $isa canopy $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
      # the AVX2 path on an AVX-512 machine: the JVM's own vectors at AVX2 width too (attention, norms), as there
      jvm=""; [ "$isa" = avx2 ] && jvm="-XX:UseAVX=2"
      CANOPY_JAVA_OPTS="${CANOPY_JAVA_OPTS:-} $jvm" timeout 400 "$ROOT/bin/canopy" bench --model "$M/synth-$t.gguf" --prompt-len 128 --gen-len 64 --threads "$T" \
        --warmup 1 --kernels "native-$isa" --json 2>/dev/null
    done
  done
done
echo "=== done $(date +%T)"
