#!/usr/bin/env bash
# The engine benchmarks of two checkouts, alternating, in one run (docs/engine.md): single stream, the W1 shape and
# --compare offload on one model, two rounds, the second in the other order.
# Usage: scripts/bench-before-after.sh BEFORE_CHECKOUT AFTER_CHECKOUT MODEL.gguf
# (each checkout builds its own jar on first use through its bin/canopy; e.g. git worktree add /tmp/before <commit>)
set -euo pipefail
BEFORE=$1; AFTER=$2; M=$3
run() { # checkout label args...
  local tree=$1; shift; local label=$1; shift
  echo "=== $label $(basename "$tree") $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  (cd "$tree" && timeout 900 bin/canopy bench --model "$M" "$@" --threads 2 --json 2>/dev/null)
}
for round in 1 2; do
  if [ "$round" = 1 ]; then order="$BEFORE $AFTER"; else order="$AFTER $BEFORE"; fi
  for tree in $order; do run "$tree" "round $round decode" --prompt-len 128 --gen-len 64 --warmup 1; done
  for tree in $order; do run "$tree" "round $round w1" --workload shared-prefix --groups 4 --per-group 8 \
    --prefix-len 256 --suffix-len 32 --output-len 32 --kv-budget 1g; done
  for tree in $order; do run "$tree" "round $round offload" --compare offload --requests 8 --prompt-len 64 \
    --output-len 128 --budgets 50; done
done
echo "=== done $(date +%T)"
