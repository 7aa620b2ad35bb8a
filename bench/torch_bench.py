#!/usr/bin/env python3
"""The nnlab benchmark's workloads in PyTorch, for comparison.

    torch_bench.py [-t THREADS] [-q] [WORKLOAD...]

Same networks, step and timing method as bench/bench.c: float64 on the
CPU, nn.Linear + ReLU layers (He-initialized), CrossEntropyLoss (softmax +
cross-entropy in one), torch.optim.Adam (lr 1e-3, the multi-tensor
foreach=True form, PyTorch's faster one here); four random batches cycled
through; a step is zero_grad, forward, loss, backward and the update.
A warm-up, then blocks of k steps (about 10 ms each) until the time budget
is spent; the figure is the median over blocks of the mean step time.
Prints the same lines as bench.c, prefixed "torch":

    torch threads 2 1.13.0a0
    torch kernel Haswell
    torch tiny 123.45 us/step 0.04 GFLOP/s omp-wait=default
    torch-split tiny fwd 40.00 bwd 50.00 upd 33.00 us

PyTorch's own thread count is set with torch.set_num_threads(THREADS);
its float64 matrix products go to the system BLAS (OpenBLAS on Debian),
whose threads bench/run.sh sets with OPENBLAS_NUM_THREADS.  The step line
ends with the OpenMP wait policy in effect (OMP_WAIT_POLICY): PyTorch's
OpenMP threads spin after each parallel region, and on a small machine they
then compete with OpenBLAS's own threads, so run.sh tries both policies.
"""
import ctypes
import os
import statistics
import sys
import time

import torch

WORKLOADS = [
    ("tiny", (2, 10, 5, 2), 64),
    ("digits", (64, 64, 32, 10), 64),
    ("fmnist", (784, 256, 128, 10), 128),
    ("large", (784, 1024, 1024, 10), 256),
]
N_BATCHES = 4
MAX_BLOCKS = 200


def step_flops(sizes, batch):
    """Matrix-product FLOPs a step really does (as bench.c counts them)."""
    f = 0.0
    for l in range(1, len(sizes)):
        f += (2 if l == 1 else 3) * 2.0 * batch * sizes[l - 1] * sizes[l]
    return f


def make(sizes, batch):
    torch.manual_seed(1)
    layers = []
    for l in range(1, len(sizes)):
        lin = torch.nn.Linear(sizes[l - 1], sizes[l], dtype=torch.float64)
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if l < len(sizes) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    # foreach: the multi-tensor Adam, the faster of the two here
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    data = [(torch.randn(batch, sizes[0], dtype=torch.float64),
             torch.randint(0, sizes[-1], (batch,)))
            for _ in range(N_BATCHES)]
    return model, opt, loss_fn, data


def run(name, sizes, batch, quick):
    model, opt, loss_fn, data = make(sizes, batch)
    it = [0]

    def step():
        x, y = data[it[0]]
        it[0] = (it[0] + 1) % N_BATCHES
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    def step_split(acc):
        x, y = data[it[0]]
        it[0] = (it[0] + 1) % N_BATCHES
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        acc[0] += t1 - t0
        acc[1] += t2 - t1
        acc[2] += t3 - t2

    block = 0.005 if quick else 0.01
    budget = 0.1 if quick else 1.0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < (0.02 if quick else 0.2):
        step()
    k = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(k):
            step()
        dt = time.perf_counter() - t0
        if dt >= block / 4 or k >= 1 << 20:
            k = k if dt >= block else int(k * block / dt) + 1
            break
        k *= 2

    times = []
    start = time.perf_counter()
    while len(times) < MAX_BLOCKS and (len(times) < 5 or
                                       time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        for _ in range(k):
            step()
        times.append((time.perf_counter() - t0) / k)
    us = statistics.median(times) * 1e6

    split = [[], [], []]
    start = time.perf_counter()
    while len(split[0]) < MAX_BLOCKS and (
            len(split[0]) < 5 or time.perf_counter() - start < budget / 2):
        acc = [0.0, 0.0, 0.0]
        for _ in range(k):
            step_split(acc)
        for j in range(3):
            split[j].append(acc[j] / k)
    fwd, bwd, upd = (statistics.median(s) * 1e6 for s in split)

    wait = os.environ.get("OMP_WAIT_POLICY", "").lower() or "default"
    gflops = step_flops(sizes, batch) / us * 1e-3
    print(f"torch {name} {us:.2f} us/step {gflops:.2f} GFLOP/s "
          f"omp-wait={wait}")
    print(f"torch-split {name} fwd {fwd:.2f} bwd {bwd:.2f} upd {upd:.2f} us",
          flush=True)


def blas_kernel():
    """The kernels of the OpenBLAS that torch loaded (openblas_get_corename),
    or "-" when its BLAS is not OpenBLAS."""
    torch.ones(2, 2, dtype=torch.float64) @ torch.ones(2, 2,
                                                       dtype=torch.float64)
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps
                       if "openblas" in line and ".so" in line})
    for path in libs:
        try:
            corename = ctypes.CDLL(path).openblas_get_corename
        except (OSError, AttributeError):
            continue
        corename.restype = ctypes.c_char_p
        return corename().decode()
    return "-"


def main(argv):
    threads = int(os.environ.get("NNLAB_BENCH_THREADS") or 0)
    quick = False
    names = []
    args = iter(argv)
    for a in args:
        if a == "-t":
            threads = int(next(args))
        elif a.startswith("-t"):
            threads = int(a[2:])
        elif a == "-q":
            quick = True
        else:
            names.append(a)
    if threads < 1:
        threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    print(f"torch threads {torch.get_num_threads()} {torch.__version__}",
          flush=True)
    print(f"torch kernel {blas_kernel()}", flush=True)
    known = {w[0]: w for w in WORKLOADS}
    for n in names:
        if n not in known:
            sys.exit(f"usage: torch_bench.py [-t THREADS] [-q] "
                     f"[{' '.join(known)}]")
    for name, sizes, batch in WORKLOADS:
        if not names or name in names:
            run(name, sizes, batch, quick)


if __name__ == "__main__":
    torch.set_grad_enabled(True)
    main(sys.argv[1:])
