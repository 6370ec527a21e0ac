#!/usr/bin/python3
"""References for RandomErasing: timm 0.6.13's own timm/data/random_erasing.py run with recorded draws.

timm is not installed and not copied into Lathe; the module is loaded from a checkout given on the command line:
  git -C <pytorch-image-models> show v0.6.13:timm/data/random_erasing.py > /tmp/timm_ref/random_erasing.py
  /usr/bin/python3 make_fixtures.py /tmp/timm_ref
Every Python random draw the module makes (random, randint, uniform) and every value of the normal fills its
_get_pixels returns is recorded in cases.txt, one case a line:
  mode probability max_count | kind:value kind:value ...
input.npy is the normalised float32 [3, 14, 18] image every case starts from; expected.npy is float32 [N, 3, 14, 18],
case k's erased image (torch 1.13, CPU). A Java replay of the same draws must give the same floats.
"""
import importlib.util
import random
import sys

import numpy as np
import torch

spec = importlib.util.spec_from_file_location("timm_random_erasing", sys.argv[1] + "/random_erasing.py")
re_mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(re_mod)


class Recorder:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.log = []

    def random(self):
        v = self.r.random()
        self.log.append(f"random:{v!r}")
        return v

    def uniform(self, a, b):
        v = self.r.uniform(a, b)
        self.log.append(f"uniform:{v!r}")
        return v

    def randint(self, a, b):
        v = self.r.randint(a, b)
        self.log.append(f"randint:{v}")
        return v


original_get_pixels = re_mod._get_pixels

torch.manual_seed(0)
x = torch.randn(3, 14, 18)
np.save("input.npy", x.numpy())
lines, outs = [], []
for mode in ("const", "rand", "pixel"):
    for prob, max_count in ((1.0, 1), (1.0, 3), (0.5, 3)):
        for seed in range(4):
            rec = Recorder(1000 * seed + max_count)
            re_mod.random = rec

            def get_pixels(*args, **kwargs):
                t = original_get_pixels(*args, **kwargs)
                if mode != "const":
                    rec.log.extend(f"normal:{float(v)!r}" for v in t.flatten().tolist())
                return t

            re_mod._get_pixels = get_pixels
            eraser = re_mod.RandomErasing(prob, mode=mode, max_count=max_count, device="cpu")
            y = x.clone()
            eraser(y)
            outs.append(y.numpy())
            lines.append(f"{mode} {prob} {max_count} | " + " ".join(rec.log))
np.save("expected.npy", np.stack(outs).astype(np.float32))
with open("cases.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
