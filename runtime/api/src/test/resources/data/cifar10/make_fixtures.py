#!/usr/bin/python3
"""Writes a tiny fake CIFAR-10 in both real release layouts, and what a reader must find in them.

Run from this directory: /usr/bin/python3 make_fixtures.py

* cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta}: Python 2 cPickles (protocol 2, py2 `str` keys, as
  the real release; Python 3 reads them with encoding='bytes') of dicts with b'data' (numpy uint8 [N, 3072]: 1024 R,
  1024 G, 1024 B), b'labels' (list), b'batch_label', b'filenames'.
* cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin: records of <1 byte label><3072 bytes>, same images.
* expected.txt: line 1 the train labels in reading order (batch 1..5), line 2 the per-image pixel byte sums of the
  train images in that order; lines 3 and 4 the same for the test batch.
"""
import os
import pickle
import struct

import numpy as np

CLASSES = 10
PER_CLASS_PER_BATCH = 1


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


def batch(rng, name):
    labels = rng.permutation(np.repeat(np.arange(CLASSES), PER_CLASS_PER_BATCH)).tolist()
    data = rng.integers(0, 256, size=(len(labels), 3072), dtype=np.uint8)
    return name, data, labels


def main():
    rng = np.random.default_rng(10)
    os.makedirs("cifar-10-batches-py", exist_ok=True)
    os.makedirs("cifar-10-batches-bin", exist_ok=True)
    batches = [batch(rng, "data_batch_%d" % i) for i in range(1, 6)] + [batch(rng, "test_batch")]
    for name, data, labels in batches:
        d = {b"batch_label": name.encode(), b"labels": labels, b"data": data,
             b"filenames": [b"%s_%03d.png" % (name.encode(), i) for i in range(len(labels))]}
        with open("cifar-10-batches-py/" + name, "wb") as f:
            Py2Pickler(f, protocol=2).dump(d)
        with open("cifar-10-batches-bin/" + name + ".bin", "wb") as f:
            for i, l in enumerate(labels):
                f.write(bytes([l]))
                f.write(data[i].tobytes())
        with open("cifar-10-batches-py/" + name, "rb") as f:
            back = pickle.load(f, encoding="bytes")
        assert (back[b"data"] == data).all() and back[b"labels"] == labels
    with open("cifar-10-batches-py/batches.meta", "wb") as f:
        Py2Pickler(f, protocol=2).dump({b"label_names": [b"class%d" % c for c in range(CLASSES)],
                                        b"num_cases_per_batch": CLASSES * PER_CLASS_PER_BATCH, b"num_vis": 3072})
    train = batches[:5]
    with open("expected.txt", "w") as f:
        for part in (train, batches[5:]):
            f.write(" ".join(str(l) for _, _, ls in part for l in ls) + "\n")
            f.write(" ".join(str(int(row.astype(np.int64).sum())) for _, d, _ in part for row in d) + "\n")


if __name__ == "__main__":
    main()
