#!/usr/bin/python3
"""References for Mixup/CutMix: timm 0.6.13's own timm/data/mixup.py run with recorded draws.

timm is not installed and not copied into Lathe; the module is loaded from a checkout given on the command line:
  git -C <pytorch-image-models> show v0.6.13:timm/data/mixup.py > /tmp/timm_ref/mixup.py
  /usr/bin/python3 make_fixtures.py /tmp/timm_ref
(numpy 1.24 removed np.bool, which that file uses; the module sees numpy through a proxy that maps it to bool.)
Every numpy draw (rand, beta, randint) the module makes is recorded in cases.txt, one case a line:
  mixup_alpha cutmix_alpha cutmix_minmax prob switch_prob mode smoothing | kind:value ...
(cutmix_minmax is MIN,MAX or none; with it timm forces cutmix_alpha to 1.0 and draws rand_bbox_minmax's box.)
(numpy's exclusive randint(lo, hi) is recorded as its value; beta as beta.) input.npy is float32 [6, 3, 9, 11]
normalised images, labels.npy int64 [6] in 0..4 (5 classes); images.npy float32 [N, 6, 3, 9, 11] and targets.npy
float32 [N, 6, 5] are case k's mixed batch and soft targets (torch 1.13, CPU).
"""
import importlib.util
import sys
import types

import numpy as np
import torch

log = []


class RecordingRandom:
    def __init__(self, seed):
        self.r = np.random.RandomState(seed)

    def rand(self, *size):
        v = self.r.rand(*size)
        for e in np.atleast_1d(v):
            log.append(f"random:{float(e)!r}")
        return v

    def beta(self, a, b, size=None):
        assert a == b
        v = self.r.beta(a, b, size=size)
        for e in np.atleast_1d(v):
            log.append(f"beta:{float(e)!r}")
        return v

    def randint(self, lo, hi, size=None):
        v = self.r.randint(lo, hi, size=size)
        for e in np.atleast_1d(v):
            log.append(f"randint:{int(e)}")
        return v


class NumpyProxy(types.ModuleType):
    def __init__(self):
        super().__init__("numpy_proxy")
        self.random = None
        self.bool = bool

    def __getattr__(self, name):
        return getattr(np, name)


proxy = NumpyProxy()
spec = importlib.util.spec_from_file_location("timm_mixup", sys.argv[1] + "/mixup.py")
mix = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mix)
mix.np = proxy

torch.manual_seed(0)
x0 = torch.randn(6, 3, 9, 11)
y0 = torch.tensor([0, 3, 1, 4, 4, 2])
np.save("input.npy", x0.numpy())
np.save("labels.npy", y0.numpy())

configs = []
for mode in ("batch", "pair", "elem"):
    configs += [(0.8, 1.0, 1.0, 0.5, mode, 0.1), (0.8, 0.0, 1.0, 0.5, mode, 0.0), (0.0, 1.0, 1.0, 0.5, mode, 0.1),
                (0.2, 0.2, 0.6, 0.3, mode, 0.1)]
configs = [(ma, ca, None, prob, sw, mode, eps) for ma, ca, prob, sw, mode, eps in configs]
for mode in ("batch", "pair", "elem"):
    configs += [(0.0, 0.0, (0.25, 0.75), 1.0, 0.5, mode, 0.1), (0.8, 0.0, (0.3, 0.9), 0.7, 0.5, mode, 0.1)]
lines, images, targets = [], [], []
for ci, (ma, ca, minmax, prob, sw, mode, eps) in enumerate(configs):
    for seed in range(3):
        log.clear()
        proxy.random = RecordingRandom(100 * ci + seed)
        m = mix.Mixup(mixup_alpha=ma, cutmix_alpha=ca, cutmix_minmax=minmax, prob=prob, switch_prob=sw, mode=mode,
                      label_smoothing=eps, num_classes=5)
        x, t = m(x0.clone(), y0.clone())
        images.append(x.numpy())
        targets.append(t.numpy())
        mm = "none" if minmax is None else f"{minmax[0]},{minmax[1]}"
        lines.append(f"{ma} {ca} {mm} {prob} {sw} {mode} {eps} | " + " ".join(log))
np.save("images.npy", np.stack(images).astype(np.float32))
np.save("targets.npy", np.stack(targets).astype(np.float32))
with open("cases.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
