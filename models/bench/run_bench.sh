#!/usr/bin/env bash
# Java-built zoo models vs torch.onnx exports in the same ONNX Runtime (lathe bench infer), same threads.
# Usage: models/bench/run_bench.sh OUT_DIR BATCH THREADS name...   (from the repository root)
set -euo pipefail
OUT=$1; BATCH=$2; THREADS=$3; shift 3
mkdir -p "$OUT/java" "$OUT/torch"
/usr/bin/python3 models/bench/export_torch.py "$OUT/torch" "$@" >&2
for name in "$@"; do
  ./lathe zoo build "$name" -o "$OUT/java/$name.onnx" >&2
done
for name in "$@"; do
  for side in torch java; do  # torch first, then java: alternate per model so drift hits both sides alike
    ./lathe bench infer "$OUT/$side/$name.onnx" --batch "$BATCH" --threads "$THREADS" --opt-level all \
      --duration 3 --iterations 10 --json > "$OUT/$side-$name.json"
    printf '%s %s %s\n' "$name" "$side" "$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['median_ms'])" "$OUT/$side-$name.json")"
  done
done
