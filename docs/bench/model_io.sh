#!/usr/bin/env bash
# Load + inspect and load + save of torch-exported ResNet-50 (102 MB), Lathe vs the onnx Python package, alternating
# in one run. Usage: docs/bench/model_io.sh [ROUNDS]   (needs cli/target/lathe.jar: ./lathe --help builds it)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${1:-3}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
MODEL="$WORK/resnet50.onnx"
gunzip -c "$ROOT/tests/src/test/resources/fixtures/torchvision/resnet50_224_zero.onnx.gz" > "$MODEL"
JAR="$ROOT/cli/target/lathe.jar"
LATHE=(java -Xmx8g -jar "$JAR")
PEER="$WORK/peer.py"
cat > "$PEER" <<'PY'
import resource, sys, time
import onnx
path, mode = sys.argv[1], sys.argv[2]
t0, c0 = time.perf_counter(), time.process_time()
m = onnx.load(path)
t1, c1 = time.perf_counter(), time.process_time()
if mode == "inspect":
    m = onnx.shape_inference.infer_shapes(m)
    n = sum(1 for _ in m.graph.node)
else:
    onnx.save(m, sys.argv[3])
t2, c2 = time.perf_counter(), time.process_time()
print("peer %s: load %.1f ms (cpu %.1f), %s %.1f ms (cpu %.1f), maxrss %d MiB" % (mode, (t1 - t0) * 1e3,
      (c1 - c0) * 1e3, mode, (t2 - t1) * 1e3, (c2 - c1) * 1e3, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024))
PY
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "JVM floor (lathe --help): $( { /usr/bin/time -f '%e s wall, %U s user + %S s sys, maxrss %M KB' "${LATHE[@]}" --help >/dev/null; } 2>&1 )"
for r in $(seq 1 "$ROUNDS"); do
  echo "--- round $r"
  echo "lathe inspect --json (cold process): $( { /usr/bin/time -f '%e s wall, %U s user + %S s sys, maxrss %M KB' "${LATHE[@]}" inspect "$MODEL" --json >/dev/null; } 2>&1 )"
  echo "peer  onnx.load+infer_shapes (process): $( { /usr/bin/time -f '%e s wall, %U s user + %S s sys, maxrss %M KB' /usr/bin/python3 "$PEER" "$MODEL" inspect; } 2>&1 | tr '\n' ' ')"
  echo "lathe bench inspect --runs 10:"; "${LATHE[@]}" bench inspect "$MODEL" --runs 10 | tail -n +2
  echo "lathe load+save (process): $( { /usr/bin/time -f '%e s wall, %U s user + %S s sys, maxrss %M KB' "${LATHE[@]}" bench inspect "$MODEL" --runs 1 --save-to "$WORK/lathe_copy.onnx" | tail -n +2 | tr '\n' ' '; } 2>&1 )"
  echo "peer  onnx.load+save (process): $( { /usr/bin/time -f '%e s wall, %U s user + %S s sys, maxrss %M KB' /usr/bin/python3 "$PEER" "$MODEL" save "$WORK/peer_copy.onnx"; } 2>&1 | tr '\n' ' ')"
done
cmp -s <(sha256sum < "$WORK/lathe_copy.onnx") <(sha256sum < "$MODEL") && echo "lathe's copy is byte-identical to the torch export" \
  || echo "lathe's copy differs in bytes from the torch export (sizes $(stat -c %s "$WORK/lathe_copy.onnx") vs $(stat -c %s "$MODEL"))"
