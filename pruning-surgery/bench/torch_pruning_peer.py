#!/usr/bin/python3
"""Peer side of the pruning benchmark (docs/BENCHMARKS.md, "Pruning"): Torch-Pruning 1.3.6 on torchvision models.

    PYTHONPATH=/tmp/tp136 /usr/bin/python3 pruning-surgery/bench/torch_pruning_peer.py OUT_DIR

Torch-Pruning is not part of Lathe: its source (tag v1.3.6) is checked out under /tmp and put on PYTHONPATH.
For ResNet-50 and DenseNet-201 (torchvision, seeded random weights, eval mode, input 1x3x224x224) it
  * exports the unpruned model to OUT_DIR/<name>.onnx (opset 13, dynamic batch) for Lathe to prune,
  * times Torch-Pruning's L1 pruning at channel ratio 0.3 (MagnitudeImportance p=1, MetaPruner, local ranking,
    classifier ignored): dependency-graph build (pruner construction) and pruner.step() separately, best of 3,
  * counts MACs and params before/after with tp.utils.count_ops_and_params,
  * exports Torch-Pruning's pruned ResNet-50 (ratio 0.3, ~50% MACs) and the same with round_to=16 to
    OUT_DIR/resnet50_tp*.onnx for the ONNX Runtime speed comparison.
Prints one JSON line per measurement.
"""
import json
import os
import sys
import time

import torch
import torchvision
import torch_pruning as tp


def build(name):
    torch.manual_seed(0)
    return getattr(torchvision.models, name)(weights=None).eval()


def export(model, path):
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), path, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True)


def prune(model, ratio, round_to=None):
    ex = torch.randn(1, 3, 224, 224)
    t0 = time.perf_counter()
    pruner = tp.pruner.MetaPruner(model, ex, importance=tp.importance.MagnitudeImportance(p=1),
                                  pruning_ratio=ratio, ignored_layers=[model.fc if hasattr(model, "fc")
                                                                       else model.classifier], round_to=round_to)
    t1 = time.perf_counter()
    pruner.step()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    ex = torch.randn(1, 3, 224, 224)
    for name in ("resnet50", "densenet201"):
        export(build(name), os.path.join(out, name + ".onnx"))
        macs0, params0 = tp.utils.count_ops_and_params(build(name), ex)
        best = None
        for _ in range(3):
            m = build(name)
            graph_s, step_s = prune(m, 0.3)
            if best is None or graph_s + step_s < best[0] + best[1]:
                best = (graph_s, step_s)
        macs1, params1 = tp.utils.count_ops_and_params(m, ex)
        print(json.dumps({"tool": "torch-pruning-1.3.6", "model": name, "criterion": "l1", "ratio": 0.3,
                          "graph_s": round(best[0], 3), "prune_s": round(best[1], 3),
                          "total_s": round(best[0] + best[1], 3), "macs_before": int(macs0), "macs_after": int(macs1),
                          "params_before": int(params0), "params_after": int(params1)}), flush=True)
        if name == "resnet50":
            export(m, os.path.join(out, "resnet50_tp.onnx"))
            m16 = build(name)
            prune(m16, 0.3, round_to=16)
            macs16, _ = tp.utils.count_ops_and_params(m16, ex)
            export(m16, os.path.join(out, "resnet50_tp_r16.onnx"))
            print(json.dumps({"tool": "torch-pruning-1.3.6", "model": "resnet50_r16", "ratio": 0.3, "round_to": 16,
                              "macs_after": int(macs16)}), flush=True)


if __name__ == "__main__":
    main()
