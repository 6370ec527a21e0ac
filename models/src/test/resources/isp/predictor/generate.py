"""Reference for IspPredictorParityTest: ISP Stage A on a small CIFAR ResNet (ResNet-8, n = 1, the ResNet-56 block
and keys): the frozen black box (eval BN) and the predictor (train BN) on x times a relaxed Bernoulli mask (T 0.1)
of a random RBF map, KL(softmax(bb(x)) || softmax(f(x * s))) batchmean, one torch.optim.Adam step (lr 1e-4, betas
(0.9, 0.999), weight decay 1e-4 on every parameter). Draws recorded as u_centres / u_mask.

Run from this directory: /usr/bin/python3 generate.py
"""
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
import isp_reference as ref  # noqa: E402

torch.manual_seed(3)
B, SIZE, CLASSES = 4, 32, 10
bb = ref.ResNet(1, CLASSES)
predictor = ref.ResNet(1, CLASSES)
ref.randomize_bn(bb)
ref.randomize_bn(predictor)
x = torch.randn(B, 3, SIZE, SIZE)
y = torch.randint(0, CLASSES, (B,))
uc = torch.rand(B, 3)
records = [("x", x), ("y", y), ("u_centres", uc)]
ref.state(records, "bb_model.model.", bb)
ref.state(records, "predictor.model.", predictor)

bb.eval()
for p in bb.parameters():
    p.requires_grad_(False)
predictor.train()
opt = torch.optim.Adam(predictor.parameters(), lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-4)
m = ref.rbf_map(ref.random_centres(uc, 14., 16., 5., 11.), SIZE)
s, um = ref.sample(m, 0.1, False, 11)
records += [("u_mask", um), ("mask", s)]
loss = ref.kl_to_black_box(bb(x), predictor(x * s))
opt.zero_grad()
loss.backward()
records.append(("loss", loss.reshape(1)))
for k, p in predictor.named_parameters():
    records.append(("grad:predictor.model." + k, p.grad.clone()))
opt.step()
for k, p in predictor.named_parameters():
    records.append(("next:predictor.model." + k, p.detach().clone()))
for k, v in predictor.state_dict().items():
    if "running" in k:
        records.append(("next:predictor.model." + k, v.clone()))
ref.write_fixture(records, here)
