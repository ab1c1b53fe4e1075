#!/usr/bin/env bash
# Runs a benchmark of the executor's benchmark source set (executor/src/bench/java): a JMH benchmark by name, or a
# benchmark main class, on the executor's test class path. Builds that class path first (test-compile, offline when
# CANOPY_MVN_OFFLINE=-o). Usage:
#   scripts/bench.sh jmh MatMulBenchmark -wi 3 -i 5           (any JMH options after the name; -h lists them)
#   scripts/bench.sh main dev.canopy.executor.model.AttentionBench 1024 2000
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
[ $# -ge 2 ] || { echo "Usage: scripts/bench.sh jmh BENCHMARK [JMH options] | main CLASS [args]" >&2; exit 2; }
KIND=$1
shift
CPFILE="$ROOT/executor/target/bench.classpath"
(cd "$ROOT" && mvn -q -B ${CANOPY_MVN_OFFLINE:-} -pl executor -am -P '!cuda-kernels' test-compile \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CPFILE" >/dev/null)
CP="$ROOT/executor/target/test-classes:$ROOT/executor/target/classes:$ROOT/offload/target/classes:$(cat "$CPFILE")"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m)
case $KIND in
  jmh) exec "$JAVA" "${FLAGS[@]}" -cp "$CP" org.openjdk.jmh.Main "$@" -jvmArgsAppend "${FLAGS[*]}" ;;
  main) exec "$JAVA" "${FLAGS[@]}" -cp "$CP" "$@" ;;
  *) echo "Cannot run '$KIND': expected jmh or main" >&2; exit 2 ;;
esac
