"""Reference for IspSelectorParityTest: ISP Stage B on ResNet-8 (the ResNet-56 block and keys): the selector
(frozen encoder initialised from the black box, label-embedding gate, two up-blocks, full-map conv to the raw RBF
parameters, sigma bias 10) in eval mode (forward: raw parameters, map, predictor logits on x * map), then one
training step of Eq. 9 with the CIFAR defaults (relaxed mask at T = 1.0, lambda1 0.2, area power 0.3, lambda2 1e-3)
against the frozen black box and frozen predictor: loss terms, gradients of every trained selector parameter, one
torch.optim.Adam step (lr 1e-4, wd 1e-4) and the decoder's BN running statistics.

Run from this directory: /usr/bin/python3 generate.py
"""
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
import isp_reference as ref  # noqa: E402

torch.manual_seed(4)
B, SIZE, CLASSES = 4, 32, 10
bb = ref.ResNet(1, CLASSES)
predictor = ref.ResNet(1, CLASSES)
selector = ref.Selector(1, CLASSES, SIZE)
for m in (bb, predictor, selector):
    ref.randomize_bn(m)
selector.resnet.load_state_dict({k: v for k, v in bb.state_dict().items() if not k.startswith("fc.")})
x = torch.randn(B, 3, SIZE, SIZE)
y = torch.randint(0, CLASSES, (B,))
records = [("x", x), ("y", y)]
ref.state(records, "bb_model.model.", bb)
ref.state(records, "predictor.model.", predictor)
ref.state(records, "selector.", selector)

for m in (bb, predictor):
    m.eval()
    for p in m.parameters():
        p.requires_grad_(False)
for p in selector.resnet.parameters():
    p.requires_grad_(False)

selector.eval()
with torch.no_grad():
    raw = selector(x, y)
    mp = ref.rbf_map(ref.centres(raw, 14., 16.), SIZE)
    records += [("eval.saliency_params", raw), ("eval.map", mp), ("eval.logits", predictor(x * mp)),
                ("eval.bb_logits", bb(x))]

selector.train()
trained = [p for p in selector.parameters() if p.requires_grad]
opt = torch.optim.Adam(trained, lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-4)
raw = selector(x, y)
mp = ref.rbf_map(ref.centres(raw, 14., 16.), SIZE)
s, um = ref.sample(mp, 1.0, False, 13)
records += [("u_mask", um), ("mask", s)]
kl = ref.kl_to_black_box(bb(x), predictor(x * s))
area = ref.area_loss(s, 0.3)
smooth = ref.smoothness_loss(s)
loss = kl + 0.2 * area + 1e-3 * smooth
opt.zero_grad()
loss.backward()
records += [("loss", loss.reshape(1)), ("loss.kl", kl.reshape(1)), ("loss.area", area.reshape(1)),
            ("loss.smooth", smooth.reshape(1))]
for k, p in selector.named_parameters():
    if p.requires_grad:
        records.append(("grad:selector." + k, p.grad.clone()))
opt.step()
for k, p in selector.named_parameters():
    if p.requires_grad:
        records.append(("next:selector." + k, p.detach().clone()))
for k, v in selector.state_dict().items():
    if "running" in k and not k.startswith("resnet."):
        records.append(("next:selector." + k, v.clone()))

# hard_sample: the straight-through mask (s > 0.5) + s - s.detach() drives the KL and area terms, the smoothness term
# reads the relaxed sample; the same draws, from the state before the step
selector.load_state_dict({k[len("param:selector."):]: v for k, v in records if k.startswith("param:selector.")})
selector.train()
raw = selector(x, y)
mp = ref.rbf_map(ref.centres(raw, 14., 16.), SIZE)
soft = torch.distributions.RelaxedBernoulli(torch.tensor(1.0), probs=mp)
torch.manual_seed(13)
relaxed = soft.rsample()
hard = (relaxed > 0.5).float() - relaxed.detach() + relaxed
loss = ref.kl_to_black_box(bb(x), predictor(x * hard)) + 0.2 * ref.area_loss(hard, 0.3) \
    + 1e-3 * ref.smoothness_loss(relaxed)
for p in selector.parameters():
    p.grad = None
loss.backward()
records.append(("hard.loss", loss.reshape(1)))
for k, p in selector.named_parameters():
    if p.requires_grad:
        records.append(("hard.grad:selector." + k, p.grad.clone()))
ref.write_fixture(records, here)
