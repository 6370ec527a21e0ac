#!/usr/bin/env bash
# Long-tailed pruning comparison on synthetic data (the shape of the CIC table, not its numbers):
# train cifar_resnet56, cut 40% of its MACs with CIC, L1 and Taylor, fine-tune each briefly, and print
# all/many/medium/few validation accuracy of each (read from the trainer's metrics.csv).
# Usage: docs/bench/cic_longtail.sh OUT_DIR [EPOCHS] [FINETUNE_EPOCHS] [LOSS]
# LOSS: ce (default) or logit-adjusted (tau 1, the class prior from the training counts), used for every training run.
set -euo pipefail
OUT=${1:?usage: cic_longtail.sh OUT_DIR [EPOCHS] [FINETUNE_EPOCHS] [LOSS]}
EPOCHS=${2:-8}
FT=${3:-3}
LOSS=${4:-ce}
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
LATHE="$ROOT/lathe"
DATA="synthetic:classes=10,size=32,per-class=200,val-per-class=50,imbalance=20,seed=0"
mkdir -p "$OUT"
"$LATHE" train --model cifar_resnet56 --data "$DATA" --epochs "$EPOCHS" --batch 32 --lr 0.05 --loss "$LOSS" --out "$OUT/base" 2>/dev/null
row() { tail -1 "$1/metrics.csv" | awk -F, -v n="$2" '{printf "| %s | %.1f | %.1f | %.1f | %.1f |\n", n, 100*$5, 100*$7, 100*$8, 100*$9}'; }
echo "| model | all | many | medium | few |"
echo "|---|---|---|---|---|"
row "$OUT/base" "unpruned ($EPOCHS epochs)"
for crit in cic l1 taylor; do
  extra=()
  if [[ $crit != l1 ]]; then extra=(--data "$DATA"); fi
  "$LATHE" prune "$OUT/base/model.onnx" --criterion "$crit" "${extra[@]}" --target-macs 0.6 --global --round-to 8 \
    -o "$OUT/$crit.onnx" | grep -E "^params|^total" >&2
  "$LATHE" train --onnx "$OUT/$crit.onnx" --data "$DATA" --epochs "$FT" --batch 32 --lr 0.01 --loss "$LOSS" --out "$OUT/ft-$crit" 2>/dev/null >/dev/null
  row "$OUT/ft-$crit" "$crit, 60% MACs kept, fine-tuned $FT epochs"
done
