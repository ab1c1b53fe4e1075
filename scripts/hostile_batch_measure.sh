#!/usr/bin/env bash
# Issue 20's closing numbers: peak memory and wall time of the batch job (bin/canopy batch, local Spark,
# stories260K) on good rows alone, then on the same good rows mixed with hostile ones (a 50 MB prompt line, a
# 50 MB chat message line, a 2 MB prompt, malformed lines with ids, huge max_tokens / n / stop lists, a prompt
# past the context). Both runs measured by /usr/bin/time -v, one after the other. Run from the repository root.
set -euo pipefail
OUT=${1:-target/hostile-measure}
MODEL=${CANOPY_MODELS_DIR:-../shared/models}/stories260K-f32.gguf
rm -rf "$OUT" && mkdir -p "$OUT"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
starts = ["Once upon a time", "Lily wanted to", "The little dog", "Tom and his mom", "One day, a bird",
          "The sun was", "Ben had a red ball", "Mia saw a big", "There was a cat", "The girl liked to"]
good = [json.dumps({"id": "g%d" % i, "prompt": starts[i % len(starts)] + " " * (i // len(starts))}) for i in range(40)]
hostile = [
    '{"id": "h-50mb-prompt", "prompt": "' + "a" * 50_000_000 + '"}',
    '{"id": "h-50mb-message", "messages": [{"role": "user", "content": "' + "b" * 50_000_000 + '"}]}',
    json.dumps({"id": "h-2mb-prompt", "prompt": "Lily " * 400_000}),
    json.dumps({"id": "h-past-context", "prompt": "Lily " * 100_000}),
    '{"id": "h-truncated", "prompt": "cut',
    json.dumps({"id": "h-max-tokens", "prompt": "Once", "max_tokens": 2**31 - 1}),
    json.dumps({"id": "h-n", "prompt": "Once", "n": 1_000_000}),
    json.dumps({"id": "h-stops", "prompt": "Once", "stop": ["x"] * 5000}),
]
with open(out + "/good.jsonl", "w") as f:
    f.write("\n".join(good) + "\n")
with open(out + "/mixed.jsonl", "w") as f:
    f.write("\n".join(good[:20] + hostile + good[20:]) + "\n")
with open(out + "/mixed.jsonl", "ab") as f:
    f.write(b'{"id": "h-bad-utf8", "prompt": "Ben \xff\xfe ran"}\n')
PY
for run in good mixed; do
  /usr/bin/time -v bin/canopy batch --input "$OUT/$run.jsonl" --input-format jsonl --output "$OUT/$run-out" \
      --model "$MODEL" \
      > "$OUT/$run.log" 2> "$OUT/$run.time" || echo "$run: exit $?"
  echo "$run: $(grep -E 'Elapsed \(wall|Maximum resident' "$OUT/$run.time" | sed 's/^\s*//' | tr '\n' ' ')"
done
