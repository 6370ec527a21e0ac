#!/usr/bin/python3
"""End-to-end references for AutoAugment: timm 0.6.13's own timm/data/auto_augment.py run with recorded draws.

timm is not installed and not copied into Lathe; the module is loaded from a checkout given on the command line:
  git -C <pytorch-image-models> show v0.6.13:timm/data/auto_augment.py > /tmp/timm_ref/auto_augment.py
  /usr/bin/python3 make_timm_autoaugment_fixtures.py /tmp/timm_ref
(run make_fixtures.py first: a.npy and b.npy are its inputs). The transform is built as timm's
transforms_imagenet_train builds it: auto_augment_transform(spec, {translate_const: 100, img_mean: (124, 116, 104)}
plus interpolation when not 'random'), for each of the four policies with and without mstd noise (and an mstd that
overflows to inf, which timm samples uniformly), fixed and random interpolation. Every draw it makes is recorded in
timm_aa_cases.txt, one case a line:
  image spec interpolation | kind:value ...
(random.random -> random, random.gauss -> gauss, random.uniform -> uniform, random.choice -> index).
timm_aa_ops.npy stacks the outputs per case in order (uint8 [N, 21, 24, 3], each output in the top-left corner and
zeros elsewhere). timm_aa_policies.txt lists each policy's sub-policies as timm builds them, one a line:
  policy index | name prob magnitude, name prob magnitude
"""
import sys

import numpy as np
from PIL import Image

import timm_replay

aa = timm_replay.load(sys.argv[1])

POLICIES = ["v0", "v0r", "original", "originalr"]
with open("timm_aa_policies.txt", "w") as f:
    for name in POLICIES:
        for i, sub in enumerate(aa.auto_augment_policy(name, dict(translate_const=100, img_mean=(124, 116, 104)))):
            f.write(f"{name} {i} | " + ", ".join(f"{op.name} {op.prob!r} {op.magnitude!r}" for op in sub) + "\n")

images = {"a": np.load("a.npy"), "b": np.load("b.npy")}
specs = []
for name in POLICIES:
    fixed = "bilinear" if name.startswith("v0") else "bicubic"
    specs += [(name, "random"), (name, fixed), (name + "-mstd0.5", "random"), (name + "-mstd0.5", fixed)]
specs += [("original-mstd1e400", "random"), ("v0r-mstd1e400", "bilinear")]
lines, outs = [], []
case = 0
for sp, interp in specs:
    for name, arr in images.items():
        timm_replay.seed(aa, 1000 + case, 0)
        hparams = dict(translate_const=100, img_mean=(124, 116, 104))
        if interp != "random":
            hparams["interpolation"] = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}[interp]
        t = aa.auto_augment_transform(sp, hparams)
        out = np.asarray(t(Image.fromarray(arr)), dtype=np.uint8)
        canvas = np.zeros((21, 24, 3), dtype=np.uint8)
        canvas[:out.shape[0], :out.shape[1]] = out
        outs.append(canvas)
        lines.append(f"{name} {sp} {interp} | " + " ".join(timm_replay.log))
        case += 1
np.save("timm_aa_ops.npy", np.stack(outs))
with open("timm_aa_cases.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
