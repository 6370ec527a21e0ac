#!/usr/bin/env bash
# ISP versus L1 and Taylor pruning at equal kept MACs on synthetic data (the shape of the ISP CIFAR table, not its
# numbers): train cifar_resnet56, prune it to the same kept-MAC ratio with `lathe isp run` (predictor, selector,
# gate search, cut) and with `lathe prune --criterion l1|taylor`, fine-tune each for the same epochs, and print each
# one's kept MAC ratio and validation top-1 (from the trainers' metrics.csv).
# Not run by the test suite: a benchmark for a quiet machine.
# Usage: docs/bench/isp_compare.sh OUT_DIR [TARGET] [EPOCHS] [EPOCHS_SCALE]
#   TARGET: kept MAC ratio (default 0.5); EPOCHS: base training epochs (default 8);
#   EPOCHS_SCALE: ISP's --epochs-scale (default 0.02: predictor 6, selector 1 (0.4 rounded up), search 4,
#   fine-tune 4 epochs); L1 and Taylor fine-tune for the same 200 x EPOCHS_SCALE epochs as ISP with its recipe
#   (lr 0.1, wd 1e-4, batch 128, x0.1 at 50 % and 75 %; lathe train's SGD is Nesterov, ISP's fine-tune plain).
set -euo pipefail
OUT=${1:?usage: isp_compare.sh OUT_DIR [TARGET] [EPOCHS] [EPOCHS_SCALE]}
TARGET=${2:-0.5}
EPOCHS=${3:-8}
SCALE=${4:-0.02}
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
LATHE="$ROOT/lathe"
DATA="synthetic:classes=10,size=32,per-class=200,val-per-class=50,seed=0"
FT=$(awk -v s="$SCALE" 'BEGIN { e = int(200 * s + 0.5); print (e < 1 ? 1 : e) }')
mkdir -p "$OUT"
"$LATHE" train --model cifar_resnet56 --data "$DATA" --epochs "$EPOCHS" --batch 32 --lr 0.05 --out "$OUT/base" 2>/dev/null
top1() { tail -1 "$1/metrics.csv" | awk -F, '{printf "%.1f", 100*$5}'; }
echo "| model | kept MACs | val top-1 |"
echo "|---|---|---|"
echo "| unpruned ($EPOCHS epochs) | 1.000 | $(top1 "$OUT/base") |"
"$LATHE" isp run --onnx "$OUT/base/model.onnx" --data "$DATA" --target-flops "$TARGET" --epochs-scale "$SCALE" \
  -o "$OUT/isp" 2>/dev/null >/dev/null
kept=$(python3 -c "import json,sys; print('%.3f' % json.load(open(sys.argv[1]))['kept_macs_ratio'])" \
  "$OUT/isp/prune/metrics.json")
echo "| ISP (inner channels), fine-tuned $FT epochs | $kept | $(top1 "$OUT/isp/finetune") |"
for crit in l1 taylor; do
  extra=()
  if [[ $crit != l1 ]]; then extra=(--data "$DATA"); fi
  "$LATHE" prune "$OUT/base/model.onnx" --criterion "$crit" "${extra[@]}" --target-macs "$TARGET" --global \
    -o "$OUT/$crit.onnx" | grep -E "^params|^total" >&2
  "$LATHE" train --onnx "$OUT/$crit.onnx" --data "$DATA" --epochs "$FT" --batch 128 --lr 0.1 --wd 1e-4 --sched multistep \
    --out "$OUT/ft-$crit" 2>/dev/null >/dev/null
  echo "| $crit (every prunable group), fine-tuned $FT epochs | $TARGET (target; measured on stderr) | $(top1 "$OUT/ft-$crit") |"
done
