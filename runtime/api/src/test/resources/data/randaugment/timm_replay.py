"""Shared by the make_timm_*_fixtures.py scripts of this directory: timm 0.6.13's own timm/data/auto_augment.py,
loaded from a checkout (timm is not installed and not copied into Lathe), with its Python and numpy random sources
replaced by ones that record every draw in `log` in the order it is made:
  random.random -> random:v, random.gauss -> gauss:v, random.uniform -> uniform:v, random.choice -> index:i,
  numpy choice (with replacement) -> index:i per item, numpy dirichlet -> dirichlet:v,v,..., beta -> beta:v,
  randint -> randint:v.
"""
import importlib.util
import random
import types

import numpy as np

log = []


class PyRandom:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def random(self):
        v = self.r.random()
        log.append(f"random:{v!r}")
        return v

    def gauss(self, mu, sigma):
        v = self.r.gauss(mu, sigma)
        log.append(f"gauss:{v!r}")
        return v

    def uniform(self, a, b):
        v = self.r.uniform(a, b)
        log.append(f"uniform:{v!r}")
        return v

    def choice(self, seq):
        i = self.r.randrange(len(seq))
        log.append(f"index:{i}")
        return seq[i]


class NpRandom:
    def __init__(self, seed):
        self.r = np.random.RandomState(seed)

    def choice(self, a, size=None, replace=True, p=None):
        assert replace and p is None  # numpy draws these as randint(0, len(a), size)
        idx = self.r.randint(0, len(a), size=size)
        log.extend(f"index:{int(i)}" for i in idx)
        return [a[int(i)] for i in idx]

    def dirichlet(self, alpha):
        v = self.r.dirichlet(alpha)
        log.append("dirichlet:" + ",".join(repr(float(e)) for e in v))
        return v

    def beta(self, a, b):
        assert a == b
        v = self.r.beta(a, b)
        log.append(f"beta:{float(v)!r}")
        return v

    def randint(self, lo, hi):
        v = self.r.randint(lo, hi)
        log.append(f"randint:{int(v)}")
        return v


class NumpyProxy(types.ModuleType):
    """numpy as timm's module sees it: everything numpy has, but `random` is whichever NpRandom is set."""

    def __init__(self):
        super().__init__("numpy_proxy")
        self.random = None

    def __getattr__(self, name):
        return getattr(np, name)


def load(directory):
    """timm's auto_augment module from `directory`/auto_augment.py, its numpy behind a NumpyProxy (module.np)."""
    spec = importlib.util.spec_from_file_location("timm_auto_augment", directory + "/auto_augment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.np = NumpyProxy()
    return module


def seed(module, python_seed, numpy_seed):
    """Fresh recording sources for one case."""
    log.clear()
    module.random = PyRandom(python_seed)
    module.np.random = NpRandom(numpy_seed)
