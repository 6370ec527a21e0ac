#!/usr/bin/python3
"""PyTorch references for ZooTrainStepParityTest (torch 1.13, torchvision 0.14, CPU, float32).

Three small networks built from the zoo's blocks (the Java side uses the models' own builder code):
  mobilenet_v2_blocks  torchvision Conv2dNormActivation stem + three InvertedResiduals (t=6 with a depthwise
                       stride-2 conv, t=6 residual, t=1 residual), global average pool, classifier.1. (A block whose
                       output feeds only a conv + train-mode BN has an exactly-zero last-BN-bias gradient, which no
                       relative error can compare, so each block output also reaches a residual add or the head.)
  efficientmod_tiny    EfficientMod (papers.py, SEEDS.md 3) with dims 8/16/16/16: patch embeddings, a r=1 and a r=2
                       modulation block (LayerNorm, GELU, 7x7 depthwise context, Tile, modulation product), an attention
                       block on 4x4 tokens, LayerNorm head
  iieu_bottleneck      conv3x3 + BN + IIEU-B stem, an IIEU-B bottleneck with stride 2 and a projection shortcut
                       (act_res), an identity IIEU-B bottleneck, GAP, fc
Every state_dict entry gets parity/generate.py's reference_value (mirrored by the Java ReferenceWeights), so only
the batch and the results are stored. Two runs from the same state, as autodiff/small_resnet in graph-ops:
SGD (momentum 0.9, Nesterov, weight decay 5e-4 on rank>1 params, label smoothing 0.1) and AdamW (wd 0.05 on
rank>1, grad-norm clipping 1.0). Writes <case>/fixture.txt (name dtype dims offset) and <case>/fixture.bin.

Run from anywhere: /usr/bin/python3 models/src/test/resources/autodiff/generate.py
"""
import copy
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.mobilenetv2 import InvertedResidual
from torchvision.ops.misc import Conv2dNormActivation

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "parity"))
import papers  # noqa: E402
from generate import reference_value  # noqa: E402


class MobileNetV2Blocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            Conv2dNormActivation(3, 8, stride=1, norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU6),
            InvertedResidual(8, 16, 2, 6),
            InvertedResidual(16, 16, 1, 6),
            InvertedResidual(16, 16, 1, 1))
        self.classifier = nn.Sequential(nn.Dropout(0.0), nn.Linear(16, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


class IieuNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.act1 = papers.IIEUB(3, 1, 1, 8)
        self.layer1 = nn.Sequential(papers.IieuBottleneck(8, 4, 2), papers.IieuBottleneck(16, 4, 1))
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        y = self.act1(self.bn1(self.conv1(x)), x, self.conv1.weight)
        return self.fc(F.adaptive_avg_pool2d(self.layer1(y), 1).flatten(1))


def cases():
    yield "mobilenet_v2_blocks", MobileNetV2Blocks(), 16
    yield "efficientmod_tiny", papers.EfficientMod([8, 16, 16, 16], [2, 0, 0, 0], [0, 1, 0, 0], 2, [0, 2, 0, 0], 10), 32
    yield "iieu_bottleneck", IieuNet(), 16


def groups(model, wd):
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


def generate(name, net, resolution, batch=4):
    torch.manual_seed(0)
    with torch.no_grad():
        for k, t in net.state_dict().items():
            if not k.endswith("num_batches_tracked"):
                t.copy_(torch.from_numpy(reference_value(k, list(t.shape))))
    x = torch.randn(batch, 3, resolution, resolution)
    y = torch.randint(0, 10, (batch,))
    records = [("x", x), ("y", y)]

    m = copy.deepcopy(net)
    m.train()
    opt = torch.optim.SGD(groups(m, 5e-4), lr=0.1, momentum=0.9, nesterov=True)
    logits = m(x)
    loss = F.cross_entropy(logits, y, label_smoothing=0.1)
    opt.zero_grad()
    loss.backward()
    records.append(("sgd.loss", loss.reshape(1)))
    records += [("grad:" + k, p.grad) for k, p in m.named_parameters()]
    opt.step()
    records += [("sgd.next:" + k, p) for k, p in m.named_parameters()]
    records += [("bn.next:" + k, v) for k, v in m.state_dict().items() if "running" in k]

    m = copy.deepcopy(net)
    m.train()
    opt = torch.optim.AdamW(groups(m, 0.05), lr=1e-2, betas=(0.9, 0.999), eps=1e-8)
    loss = F.cross_entropy(m(x), y)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    opt.step()
    records.append(("adamw.loss", loss.reshape(1)))
    records += [("adamw.next:" + k, p) for k, p in m.named_parameters()]

    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    offset = 0
    with open(os.path.join(out, "fixture.bin"), "wb") as bin_file, open(os.path.join(out, "fixture.txt"), "w") as index:
        for key, t in records:
            a = np.ascontiguousarray(t.detach().numpy())
            dtype = "i64" if a.dtype == np.int64 else "f32"
            a = a.astype("<i8" if dtype == "i64" else "<f4")
            index.write(f"{key} {dtype} {','.join(str(d) for d in a.shape)} {offset}\n")
            bin_file.write(a.tobytes())
            offset += a.nbytes
    print(name, sum(p.numel() for p in net.parameters()), "params,", offset, "bytes")


if __name__ == "__main__":
    for case in cases():
        generate(*case)
