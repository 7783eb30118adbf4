#!/usr/bin/env python3
"""PyTorch with cuDNN on the GPU, same shapes and record schema as `convlab bench --device cuda`:
conv2d forward, forward + backward (dz/dx and dz/df for a given dz/dy), and one LeNet-5 training
step (batch 64) built like `convlab train --net lenet5`. Strict FP32 (TF32 off for cuBLAS and
cuDNN) unless --tf32; cudnn.benchmark = True; CUDA events, median of repeats after warm-up.

    python3 Benchmarks/torch_conv.py                          # JSON records on stdout
    python3 Benchmarks/torch_conv.py --convlab convlab.json   # plus ConvLab/cuDNN ratios
    python3 Benchmarks/torch_conv.py --convlab c1.json c2.json c3.json --torch t1.json t2.json t3.json

--convlab takes the output of `convlab bench --device cuda --json` from the same machine and
prints, per record, ConvLab's throughput as a multiple of PyTorch's and the issue's target.
The GPU's speed drifts by ±30% between runs a minute apart (measured on the lent H100), so
scripts/gpu-run.sh runs both benchmarks in alternating rounds and compares medians over the
rounds (the second form).
"""
import argparse
import json
import sys

import torch
import torch.nn.functional as F

from lenet import LENET_TABLE, SHAPES


def median_ms(fn, repeats, warmup=10):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def conv_records(repeats, path):
    dev = torch.device("cuda")
    g = torch.Generator(device=dev).manual_seed(0)
    records = []
    for (_, n, h, w, d, k, fh, fw, s, p) in SHAPES:
        x = torch.randn(n, d, h, w, device=dev, generator=g, requires_grad=True)
        f = torch.randn(k, d, fh, fw, device=dev, generator=g, requires_grad=True)
        oh, ow = (h + 2 * p - fh) // s + 1, (w + 2 * p - fw) // s + 1
        dy = torch.randn(n, k, oh, ow, device=dev, generator=g)

        def forward():
            with torch.no_grad():
                F.conv2d(x, f, stride=s, padding=p)

        def forward_backward():
            y = F.conv2d(x, f, stride=s, padding=p)
            torch.autograd.grad(y, (x, f), dy)

        flops = 2.0 * n * oh * ow * k * fh * fw * d
        for op, fn, mult in (("conv-fwd", forward, 1), ("conv-fwd-bwd", forward_backward, 3)):
            ms = median_ms(fn, repeats)
            records.append(dict(op=op, path=path, n=n, h=h, w=w, d=d, k=k, fh=fh, fw=fw, stride=s, pad=p,
                                median_ms=ms, gflops=mult * flops / ms / 1e6, percent_of_ceiling=None))
    return records


# LeNet-5 as `convlab train --net lenet5` builds it (see Benchmarks/jax_conv.py for the same net in JAX).
def lenet_step(repeats, path):
    dev = torch.device("cuda")
    torch.manual_seed(1)
    mask = torch.tensor([[1.0 if LENET_TABLE[i][j] == "X" else 0.0 for i in range(6)] for j in range(16)], device=dev)[:, :, None, None]

    def he(*shape, fan_in):
        return (torch.randn(*shape, device=dev) * (2.0 / fan_in) ** 0.5).requires_grad_()

    p = dict(c1=he(6, 1, 5, 5, fan_in=25), b1=torch.zeros(6, device=dev, requires_grad=True),
             s2=torch.full((6,), 0.25, device=dev, requires_grad=True), t2=torch.zeros(6, device=dev, requires_grad=True),
             c3=he(16, 6, 5, 5, fan_in=75), b3=torch.zeros(16, device=dev, requires_grad=True),
             s4=torch.full((16,), 0.25, device=dev, requires_grad=True), t4=torch.zeros(16, device=dev, requires_grad=True),
             c5=he(120, 16, 5, 5, fan_in=400), b5=torch.zeros(120, device=dev, requires_grad=True),
             f6=he(84, 120, fan_in=120), b6=torch.zeros(84, device=dev, requires_grad=True),
             out=he(10, 84, fan_in=84), b7=torch.zeros(10, device=dev, requires_grad=True))
    decayed = {"c1", "c3", "c5", "f6", "out"}
    opt_groups = [dict(params=[p[k] for k in p if k in decayed], weight_decay=5e-4),
                  dict(params=[p[k] for k in p if k not in decayed], weight_decay=0.0)]
    opt = torch.optim.SGD(opt_groups, lr=0.01, momentum=0.9)

    def beta_layer(x, beta, b):
        return beta[None, :, None, None] * F.avg_pool2d(x, 2) * 4 + b[None, :, None, None]

    x = torch.randn(64, 1, 28, 28, device=dev)
    labels = torch.arange(64, device=dev) % 10

    def step():
        h = F.relu(beta_layer(F.relu(F.conv2d(x, p["c1"], p["b1"], padding=2)), p["s2"], p["t2"]))
        h = F.relu(beta_layer(F.relu(F.conv2d(h, p["c3"] * mask, p["b3"])), p["s4"], p["t4"]))
        h = F.relu(F.conv2d(h, p["c5"], p["b5"])).flatten(1)
        h = F.relu(F.linear(h, p["f6"], p["b6"]))
        loss = F.cross_entropy(F.linear(h, p["out"], p["b7"]), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    ms = median_ms(step, max(repeats, 21))
    return dict(op="lenet5-train-step", path=path, n=64, h=28, w=28, d=1, k=0, fh=0, fw=0, stride=1, pad=0,
                median_ms=ms, gflops=None, percent_of_ceiling=None)


def key(r):
    return (r["op"], r["n"], r["h"], r["w"], r["d"], r["k"], r["fh"], r["fw"], r["stride"], r["pad"])


def median_by_key(rounds):
    """One record per key, with the median time over the rounds (each round a list of records)."""
    by_key = {}
    for records in rounds:
        for r in records:
            by_key.setdefault(key(r), []).append(r)
    out = {}
    for k, rs in by_key.items():
        times = sorted(r["median_ms"] for r in rs)
        out[k] = dict(rs[0], median_ms=times[len(times) // 2], rounds=len(rs))
    return out


def compare(ours_rounds, theirs_rounds):
    """ConvLab's throughput as a multiple of cuDNN's (their time / our time), with the target;
    each time is the median over rounds run alternately (the GPU's speed drifts between runs)."""
    mine = median_by_key([[r for r in rs if r["path"].startswith("cuda")] for rs in ours_rounds])
    theirs = median_by_key(theirs_rounds)
    rounds = len(ours_rounds)
    print(f"{'op':17} {'shape':16} {'cuDNN ms':>9} {'ConvLab ms':>11} {'ratio':>7}  target   (median of {rounds} alternating round(s))")
    names = {(n, h, w, d, k): name for (name, n, h, w, d, k, *_r) in SHAPES}
    for k, r in theirs.items():
        m = mine.get(k)
        if m is None:
            continue
        ratio = r["median_ms"] / m["median_ms"]
        name = names.get((r["n"], r["h"], r["w"], r["d"], r["k"]), "LeNet-5 step")
        target = 1.0 if ("LeNet" in name) else 0.8
        verdict = "met" if ratio >= target else "not met"
        print(f"{r['op']:17} {name:16} {r['median_ms']:9.3f} {m['median_ms']:11.3f} {ratio:6.2f}×  ≥{target:g}× {verdict}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=51)
    parser.add_argument("--tf32", action="store_true", help="allow TF32 (reported as path cudnn-tf32; never the default)")
    parser.add_argument("--convlab", nargs="+", help="convlab bench --device cuda --json output(s) to compare with")
    parser.add_argument("--torch", nargs="+", help="with --convlab: earlier outputs of this script (one per round) instead of measuring now")
    parser.add_argument("--out", help="also write the JSON records to this file")
    args = parser.parse_args()
    if args.torch:
        rounds = [json.load(open(f)) for f in args.torch]
    else:
        if not torch.cuda.is_available():
            sys.exit("torch_conv.py: no CUDA device visible to PyTorch")
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = args.tf32
        torch.backends.cudnn.allow_tf32 = args.tf32
        path = "cudnn-tf32" if args.tf32 else "cudnn"
        rounds = [conv_records(args.repeats, path) + [lenet_step(args.repeats, path)]]
        if args.out:
            with open(args.out, "w") as f:
                json.dump(rounds[0], f)
        print(f"device: {torch.cuda.get_device_name()}, PyTorch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}", file=sys.stderr)
    if args.convlab:
        compare([json.load(open(f)) for f in args.convlab], rounds)
    elif not args.torch:
        print(json.dumps(rounds[0]))


if __name__ == "__main__":
    main()
