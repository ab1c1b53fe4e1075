#!/usr/bin/env bash
# Load time and peak RSS of a 1.1B-parameter synthetic checkpoint (BF16) next to its GGUF, each in its own JVM
# (HfLoadBench). Usage: scripts/hf-load-bench.sh [WORKDIR]   (needs ~7 GB of disk; run after mvn test-compile)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${1:-/tmp/canopy-hf-bench}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
(cd "$ROOT" && mvn -q -B -o -pl executor dependency:build-classpath -Dmdep.outputFile="$WORK.cp" >/dev/null)
CP="$ROOT/executor/target/classes:$ROOT/executor/target/test-classes:$(cat "$WORK.cp")"
run() { "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g -cp "$CP" \
  dev.canopy.executor.hf.HfLoadBench "$@" 2>/dev/null; }
export CANOPY_HF_CACHE="$WORK/cache"
rm -rf "$CANOPY_HF_CACHE"
[ -f "$WORK/hf/model.safetensors" ] || run prepare "$WORK"
run load "$WORK/model.gguf"
run load "$WORK/hf"            # first load: converts into the cache
run load "$WORK/hf"            # later loads: the cached GGUF
run load "$WORK/hf" Q8_0       # quantized at load: converts and quantizes into the cache
run load "$WORK/hf" Q8_0       # later loads: the cached quantized GGUF
run load "$WORK/hf" Q4_K       # quantized at load to Q4_K
