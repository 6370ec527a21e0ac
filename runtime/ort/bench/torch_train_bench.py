"""PyTorch peer of `lathe bench train`: images/s of full SGD training steps (forward, cross-entropy, backward,
SGD momentum step) on random data, CPU, fixed thread count. Prints one JSON line.

/usr/bin/python3 runtime/ort/bench/torch_train_bench.py --model resnet18 --batch 16 --resolution 224 --threads 2
(--model cic_resnet32 is the CIFAR ResNet-32 of Lathe's zoo, not a torchvision model; use --classes 100)
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class NormedLinear(nn.Module):
    """CIC's cosine classifier (weight [in, out]), as Lathe's zoo `cic_resnet32` head."""

    def __init__(self, fin, fout):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(fin, fout) * 0.01)

    def forward(self, x):
        return F.normalize(x, dim=1).mm(F.normalize(self.weight, dim=0))


class CifarBasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class CicResNet32(nn.Module):
    """CIC's CIFAR ResNet-32 (factor 4: 64/128/256 channels, five blocks per stage, option-B shortcuts)."""

    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        blocks, cin = [], 64
        for i, w in enumerate([64, 128, 256]):
            for j in range(5):
                blocks.append(CifarBasicBlock(cin, w, 2 if (j == 0 and i > 0) else 1))
                cin = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = NormedLinear(256, classes)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--batch", type=int, default=16)
p.add_argument("--resolution", type=int, default=224)
p.add_argument("--classes", type=int, default=1000)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=5)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--profile", action="store_true", help="print torch.autograd.profiler's per-op table of one step")
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)
if a.model == "cic_resnet32":
    model = CicResNet32(a.classes)
else:
    model = getattr(torchvision.models, a.model)(num_classes=a.classes)
model.train()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
x = torch.randn(a.batch, 3, a.resolution, a.resolution)
y = torch.randint(0, a.classes, (a.batch,))


def step():
    opt.zero_grad(set_to_none=True)
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()


for _ in range(a.warmup):
    step()
start = time.perf_counter()
for _ in range(a.steps):
    step()
total = time.perf_counter() - start
if a.profile:
    with torch.autograd.profiler.profile() as prof:
        step()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
print(json.dumps({"model": a.model, "batch": a.batch, "resolution": a.resolution, "threads": a.threads,
                  "steps": a.steps, "images_per_second": a.steps * a.batch / total, "step_seconds": total / a.steps,
                  "torch": torch.__version__}))
