#!/usr/bin/env python3
"""The whole-program workloads of the nnlab benchmark, in PyTorch.

    torch_program.py digits|fmnist ITERS [BATCH]

The same work as

    nnlab -c 'data digits; normalize on; net 64 64 32 10; optim adam;
              batch 64; train ITERS iters; eval'

(or data fashion and 784-256-128-10), as a PyTorch user writes it:
float64 on the CPU; the data read from the same files (digits from
data/digits.csv.gz, Fashion-MNIST from Debian's dataset-fashion-mnist);
digits split 70/15/15 stratified and Fashion-MNIST's dev a stratified
sixth of its training files, as nnlab splits them; features z-scored with
the training split's means and standard deviations (1 for a constant
feature); nn.Linear + ReLU layers, He-initialized, biases 0;
CrossEntropyLoss; torch.optim.Adam at nnlab's default rate for adam
(0.01; multi-tensor foreach); mini-batches of a freshly shuffled order each
epoch, the last one short; ITERS updates; then loss and accuracy of the
train, dev and test splits.

bench/run.sh times the whole process (start-up and `import torch`
included) from outside; this script prints the phases it times itself:

    torch-program digits load 0.031 train 0.912 eval 0.004 s iters 2000
"""
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FASHION = "/usr/share/datasets/fashion-mnist"


def stratified(labels, shares, rng):
    """Indices of each split, stratified by class (nnlab's split)."""
    parts = [[] for _ in shares]
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        cuts = np.cumsum([int(round(s * len(idx))) for s in shares[:-1]])
        for p, chunk in zip(parts, np.split(idx, cuts)):
            p.append(chunk)
    return [np.concatenate(p) for p in parts]


def load_digits(rng):
    with gzip.open(os.path.join(HERE, "..", "data", "digits.csv.gz")) as f:
        a = np.loadtxt(f, delimiter=",")
    x, y = a[:, :-1], a[:, -1].astype(np.int64)
    tr, dv, te = stratified(y, (0.70, 0.15, 0.15), rng)
    return (x[tr], y[tr]), (x[dv], y[dv]), (x[te], y[te])


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, n * rows * cols, 16).reshape(
            n, rows * cols)
    return np.frombuffer(data, np.uint8, n, 8).astype(np.int64)


def load_fashion(rng):
    x = idx(os.path.join(FASHION, "train-images-idx3-ubyte.gz"))
    y = idx(os.path.join(FASHION, "train-labels-idx1-ubyte.gz"))
    xt = idx(os.path.join(FASHION, "t10k-images-idx3-ubyte.gz"))
    yt = idx(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz"))
    tr, dv = stratified(y, (5 / 6, 1 / 6), rng)
    scale = 1.0 / 255.0
    return ((x[tr] * scale, y[tr]), (x[dv] * scale, y[dv]),
            (xt * scale, yt))


def normalize(splits):
    mu = splits[0][0].mean(axis=0)
    sd = splits[0][0].std(axis=0)
    sd[sd == 0] = 1.0
    return [(torch.from_numpy((x - mu) / sd), torch.from_numpy(y))
            for x, y in splits]


def model(sizes):
    torch.manual_seed(1)
    layers = []
    for l in range(1, len(sizes)):
        lin = torch.nn.Linear(sizes[l - 1], sizes[l], dtype=torch.float64)
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if l < len(sizes) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def train(net, x, y, iters, batch):
    opt = torch.optim.Adam(net.parameters(), lr=0.01, foreach=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    n, made = len(y), 0
    while made < iters:
        order = torch.randperm(n)
        for at in range(0, n, batch):
            rows = order[at:at + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x[rows]), y[rows])
            loss.backward()
            opt.step()
            made += 1
            if made == iters:
                break


def evaluate(net, splits):
    loss_fn = torch.nn.CrossEntropyLoss()
    out = []
    with torch.no_grad():
        for x, y in splits:
            z = net(x)
            out.append((loss_fn(z, y).item(),
                        (z.argmax(1) == y).double().mean().item()))
    return out


def main(argv):
    if len(argv) < 2 or argv[0] not in ("digits", "fmnist"):
        sys.exit("usage: torch_program.py digits|fmnist ITERS [BATCH]")
    name, iters = argv[0], int(argv[1])
    batch = int(argv[2]) if len(argv) > 2 else 64
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    if name == "digits":
        splits, sizes = load_digits(rng), (64, 64, 32, 10)
    else:
        splits, sizes = load_fashion(rng), (784, 256, 128, 10)
    splits = normalize(splits)
    net = model(sizes)
    t1 = time.perf_counter()
    train(net, splits[0][0], splits[0][1], iters, batch)
    t2 = time.perf_counter()
    res = evaluate(net, splits)
    t3 = time.perf_counter()
    print(f"torch-program {name} load {t1 - t0:.3f} train {t2 - t1:.3f} "
          f"eval {t3 - t2:.3f} s iters {iters}")
    for split, (loss, acc) in zip(("train", "dev", "test"), res):
        print(f"  {split} loss {loss:.4f} accuracy {acc:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
