"""torch.load side of scripts/bench_ckpt.sh: times loading a checkpoint the way users do (map_location='cpu').

Usage: bench_ckpt_torch.py FILE ITERATIONS. Three warm-up loads, then ITERATIONS timed ones; prints median and min.
"""
import statistics
import sys
import time

import torch


def main():
    path, iterations = sys.argv[1], int(sys.argv[2])
    for _ in range(3):
        torch.load(path, map_location="cpu")
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        sd = torch.load(path, map_location="cpu")
        times.append((time.perf_counter() - t0) * 1000)
    print("torch.load: median %.2f ms, min %.2f ms over %d iterations (%d tensors, torch %s)"
          % (statistics.median(times), min(times), iterations, len(sd), torch.__version__))


if __name__ == "__main__":
    main()
