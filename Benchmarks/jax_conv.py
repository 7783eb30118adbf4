#!/usr/bin/env python3
"""JAX on the CPU, same shapes and record schema as `convlab bench` (Float32, jitted).

conv-fwd: lax.conv_general_dilated; conv-fwd-bwd: the forward plus jax.grad with respect to
the input and the filters (the same work as ConvLab's forward + backward). Median of repeats
after a warm-up that also triggers compilation. Prints a JSON array on stdout.
"""
import argparse
import json
import time

import jax
import jax.numpy as jnp
from jax import lax

SHAPES = [  # N, H, W, D, K, FH, FW, stride, pad — the performance issue's shapes
    (64, 32, 32, 1, 6, 5, 5, 1, 0),
    (64, 14, 14, 6, 16, 5, 5, 1, 0),
    (100, 14, 14, 64, 64, 3, 3, 1, 1),
    (8, 56, 56, 64, 128, 3, 3, 1, 1),
]


def median_seconds(fn, repeats):
    for _ in range(2):
        jax.block_until_ready(fn())
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--sgemm", type=float, default=None, help="ConvLab's measured sgemm GFLOP/s")
    args = parser.parse_args()
    key = jax.random.PRNGKey(0)
    records = []
    for (n, h, w, d, k, fh, fw, s, p) in SHAPES:
        x = jax.random.normal(key, (n, d, h, w), jnp.float32)
        f = jax.random.normal(key, (k, d, fh, fw), jnp.float32)

        def conv(x, f):
            return lax.conv_general_dilated(x, f, (s, s), [(p, p), (p, p)], dimension_numbers=("NCHW", "OIHW", "NCHW"))

        forward = jax.jit(conv)

        def forward_backward(x, f, g):
            # The same work as ConvLab's forward + backward with a given dz/dy: y, dz/dx, dz/df.
            y, pullback = jax.vjp(conv, x, f)
            dx, df = pullback(g)
            return y, dx, df

        both = jax.jit(forward_backward)
        out_h, out_w = (h + 2 * p - fh) // s + 1, (w + 2 * p - fw) // s + 1
        g = jax.random.normal(key, (n, k, out_h, out_w), jnp.float32)
        flops = 2.0 * n * out_h * out_w * k * fh * fw * d
        for op, fn, mult in (("conv-fwd", lambda: forward(x, f), 1), ("conv-fwd-bwd", lambda: both(x, f, g), 3)):
            sec = median_seconds(fn, args.repeats)
            gflops = mult * flops / sec / 1e9
            records.append(dict(op=op, path="jax", n=n, h=h, w=w, d=d, k=k, fh=fh, fw=fw, stride=s, pad=p,
                                median_ms=sec * 1e3, gflops=gflops,
                                percent_of_ceiling=(100 * gflops / args.sgemm) if args.sgemm else None))
    print(json.dumps(records))


if __name__ == "__main__":
    main()
