#!/usr/bin/python3
"""Pillow 9.4 references for RandAugment's ops, called as timm 0.6.13's timm/data/auto_augment.py calls them
(read as a specification; timm is not installed here). Run here: /usr/bin/python3 make_fixtures.py

Inputs: two real photos from scikit-image's data module (astronaut, chelsea), shrunk with PIL bicubic to 24x18 and
17x21 (odd sizes, both orientations), saved as a.npy and b.npy (uint8 HWC); c.npy is a 64x48 crop of astronaut for the geometric ops at a larger size.
For each input X: X_ops.npy is uint8 [N, H, W, 3], case k the image after cases.txt line k's op. A cases.txt line is
  image op magnitude negate resample fill
op is timm's op name; magnitude the (already noised and clipped) magnitude; negate 1 when timm's _randomly_negate
draw negated; resample bilinear/bicubic (geometric ops only, '-' otherwise); fill the RGB fill as r,g,b.
The level-to-argument mapping below restates timm's LEVEL_TO_ARG functions; the op calls are timm's op functions.
"""
import math
import numpy as np
from PIL import Image, ImageEnhance, ImageOps
from skimage import data

DENOM = 10.0
RESAMPLE = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}


def level_arg(op, m, negate):
    neg = (lambda v: -v) if negate else (lambda v: v)
    if op == "Rotate":
        return neg((m / DENOM) * 30.0)
    if op in ("ShearX", "ShearY"):
        return neg((m / DENOM) * 0.3)
    if op in ("TranslateXRel", "TranslateYRel"):
        return neg((m / DENOM) * 0.45)
    if op == "PosterizeIncreasing":
        return 4 - int((m / DENOM) * 4)
    if op == "Posterize":
        return int((m / DENOM) * 4)
    if op == "PosterizeOriginal":
        return int((m / DENOM) * 4) + 4
    if op == "SolarizeIncreasing":
        return 256 - min(256, int((m / DENOM) * 256))
    if op == "Solarize":
        return min(256, int((m / DENOM) * 256))
    if op == "SolarizeAdd":
        return int((m / DENOM) * 110)  # 0.6.13: no min(128, ...) (later timm adds it)
    if op.endswith("Increasing"):
        return max(0.1, 1.0 + neg((m / DENOM) * .9))
    if op in ("Color", "Contrast", "Brightness", "Sharpness"):
        return (m / DENOM) * 1.8 + 0.1
    return None


def apply(img, op, arg, resample, fill):
    kw = dict(resample=resample, fillcolor=fill)
    if op == "AutoContrast":
        return ImageOps.autocontrast(img)
    if op == "Equalize":
        return ImageOps.equalize(img)
    if op == "Invert":
        return ImageOps.invert(img)
    if op == "Rotate":
        return img.rotate(arg, **kw)
    if op.startswith("Posterize"):
        return img if arg >= 8 else ImageOps.posterize(img, arg)
    if op.startswith("Solarize") and op != "SolarizeAdd":
        return ImageOps.solarize(img, arg)
    if op == "SolarizeAdd":
        lut = [min(255, i + arg) if i < 128 else i for i in range(256)]
        return img.point(lut * 3)
    if op.startswith("Color"):
        return ImageEnhance.Color(img).enhance(arg)
    if op.startswith("Contrast"):
        return ImageEnhance.Contrast(img).enhance(arg)
    if op.startswith("Brightness"):
        return ImageEnhance.Brightness(img).enhance(arg)
    if op.startswith("Sharpness"):
        return ImageEnhance.Sharpness(img).enhance(arg)
    if op == "ShearX":
        return img.transform(img.size, Image.AFFINE, (1, arg, 0, 0, 1, 0), **kw)
    if op == "ShearY":
        return img.transform(img.size, Image.AFFINE, (1, 0, 0, arg, 1, 0), **kw)
    if op == "TranslateXRel":
        return img.transform(img.size, Image.AFFINE, (1, 0, arg * img.size[0], 0, 1, 0), **kw)
    if op == "TranslateYRel":
        return img.transform(img.size, Image.AFFINE, (1, 0, 0, 0, 1, arg * img.size[1]), **kw)
    raise ValueError(op)


GEOMETRIC = ["Rotate", "ShearX", "ShearY", "TranslateXRel", "TranslateYRel"]
SIGNED = GEOMETRIC + ["ColorIncreasing", "ContrastIncreasing", "BrightnessIncreasing", "SharpnessIncreasing"]
PLAIN = ["AutoContrast", "Equalize", "Invert"]
LEVELLED = ["PosterizeIncreasing", "SolarizeIncreasing", "SolarizeAdd", "Posterize", "Solarize",
            "Color", "Contrast", "Brightness", "Sharpness", "PosterizeOriginal"]
MAGNITUDES = [0.0, 3.0, 6.37, 9.0, 10.0]
IMAGENET_FILL = tuple(min(255, round(255 * x)) for x in (0.485, 0.456, 0.406))  # timm's img_mean: (124, 116, 104)

a = np.asarray(Image.fromarray(data.astronaut()).resize((24, 18), Image.BICUBIC))
b = np.asarray(Image.fromarray(data.chelsea()).resize((17, 21), Image.BICUBIC))
# a flat patch so AutoContrast/Equalize also meet a channel with one level (their identity branches)
b = b.copy()
b[:4, :4, 2] = 77
c = np.asarray(Image.fromarray(data.astronaut()[40:340, 60:460]).resize((64, 48), Image.BICUBIC))
np.save("a.npy", a)
np.save("b.npy", b)
np.save("c.npy", c)

lines = []
for name, arr in (("a", a), ("b", b), ("c", c)):
    img = Image.fromarray(arr)
    outs = []
    if name == "c":  # a larger image: more distinct sample positions for the geometric ops, fewer cases
        cases = [(op, 7.7, neg, rs, IMAGENET_FILL) for op in GEOMETRIC for neg in (0, 1)
                 for rs in ("bilinear", "bicubic")]
        cases += [("Equalize", 0.0, 0, "-", IMAGENET_FILL), ("AutoContrast", 0.0, 0, "-", IMAGENET_FILL),
                  ("Sharpness", 9.0, 0, "-", IMAGENET_FILL), ("ContrastIncreasing", 8.0, 1, "-", IMAGENET_FILL)]
        for op, m, negate, rs, fill in cases:
            out = apply(img, op, level_arg(op, m, negate), RESAMPLE.get(rs), fill)
            outs.append(np.asarray(out, dtype=np.uint8))
            lines.append(f"{name} {op} {m!r} {negate} {rs} {fill[0]},{fill[1]},{fill[2]}")
        np.save(name + "_ops.npy", np.stack(outs))
        continue
    cases = [(op, 0.0, 0, "-", IMAGENET_FILL) for op in PLAIN]
    for op in LEVELLED:
        cases += [(op, m, 0, "-", IMAGENET_FILL) for m in MAGNITUDES]
    for op in SIGNED:
        for m in (3.0, 6.37, 10.0):
            for negate in (0, 1):
                if op in GEOMETRIC:
                    for rs in ("bilinear", "bicubic"):
                        fill = (128, 128, 128) if (m == 6.37 and rs == "bicubic") else IMAGENET_FILL
                        cases.append((op, m, negate, rs, fill))
                else:
                    cases.append((op, m, negate, "-", IMAGENET_FILL))
    cases.append(("Rotate", 0.0, 0, "bicubic", IMAGENET_FILL))  # PIL's copy fast path
    for op, m, negate, rs, fill in cases:
        arg = level_arg(op, m, negate)
        out = apply(img, op, arg, RESAMPLE.get(rs), fill)
        outs.append(np.asarray(out, dtype=np.uint8))
        lines.append(f"{name} {op} {m!r} {negate} {rs} {fill[0]},{fill[1]},{fill[2]}")
    np.save(name + "_ops.npy", np.stack(outs))
with open("cases.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
