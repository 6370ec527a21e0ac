"""Reference for IspRbfParityTest: RBF maps from raw selector outputs and from Stage A's random draws, relaxed and
straight-through hard masks at temperature 0.1 (torch's RelaxedBernoulli, its uniform draws recorded), and the
gradients of a weighted sum of each mask with respect to the raw outputs (the detached maximum shows there).

Run from this directory: /usr/bin/python3 generate.py
"""
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
import isp_reference as ref  # noqa: E402

torch.manual_seed(0)
B, SIZE = 4, 32
raw = (torch.randn(B, 3) * torch.tensor([8., 8., 2.]) + torch.tensor([0., 0., 6.])).requires_grad_(True)
w = torch.randn(B, 1, SIZE, SIZE)
u3 = torch.rand(B, 3)
records = [("raw", raw), ("w", w), ("u_centres", u3)]

c = ref.centres(raw, 14., 16.)
m = ref.rbf_map(c, SIZE)
records += [("centres", c), ("map", m)]
for hard in (False, True):
    s, u = ref.sample(m, 0.1, hard, 7 if hard else 5)
    loss = (s * w).sum()
    g, = torch.autograd.grad(loss, raw, retain_graph=True)
    tag = "hard" if hard else "soft"
    records += [("u_" + tag, u), ("mask_" + tag, s), ("grad_" + tag, g)]
loss = (m * w).sum()
g, = torch.autograd.grad(loss, raw, retain_graph=True)
records += [("grad_map", g)]
rc = ref.random_centres(u3, 14., 16., 5., 11.)
records += [("random_centres", rc), ("random_map", ref.rbf_map(rc, SIZE))]
ref.write_fixture(records, here)
