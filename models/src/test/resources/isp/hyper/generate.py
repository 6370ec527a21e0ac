"""Reference for IspHyperParityTest: ISP Stage C's HyperStructure gate generator (--hs True) on ResNet-8's gated
layers (3 layers of 16, 32 and 64 channels). The generator's state_dict (LayerNorm weight and bias and every weight_g
moved away from their initial values, so a swapped or ignored parameter shows), its logits theta, the Gumbel-sigmoid
gates (T 0.4, offset 3) from recorded uniform draws, and one search step on
the scalar loss MSE(gates, recorded target) + log(max(ratio, p) / p) at p = 0.3 (the repository's differentiable
FLOPs ratio): the loss terms, the gradient of every trained parameter and one AdamW step (lr 1e-3, wd 1e-3) over
hyper_net.parameters(), which skips the fixed inputs (requires_grad False).

Run from this directory: /usr/bin/python3 generate.py
"""
import os
import sys

import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
import isp_reference as ref  # noqa: E402

torch.manual_seed(7)
WIDTHS, SIZE, P = (16, 32, 64), 32, 0.3
G = sum(WIDTHS)
hyper = ref.HyperStructure(WIDTHS)
with torch.no_grad():
    hyper.bn1.weight.uniform_(0.5, 1.5)
    hyper.bn1.bias.uniform_(-0.2, 0.2)
    for fc in hyper.mh_fc:
        fc.weight_g.mul_(torch.empty_like(fc.weight_g).uniform_(0.5, 2.0))
u = torch.rand(G)
target = torch.rand(G)
records = [("u_gates", u), ("gate_target", target)]
ref.state(records, "hyper_net.", hyper)

opt = torch.optim.AdamW(hyper.parameters(), lr=1e-3, weight_decay=1e-3)
theta = hyper()
v = ref.gumbel_gates(theta, u)
records += [("theta", theta), ("gates", v)]
mse = F.mse_loss(v, target)
flops = ref.flops_loss(ref.authors_flops_ratio(v, 1, SIZE), P)
loss = mse + flops
opt.zero_grad()
loss.backward()
records += [("loss", loss.reshape(1)), ("loss.mse", mse.reshape(1)), ("loss.flops", flops.reshape(1))]
trained = [(n, p) for n, p in hyper.named_parameters() if p.requires_grad]
for n, p in trained:
    records.append(("grad:hyper_net." + n, p.grad.clone()))
opt.step()
for n, p in trained:
    records.append(("next:hyper_net." + n, p.detach().clone()))
ref.write_fixture(records, here)
print("min |gate - 0.5|", (v - 0.5).abs().min().item(), "ratio", ref.authors_flops_ratio(v, 1, SIZE).item(),
      "theta range", theta.min().item(), theta.max().item())
