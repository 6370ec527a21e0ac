#!/usr/bin/env bash
# Noise-free companion of run_bench.sh: ONNX Runtime's optimised graph (level ALL, CPU) of each Java-built zoo model
# next to the torch.onnx export of the same model, node counts per op type (models/bench/OrtGraphCounts.java).
# Usage: models/bench/compare_graphs.sh OUT_DIR name...   (from the repository root; needs /usr/bin/python3 with torch
# 1.13 + torchvision 0.14 for the exports). Prints one markdown table per model; optimised graphs stay in OUT_DIR/ort.
set -euo pipefail
OUT=$1; shift
mkdir -p "$OUT/java" "$OUT/torch" "$OUT/ort"
/usr/bin/python3 models/bench/export_torch.py "$OUT/torch" "$@" >&2
for name in "$@"; do
  ./lathe zoo build "$name" -o "$OUT/java/$name.onnx" >&2
done
for name in "$@"; do
  printf '### %s\n\n' "$name"
  java -cp cli/target/lathe.jar models/bench/OrtGraphCounts.java "$OUT/ort" "$OUT/torch/$name.onnx" \
    "$OUT/java/$name.onnx" 2> >(grep -v 'NchwcTransformer enabled' >&2)
done
