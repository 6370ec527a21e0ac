"""ISP (ECCV 2022) pieces in PyTorch, written from the specification in shared/docs/SEEDS.md section 2 for the
fixtures of the Java tests (torch 1.13, CPU, float32). Shared by the generate_*.py scripts of this directory.

Nothing here is the authors' code: it restates their formulas (RBF map over the detached grid maximum, relaxed
Bernoulli masks, the selector network with the authors' module names, the Eq. 9 terms, the gate relaxation and the
differentiable FLOPs).
"""
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import weight_norm


def write_fixture(records, directory):
    """fixture.txt (name dtype dims offset per line) over fixture.bin (little-endian float32 / int64 data)."""
    offset = 0
    with open(os.path.join(directory, "fixture.bin"), "wb") as bin_file, \
            open(os.path.join(directory, "fixture.txt"), "w") as index:
        for name, a in records:
            a = np.ascontiguousarray(a.detach().numpy() if torch.is_tensor(a) else a)
            dtype = "i64" if a.dtype == np.int64 else "f32"
            a = a.astype("<i8" if dtype == "i64" else "<f4")
            dims = ",".join(str(d) for d in a.shape)
            index.write(f"{name} {dtype} {dims} {offset}\n")
            bin_file.write(a.tobytes())
            offset += a.nbytes


def centres(raw, half, offset):
    """selector raw outputs [B,3] -> (cx, cy, sigma): half*tanh(m/half)+offset, softplus(m)+1e-8."""
    xy = half * torch.tanh(raw[:, :2] / half) + offset
    sigma = torch.logaddexp(torch.zeros_like(raw[:, 2]), raw[:, 2]) + 1e-8
    return torch.cat([xy, sigma.unsqueeze(1)], 1)


def random_centres(u, half, offset, lo, hi):
    """Stage A: centre U(-1,1)*half+offset, sigma U(lo,hi), from uniform draws u [B,3]."""
    return torch.cat([(u[:, :2] * 2 - 1) * half + offset, u[:, 2:] * (hi - lo) + lo], 1)


def rbf_map(c, size):
    """Gaussian density on the grid (u = row, v = column) over its detached grid maximum + 1e-8: [B,1,size,size]."""
    rows = torch.arange(float(size)).repeat((size, 1)).t()
    cols = torch.arange(float(size)).repeat((size, 1))
    maps = []
    for i in range(c.shape[0]):
        s2 = c[i, 2] ** 2
        d = (1 / (2 * torch.tensor(np.pi) * s2)) * torch.exp((-1. / (2 * s2)) * ((rows - c[i, 0]) ** 2 + (cols - c[i, 1]) ** 2))
        maps.append(d.unsqueeze(0) / (d.detach().max() + 1e-8))
    return torch.stack(maps)


def sample(probs, temperature, hard, seed):
    """RelaxedBernoulli(temperature, probs).rsample() with torch's own code; returns (mask, the uniform draws used)."""
    torch.manual_seed(seed)
    u = torch.rand(probs.shape)
    torch.manual_seed(seed)
    s = torch.distributions.RelaxedBernoulli(torch.tensor(temperature), probs=probs).rsample()
    if hard:
        s = (s > 0.5).float() - s.detach() + s
    return s, u


class BasicBlock(nn.Module):
    """CIFAR BasicBlock, option-A shortcut (AvgPool2d(2) + zero channels appended), optional fixed gate vector."""

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride, self.inplanes, self.planes = stride, inplanes, planes
        self.gate = None  # None or a [C] tensor (a relaxed or hard gate vector), multiplied channel-wise

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        if self.gate is not None:
            out = out * self.gate.view(1, -1, 1, 1)
        out = self.bn2(self.conv2(out))
        res = x
        if self.stride != 1 or self.inplanes != self.planes:
            res = F.avg_pool2d(x, 2, 2)
            res = torch.cat([res, torch.zeros(res.shape[0], self.planes - res.shape[1], res.shape[2], res.shape[3])], 1)
        return F.relu(out + res)


class ResNet(nn.Module):
    """ISP's CIFAR ResNet-(6n+2); classes 0: the encoder (scales of layer1..3, no fc)."""

    def __init__(self, n, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        inplanes = 16
        for i, planes in enumerate([16, 32, 64]):
            blocks = []
            for j in range(n):
                blocks.append(BasicBlock(inplanes, planes, 2 if j == 0 and i > 0 else 1))
                inplanes = planes
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*blocks))
        self.classes = classes
        if classes:
            self.fc = nn.Linear(64, classes)

    def blocks(self):
        return [b for layer in (self.layer1, self.layer2, self.layer3) for b in layer]

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        s1 = self.layer1(out)
        s2 = self.layer2(s1)
        s3 = self.layer3(s2)
        if not self.classes:
            return s1, s2, s3
        return self.fc(F.adaptive_avg_pool2d(s3, 1).flatten(1))


class DecoderBlock(nn.Module):
    def __init__(self, inp, planes):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if inp != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inp, planes, 1, 1, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + self.shortcut(x))


class PixelShuffle2(nn.Module):
    def forward(self, x):
        return F.pixel_shuffle(x, 2)


class UpSampleBlock(nn.Module):
    def __init__(self, inp, out, passthrough):
        super().__init__()
        self.upsampler = nn.Sequential(
            nn.Sequential(nn.Conv2d(inp, 4 * out, 3, 1, 1, bias=False), nn.BatchNorm2d(4 * out), nn.ReLU()),
            PixelShuffle2(), nn.ReLU())
        self.follow_up = DecoderBlock(out + passthrough, out)

    def forward(self, x, skip):
        return self.follow_up(torch.cat((self.upsampler(x), skip), 1))


class Selector(nn.Module):
    """The CIFAR selector: frozen encoder (eval, no grad), label gate, two up-blocks, full-map conv to 3 params."""

    def __init__(self, n, classes, size=32, initial_sigma=10.):
        super().__init__()
        self.resnet = ResNet(n, 0)
        self.uplayer3 = UpSampleBlock(64, 32, 32)
        self.uplayer2 = UpSampleBlock(32, 16, 16)
        self.embedding = nn.Embedding(classes, 64)
        self.saliency_chans = nn.Conv2d(16, 3, kernel_size=size, bias=True)
        with torch.no_grad():
            self.saliency_chans.bias.zero_()
            self.saliency_chans.bias[2] = initial_sigma

    def forward(self, x, labels):
        self.resnet.eval()
        with torch.no_grad():
            s1, s2, s3 = self.resnet(x)
        return self.decode(s1, s2, s3, labels)

    def decode(self, s1, s2, s3, labels):
        em = self.embedding(labels)
        th = torch.sigmoid(torch.sum(s3 * em.view(-1, em.shape[1], 1, 1), 1, keepdim=True))
        up = self.uplayer2(self.uplayer3(s3 * th, s2), s1)
        return self.saliency_chans(up).view(-1, 3)


def randomize_bn(module):
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)


def kl_to_black_box(bb_logits, logits):
    return F.kl_div(F.log_softmax(logits, 1), F.softmax(bb_logits, 1), reduction="batchmean")


def area_loss(masks, power):
    return torch.mean((masks + 0.0005) ** power)


def smoothness_loss(masks, power=2, border_penalty=0.3):
    x_loss = torch.sum((torch.abs(masks[:, :, 1:, :] - masks[:, :, :-1, :])) ** power)
    y_loss = torch.sum((torch.abs(masks[:, :, :, 1:] - masks[:, :, :, :-1])) ** power)
    border = border_penalty * torch.sum(masks[:, :, -1, :] ** power + masks[:, :, 0, :] ** power
                                        + masks[:, :, :, -1] ** power + masks[:, :, :, 0] ** power)
    return (x_loss + y_loss + border) / float(power * masks.size(0))


def state(records, prefix, module):
    for k, v in module.state_dict().items():
        if not k.endswith("num_batches_tracked"):
            records.append(("param:" + prefix + k, v.detach().clone()))


def gumbel_gates(theta, u, T=0.4, offset=3.0):
    """Simplified_Gate's relaxation: sigmoid((theta + g + offset) / T), g = -log(-log(U + 1e-20) + 1e-20)."""
    g = -torch.log(-torch.log(u + 1e-20) + 1e-20)
    return torch.sigmoid((theta + g + offset) / T)


class HyperStructure(nn.Module):
    """The gate generator of --hs True, restated from SEEDS 2.3 and the repository's facts: fixed inputs [L, 1, 64]
    (orthogonal init, a parameter that does not train), a bidirectional GRU(64, 128) from a zero state over the L
    gated layers, LayerNorm(256) and ReLU per layer, one bias-free weight-normed Linear(256 -> C_l) per layer (dim 0:
    weight_g [C_l, 1], weight_v [C_l, 256]); the per-layer outputs concatenated are the logits theta [G]."""

    def __init__(self, widths):
        super().__init__()
        self.inputs = nn.Parameter(torch.empty(len(widths), 1, 64), requires_grad=False)
        nn.init.orthogonal_(self.inputs)
        self.bn1 = nn.LayerNorm([256])
        self.Bi_GRU = nn.GRU(64, 128, bidirectional=True)
        self.mh_fc = nn.ModuleList([weight_norm(nn.Linear(256, w, bias=False)) for w in widths])

    def forward(self):
        out, _ = self.Bi_GRU(self.inputs, torch.zeros(2, 1, 128))
        h = F.relu(self.bn1(out[:, 0]))
        return torch.cat([fc(h[i:i + 1]) for i, fc in enumerate(self.mh_fc)], 1).squeeze(0)


def hard_concrete(v):
    h = (v >= 0.5).float()
    return (h - v).detach() + v


def authors_flops_ratio(gates, blocks, size):
    """Flops_constraint_resnet (HN): per gated block the first conv's k*(Cin/g)*c*HW + 3*c*HW over the full cost
    of both convs of every block."""
    num, full, start = 0, 0.0, 0
    for layer in range(3 * blocks):
        stage, i = divmod(layer, blocks)
        c = 16 << stage
        cin = c // 2 if i == 0 and stage > 0 else c
        hw = (size >> stage) ** 2
        kept = gates[start:start + c].sum()
        start += c
        num = num + 9 * cin * kept * hw + 3 * kept * hw
        full += 9 * cin * c * hw + 3 * c * hw + 9 * c * c * hw + 3 * c * hw
    return num / full


def flops_loss(ratio, p, weight=1.0):
    return weight * torch.log(torch.clamp(ratio, min=p) / p)


def gated_scales(net, x):
    """The classifier's three scales and logits, with each block's gate as set."""
    out = F.relu(net.bn1(net.conv1(x)))
    s1 = net.layer1(out)
    s2 = net.layer2(s1)
    s3 = net.layer3(s2)
    return s1, s2, s3, net.fc(F.adaptive_avg_pool2d(s3, 1).flatten(1))
