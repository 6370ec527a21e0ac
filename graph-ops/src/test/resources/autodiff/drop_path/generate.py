"""PyTorch reference for DropPathParityTest: timm 0.6.13's own drop_path (timm/models/layers/drop.py) given the
masks Lathe's train step draws.

timm is not installed and not copied into Lathe; the module is loaded from a checkout given on the command line:
  git -C <pytorch-image-models> show v0.6.13:timm/models/layers/drop.py > /tmp/timm_ref/drop.py
  /usr/bin/python3 generate.py /tmp/timm_ref
The net (torch 1.13, CPU, float32): x [4, 2, 3, 3]; three residual joins, block b0: y = x + drop_path(conv(x));
b1: y = y + drop_path(y * p1); b2: y = y + drop_path(conv2(y)); logits = fc(mean over H, W); cross-entropy.
Drop rate 0.6 under the linear rule gives b0 0, b1 0.3, b2 0.6. Each mask is the one Lathe's graph draws for seed
SEED: floor(keep + u) with u from RandomDraws (restated below in Python, integer arithmetic), streams 65536 + join;
timm's bernoulli_ is replaced by that mask, everything else is timm's function. Writes fixture.txt/fixture.bin
(the format of ../small_resnet/net.py): parameters, x, y, the masks, loss and gradients.
"""
import importlib.util
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("timm_drop", sys.argv[1] + "/drop.py")
drop = importlib.util.module_from_spec(spec)
spec.loader.exec_module(drop)
spec = importlib.util.spec_from_file_location("small_resnet", os.path.join(here, "..", "small_resnet", "net.py"))
small = importlib.util.module_from_spec(spec)
spec.loader.exec_module(small)

SEED = 1234567
P = 2147483647
INDEX_MUL, SEED_MUL, STREAM_MUL = 1103515245, 40503, 2654435761 % P
KEYS = [362436069, 521288629, 88675123, 123459876]


def uniform(seed, stream, index):
    s = seed % P
    x = (index * INDEX_MUL + s * SEED_MUL + 1 + stream * STREAM_MUL % P) % P
    for k in KEYS:
        y = (x + k) % P
        x = (y * y + s) % P
    return (np.float32(x // 256) + np.float32(0.5)) * np.float32(1.0 / (1 << 23))


def mask(join, rate, n):
    keep = np.float32(1 - rate)
    return np.array([np.floor(uniform(SEED, 65536 + join, i) + keep) for i in range(n)], dtype=np.float32)


torch.manual_seed(3)
x = torch.randn(4, 2, 3, 3)
y = torch.tensor([0, 4, 2, 1])
w0 = (torch.randn(2, 2, 3, 3) * 0.3).requires_grad_()
p1 = (torch.randn(1, 2, 1, 1)).requires_grad_()
w2 = (torch.randn(2, 2, 3, 3) * 0.3).requires_grad_()
fc_w = (torch.randn(5, 2) * 0.5).requires_grad_()
fc_b = (torch.randn(5) * 0.1).requires_grad_()
rates = [0.0, 0.3, 0.6]
masks = [mask(k, r, 4) for k, r in enumerate(rates)]
assert 0 < masks[1].sum() < 4 or 0 < masks[2].sum() < 4, masks  # something is dropped and something kept

original_bernoulli = torch.Tensor.bernoulli_


def dp(t, join):
    if rates[join] == 0:
        return t  # timm builds nn.Identity for a zero rate
    m = torch.from_numpy(masks[join]).reshape(4, 1, 1, 1)
    torch.Tensor.bernoulli_ = lambda self, p: self.copy_(m)
    try:
        return drop.drop_path(t, rates[join], training=True)
    finally:
        torch.Tensor.bernoulli_ = original_bernoulli


h = x + dp(F.conv2d(x, w0, padding=1), 0)
h = h + dp(h * p1, 1)
h = h + dp(F.conv2d(h, w2, padding=1), 2)
logits = F.linear(h.mean(dim=(2, 3)), fc_w, fc_b)
loss = F.cross_entropy(logits, y)
loss.backward()
records = [("x", x), ("y", y), ("param:w0", w0), ("param:p1", p1), ("param:w2", w2), ("param:fc.weight", fc_w),
           ("param:fc.bias", fc_b), ("mask1", torch.from_numpy(masks[1])), ("mask2", torch.from_numpy(masks[2])),
           ("loss", loss.reshape(1)), ("logits", logits)]
records += [("grad:" + n, t.grad) for n, t in (("w0", w0), ("p1", p1), ("w2", w2), ("fc.weight", fc_w),
                                                ("fc.bias", fc_b))]
small.write_fixture([(n, t.detach().numpy().copy() if torch.is_tensor(t) else t) for n, t in records], here)
print("masks", masks[1], masks[2], "loss", float(loss))
