#!/usr/bin/env bash
# Checkpoint reading benchmark (docs/BENCHMARKS.md, "Checkpoint import"): torch.load against `lathe bench ckpt` on
# the same torchvision ResNet-50 state_dict, in one run. The .pth is generated into /tmp, never committed.
# Usage: docs/bench/ckpt_read.sh [FILE] ; ITERATIONS (default 10), ROUNDS (default 3) and LATHE_BENCH_XMX (default 64m)
# may be set.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FILE="${1:-/tmp/lathe-bench/resnet50.pth}"
ITERATIONS="${ITERATIONS:-10}"
XMX="${LATHE_BENCH_XMX:-64m}"
if [[ ! -f "$FILE" ]]; then
  mkdir -p "$(dirname "$FILE")"
  /usr/bin/python3 -c "import sys, torch, torchvision; torch.manual_seed(0); \
torch.save(torchvision.models.resnet50().state_dict(), sys.argv[1])" "$FILE"
fi
if [[ ! -f "$ROOT/cli/target/lathe.jar" ]]; then
  (cd "$ROOT" && ./mvnw -q -B -o -DskipTests -pl cli -am package)
fi
ROUNDS="${ROUNDS:-3}"
echo "file: $FILE ($(stat -c %s "$FILE") bytes), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# Rounds alternate the two readers so that load from other processes falls on both alike.
for round in $(seq "$ROUNDS"); do
  echo "round $round"
  /usr/bin/python3 "$ROOT/docs/bench/ckpt_read_torch.py" "$FILE" "$ITERATIONS"
  # The heap cap is below the file size: reading must not need a heap copy of the weights.
  java "-Xmx$XMX" -jar "$ROOT/cli/target/lathe.jar" bench ckpt "$FILE" --iterations "$ITERATIONS"
done
