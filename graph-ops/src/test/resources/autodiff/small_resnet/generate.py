"""Generates the PyTorch reference for TrainStepParityTest (torch 1.13, CPU, float32).

Model: a small CIFAR-style ResNet (stem, one basic block, one strided block with a 1x1 downsample) followed by a
MobileNetV2 inverted-residual block (1x1 expand, depthwise 3x3, ReLU6, 1x1 project, residual), global average pool
and a linear head. Two runs from the same state: SGD (momentum, Nesterov, weight decay off for rank-1 params,
label smoothing) and AdamW (decoupled decay, grad-norm clipping). Writes fixture.txt (index: name dtype dims
offset) and fixture.bin (little-endian data).

Run from this directory: /usr/bin/python3 generate.py
"""
import copy
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


from net import Net, write_fixture  # noqa: E402  (the model and the writer live beside this script)


net = Net()
with torch.no_grad():
    for name, m in net.named_modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.8, 1.2)
x = torch.randn(8, 3, 16, 16)
y = torch.randint(0, 10, (8,))

records = []


def put(name, t):
    records.append((name, t.detach().numpy() if torch.is_tensor(t) else t))


for k, v in net.state_dict().items():
    if not k.endswith("num_batches_tracked"):
        put("param:" + k, v)
put("x", x)
put("y", y)


def groups(model, wd):
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


# SGD run
m = copy.deepcopy(net)
m.train()
opt = torch.optim.SGD(groups(m, 5e-4), lr=0.1, momentum=0.9, nesterov=True)
logits = m(x)
loss = F.cross_entropy(logits, y, label_smoothing=0.1)
opt.zero_grad()
loss.backward()
put("sgd.loss", loss.reshape(1))
put("sgd.correct", (logits.argmax(1) == y).sum().float().reshape(1))
for k, p in m.named_parameters():
    put("grad:" + k, p.grad)
opt.step()
for k, p in m.named_parameters():
    put("sgd.next:" + k, p)
    put("sgd.momentum:" + k, opt.state[p]["momentum_buffer"])
for k, v in m.state_dict().items():
    if "running" in k:
        put("bn.next:" + k, v)

# AdamW run with clipping
m = copy.deepcopy(net)
m.train()
opt = torch.optim.AdamW(groups(m, 0.05), lr=1e-2, betas=(0.9, 0.999), eps=1e-8)
loss = F.cross_entropy(m(x), y)
opt.zero_grad()
loss.backward()
torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
opt.step()
put("adamw.loss", loss.reshape(1))
for k, p in m.named_parameters():
    put("adamw.next:" + k, p)

write_fixture(records, os.path.dirname(os.path.abspath(__file__)))
