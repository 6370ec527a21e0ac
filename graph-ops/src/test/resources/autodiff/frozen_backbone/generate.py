"""Generates the PyTorch reference for FrozenBackboneParityTest (torch 1.13, CPU, float32).

The network of ../small_resnet (same module names and initial state recipe) with its backbone frozen the way
PyTorch users freeze one: conv1, bn1, layer1 and layer2 have requires_grad False and are in eval mode (BatchNorm on
running statistics, no update); layer3 (an inverted-residual block with its own BatchNorms) and fc train. One SGD
step (momentum, Nesterov, weight decay off for rank-1 params) with label-smoothed cross-entropy. Writes fixture.txt
(index: name dtype dims offset) and fixture.bin (little-endian data).

Run from this directory: /usr/bin/python3 generate.py
"""
import importlib.util
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(1)
here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("small_resnet", os.path.join(here, "..", "small_resnet", "net.py"))
small = importlib.util.module_from_spec(spec)
spec.loader.exec_module(small)

net = small.Net()
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
x = torch.randn(8, 3, 16, 16)
y = torch.randint(0, 10, (8,))

records = []


def put(name, t):
    records.append((name, t.detach().numpy().copy() if torch.is_tensor(t) else t))  # a copy: the step updates in place


for k, v in net.state_dict().items():
    if not k.endswith("num_batches_tracked"):
        put("param:" + k, v)
put("x", x)
put("y", y)

frozen = [net.conv1, net.bn1, net.layer1, net.layer2]
net.train()
for m in frozen:
    m.eval()
    for p in m.parameters():
        p.requires_grad_(False)
trainable = [p for p in net.parameters() if p.requires_grad]
decay = [p for p in trainable if p.dim() > 1]
no_decay = [p for p in trainable if p.dim() <= 1]
opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0.0}],
                      lr=0.1, momentum=0.9, nesterov=True)
logits = net(x)
loss = F.cross_entropy(logits, y, label_smoothing=0.1)
opt.zero_grad()
loss.backward()
put("loss", loss.reshape(1))
for k, p in net.named_parameters():
    if p.requires_grad:
        put("grad:" + k, p.grad)
opt.step()
for k, p in net.named_parameters():
    put("next:" + k, p)
for k, v in net.state_dict().items():
    if "running" in k:
        put("next:" + k, v)

small.write_fixture(records, here)
