"""Generates the checkpoint fixtures of the converter tests (run: /usr/bin/python3 generate.py, torch 1.13).

Every file written here is small. expected.json records, for every tensor the Java reader must produce, its dtype,
shape and the base64 of torch's own contiguous little-endian bytes, so the tests compare bit for bit without Python.
"""
import argparse
import base64
import collections
import json
import os
import struct

import numpy
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
PARITY = {}
torch.manual_seed(20261122)


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        raw = t.view(torch.int16).numpy().tobytes()
    else:
        raw = t.numpy().tobytes()
    return base64.b64encode(raw).decode("ascii")


DTYPE_NAMES = {
    torch.float32: "FLOAT", torch.float16: "FLOAT16", torch.bfloat16: "BFLOAT16", torch.float64: "DOUBLE",
    torch.int64: "INT64", torch.int32: "INT32", torch.int8: "INT8", torch.uint8: "UINT8", torch.bool: "BOOL",
    torch.int16: "INT16",
}


def describe(tensors):
    return {k: {"dtype": DTYPE_NAMES[v.dtype], "shape": list(v.shape), "base64": tensor_bytes(v)}
            for k, v in tensors.items()}


def every_dtype():
    """One tensor per dtype plus the layouts a state_dict can hold: views, offsets, strides, shared storage."""
    base = torch.randn(4, 6)
    t = collections.OrderedDict()
    t["f32"] = torch.randn(3, 5)
    t["f16"] = torch.randn(2, 7).half()
    t["bf16"] = torch.randn(3, 3).bfloat16()
    t["f64"] = torch.randn(5).double()
    t["i64"] = torch.tensor([-(2 ** 62), -1, 0, 1, 2 ** 62 + 12345], dtype=torch.int64)
    t["i32"] = torch.tensor([[-(2 ** 31), 7], [2 ** 31 - 1, -7]], dtype=torch.int32)
    t["i16"] = torch.tensor([-32768, 5, 32767], dtype=torch.int16)
    t["i8"] = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
    t["u8"] = torch.tensor([0, 1, 128, 255], dtype=torch.uint8)
    t["bool"] = torch.tensor([[True, False, True], [False, False, True]])
    t["scalar"] = torch.tensor(3.25)
    t["empty"] = torch.zeros(0, 4)
    # Several tensors over one storage: the base, its transpose, a row slice with an offset, a column slice,
    # a strided every-other-column view and a broadcast (stride 0) view.
    t["shared.base"] = base
    t["shared.transposed"] = base.t()
    t["shared.rows"] = base[1:3]
    t["shared.column"] = base[:, 2]
    t["shared.every_other"] = base[:, ::2]
    t["shared.expanded"] = base[0].unsqueeze(0).expand(3, 6)
    t["permuted4d"] = torch.randn(2, 3, 4, 5).permute(0, 2, 3, 1)
    t["half_view"] = torch.randn(6, 4).half()[::2, 1:]
    return t


def write_every_dtype():
    tensors = every_dtype()
    obj = {"tensors": tensors, "note": "every dtype", "count": len(tensors), "ratio": 0.5, "flag": True,
           "nothing": None, "shape_tuple": (1, 2, 3)}
    torch.save(obj, os.path.join(HERE, "every_dtype_zip.pt"))
    torch.save(obj, os.path.join(HERE, "every_dtype_legacy.pt"), _use_new_zipfile_serialization=False)
    return describe(tensors)


class Small(nn.Module):
    """Conv-BN-ReLU-pool-Linear, the layer kinds whose state_dict keys the binding tests need."""

    def __init__(self, width=4, classes=3):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(width)
        self.fc = nn.Linear(width, classes)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        return self.fc(x.mean(dim=(2, 3)))


def small_state_dict(width=4):
    m = Small(width)
    with torch.no_grad():
        m.bn.running_mean.uniform_(-0.5, 0.5)
        m.bn.running_var.uniform_(0.5, 1.5)
        m.bn.weight.uniform_(0.5, 1.5)
        m.bn.bias.uniform_(-0.5, 0.5)
    m.bn.num_batches_tracked.fill_(17)
    # cloned: the optimizer step below must not change the saved values through shared storage
    return m, collections.OrderedDict((k, v.clone()) for k, v in m.state_dict().items())


def prefixed(sd, prefix):
    return collections.OrderedDict((prefix + k, v) for k, v in sd.items())


def write_wrappers():
    model, sd = small_state_dict()
    model.eval()
    expected = describe(sd)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(2, 3, 8, 8)).sum().backward()
    opt.step()
    model.load_state_dict(sd)
    files = {}

    def save(name, obj, **kwargs):
        torch.save(obj, os.path.join(HERE, name), **kwargs)

    save("bare.pth", sd)
    files["bare.pth"] = {"wrapper": "", "prefix": ""}
    # ImageNet-example style: DataParallel prefix, epoch/arch/metric and optimizer state.
    save("wrap_state_dict.pth.tar", {"epoch": 90, "arch": "small", "state_dict": prefixed(sd, "module."),
                                     "best_acc1": torch.tensor(71.25), "optimizer": opt.state_dict()})
    files["wrap_state_dict.pth.tar"] = {"wrapper": "state_dict", "prefix": "module."}
    # timm style: both weights and EMA weights; the EMA copy is a distinct tensor set.
    ema = collections.OrderedDict((k, v.clone() * 2 if v.is_floating_point() else v.clone()) for k, v in sd.items())
    save("wrap_timm.pth.tar", {"epoch": 299, "arch": "small", "state_dict": sd, "state_dict_ema": ema,
                               "metric": 80.5, "args": argparse.Namespace(lr=0.1, model="small", epochs=300)})
    files["wrap_timm.pth.tar"] = {"wrapper": "state_dict", "prefix": ""}
    expected_ema = describe(ema)
    # ISP style: {'model': ..., 'iter'} with predictor.model.module. and selector. prefixes.
    isp = prefixed(sd, "predictor.model.module.")
    isp["selector.gate.weight"] = torch.randn(2, 4)
    save("wrap_isp_model.pth", {"model": isp, "iter": 120000})
    files["wrap_isp_model.pth"] = {"wrapper": "model", "prefix": "predictor.model.module."}
    # AnchorNet downstream style.
    save("wrap_net.pth.tar", {"net": sd, "acc": 75.1, "epoch": 29, "optimizer": opt.state_dict(),
                               "best_top5": numpy.float64(92.5), "steps": numpy.int64(1234)})
    files["wrap_net.pth.tar"] = {"wrapper": "net", "prefix": ""}
    save("wrap_net_legacy.pth.tar", {"net": prefixed(sd, "module."), "acc": 75.1, "epoch": 29},
         _use_new_zipfile_serialization=False)
    files["wrap_net_legacy.pth.tar"] = {"wrapper": "net", "prefix": "module."}
    # Half-precision weights (as AMP training runs sometimes save them) for binding into a float32 graph.
    half = collections.OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in sd.items())
    save("half.pth", half)
    expected_half = describe(collections.OrderedDict(
        (k, v.float() if v.is_floating_point() else v) for k, v in half.items()))
    # PyTorch's own outputs of Small for a fixed input, with the float and with the half-precision weights, so an
    # end-to-end test can bind the checkpoints into a graph and compare ONNX Runtime's outputs.
    x = torch.randn(2, 3, 8, 8)
    reference = Small(4).eval()
    parity = {"input": describe({"x": x})["x"]}
    with torch.no_grad():
        reference.load_state_dict(sd)
        parity["output"] = describe({"y": reference(x)})["y"]
        reference.load_state_dict(collections.OrderedDict(
            (k, v.float() if v.is_floating_point() else v) for k, v in half.items()))
        parity["output_half"] = describe({"y": reference(x)})["y"]
    PARITY.update(parity)
    return expected, expected_ema, expected_half, files


def write_pruned():
    """torch-pruning's tp.state_dict layout (SEEDS 5.6): module __dict__ copies, modules pickled whole."""
    pruned = Small(width=3)
    with torch.no_grad():
        pruned.bn.running_mean.uniform_(-0.5, 0.5)
    full = {}
    attributions = {}
    for name, module in pruned.named_modules():
        full[name] = dict(module.__dict__)
        attributions[name] = {k: v for k, v in module.__dict__.items()
                              if isinstance(v, (int, float, str, tuple, bool)) and not k.startswith("_")}
    torch.save({"state_dict": {"full_state_dict": full, "attributions": attributions}, "epoch": 5, "arch": "small"},
               os.path.join(HERE, "pruned_tp.pth"))
    return describe(pruned.state_dict())


SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
                      torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
                      torch.uint8: "U8", torch.bool: "BOOL"}


def write_safetensors():
    """Hand-written .safetensors (format of huggingface/safetensors README): u64 header size, JSON, packed data."""
    tensors = collections.OrderedDict()
    tensors["f32"] = torch.randn(2, 3)
    tensors["f16"] = torch.randn(4).half()
    tensors["bf16"] = torch.randn(2, 2).bfloat16()
    tensors["f64"] = torch.randn(3).double()
    tensors["i64"] = torch.tensor([1, -2, 3], dtype=torch.int64)
    tensors["i32"] = torch.tensor([[5, -6]], dtype=torch.int32)
    tensors["i8"] = torch.tensor([-3, 4], dtype=torch.int8)
    tensors["u8"] = torch.tensor([250, 3], dtype=torch.uint8)
    tensors["bool"] = torch.tensor([True, False, True])
    tensors["scalar"] = torch.tensor(1.5)
    header = {"__metadata__": {"format": "pt", "source": "generate.py"}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        raw = base64.b64decode(tensor_bytes(t))
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(HERE, "mixed.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    return describe(tensors)


def main():
    expected = {"every_dtype": write_every_dtype()}
    small, small_ema, small_half, files = write_wrappers()
    expected["small_half_as_float"] = small_half
    expected["small"] = small
    expected["small_ema"] = small_ema
    expected["wrappers"] = files
    expected["parity"] = PARITY
    expected["pruned"] = write_pruned()
    expected["safetensors"] = write_safetensors()
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
