#!/usr/bin/python3
"""torch.onnx exports of the zoo's classics and EfficientMod references, the peers of docs/BENCHMARKS.md "Model zoo".
Usage: /usr/bin/python3 models/bench/export_torch.py OUT_DIR [names...]   (torch 1.13, torchvision 0.14)
Exports at 1000 classes, 224x224, opset 17, dynamic batch axis, eval mode (torch folds BN into Conv as usual)."""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "parity"))
import papers  # noqa: E402

CLASSICS = ["resnet18", "resnet34", "resnet50", "resnet101", "resnext50_32x4d", "mobilenet_v2", "densenet121",
            "densenet201"]


def model(name):
    if name in CLASSICS:
        return getattr(torchvision.models, name)(num_classes=1000)
    return papers.EfficientMod(*papers.EFFICIENTMOD[name], 1000)


def main(out, names):
    os.makedirs(out, exist_ok=True)
    for name in names or CLASSICS:
        m = model(name).eval()
        torch.onnx.export(m, torch.randn(1, 3, 224, 224), os.path.join(out, name + ".onnx"), opset_version=17,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
        print("exported", name)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
