#!/usr/bin/python3
"""PyTorch references for LossParityTest (torch 1.13, computed in float64, stored as float32).

Each case is a loss of logits z [6, 5] with integer labels y and its gradient d loss / d z:
  ce_ls         F.cross_entropy(z, y, label_smoothing=0.1)
  la_cic        CIC's logit-adjusted CE (SEEDS.md 5.3): CE(30 * c + log prior, y) on cosine logits c in [-1, 1]
  la_tau        logit adjustment with tau 1.5 and label smoothing 0.1: CE(z + 1.5 log prior, y, label_smoothing=0.1)
  kd            EfficientMod's soft distillation (SEEDS.md 3.4), T = 2, alpha 0.9, base CE with label smoothing 0.1:
                0.1 CE(z, y) + 0.9 T^2 kl_div(log_softmax(z/T), log_softmax(t/T), batchmean, log_target=True)
  kl            ISP's KL divergence: kl_div(log_softmax(z), q, batchmean) against target probabilities q that
                include exact zeros
Writes fixture.txt (name dtype dims offset) and fixture.bin (little-endian). Run from this directory.
"""
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)
N, C = 6, 5
z = (torch.randn(N, C) * 2).double()
y = torch.randint(0, C, (N,))
teacher = (torch.randn(N, C) * 3).double()
counts = torch.tensor([500.0, 180.0, 60.0, 20.0, 5.0], dtype=torch.float64)
prior = counts / counts.sum()
cosine = torch.tanh(z / 2)
q = torch.softmax(torch.randn(N, C).double() * 2, dim=1)
q[0, 1] = 0.0
q[3, 4] = 0.0
q = q / q.sum(dim=1, keepdim=True)

records = [("z", z), ("y", y), ("teacher", teacher), ("counts", counts), ("cosine", cosine), ("q", q)]


def case(name, x, fn):
    x = x.clone().requires_grad_(True)
    loss = fn(x)
    loss.backward()
    records.append((name + ".loss", loss.detach().reshape(1)))
    records.append((name + ".grad", x.grad))


case("ce_ls", z, lambda s: F.cross_entropy(s, y, label_smoothing=0.1))
case("la_cic", cosine, lambda c: F.cross_entropy(30 * c + torch.log(prior), y))
case("la_tau", z, lambda s: F.cross_entropy(s + 1.5 * torch.log(prior), y, label_smoothing=0.1))
T = 2.0
case("kd", z, lambda s: 0.1 * F.cross_entropy(s, y, label_smoothing=0.1) + 0.9 * T * T * F.kl_div(
    F.log_softmax(s / T, dim=1), F.log_softmax(teacher / T, dim=1), reduction="batchmean", log_target=True))
case("kl", z, lambda s: F.kl_div(F.log_softmax(s, dim=1), q, reduction="batchmean"))

offset = 0
with open("fixture.bin", "wb") as bin_file, open("fixture.txt", "w") as index:
    for name, t in records:
        a = np.ascontiguousarray(t.detach().numpy())
        dtype = "i64" if a.dtype == np.int64 else "f32"
        a = a.astype("<i8" if dtype == "i64" else "<f4")
        index.write(f"{name} {dtype} {','.join(str(d) for d in a.shape)} {offset}\n")
        bin_file.write(a.tobytes())
        offset += a.nbytes
