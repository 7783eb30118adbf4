#!/usr/bin/env python3
"""JAX on the CPU, same shapes and record schema as `convlab bench` (Float32, jitted), and one
LeNet-5 training step (batch 64) built like `convlab train --net lenet5`.

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

from lenet import LENET_TABLE, SHAPES


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
    parser.add_argument("--only", choices=["all", "lenet"], default="all", help="lenet: only the LeNet-5 training step")
    args = parser.parse_args()
    if args.only == "lenet":
        print(json.dumps([lenet_step(args.repeats)]))
        return
    key = jax.random.PRNGKey(0)
    records = []
    for (_, n, h, w, d, k, fh, fw, s, p) in SHAPES:
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
    records.append(lenet_step(args.repeats))
    print(json.dumps(records))


# LeNet-5 as `convlab train --net lenet5` builds it: C1 6@5×5 pad 2, ReLU, Xu's β-layer
# (β·sum over 2×2 + b), ReLU, C3 16@5×5 masked by the S2→C3 table, ReLU, β-layer, ReLU,
# C5 120@5×5, ReLU, F6 84, ReLU, 10 outputs, mean softmax log-loss; SGD with momentum 0.9 and
# weight decay 5e-4 on filters and weights — one jitted step per batch of 64.
def lenet_step(repeats):
    key = jax.random.PRNGKey(1)
    ks = jax.random.split(key, 8)
    mask = jnp.array([[[[1.0 if LENET_TABLE[i][j] == "X" else 0.0]] for i in range(6)] for j in range(16)], jnp.float32)
    mask = jnp.broadcast_to(mask, (16, 6, 5, 5))

    def he(k, shape, fan_in):
        return jax.random.normal(k, shape, jnp.float32) * jnp.sqrt(2.0 / fan_in)

    params = dict(
        c1=he(ks[0], (6, 1, 5, 5), 25), b1=jnp.zeros(6), s2=jnp.full(6, 0.25), t2=jnp.zeros(6),
        c3=he(ks[1], (16, 6, 5, 5), 75) * mask, b3=jnp.zeros(16), s4=jnp.full(16, 0.25), t4=jnp.zeros(16),
        c5=he(ks[2], (120, 16, 5, 5), 400), b5=jnp.zeros(120),
        f6=he(ks[3], (120, 84), 120), b6=jnp.zeros(84), out=he(ks[4], (84, 10), 84), b7=jnp.zeros(10))
    decayed = {"c1", "c3", "c5", "f6", "out"}

    def conv(x, w, b, pad=0):
        y = lax.conv_general_dilated(x, w, (1, 1), [(pad, pad), (pad, pad)], dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return y + b[None, :, None, None]

    def beta_layer(x, beta, b):
        n, c, h, w = x.shape
        pooled = x.reshape(n, c, h // 2, 2, w // 2, 2).sum(axis=(3, 5))
        return beta[None, :, None, None] * pooled + b[None, :, None, None]

    def loss(p, x, labels):
        r = jax.nn.relu
        h = r(beta_layer(r(conv(x, p["c1"], p["b1"], 2)), p["s2"], p["t2"]))
        h = r(beta_layer(r(conv(h, p["c3"] * mask, p["b3"])), p["s4"], p["t4"]))
        h = r(conv(h, p["c5"], p["b5"])).reshape(x.shape[0], 120)
        h = r(h @ p["f6"] + p["b6"])
        logits = h @ p["out"] + p["b7"]
        return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(x.shape[0]), labels])

    @jax.jit
    def step(p, v, x, labels):
        g = jax.grad(loss)(p, x, labels)
        v = {k: 0.9 * v[k] - 0.01 * (g[k] + (5e-4 * p[k] if k in decayed else 0.0)) for k in p}
        return {k: p[k] + v[k] for k in p}, v

    x = jax.random.normal(ks[5], (64, 1, 28, 28), jnp.float32)
    labels = jnp.arange(64) % 10
    state = [params, {k: jnp.zeros_like(a) for k, a in params.items()}]

    def run():
        state[0], state[1] = step(state[0], state[1], x, labels)
        return state[0]["out"]

    sec = median_seconds(run, max(repeats, 11))
    return dict(op="lenet5-train-step", path="jax", n=64, h=28, w=28, d=1, k=0, fh=0, fw=0, stride=1, pad=0,
                median_ms=sec * 1e3, gflops=None, percent_of_ceiling=None)


if __name__ == "__main__":
    main()
