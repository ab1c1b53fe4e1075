#!/usr/bin/env bash
# Builds target/gpu-bundle: all that the GPU machine (no Java, no network) needs to run the CUDA
# backend's tests and benchmarks, in one ignored folder that the device tool carries (under 64 MiB
# together with the tracked tree), and prints how to run it there:
#   runtime.tar.gz  a jlink'ed Java 25 runtime (java.base, java.logging, jdk.unsupported,
#                   jdk.incubator.vector, java.management)
#   lib/            what the GPU tests and benchmarks load besides Canopy: the executor's compile and runtime
#                   dependencies (not jcuda-natives), AssertJ and the JUnit console launcher, shared by every
#                   build below. The test-only jars they never load stay out (Jazzer 9 MB, byte-buddy 9 MB: AssertJ
#                   needs it only for soft assertions, assumptions or a custom Configuration; JMH 3 MB)
#   canopy/         this checkout's Canopy jars: the executor (with cuda/canopy.fatbin) and offload
#   test-classes/   the executor's test classes (the GPU tests, the benchmarks, the GEMV lab with its kernels in
#                   cuda/gemv-lab.fatbin)
#   native/         libJCudaDriver-12.6.0-linux-x86_64.so only (JCuda's driver API; needs libcuda.so.1)
#   models/         stories260K (F32, Q8_0) and its reference outputs
#   run-on-gpu.sh, gpu-bench-torch.py, REF (this checkout's branch and commit)
#   ab/<n>/         with CANOPY_AB_REFS="<git ref>[:<stage>,...] ..." (CANOPY_AB_REF: one ref), n = 1, 2, ... in
#                   that order (the stages after ':' replace AB_STAGES for that variant, e.g. gpu-greedy:tests,w1;
#                   tests=<Class>+<Class> runs only those test classes of dev.canopy.executor.cuda):
#                   ref n's Canopy jars (its Java code and its kernels), test-classes.tar.gz and REF (the ref
#                   and its commit), built in a temporary worktree (target/ab-build) and run by
#                   run-on-gpu.sh's "ab" stage instead of canopy/ and test-classes/: several branches against
#                   this checkout in one GPU run. A ref whose third-party dependencies differ from this
#                   checkout's is refused (they share lib/). A variant takes about 1.9 MB: with the bundle
#                   at about 40.4 MB without them and the tree at 2.4 MB, about 12 fit; the script refuses a
#                   bundle that the device tool could not carry (CANOPY_CARRY_LIMIT bytes, default 64 MiB).
# Then runs the bundle here, where the GPU tests must skip cleanly and the benchmarks exit 2, and prints
# the local run's summary (report.md is checked to be there).
# Usage: [CANOPY_AB_REFS="<git ref>[:<stage>,...] ..."] scripts/gpu-check.sh [--no-local-run]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JUNIT_PLATFORM=1.13.4
JCUDA=12.6.0
BUNDLE="$ROOT/target/gpu-bundle"
AB_BUILD="$ROOT/target/ab-build"
MODELS=${CANOPY_MODELS_DIR:-$ROOT/../shared/models}
LIMIT=${CANOPY_CARRY_LIMIT:-$((64 * 1024 * 1024))} # the device tool carries 64 MiB: the bundle and the tree
AB_REFS=$(echo ${CANOPY_AB_REFS:-} ${CANOPY_AB_REF:-})

cd "$ROOT"
command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || { echo "Cannot build the GPU bundle: nvcc is not installed, so the kernels would be missing" >&2; exit 1; }
# an entry is <git ref> or <git ref>:<stage>,<stage>... (that variant's stages instead of AB_STAGES; git refs
# cannot hold ':')
for entry in $AB_REFS; do
  ref=${entry%%:*}
  git rev-parse --verify -q "$ref^{commit}" >/dev/null \
    || { echo "Cannot build the ab variant of '$ref': it names no commit here (CANOPY_AB_REFS='$AB_REFS')" >&2; exit 1; }
  case $entry in
    *:*) for s in $(echo "${entry#*:}" | tr ',' ' '); do
           case " tests w1 bench profile lab " in *" ${s%%=*} "*) ;; *)
             echo "Cannot run stage '$s' on ab variant $ref: the variants run tests w1 bench profile lab" >&2; exit 1 ;;
           esac
         done ;;
  esac
done
# what travels besides the bundle: tracked and untracked-not-ignored files
TREE=$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
rm -rf "$BUNDLE" "$ROOT"/target/gpu-bundle-deps* && mkdir -p "$BUNDLE/lib" "$BUNDLE/canopy" "$BUNDLE/native" "$BUNDLE/models"

# build_executor DIR LIST: builds DIR's executor jar (with its kernels) and test classes, and writes every
# module's resolved dependencies to LIST ("   group:artifact:type[:classifier]:version:scope:/path -- module m")
build_executor() {
  rm -f "$2"
  (cd "$1" && mvn -q -B ${MVN_OFFLINE:-} -pl executor -am package dependency:list -DskipTests -DincludeScope=test \
    -DoutputFile="$2" -DappendOutput=true -DoutputAbsoluteArtifactFilename=true)
  unzip -l "$(executor_jar "$1")" | grep -q 'cuda/canopy.fatbin' \
    || { echo "Cannot build the GPU bundle: the executor jar of $1 has no cuda/canopy.fatbin" >&2; exit 1; }
}
# executor_jar DIR: DIR's executor jar (not its tests jar)
executor_jar() { ls "$1"/executor/target/canopy-executor-*.jar | grep -v -- '-tests.jar$'; }
# dependencies LIST: "scope group:artifact path coordinates" for each dependency in LIST, once
dependencies() {
  sed -n 's/^   \([^ ]*\).*/\1/p' "$1" | awk -F: 'NF >= 6 {
    coordinates = $1; for (i = 2; i < NF; i++) coordinates = coordinates ":" $i
    print $(NF - 1), $1 ":" $2, $NF, coordinates }' | sort -u
}
# third_party LIST: the coordinates (version and scope included) of LIST's dependencies outside Canopy
third_party() { dependencies "$1" | awk '$2 !~ /^dev\.canopy:/ {print $4}' | sort -u; }
# canopy_jars DIR LIST: DIR's Canopy jars that the executor runs with: its own and the modules it depends on
canopy_jars() { executor_jar "$1"; dependencies "$2" | awk '$1 == "compile" && $2 ~ /^dev\.canopy:/ {print $3}'; }
# check_size WHAT: refuses a bundle that the device tool could not carry with the tree
check_size() {
  size=$(du -sb "$BUNDLE" | cut -f1)
  [ $((size + TREE)) -le $LIMIT ] || { echo "Cannot carry the GPU bundle $1: it has $size bytes and the tree $TREE," \
    "over the device tool's $LIMIT together; pass fewer refs in CANOPY_AB_REFS (each takes about 1.9 MB)" >&2; exit 1; }
}

echo "== building the executor jar, test classes and dependencies"
DEPS="$ROOT/target/gpu-bundle-deps.txt"
build_executor "$ROOT" "$DEPS"
dependencies "$DEPS" | awk '(($1 == "compile" || $1 == "runtime") && $2 !~ /^dev\.canopy:/ && $2 != "org.jcuda:jcuda-natives") \
  || $2 == "org.assertj:assertj-core" {print $3}' | xargs cp -t "$BUNDLE/lib"
canopy_jars "$ROOT" "$DEPS" | xargs cp -t "$BUNDLE/canopy"
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
echo "$(git rev-parse --abbrev-ref HEAD) $(git rev-parse HEAD)$(git diff --quiet HEAD || echo ' with uncommitted changes')" > "$BUNDLE/REF"
check_size "without ab variants"
echo "== bundle without ab variants: $size bytes"

remove_ab_build() { git worktree remove --force "$AB_BUILD" 2>/dev/null || rm -rf "$AB_BUILD"; git worktree prune; }
trap remove_ab_build EXIT
n=0
for entry in $AB_REFS; do
  ref=${entry%%:*}
  n=$((n + 1))
  commit=$(git rev-parse "$ref^{commit}")
  echo "== building ab variant $n: $ref ($commit)"
  remove_ab_build
  git worktree add -q --detach "$AB_BUILD" "$commit"
  AB_DEPS="$ROOT/target/gpu-bundle-deps-ab$n.txt"
  MVN_OFFLINE=-o build_executor "$AB_BUILD" "$AB_DEPS"
  if ! diff <(third_party "$DEPS") <(third_party "$AB_DEPS") > "$ROOT/target/gpu-bundle-deps-ab$n.diff"; then
    echo "Cannot bundle ab variant $n ($ref): its dependencies differ from this checkout's, and the variants share" \
      "lib/ (< here, > $ref):" >&2
    cat "$ROOT/target/gpu-bundle-deps-ab$n.diff" >&2
    exit 1
  fi
  mkdir -p "$BUNDLE/ab/$n"
  canopy_jars "$AB_BUILD" "$AB_DEPS" | xargs cp -t "$BUNDLE/ab/$n"
  tar czf "$BUNDLE/ab/$n/test-classes.tar.gz" -C "$AB_BUILD/executor/target" test-classes
  echo "$ref $commit" > "$BUNDLE/ab/$n/REF"
  case $entry in *:*) echo "${entry#*:}" | tr ',' ' ' > "$BUNDLE/ab/$n/STAGES" ;; esac
  remove_ab_build
  check_size "with ab variant $n ($ref)"
  echo "   ab/$n: $(du -sb "$BUNDLE/ab/$n" | cut -f1) bytes"
done

check_size "with $n ab variant(s)"
echo "== bundle: $size bytes; tree: $TREE bytes; limit together: $LIMIT ($((LIMIT - size - TREE)) bytes to spare)"

if [ -n "$AB_REFS" ]; then STAGES="lab tests profile ab"; else STAGES="lab tests w1 bench torch"; fi
if [ "${1:-}" != "--no-local-run" ]; then
  echo "== running the bundle here (no GPU: the GPU tests must skip, naming why; the benchmarks exit 2): $STAGES"
  LOCAL_OUT="$ROOT/target/gpu-bundle-local-out"
  rm -rf "$LOCAL_OUT"
  OUT="$LOCAL_OUT" sh "$BUNDLE/run-on-gpu.sh" "$STAGES" > "$ROOT/target/gpu-bundle-local.log" 2>&1 || true
  cat "$LOCAL_OUT/summary.txt" || true
  [ -s "$LOCAL_OUT/report.md" ] && echo "report.md: $(wc -l < "$LOCAL_OUT/report.md") lines; in $LOCAL_OUT: $(ls "$LOCAL_OUT" | tr '\n' ' ')" \
    || echo "report.md is missing: see target/gpu-bundle-local.log" >&2
fi

cat <<MSG
== on the GPU machine, from the repository root (device tool: carry ["target/gpu-bundle"], timeout_s 600):
   sh target/gpu-bundle/run-on-gpu.sh "$STAGES"
   in \$OUT: report.md (everything important in one file), summary.txt, results.json, all.tar.gz (every log and table)
   (BUDGET=<seconds> caps the whole script: default 360, 540 with the ab stage; AB_STAGES picks the variants'
   stages, default "tests profile")
MSG
