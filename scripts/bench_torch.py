#!/usr/bin/env python3
"""PyTorch on the CPU (oneDNN convolutions) as a peer of `convlab bench --torch`.

`convlab bench` starts this script once and sends it one request per line on stdin; the script
answers each with one JSON record on stdout (the record schema of `convlab bench --json`), so
that ConvLab's and PyTorch's timings of the same shape alternate within one run on the same,
shared machine instead of being measured minutes apart:

    {"op": "conv", "shape": [N, H, W, D, K, FH, FW, STRIDE, PAD], "backward": false, "repeats": 7}
    {"op": "lenet", "repeats": 11}
    {"op": "info"}                      -> {"torch": "2.x", "threads": 2, "mkldnn": true}

conv-fwd: F.conv2d under no_grad; conv-fwd-bwd: the forward plus torch.autograd.grad with
respect to the input and the filters for a given dz/dy (the same work as ConvLab's forward +
backward). lenet: one SGD step (momentum 0.9, weight decay 5e-4, lr 0.01) of LeNet-5 built as
`convlab train --net lenet5` builds it (Benchmarks/torch_conv.py has the same net on the GPU).
Float32, torch.set_num_threads(THREADS) (default 2), median of repeats after warm-up.

    python3 scripts/bench_torch.py --threads 2 < requests.jsonl
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Benchmarks"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from lenet import LENET_TABLE  # noqa: E402


def median_ms(fn, repeats, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2] * 1e3


def conv_record(shape, backward, repeats):
    n, h, w, d, k, fh, fw, s, p = shape
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, d, h, w, generator=g, requires_grad=True)
    f = torch.randn(k, d, fh, fw, generator=g, requires_grad=True)
    oh, ow = (h + 2 * p - fh) // s + 1, (w + 2 * p - fw) // s + 1
    dy = torch.randn(n, k, oh, ow, generator=g)

    def forward():
        with torch.no_grad():
            F.conv2d(x, f, stride=s, padding=p)

    def forward_backward():
        y = F.conv2d(x, f, stride=s, padding=p)
        torch.autograd.grad(y, (x, f), dy)

    ms = median_ms(forward_backward if backward else forward, repeats)
    flops = 2.0 * n * oh * ow * k * fh * fw * d * (3 if backward else 1)
    return dict(op="conv-fwd-bwd" if backward else "conv-fwd", path="torch", n=n, h=h, w=w, d=d, k=k, fh=fh, fw=fw,
                stride=s, pad=p, median_ms=ms, gflops=flops / ms / 1e6, percent_of_ceiling=None)


class LeNetStep:
    """LeNet-5 as `convlab train --net lenet5`: C1 6@5×5 pad 2, ReLU, Xu's β-layer, ReLU, C3 16@5×5
    masked by the S2→C3 table, ReLU, β-layer, ReLU, C5 120@5×5, ReLU, F6 84, ReLU, 10 outputs,
    softmax log-loss; SGD with momentum 0.9, weight decay 5e-4 on filters and weights."""

    def __init__(self):
        torch.manual_seed(1)
        self.mask = torch.tensor([[1.0 if LENET_TABLE[i][j] == "X" else 0.0 for i in range(6)] for j in range(16)])[:, :, None, None]

        def he(*shape, fan_in):
            return (torch.randn(*shape) * (2.0 / fan_in) ** 0.5).requires_grad_()

        def zeros(n):
            return torch.zeros(n, requires_grad=True)

        def full(n, v):
            return torch.full((n,), v, requires_grad=True)

        self.p = dict(c1=he(6, 1, 5, 5, fan_in=25), b1=zeros(6), s2=full(6, 0.25), t2=zeros(6),
                      c3=he(16, 6, 5, 5, fan_in=75), b3=zeros(16), s4=full(16, 0.25), t4=zeros(16),
                      c5=he(120, 16, 5, 5, fan_in=400), b5=zeros(120),
                      f6=he(84, 120, fan_in=120), b6=zeros(84), out=he(10, 84, fan_in=84), b7=zeros(10))
        decayed = {"c1", "c3", "c5", "f6", "out"}
        groups = [dict(params=[v for k, v in self.p.items() if k in decayed], weight_decay=5e-4),
                  dict(params=[v for k, v in self.p.items() if k not in decayed], weight_decay=0.0)]
        self.opt = torch.optim.SGD(groups, lr=0.01, momentum=0.9)
        self.x = torch.randn(64, 1, 28, 28)
        self.labels = torch.arange(64) % 10

    @staticmethod
    def beta_layer(x, beta, b):
        return beta[None, :, None, None] * F.avg_pool2d(x, 2) * 4 + b[None, :, None, None]

    def __call__(self):
        p = self.p
        h = F.relu(self.beta_layer(F.relu(F.conv2d(self.x, p["c1"], p["b1"], padding=2)), p["s2"], p["t2"]))
        h = F.relu(self.beta_layer(F.relu(F.conv2d(h, p["c3"] * self.mask, p["b3"])), p["s4"], p["t4"]))
        h = F.relu(F.conv2d(h, p["c5"], p["b5"])).flatten(1)
        h = F.relu(F.linear(h, p["f6"], p["b6"]))
        loss = F.cross_entropy(F.linear(h, p["out"], p["b7"]), self.labels)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    lenet = None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "info":
                answer = dict(torch=torch.__version__, threads=torch.get_num_threads(), mkldnn=torch.backends.mkldnn.is_available())
            elif op == "conv":
                answer = conv_record(request["shape"], bool(request.get("backward")), int(request.get("repeats", 7)))
            elif op == "lenet":
                lenet = lenet or LeNetStep()
                answer = dict(op="lenet5-train-step", path="torch", n=64, h=28, w=28, d=1, k=0, fh=0, fw=0, stride=1, pad=0,
                              median_ms=median_ms(lenet, int(request.get("repeats", 11))), gflops=None, percent_of_ceiling=None)
            else:
                answer = dict(error=f"unknown request {op!r}")
        except (ValueError, KeyError, TypeError, RuntimeError) as error:
            answer = dict(error=str(error))
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
