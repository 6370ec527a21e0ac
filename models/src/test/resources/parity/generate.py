#!/usr/bin/python3
"""Forward-parity fixtures for the Java model zoo (models/src/test/.../ZooParityTest).

For each model: build the PyTorch reference (torchvision for the classics; a definition written from
docs/SEEDS.md with the papers' key names for the papers' models), fill every state_dict tensor with
deterministic pseudo-random values (the same generator is implemented in Java, ReferenceWeights.java, so the
weights need not be stored), run it in float64 on a deterministic input and save:
  <name>/keys.json   {"params": <sum of parameters().numel()>, "keys": {state_dict key: shape}}
  <name>/output.npy  float32 logits of the float64 forward
Run: /usr/bin/python3 models/src/test/resources/parity/generate.py   (torch 1.13, torchvision 0.14)
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def key_seed(key):
    """FNV-1a 64 of the UTF-8 key."""
    h = 0xCBF29CE484222325
    for byte in key.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & MASK
    return h


def uniform(key, n):
    """n float32 values in [-1, 1): splitmix64 of (seed + (i+1)*golden), top 24 bits."""
    with np.errstate(over="ignore"):
        z = np.uint64(key_seed(key)) + (np.arange(1, n + 1, dtype=np.uint64) * np.uint64(GOLDEN))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -24)
    return np.float32(2.0) * u - np.float32(1.0)


def reference_value(key, shape):
    """The value every reference tensor gets; mirrored exactly (float32 arithmetic) by ReferenceWeights.java."""
    n = int(np.prod(shape)) if len(shape) else 1
    v = uniform(key, n)
    if key.endswith("running_var"):
        out = np.float32(1.0) + np.float32(0.5) * v
    elif len(shape) == 1 and key.endswith("weight"):
        out = np.float32(1.0) + np.float32(0.25) * v
    elif len(shape) >= 2 and key.endswith("weight"):
        fan_in = n // shape[0]
        out = v * np.float32(math.sqrt(6.0 / fan_in))
    else:
        out = np.float32(0.1) * v
    return out.reshape(shape)


def count_macs(model, resolution):
    """Multiply-accumulates of one image, counted by forward hooks on the modules that do them: Conv2d, Linear,
    and any module with a macs(input, output) method (cosine classifier, attention matmuls)."""
    total = [0]

    def hook(m, inputs, out):
        if isinstance(m, torch.nn.Conv2d):
            total[0] += out[0].numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, torch.nn.Linear):
            total[0] += out[0].numel() * m.in_features
        else:
            total[0] += m.macs(inputs[0][:1], out[:1])

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) or hasattr(m, "macs")]
    with torch.no_grad():
        model(torch.zeros(1, 3, resolution, resolution, dtype=next(model.parameters()).dtype))
    for h in handles:
        h.remove()
    return total[0]


def save_case(name, model, resolution, batch=2):
    model.eval()
    sd = model.state_dict()
    keys = {}
    with torch.no_grad():
        for k, t in sd.items():
            if k.endswith("num_batches_tracked"):
                continue
            keys[k] = list(t.shape)
            t.copy_(torch.from_numpy(reference_value(k, list(t.shape))))
    params = sum(p.numel() for p in model.parameters())
    macs = count_macs(model, resolution)
    x = reference_value("input", [batch, 3, resolution, resolution])
    model = model.double()
    with torch.no_grad():
        y = model(torch.from_numpy(x).double())
    if isinstance(y, tuple):
        y = y[-1]
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "keys.json"), "w") as f:
        json.dump({"params": params, "macs": macs, "resolution": resolution, "batch": batch, "keys": keys}, f, indent=0)
    np.save(os.path.join(out, "output.npy"), y.numpy().astype(np.float32))
    print(name, params, macs, tuple(y.shape))


def classics():
    tv = torchvision.models
    for name in ["resnet18", "resnet34", "resnet50", "resnet101", "resnext50_32x4d", "mobilenet_v2",
                 "densenet121", "densenet201"]:
        yield name, getattr(tv, name)(num_classes=10), 64


def main(only):
    import papers
    for name, model, resolution in list(classics()) + list(papers.cases()):
        if only and name not in only:
            continue
        torch.manual_seed(0)
        save_case(name, model, resolution)


if __name__ == "__main__":
    main(sys.argv[1:])
