#!/usr/bin/python3
"""End-to-end references for AugMix: timm 0.6.13's own timm/data/auto_augment.py run with recorded draws.

timm is not installed and not copied into Lathe; the module is loaded from a checkout given on the command line:
  git -C <pytorch-image-models> show v0.6.13:timm/data/auto_augment.py > /tmp/timm_ref/auto_augment.py
  /usr/bin/python3 make_timm_augmix_fixtures.py /tmp/timm_ref
(run make_fixtures.py first: a.npy, b.npy and c.npy are its inputs; square crops of them are used, 18x18, 17x17 and
48x48, because timm's default mixing path accumulates into a (width, height, 3) array and so takes square images only,
which its training crops are). The transform is built as timm's transforms_imagenet_train builds it:
augment_and_mix_transform(spec, {translate_const: 100, img_mean: (124, 116, 104), translate_pct: 0.3} plus
interpolation when not 'random'). Every draw it makes is recorded in timm_augmix_cases.txt, one case a line:
  image spec interpolation | kind:value ...
numpy's draws: dirichlet -> dirichlet:v,v,... (the float64 vector numpy returned), beta -> beta, randint(1, 4) ->
randint (its value), choice of ops -> one index per op; Python's random.random -> random, random.gauss -> gauss,
random.uniform -> uniform, random.choice -> index. timm_augmix_ops.npy stacks the outputs per case in order (uint8
[N, 48, 48, 3], each output in the top-left corner and zeros elsewhere). pil_blend.npy is Pillow's own
Image.blend(a, b, alpha) of the 17x17 crops of a and b for each float32 alpha of pil_blend_alphas.npy (uint8
[K, 17, 17, 3]), the call both mixing paths end in.
"""
import sys

import numpy as np
from PIL import Image

import timm_replay

aa = timm_replay.load(sys.argv[1])

images = {"a": np.load("a.npy")[:18, :18], "b": np.load("b.npy")[:17, :17], "c": np.load("c.npy")[:48, :48]}
specs = [("augmix", "random"), ("augmix", "bilinear"), ("augmix-m5-w4-d2", "bicubic"), ("augmix-d2", "random"),
         ("augmix-w4-mstd0.5", "bilinear"), ("augmix-m7-mstd0", "bicubic"), ("augmix-m9-a0.5", "random"),
         ("augmix-b1", "random"), ("augmix-m5-w4-d2-b1", "bilinear"), ("augmix-m6-b1-mstd0.5-a0.7", "bicubic")]
lines, outs = [], []
case = 0
for sp, interp in specs:
    for name, arr in images.items():
        timm_replay.seed(aa, 3000 + case, 4000 + case)
        hparams = dict(translate_const=100, img_mean=(124, 116, 104), translate_pct=0.3)
        if interp != "random":
            hparams["interpolation"] = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}[interp]
        t = aa.augment_and_mix_transform(sp, hparams)
        out = np.asarray(t(Image.fromarray(np.ascontiguousarray(arr))), dtype=np.uint8)
        canvas = np.zeros((48, 48, 3), dtype=np.uint8)
        canvas[:out.shape[0], :out.shape[1]] = out
        outs.append(canvas)
        lines.append(f"{name} {sp} {interp} | " + " ".join(timm_replay.log))
        case += 1
np.save("timm_augmix_ops.npy", np.stack(outs))
with open("timm_augmix_cases.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")

alphas = np.float32([1e-7, 0.1, 0.2, 1 / 3, 0.5, 0.7, 0.9, 0.99999, 0.999999])
alphas = np.concatenate([alphas, np.float32(np.random.RandomState(5).beta(1, 1, size=7))])
pa, pb = (Image.fromarray(np.ascontiguousarray(images[n][:17, :17])) for n in ("a", "b"))
np.save("pil_blend_alphas.npy", alphas)
np.save("pil_blend.npy", np.stack([np.asarray(Image.blend(pa, pb, float(al)), dtype=np.uint8) for al in alphas]))
