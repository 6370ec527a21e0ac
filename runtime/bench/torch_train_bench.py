"""PyTorch peer of `lathe bench train`: images/s of full SGD training steps (forward, cross-entropy, backward,
SGD momentum step) on random data, CPU, fixed thread count. Prints one JSON line.

/usr/bin/python3 runtime/bench/torch_train_bench.py --model resnet18 --batch 16 --resolution 224 --threads 2
"""
import argparse
import json
import time

import torch
import torchvision

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--batch", type=int, default=16)
p.add_argument("--resolution", type=int, default=224)
p.add_argument("--classes", type=int, default=1000)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=5)
p.add_argument("--warmup", type=int, default=2)
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)
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
print(json.dumps({"model": a.model, "batch": a.batch, "resolution": a.resolution, "threads": a.threads,
                  "steps": a.steps, "images_per_second": a.steps * a.batch / total, "step_seconds": total / a.steps,
                  "torch": torch.__version__}))
