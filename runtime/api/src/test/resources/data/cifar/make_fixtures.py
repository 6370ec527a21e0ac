#!/usr/bin/python3
"""Writes tiny fake CIFAR-100 releases in the real releases' formats, plus the expected CIFAR-100-LT selections.

Run from this directory: /usr/bin/python3 make_fixtures.py

* cifar-100-python/{train,test,meta}: the python release is a Python 2 cPickle (protocol 2) of a dict whose keys
  and byte payloads are py2 `str` (BINSTRING opcodes; Python 3 reads them with encoding='bytes'). b'data' is a
  numpy uint8 array [N, 3072] (1024 R, 1024 G, 1024 B, row-major 32x32), b'fine_labels'/b'coarse_labels' lists.
  Python 3's pickle would write bytes as _codecs.encode(...) calls, so a Pickler subclass emits py2 strings.
* cifar-100-binary/{train,test}.bin: records of <1 byte coarse><1 byte fine><3072 bytes>, same images.
* lt_fake_if100.txt: the indices into the fake train set that the LDAM-DRW/CIC IMBALANCECIFAR100 code keeps
  (np.random.seed(0), one np.random.shuffle per class in class order, first n_c of each, n_c =
  int(img_max * (1/IF)^(c/99)), img_max = N/100), concatenated class by class.
* lt_ranks_if{100,50,10}.txt: for the real train set's 500 images per class: line c lists, for class c, the
  positions (0..499, among that class's images in file order) that the same code keeps -- the real selection
  depends only on these ranks, so the Java reimplementation of the numpy shuffle is checked at full scale.
"""
import pickle
import struct

import numpy as np

PER_CLASS_TRAIN = 2
PER_CLASS_TEST = 1
CLASSES = 100


class Py2Pickler(pickle._Pickler):
    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj):
        n = len(obj)
        if n < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([n]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", n) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str


def make(per_class, rng, prefix):
    n = per_class * CLASSES
    fine = rng.permutation(np.repeat(np.arange(CLASSES), per_class)).tolist()
    coarse = [f // 5 for f in fine]
    data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    names = [b"%s_%05d.png" % (prefix, i) for i in range(n)]
    return data, fine, coarse, names


def write_python(path, data, fine, coarse, names, batch_label):
    d = {b"filenames": names, b"batch_label": batch_label, b"fine_labels": fine, b"coarse_labels": coarse,
         b"data": data}
    with open(path, "wb") as f:
        Py2Pickler(f, protocol=2).dump(d)


def write_binary(path, data, fine, coarse):
    with open(path, "wb") as f:
        for i in range(len(fine)):
            f.write(bytes([coarse[i], fine[i]]))
            f.write(data[i].tobytes())


def lt_selection(targets, imb_factor):
    """What IMBALANCECIFAR100 keeps (imb_factor as its argument: 0.01 for IF 100)."""
    img_max = len(targets) / CLASSES
    counts = [int(img_max * (imb_factor ** (c / (CLASSES - 1.0)))) for c in range(CLASSES)]
    np.random.seed(0)
    t = np.array(targets, dtype=np.int64)
    keep = []
    for c, k in zip(np.unique(t), counts):
        idx = np.where(t == c)[0]
        np.random.shuffle(idx)
        keep.extend(idx[:k].tolist())
    return keep


def main():
    rng = np.random.default_rng(2024)
    import os
    os.makedirs("cifar-100-python", exist_ok=True)
    os.makedirs("cifar-100-binary", exist_ok=True)
    train = make(PER_CLASS_TRAIN, rng, b"train")
    test = make(PER_CLASS_TEST, rng, b"test")
    write_python("cifar-100-python/train", *train, b"training batch 1 of 1")
    write_python("cifar-100-python/test", *test, b"testing batch 1 of 1")
    with open("cifar-100-python/meta", "wb") as f:
        Py2Pickler(f, protocol=2).dump({b"fine_label_names": [b"class%d" % c for c in range(CLASSES)],
                                        b"coarse_label_names": [b"super%d" % c for c in range(20)]})
    write_binary("cifar-100-binary/train.bin", train[0], train[1], train[2])
    write_binary("cifar-100-binary/test.bin", test[0], test[1], test[2])
    # check the python release reads back as the real one does
    with open("cifar-100-python/train", "rb") as f:
        back = pickle.load(f, encoding="bytes")
    assert (back[b"data"] == train[0]).all() and back[b"fine_labels"] == train[1]
    with open("lt_fake_if100.txt", "w") as f:
        f.write(" ".join(map(str, lt_selection(train[1], 0.01))) + "\n")
    real_targets = np.repeat(np.arange(CLASSES), 500)
    for inv in (100, 50, 10):
        keep = lt_selection(real_targets.tolist(), 1.0 / inv)
        with open("lt_ranks_if%d.txt" % inv, "w") as f:
            pos = 0
            for c in range(CLASSES):
                ranks = [i - 500 * c for i in keep if 500 * c <= i < 500 * (c + 1)]
                f.write(" ".join(map(str, ranks)) + "\n")


if __name__ == "__main__":
    main()
