#!/usr/bin/env bash
# Issue 13: INT8 (ort-cpu layout) vs FP32 in ONNX Runtime CPU, `lathe bench infer`, batch 8, 2 threads, alternating
# FP32/INT8 per round so drift hits both. Models: torchvision exports with random weights (speed does not depend on
# the weights), made by export.py below; EfficientMod-xxs from the zoo; ResNet-50 pruned to 50% of its MACs.
#   docs/bench/quant_speed.sh DIR [ROUNDS]     (DIR holds NAME.onnx and NAME.int8.onnx for each name below)
# Make the models:
#   /usr/bin/python3 -c "import torch,torchvision;[torch.onnx.export(getattr(torchvision.models,n)().eval(),
#     torch.randn(1,3,224,224),f'{n}.onnx',opset_version=17,input_names=['input'],output_names=['logits'],
#     dynamic_axes={'input':{0:'N'},'logits':{0:'N'}}) for n in ['resnet50','mobilenet_v2']]"
#   ./lathe zoo build efficientmod_xxs -o effmod_xxs.onnx
#   ./lathe prune resnet50.onnx --target-macs 0.5 -o resnet50_pruned.onnx
#   for m in resnet50 mobilenet_v2 effmod_xxs resnet50_pruned; do ./lathe quantize $m.onnx \
#     --data synthetic:classes=10,size=224,val-per-class=4 --samples 32 -o $m.int8.onnx; done
set -euo pipefail
DIR=$1
ROUNDS=${2:-2}
JAR="$(cd "$(dirname "$0")/../.." && pwd)/cli/target/lathe.jar"
for m in resnet50 mobilenet_v2 effmod_xxs resnet50_pruned; do
  for r in $(seq "$ROUNDS"); do
    for f in "$m.onnx" "$m.int8.onnx"; do
      t=$(java -jar "$JAR" bench infer "$DIR/$f" --batch 8 --threads 2 --duration 8 --json \
        | tr -d '\n' | sed -E 's/.*"throughput" *: *([0-9.]+).*/\1/')
      echo "$m round $r $f $t images/s"
    done
  done
done
