#!/usr/bin/python3
"""End-to-end references for RandAugment: timm 0.6.13's own timm/data/auto_augment.py run with recorded draws.

timm is not installed and not copied into Lathe; the module is loaded from a checkout given on the command line:
  git -C <pytorch-image-models> show v0.6.13:timm/data/auto_augment.py > /tmp/timm_ref/auto_augment.py
  /usr/bin/python3 make_timm_fixtures.py /tmp/timm_ref
(run make_fixtures.py first: a.npy and b.npy are its inputs). The transform is built as timm's
transforms_imagenet_train builds it: rand_augment_transform(spec, {translate_const: 100, img_mean: (124, 116, 104)}
plus interpolation when not 'random'). Every draw it makes is recorded in timm_cases.txt, one case a line:
  image spec interpolation | kind:value ...
(random.random -> random, random.gauss -> gauss, random.uniform -> uniform, random.choice and numpy's
random.choice -> index). Specs use 0.6.13's grammar (no -p section; p is 0.5 there). timm_ops.npy stacks the outputs per case in order (the images have different sizes, so it is
uint8 [N, 21, 24, 3] with each output in the top-left corner and zeros elsewhere).
"""
import sys

import numpy as np
from PIL import Image

import timm_replay

aa = timm_replay.load(sys.argv[1])
images = {"a": np.load("a.npy"), "b": np.load("b.npy")}
specs = [("rand-m9-mstd0.5-inc1", "random"), ("rand-m7-mstd0.5-inc1", "bicubic"), ("rand-m9-n3-mstd1.0", "random"),
         ("rand-m10-mstd101-inc1", "bilinear"), ("rand-m12-mmax15-mstd0.5-inc1-n4", "random"),
         ("rand-m6-inc1", "random")]
lines, outs = [], []
case = 0
for sp, interp in specs:
    for name, arr in images.items():
        for seed in range(6):
            timm_replay.seed(aa, case, case)
            hparams = dict(translate_const=100, img_mean=(124, 116, 104))
            if interp != "random":
                hparams["interpolation"] = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}[interp]
            t = aa.rand_augment_transform(sp, hparams)
            out = np.asarray(t(Image.fromarray(arr)), dtype=np.uint8)
            canvas = np.zeros((21, 24, 3), dtype=np.uint8)
            canvas[:out.shape[0], :out.shape[1]] = out
            outs.append(canvas)
            lines.append(f"{name} {sp} {interp} | " + " ".join(timm_replay.log))
            case += 1
np.save("timm_ops.npy", np.stack(outs))
with open("timm_cases.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
