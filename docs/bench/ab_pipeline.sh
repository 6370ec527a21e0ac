#!/usr/bin/env bash
# A/B of the pipeline steps issue 11 must not slow down: two CLI jars (before and after a change) measured
# alternately in one run on the same machine. Usage:
#   docs/bench/ab_pipeline.sh BEFORE.jar AFTER.jar [ROUNDS]
# Per round and jar: `bench train` resnet18 16x224 (3 steps after 1 warm-up) and cic_resnet32 128x32 (5 after 2),
# then `bench infer` on a ResNet-50 built by the AFTER jar (batch 8, 2 threads, 5 s). Prints one JSON line per run,
# prefixed with the jar's label; the order of the two jars alternates between rounds.
set -euo pipefail
BEFORE=$1
AFTER=$2
ROUNDS=${3:-2}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
java -jar "$AFTER" zoo build resnet50 -o "$WORK/resnet50.onnx" >&2
run() { # label jar
  local label=$1 jar=$2
  echo "$label $(java -Xmx8g -jar "$jar" bench train --model resnet18 --batch 16 --resolution 224 --classes 1000 \
    --threads 2 --steps 3 --warmup 1 --json | tr '\n' ' ')"
  echo "$label $(java -Xmx8g -jar "$jar" bench train --model cic_resnet32 --batch 128 --resolution 32 --classes 100 \
    --threads 2 --steps 5 --warmup 2 --json | tr '\n' ' ')"
  echo "$label $(java -Xmx8g -jar "$jar" bench infer "$WORK/resnet50.onnx" --batch 8 --threads 2 --duration 5 \
    --json | tr '\n' ' ')"
}
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then run before "$BEFORE"; run after "$AFTER"; else run after "$AFTER"; run before "$BEFORE"; fi
done
