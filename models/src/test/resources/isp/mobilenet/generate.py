"""Reference for IspMobileNetV2ParityTest: ISP's CIFAR MobileNetV2 (SEEDS 2.4; the CIFAR10 branch's
Models/MobileNetV2.py as facts: stem 3x3 stride 1, stage strides [1,1,1,2,1,2,1], pw expansion always present, ReLU,
a residual whenever the stride is 1 with a 1x1 conv + BN shortcut when the widths differ, one virtual gate per block
applied after pw-BN-ReLU and again after dw-BN-ReLU, conv 320->1280, Linear 1280->10) and its RBF selector decoder
(RealTimeSaliencyRBF's MobileNetV2 branch: scales after blocks 5 and 12 and conv2, embedding (classes, 1280),
uplayer3 1280->96 with skip 96, uplayer2 96->32 with skip 32, saliency_chans Conv(32, 3, kernel 32, bias)).

Eval mode, gates fixed to a 0/1 vector with closed channels in every block: the gated classifier's logits and the
selector's raw RBF parameters computed on the gated classifier's scales (Stage C's search graph).

The full MobileNetV2 has 2.3 M parameters, too many for a fixture file, so every parameter and BN statistic is a
formula of its name and flat index that the Java test evaluates the same way (see formula() below); names.txt lists
them with their dims, the fixture holds the inputs, the gate vector and the outputs.

Run from this directory: /usr/bin/python3 generate.py
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
import isp_reference as ref  # noqa: E402

CFG = [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 1), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
TAPS = (5, 12)
B, SIZE, CLASSES = 2, 32, 10


class Block(nn.Module):
    def __init__(self, inp, out, expansion, stride):
        super().__init__()
        planes = expansion * inp
        self.stride = stride
        self.conv1 = nn.Conv2d(inp, planes, 1, 1, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, groups=planes, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, 1, 0, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.shortcut = nn.Sequential()
        if stride == 1 and inp != out:
            self.shortcut = nn.Sequential(nn.Conv2d(inp, out, 1, 1, 0, bias=False), nn.BatchNorm2d(out))
        self.gate = None  # a fixed 0/1 vector [planes], the virtual_gate's value

    def forward(self, x):
        g = self.gate.to(x.dtype).view(1, -1, 1, 1)
        out = F.relu(self.bn1(self.conv1(x))) * g
        out = F.relu(self.bn2(self.conv2(out))) * g
        out = self.bn3(self.conv3(out))
        return out + self.shortcut(x) if self.stride == 1 else out


class MobileNetV2(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        layers = []
        inp = 32
        for t, c, n, s in CFG:
            for i in range(n):
                layers.append(Block(inp, c, t, s if i == 0 else 1))
                inp = c
        self.layers = nn.ModuleList(layers)
        self.conv2 = nn.Conv2d(320, 1280, 1, 1, 0, bias=False)
        self.bn2 = nn.BatchNorm2d(1280)
        self.linear = nn.Linear(1280, classes)

    def scales(self, x):
        taps = []
        out = F.relu(self.bn1(self.conv1(x)))
        for i, layer in enumerate(self.layers):
            out = layer(out)
            if i in TAPS:
                taps.append(out)
        out = F.relu(self.bn2(self.conv2(out)))
        taps.append(out)
        return taps[0], taps[1], taps[2], self.linear(F.adaptive_avg_pool2d(out, 1).flatten(1))


class Decoder(nn.Module):
    def __init__(self, classes, size):
        super().__init__()
        self.uplayer3 = ref.UpSampleBlock(1280, 96, 96)
        self.uplayer2 = ref.UpSampleBlock(96, 32, 32)
        self.embedding = nn.Embedding(classes, 1280)
        self.saliency_chans = nn.Conv2d(32, 3, kernel_size=size, bias=True)

    def forward(self, s1, s2, s3, labels):
        em = self.embedding(labels)
        th = torch.sigmoid(torch.sum(s3 * em.view(-1, em.shape[1], 1, 1), 1, keepdim=True))
        up = self.uplayer2(self.uplayer3(s3 * th, s2), s1)
        return self.saliency_chans(up).view(-1, 3), up


def name_code(name):
    return sum((k + 1) * ord(ch) for k, ch in enumerate(name)) % 1000


def formula(name, shape):
    """The value of every parameter and buffer: a sine of the flat index, phase from the name, scaled by its role."""
    n = 1
    for d in shape:
        n *= d
    h = name_code(name)
    w = [math.sin(0.917 * i + 0.31 * h) for i in range(n)]
    if name.endswith("running_var"):
        w = [1.0 + 0.5 * v for v in w]
    elif name.endswith("running_mean") or name.endswith("bias"):
        w = [0.1 * v for v in w]
    elif len(shape) == 1:  # a BN weight
        w = [1.0 + 0.2 * v for v in w]
    elif not name.endswith("embedding.weight"):  # conv / linear: uniform-like, variance ~3 / fan-in
        a = math.sqrt(6.0 / (n // shape[0]))
        w = [a * v for v in w]
    return torch.tensor(w, dtype=torch.float64).float().reshape(shape)


def weights(module, prefix):
    with torch.no_grad():
        for k, v in module.state_dict().items():
            if v.is_floating_point():
                v.copy_(formula(prefix + k, list(v.shape)))


net = MobileNetV2(CLASSES)
decoder = Decoder(CLASSES, SIZE)
weights(net, "")
weights(decoder, "selector.")
net.eval()
decoder.eval()
torch.manual_seed(7)
x = torch.randn(B, 3, SIZE, SIZE)
y = torch.tensor([3, 8])
gates = []
for i, block in enumerate(net.layers):
    g = (torch.rand(block.bn1.num_features) > 0.3).float()
    g[i % g.numel()] = 0.0  # every block closes at least one channel
    block.gate = g
    gates.append(g)
with torch.no_grad():
    raw32 = decoder(*net.scales(x)[:3], y)[0]
# The reference outputs are computed in float64 from the float32 weights and inputs. The RBF parameters are a
# 32x32x32-term sum that cancels (|result| << sum of |terms|), so float32 PyTorch itself is ~1e-5 away from them:
# the fixture records that error (f32_error), the bound the test holds Lathe's float32 graph to on those three
# numbers; everything before that last sum is checked at the usual 1e-5.
net.double()
decoder.double()
with torch.no_grad():
    s1, s2, s3, logits = net.scales(x.double())
    raw, up1 = decoder(s1, s2, s3, y)
f32_error = ((raw32.double() - raw).norm() / raw.norm()).reshape(1)
records = [("x", x), ("y", y), ("gates", torch.cat(gates)), ("logits", logits), ("saliency_params", raw),
           ("up1", up1), ("f32_error", f32_error)]
print("logits", logits)
print("saliency_params", raw, "float32 PyTorch's relative error", f32_error.item())
ref.write_fixture(records, here)
with open(os.path.join(here, "names.txt"), "w") as f:  # every formula-valued tensor: name and dims
    for prefix, module in (("", net), ("selector.", decoder)):
        for k, v in module.state_dict().items():
            if v.is_floating_point():
                f.write(f"{prefix}{k} {','.join(str(d) for d in v.shape)}\n")
