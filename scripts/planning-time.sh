#!/usr/bin/env bash
# Planning time of the batch job (prepare + plan phases, from _canopy_runs/1.json's phase_seconds) on local
# Spark, for the bundled 300 rows and for a 100,000-row input made from them (each prompt with a numbered
# suffix, so 10 shared openings still group the rows). Generation is cut to 1 token so the run is mostly
# planning. The 100k run stops once planned (generating its 781 partitions takes minutes) and reports the log
# interval from reading the input to the plan, to the second (it includes the Spark session's start).
# Usage: scripts/planning-time.sh [OUT_DIR] [ROWS...]  (ROWS: 300 and/or 100k, default both; needs the
# jars: mvn package -DskipTests; CANOPY_JOBS_TARGET=DIR runs another build's jobs/target, for a before/after pair)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/target/planning-time}
MODEL=${CANOPY_MODELS_DIR:-$ROOT/../shared/models}/stories260K-f32.gguf
mkdir -p "$OUT"
JAVA="${CANOPY_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Xmx3g
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow)
TARGET=${CANOPY_JOBS_TARGET:-$ROOT/jobs/target}
CP="$TARGET/canopy-jobs.jar:$TARGET/lib/*:$TARGET/spark-lib/*"

big="$OUT/prompts-100k.jsonl"
if [ ! -f "$big" ] && [[ " ${*:2} " != " 300 " ]]; then
  openings=("Once upon a time, there was a little girl named Lily. She loved to play outside in the sun."
    "One day, a small dog named Max found a big red ball in the park near his house."
    "Tom and his mom went to the store to buy some food for dinner. Tom saw a toy car."
    "There was a happy bird who lived in a tall tree. Every morning, the bird would sing."
    "Sara had a blue box with a secret inside. She did not want anyone to see it."
    "Ben liked to build big towers with his blocks. One day, his tower fell down."
    "In a small town, there lived a kind old man who had a garden full of flowers."
    "The sun was shining and the sky was blue. Anna and her friend went to the beach."
    "A little cat named Kitty was very hungry. She looked for food in the kitchen."
    "Once upon a time, in a big forest, there lived a brave bear named Bob.")
  for i in $(seq 0 99999); do
    printf '{"id": "row-%06d", "prompt": "%s Then %d"}\n' "$i" "${openings[$((i % 10))]}" "$i"
  done > "$big"
fi

job() { # name input
  rm -rf "$OUT/$1"
  "$JAVA" "${FLAGS[@]}" -cp "$CP" dev.canopy.jobs.BatchGenerate --input "$2" --output "$OUT/$1" --model "$MODEL" \
    --max-tokens 1 --max-error-rate 1 --conf spark.master='local[2]' --conf spark.ui.enabled=false \
    --conf engine.kv-budget=256m > "$OUT/$1.log" 2>&1
}

planned() { # name input: the job until its plan is logged, then stopped
  rm -f "$OUT/$1.log" # an earlier run's log already names its plan
  job "$1" "$2" &
  local pid=$!
  until grep -q "to generate in" "$OUT/$1.log" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null; do sleep 1; done
  pkill -P "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  python3 -c "import re,sys; t=[l[:8] for l in open(sys.argv[1]) if ' read as ' in l or 'to generate in' in l]; \
s=lambda x: int(x[:2])*3600+int(x[3:5])*60+int(x[6:8]); \
print(sys.argv[2], 'input read to rows planned: %d s' % (s(t[-1])-s(t[0])) if len(t) == 2 else 'no plan logged')" \
    "$OUT/$1.log" "$1"
}

run() { # name input
  job "$1" "$2"
  python3 -c "import json,sys; m=json.load(open(sys.argv[1])); p=m['phase_seconds']; \
print(sys.argv[2], 'rows', m['rows_total'], 'prepare %.1f s, plan %.1f s, generate_and_write %.1f s, verify %.1f s' \
% (p.get('prepare',0), p.get('plan',0), p.get('generate_and_write',0), p.get('verify',0)))" \
    "$OUT/$1/_canopy_runs/1.json" "$1"
}
shift || true
if [ $# -eq 0 ]; then set -- 300 100k; fi
for rows in "$@"; do
  case $rows in
    300) run rows-300 "$ROOT/examples/prompts.parquet" ;;
    100k) planned rows-100k "$big" ;;
    *) echo "planning-time.sh: ROWS is 300 or 100k, got $rows" >&2; exit 2 ;;
  esac
done
