#!/usr/bin/env bash
# Training-step throughput, Lathe (ONNX Runtime 1.29 CPU) vs PyTorch 1.13 CPU, both with 2 threads, run back to back
# per model. Prints one table row per model: images/s both sides, ratio, Lathe's fraction of step time outside ORT,
# and the load average when the pair ran. Usage (from a clean checkout):
#   docs/bench/train_vs_torch.sh [STEPS] [WARMUP]      (defaults 3 and 1; the issue's four models and sizes)
#   MODELS="resnet18:16:224:1000" docs/bench/train_vs_torch.sh   (one model: name:batch:resolution:classes)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STEPS="${1:-3}"
WARMUP="${2:-1}"
MODELS="${MODELS:-cic_resnet32:128:32:100 resnet18:16:224:1000 resnet50:8:224:1000 mobilenet_v2:16:224:1000}"
JAR="$ROOT/cli/target/lathe.jar"
if [[ ! -f "$JAR" ]]; then
  (cd "$ROOT" && ./mvnw -q -B -DskipTests -pl cli -am package >&2)
fi
field() { /usr/bin/python3 -c "import json,sys; print(json.loads(sys.stdin.read())['$1'])"; }
echo "| model | batch x res | Lathe img/s | PyTorch img/s | ratio (goal >= 1.5) | outside ORT (goal < 5%) | load avg (1 min) |"
echo "|---|---|---|---|---|---|---|"
for spec in $MODELS; do
  IFS=: read -r model batch res classes <<<"$spec"
  load="$(cut -d' ' -f1 /proc/loadavg)"
  lathe_json="$(java -Xmx8g -jar "$JAR" bench train --model "$model" --batch "$batch" --resolution "$res" \
      --classes "$classes" --threads 2 --steps "$STEPS" --warmup "$WARMUP" --json)"
  torch_json="$(/usr/bin/python3 "$ROOT/runtime/ort/bench/torch_train_bench.py" --model "$model" --batch "$batch" \
      --resolution "$res" --classes "$classes" --threads 2 --steps "$STEPS" --warmup "$WARMUP")"
  lathe="$(field images_per_second <<<"$lathe_json")"
  torch="$(field images_per_second <<<"$torch_json")"
  outside="$(field outside_runtime_fraction <<<"$lathe_json")"
  /usr/bin/python3 -c "print('| $model | $batch x $res | %.3f | %.3f | %.2fx | %.1f%% | $load |' % ($lathe, $torch, $lathe / $torch, 100 * $outside))"
done
