"""Reference for IspSearchParityTest: ISP Stage C on ResNet-8 (the ResNet-56 block and keys, 3 gated layers of 16,
32 and 64 channels). Gate logits theta ~ N(0, 1) per layer, Gumbel-sigmoid gates (T 0.4, offset 3) from recorded
uniform draws, their straight-through hard version, the repository's differentiable FLOPs ratio, and one search
step: the frozen classifier (eval BN) gated by the relaxed gates, its three scales through the frozen selector
decoder (eval BN), 10 * MSE against stored parameters + 1 * log(max(ratio, p) / p) at p = 0.3 (active: the
ratio with all gates near 1 is about 0.5), gradients of the logits and one AdamW step (lr 1e-3, wd 1e-3).

Run from this directory: /usr/bin/python3 generate.py
"""
import os
import sys

import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
import isp_reference as ref  # noqa: E402

torch.manual_seed(5)
B, SIZE, CLASSES, P = 4, 32, 10, 0.3
net = ref.ResNet(1, CLASSES)
selector = ref.Selector(1, CLASSES, SIZE)
ref.randomize_bn(net)
ref.randomize_bn(selector)
thetas = [torch.nn.Parameter(torch.randn(w)) for w in (16, 32, 64)]
x = torch.randn(B, 3, SIZE, SIZE)
y = torch.randint(0, CLASSES, (B,))
target = torch.randn(B, 3) * 2 + torch.tensor([0., 0., 10.])
u = torch.rand(112)
records = [("x", x), ("y", y), ("target_params", target), ("u_gates", u)]
ref.state(records, "", net)
dec = {k: v for k, v in selector.state_dict().items() if not k.startswith("resnet.")}
for k, v in dec.items():
    if not k.endswith("num_batches_tracked"):
        records.append(("param:selector." + k, v.clone()))
for i, t in enumerate(thetas):
    records.append(("param:hyper_net.p_list.%d.weight" % i, t.detach().clone()))

net.eval()
selector.eval()
for p in list(net.parameters()) + list(selector.parameters()):
    p.requires_grad_(False)
opt = torch.optim.AdamW(thetas, lr=1e-3, weight_decay=1e-3)

theta = torch.cat(thetas)
v = ref.gumbel_gates(theta, u)
hard = ref.hard_concrete(v)
ratio = ref.authors_flops_ratio(v, 1, SIZE)
records += [("gates", v), ("gates_hard", hard), ("authors_ratio", ratio.reshape(1))]
g_ratio = torch.autograd.grad(ratio, thetas, retain_graph=True)
for i, g in enumerate(g_ratio):
    records.append(("ratio_grad:hyper_net.p_list.%d.weight" % i, g))

start = 0
for blk, w in zip(net.blocks(), (16, 32, 64)):
    blk.gate = v[start:start + w]
    start += w
s1, s2, s3, logits = ref.gated_scales(net, x)
raw = selector.decode(s1, s2, s3, y)
mse = F.mse_loss(raw, target)
flops = ref.flops_loss(ratio, P)
loss = 10 * mse + flops
opt.zero_grad()
loss.backward()
records += [("saliency_params", raw), ("logits", logits), ("loss", loss.reshape(1)), ("loss.mse", mse.reshape(1)),
            ("loss.flops", flops.reshape(1))]
for i, t in enumerate(thetas):
    records.append(("grad:hyper_net.p_list.%d.weight" % i, t.grad.clone()))
opt.step()
for i, t in enumerate(thetas):
    records.append(("next:hyper_net.p_list.%d.weight" % i, t.detach().clone()))

# the optional class term (--c_loss): the same step from the same logits with + 1 * CE(gated classifier, y)
with torch.no_grad():
    for i, t in enumerate(thetas):
        t.copy_(records[[r[0] for r in records].index("param:hyper_net.p_list.%d.weight" % i)][1])
        t.grad = None
v = ref.gumbel_gates(torch.cat(thetas), u)
start = 0
for blk, w in zip(net.blocks(), (16, 32, 64)):
    blk.gate = v[start:start + w]
    start += w
s1, s2, s3, logits = ref.gated_scales(net, x)
ce = F.cross_entropy(logits, y)
loss = 10 * F.mse_loss(selector.decode(s1, s2, s3, y), target) + ref.flops_loss(ref.authors_flops_ratio(v, 1, SIZE),
                                                                                  P) + ce
loss.backward()
records += [("ce.loss", loss.reshape(1)), ("ce.loss.ce", ce.reshape(1))]
for i, t in enumerate(thetas):
    records.append(("ce.grad:hyper_net.p_list.%d.weight" % i, t.grad.clone()))
ref.write_fixture(records, here)
