#!/usr/bin/python3
"""torchvision 0.14 / Pillow references for the deterministic transforms. Run here: /usr/bin/python3 make_fixtures.py

input.npy: uint8 [29, 37, 3] random RGB (HWC, as a PIL image's bytes); input2.npy: uint8 [40, 24, 3].
For each case NAME: NAME.npy is the uint8 HWC image after the PIL-level transforms; tensors are float32 CHW after
ToTensor + Normalize. Cases cover upscaling and (antialiased) downscaling, bilinear and bicubic, both orientations.
Colour cases: PIL ImageEnhance Brightness/Contrast/Color with fixed factors (what torchvision's ColorJitter calls).
"""
import numpy as np
import torch
from PIL import Image, ImageEnhance
from torchvision import transforms as T
from torchvision.transforms import InterpolationMode as IM

rng = np.random.default_rng(7)
a = rng.integers(0, 256, size=(29, 37, 3), dtype=np.uint8)
# a smooth-ish second image so resampling errors would show as structured differences too
yy, xx = np.mgrid[0:40, 0:24]
b = np.stack([(xx * 10) % 256, (yy * 6) % 256, ((xx + yy) * 5) % 256], -1).astype(np.uint8)
np.save("input.npy", a)
np.save("input2.npy", b)
A = Image.fromarray(a)
B = Image.fromarray(b)

cases = {
    "a_short64_bilinear": (A, T.Resize(64, interpolation=IM.BILINEAR)),
    "a_short64_bicubic": (A, T.Resize(64, interpolation=IM.BICUBIC)),
    "a_short12_bilinear": (A, T.Resize(12, interpolation=IM.BILINEAR)),
    "a_short12_bicubic": (A, T.Resize(12, interpolation=IM.BICUBIC)),
    "a_17x50_bicubic": (A, T.Resize((17, 50), interpolation=IM.BICUBIC)),
    "b_short30_bilinear": (B, T.Resize(30, interpolation=IM.BILINEAR)),
    "b_short16_bicubic": (B, T.Resize(16, interpolation=IM.BICUBIC)),
    "a_crop20": (A, T.CenterCrop(20)),
    "a_crop10x31": (A, T.CenterCrop((10, 31))),
    "a_crop40": (A, T.CenterCrop(40)),
    "b_resize32_crop24_bilinear": (B, T.Compose([T.Resize(32), T.CenterCrop(24)])),
    "a_resize36_crop32_bicubic": (A, T.Compose([T.Resize(36, interpolation=IM.BICUBIC), T.CenterCrop(32)])),
    "a_brightness_0.63": (A, lambda im: ImageEnhance.Brightness(im).enhance(0.63)),
    "a_brightness_1.37": (A, lambda im: ImageEnhance.Brightness(im).enhance(1.37)),
    "a_contrast_0.71": (A, lambda im: ImageEnhance.Contrast(im).enhance(0.71)),
    "a_contrast_1.29": (A, lambda im: ImageEnhance.Contrast(im).enhance(1.29)),
    "a_saturation_0.6": (A, lambda im: ImageEnhance.Color(im).enhance(0.6)),
    "a_saturation_1.4": (A, lambda im: ImageEnhance.Color(im).enhance(1.4)),
}
for name, (im, t) in cases.items():
    np.save(name + ".npy", np.asarray(t(im), dtype=np.uint8))

norm = T.Compose([T.Resize(32), T.CenterCrop(24), T.ToTensor(),
                  T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
np.save("b_imagenet_eval_tensor.npy", norm(B).numpy().astype(np.float32))
cifar = T.Compose([T.ToTensor(), T.Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))])
np.save("a_cifar_tensor.npy", cifar(A).numpy().astype(np.float32))
