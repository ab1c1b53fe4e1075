#!/usr/bin/env bash
# Builds target/gpu-bundle: all that the GPU machine (no Java, no network) needs to run the CUDA
# backend's tests and benchmarks, in one ignored folder under 64 MiB, and prints how to run it there:
#   runtime.tar.gz  a jlink'ed Java 25 runtime (java.base, java.logging, jdk.unsupported,
#                   jdk.incubator.vector, java.management)
#   lib/            the executor jar (with cuda/canopy.fatbin), its runtime dependencies, AssertJ and
#                   the JUnit console launcher
#   test-classes/   the executor's test classes (the GPU tests, the benchmark, the GEMV lab with its kernels
#                   in cuda/gemv-lab.fatbin)
#   native/         libJCudaDriver-12.6.0-linux-x86_64.so only (JCuda's driver API; needs libcuda.so.1)
#   models/         stories260K (F32, Q8_0) and its reference outputs
#   run-on-gpu.sh, gpu-bench-torch.py
#   ab/             with CANOPY_AB_REF=<git ref>: that ref's kernels (ab/cuda/canopy.fatbin) and ab/REF, for
#                   run-on-gpu.sh's "ab" stage (the same tests and kernel times with them: before/after in one run)
# Then runs the bundle here, where it must skip the GPU tests cleanly.
# Usage: [CANOPY_AB_REF=<git ref>] scripts/gpu-check.sh [--no-local-run]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JUNIT_PLATFORM=1.13.4
JCUDA=12.6.0
BUNDLE="$ROOT/target/gpu-bundle"
MODELS=${CANOPY_MODELS_DIR:-$ROOT/../shared/models}
LIMIT=$((64 * 1024 * 1024))

cd "$ROOT"
command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || { echo "Cannot build the GPU bundle: nvcc is not installed, so the kernels would be missing" >&2; exit 1; }
rm -rf "$BUNDLE" && mkdir -p "$BUNDLE/lib" "$BUNDLE/native" "$BUNDLE/models"

echo "== building the executor jar, test classes and dependencies"
mvn -q -B -pl executor -am package dependency:copy-dependencies -DskipTests -DincludeScope=test \
  -DoutputDirectory="$BUNDLE/lib" -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian \
  -DexcludeArtifactIds=jcuda-natives
EXECUTOR_JAR=$(ls executor/target/canopy-executor-*.jar | grep -v -- '-tests.jar$')
cp "$EXECUTOR_JAR" "$BUNDLE/lib/"
unzip -l "$BUNDLE/lib/$(basename "$EXECUTOR_JAR")" | grep -q 'cuda/canopy.fatbin' \
  || { echo "Cannot build the GPU bundle: the executor jar has no cuda/canopy.fatbin" >&2; exit 1; }
cp -r executor/target/test-classes "$BUNDLE/test-classes" # a folder: JUnit scans it without a zip file system
[ -f "$BUNDLE/test-classes/cuda/gemv-lab.fatbin" ] \
  || { echo "Cannot build the GPU bundle: the test classes have no cuda/gemv-lab.fatbin (the GEMV lab's kernels)" >&2; exit 1; }
mvn -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_PLATFORM \
  -DoutputDirectory="$BUNDLE/lib"
mv "$BUNDLE/lib/junit-platform-console-standalone-$JUNIT_PLATFORM.jar" "$BUNDLE/lib/junit-platform-console-standalone.jar"
mvn -q -B dependency:copy -Dartifact=org.jcuda:jcuda-natives:$JCUDA:jar:linux-x86_64 -DoutputDirectory="$BUNDLE/native"
unzip -q -j -o "$BUNDLE/native/jcuda-natives-$JCUDA-linux-x86_64.jar" "lib/libJCudaDriver-$JCUDA-linux-x86_64.so" -d "$BUNDLE/native"
rm "$BUNDLE/native/jcuda-natives-$JCUDA-linux-x86_64.jar"

echo "== linking the Java runtime"
JRE_BUILD="$ROOT/target/gpu-bundle-jre"
rm -rf "$JRE_BUILD"
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported,jdk.incubator.vector,java.management \
  --strip-debug --no-header-files --no-man-pages --output "$JRE_BUILD/canopy-jre" 2>&1 | grep -v 'incubator modules' || true
tar czf "$BUNDLE/runtime.tar.gz" -C "$JRE_BUILD" canopy-jre
rm -rf "$JRE_BUILD"

for f in stories260K-f32.gguf stories260K-q8_0.gguf stories260K-greedy-llama2c.jsonl stories260K-greedy-llamacpp.jsonl; do
  cp "$MODELS/$f" "$BUNDLE/models/"
done
cp scripts/run-on-gpu.sh scripts/gpu-bench-torch.py "$BUNDLE/"

if [ -n "${CANOPY_AB_REF:-}" ]; then
  echo "== building the kernels of $CANOPY_AB_REF for the ab stage"
  AB_SRC=$(mktemp -d)
  git archive "$CANOPY_AB_REF" executor/src/main/cuda | tar x -C "$AB_SRC"
  mkdir -p "$BUNDLE/ab/cuda"
  NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  # the flags of executor/pom.xml's compile-cuda-kernels
  (cd "$AB_SRC/executor/src/main/cuda" && "$NVCC" -fatbin -O3 --fmad=false \
    -gencode "arch=compute_90,code=[sm_90,compute_90]" -o "$BUNDLE/ab/cuda/canopy.fatbin" canopy.cu)
  echo "ab kernels: $CANOPY_AB_REF $(git rev-parse "$CANOPY_AB_REF")" > "$BUNDLE/ab/REF"
  rm -rf "$AB_SRC"
fi

SIZE=$(du -sb "$BUNDLE" | cut -f1)
TREE=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
echo "== bundle: $SIZE bytes; tracked working tree: $TREE bytes; limit together: $LIMIT"
[ $((SIZE + TREE)) -le $LIMIT ] || { echo "Cannot carry the GPU bundle: $SIZE + $TREE bytes exceed $LIMIT" >&2; exit 1; }

if [ "${1:-}" != "--no-local-run" ]; then
  echo "== running the bundle here (no GPU: the GPU tests must skip, naming why)"
  LOCAL_OUT="$ROOT/target/gpu-bundle-local-out"
  rm -rf "$LOCAL_OUT"
  OUT="$LOCAL_OUT" sh "$BUNDLE/run-on-gpu.sh" > "$ROOT/target/gpu-bundle-local.log" 2>&1 || true
  grep -E 'tests (successful|failed|aborted|skipped)' "$LOCAL_OUT/gpu-tests.txt" || true
  grep -m1 'no usable GPU' "$LOCAL_OUT/gpu-tests.txt" || true
  grep 'exit code' "$LOCAL_OUT/env.txt" || true
  rm -rf "$LOCAL_OUT"
fi

cat <<MSG
== on the GPU machine, from the repository root (device tool: carry ["target/gpu-bundle"], timeout_s 600):
   sh target/gpu-bundle/run-on-gpu.sh
   results in \$OUT: summary.txt results.json gpu-tests.txt w1.md w1.log bench.md bench.log torch.md env.txt
   (about 4-6 minutes; BUDGET=<seconds> caps the whole script, default 360)
   the GEMV lab alone (under a minute): sh target/gpu-bundle/run-on-gpu.sh lab   -> \$OUT/gemv-lab.md, lab.log
MSG
