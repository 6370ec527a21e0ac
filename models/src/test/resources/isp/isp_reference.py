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
