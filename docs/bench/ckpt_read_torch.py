"""torch.load side of docs/bench/ckpt_read.sh: times loading a checkpoint the way users do (map_location='cpu').

Usage: bench_ckpt_torch.py FILE ITERATIONS. Three warm-up loads, then ITERATIONS timed ones; prints median and min of wall
and of process CPU time (less inflated by other processes' load on a shared machine).
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
    cpu = []
    for _ in range(iterations):
        c0 = time.process_time()
        t0 = time.perf_counter()
        sd = torch.load(path, map_location="cpu")
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print("torch.load: median %.2f ms, min %.2f ms over %d iterations (%d tensors, torch %s)"
          % (statistics.median(times), min(times), iterations, len(sd), torch.__version__))
    print("torch.load, process CPU time: median %.2f ms, min %.2f ms" % (statistics.median(cpu), min(cpu)))


if __name__ == "__main__":
    main()
