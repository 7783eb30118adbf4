#!/usr/bin/env python3
"""An independent NumPy reference for `convlab net grad`: a network written as a ConvLab spec,
its forward pass and its backpropagation coded by hand here (no ConvLab code involved), in
float64.

  net_reference.py setup DIR --spec SPEC --input HxWxD --images N [--seed S]
      writes DIR/W.npz (np.savez), DIR/Wc.npz (np.savez_compressed, the same weights),
      DIR/x.npy, DIR/labels.npy (1-based, a plain vector of N), DIR/target.npy (for
      regression losses) and DIR/ref.npz (loss, x = dz/dx, and the gradient of every key).
  net_reference.py compare REF.npz G.npz
      reads ConvLab's G.npz with np.load and prints the worst relative error per key;
      exits 1 if a key is missing or an error exceeds 1e-10.

Conventions (ConvLab's, Docs/your-own-network.md): arrays are indexed x[i, j, d, n]
(H, W, D, N); conv filters f[i, j, d, k]; MatConvNet's correlation (no flip) unless the
layer says `flip`; a dense layer's W is K x (H*W*D) acting on the column-major (Fortran)
vec of each image; the objective is the loss averaged over the N images (softmaxlog, l2, l1
sum per image and are divided by N; mse, mae, ... already average over all entries).
"""
import argparse
import os
import sys

import numpy as np


# ---------------------------------------------------------------- spec parsing

def parse_spec(text):
    layers, loss = [], "softmaxlog"
    for item in [s.strip() for s in text.split(";") if s.strip()]:
        words = item.split()
        head, rest = words[0].lower(), words[1:]
        opts, flags, pos = {}, set(), []
        i = 0
        while i < len(rest):
            w = rest[i].lower()
            if w in ("pad", "stride", "dilate", "table"):
                opts[w] = rest[i + 1]
                i += 2
            elif w in ("ceil", "flip"):
                flags.add(w)
                i += 1
            else:
                pos.append(rest[i])
                i += 1

        def pair(key, default):
            if key not in opts:
                return default
            v = [int(t) for t in opts[key].replace("x", ",").split(",")]
            return (v[0], v[0]) if len(v) == 1 else (v[0], v[1])

        def pad():
            if "pad" not in opts:
                return (0, 0, 0, 0)
            v = [int(t) for t in opts["pad"].split(",")]
            return tuple(v * 4) if len(v) == 1 else tuple(v)

        if head == "conv":
            fh, fw, k = [int(t) for t in pos[0].split("x")]
            layers.append(dict(kind="conv", fh=fh, fw=fw, k=k, pad=pad(), stride=pair("stride", (1, 1)),
                               dilate=pair("dilate", (1, 1)), table="table" in opts, flip="flip" in flags))
        elif head == "pool":
            size = [int(t) for t in pos[1].split("x")]
            size = (size[0], size[0]) if len(size) == 1 else (size[0], size[1])
            if "ceil" in flags:
                raise SystemExit("ceil pooling is not in this reference")
            layers.append(dict(kind="pool", method=pos[0].lower(), size=size, stride=pair("stride", size), pad=pad()))
        elif head == "subsample":
            layers.append(dict(kind="subsample", n=int(pos[0])))
        elif head == "relu":
            layers.append(dict(kind="relu", leak=0.0))
        elif head == "leaky":
            layers.append(dict(kind="relu", leak=float(pos[0])))
        elif head in ("sigmoid", "tanh"):
            layers.append(dict(kind=head))
        elif head == "dense":
            layers.append(dict(kind="dense", k=int(pos[0])))
        elif head == "loss":
            loss = pos[0]
        else:
            raise SystemExit("unknown item " + head)
    return layers, loss


LENET_NAMES = {
    "lenet5": "conv 5x5x6 pad 2; relu; subsample 2; relu; conv 5x5x16 table lenet; relu; subsample 2; relu; "
              "conv 5x5x120; relu; dense 84; relu; dense 10; loss softmaxlog",
}


def lenet_table():
    """LeCun et al. 1998 (Xu Table 1): C3 map j reads S2 maps ... (6 x 16, 1 = connected)."""
    t = np.zeros((6, 16))
    for j in range(6):
        for i in range(3):
            t[(j + i) % 6, j] = 1
    for j in range(6):
        for i in range(4):
            t[(j + i) % 6, 6 + j] = 1
    for j, s in enumerate([(0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5)]):
        for i in s:
            t[i, 12 + j] = 1
    t[:, 15] = 1
    return t


# ---------------------------------------------------------------- blocks

def conv_out(h, f, p0, p1, s, d):
    return (h + p0 + p1 - (d * (f - 1) + 1)) // s + 1


def conv_forward(x, f, b, L):
    H, W, D, N = x.shape
    pt, pb, pl, pr = L["pad"]
    (sh, sw), (dh, dw) = L["stride"], L["dilate"]
    if L["flip"]:
        f = f[::-1, ::-1]
    fh, fw, _, K = f.shape
    Ho, Wo = conv_out(H, fh, pt, pb, sh, dh), conv_out(W, fw, pl, pr, sw, dw)
    xp = np.zeros((H + pt + pb, W + pl + pr, D, N))
    xp[pt:pt + H, pl:pl + W] = x
    y = np.zeros((Ho, Wo, K, N)) + b.reshape(1, 1, K, 1)
    for a in range(fh):
        for c in range(fw):
            patch = xp[a * dh:a * dh + sh * (Ho - 1) + 1:sh, c * dw:c * dw + sw * (Wo - 1) + 1:sw]
            y += np.einsum("ijdn,dk->ijkn", patch, f[a, c])
    return y, (xp, f, Ho, Wo)


def conv_backward(x, cache, dy, L):
    xp, f, Ho, Wo = cache
    H, W = x.shape[:2]
    pt, pb, pl, pr = L["pad"]
    (sh, sw), (dh, dw) = L["stride"], L["dilate"]
    fh, fw = f.shape[:2]
    df, dxp = np.zeros_like(f), np.zeros_like(xp)
    for a in range(fh):
        for c in range(fw):
            rows = slice(a * dh, a * dh + sh * (Ho - 1) + 1, sh)
            cols = slice(c * dw, c * dw + sw * (Wo - 1) + 1, sw)
            df[a, c] = np.einsum("ijdn,ijkn->dk", xp[rows, cols], dy)
            dxp[rows, cols] += np.einsum("ijkn,dk->ijdn", dy, f[a, c])
    if L["flip"]:
        df = df[::-1, ::-1]  # f was flipped before the correlation: flip its gradient back
    return dxp[pt:pt + H, pl:pl + W], df, dy.sum(axis=(0, 1, 3))


def pool_windows(x, L, fill):
    H, W, D, N = x.shape
    pt, pb, pl, pr = L["pad"]
    (fh, fw), (sh, sw) = L["size"], L["stride"]
    Ho, Wo = (H + pt + pb - fh) // sh + 1, (W + pl + pr - fw) // sw + 1
    xp = np.full((H + pt + pb, W + pl + pr, D, N), fill)
    xp[pt:pt + H, pl:pl + W] = x
    inside = np.zeros(xp.shape[:2])
    inside[pt:pt + H, pl:pl + W] = 1
    taps = []
    for a in range(fh):
        for c in range(fw):
            rows = slice(a, a + sh * (Ho - 1) + 1, sh)
            cols = slice(c, c + sw * (Wo - 1) + 1, sw)
            taps.append((rows, cols))
    return xp, inside, taps, Ho, Wo


def pool_forward(x, L):
    parts = []
    if L["method"] in ("max", "maxavg"):
        xp, _, taps, Ho, Wo = pool_windows(x, L, -np.inf)
        stack = np.stack([xp[r, c] for r, c in taps])
        parts.append(stack.max(axis=0))
    if L["method"] in ("avg", "maxavg"):
        xp, inside, taps, Ho, Wo = pool_windows(x, L, 0.0)
        count = sum(inside[r, c] for r, c in taps)[:, :, None, None]
        parts.append(sum(xp[r, c] for r, c in taps) / count)
    return sum(parts), None


def pool_backward(x, dy, L):
    H, W = x.shape[:2]
    pt, pl = L["pad"][0], L["pad"][2]
    dx = np.zeros_like(x)
    if L["method"] in ("max", "maxavg"):
        xp, _, taps, Ho, Wo = pool_windows(x, L, -np.inf)
        stack = np.stack([xp[r, c] for r, c in taps])
        winner = stack.argmax(axis=0)
        dxp = np.zeros_like(xp)
        for t, (r, c) in enumerate(taps):
            dxp[r, c] += np.where(winner == t, dy, 0.0)
        dx += dxp[pt:pt + H, pl:pl + W]
    if L["method"] in ("avg", "maxavg"):
        xp, inside, taps, Ho, Wo = pool_windows(x, L, 0.0)
        count = sum(inside[r, c] for r, c in taps)[:, :, None, None]
        dxp = np.zeros_like(xp)
        for r, c in taps:
            dxp[r, c] += dy / count
        dx += dxp[pt:pt + H, pl:pl + W]
    return dx


def down(x, n):
    H, W, D, N = x.shape
    return x.reshape(H // n, n, W // n, n, D, N).sum(axis=(1, 3))


# ---------------------------------------------------------------- network

def init_weights(layers, shape, rng):
    H, W, D = shape
    weights = {}
    for i, L in enumerate(layers, start=1):
        if L["kind"] == "conv":
            f = rng.normal(0, np.sqrt(2 / (L["fh"] * L["fw"] * D)), (L["fh"], L["fw"], D, L["k"]))
            if L["table"]:
                f *= lenet_table()[None, None]
            weights[f"{i}.w"], weights[f"{i}.b"] = f, rng.normal(0, 0.1, L["k"])
            H = conv_out(H, L["fh"], L["pad"][0], L["pad"][1], L["stride"][0], L["dilate"][0])
            W = conv_out(W, L["fw"], L["pad"][2], L["pad"][3], L["stride"][1], L["dilate"][1])
            D = L["k"]
        elif L["kind"] == "pool":
            H = (H + L["pad"][0] + L["pad"][1] - L["size"][0]) // L["stride"][0] + 1
            W = (W + L["pad"][2] + L["pad"][3] - L["size"][1]) // L["stride"][1] + 1
        elif L["kind"] == "subsample":
            weights[f"{i}.w"], weights[f"{i}.b"] = rng.uniform(0.1, 0.5, D), rng.normal(0, 0.1, D)
            H, W = H // L["n"], W // L["n"]
        elif L["kind"] == "dense":
            weights[f"{i}.w"] = rng.normal(0, np.sqrt(2 / (H * W * D)), (L["k"], H * W * D))
            weights[f"{i}.b"] = rng.normal(0, 0.1, L["k"])
            H, W, D = 1, 1, L["k"]
    return weights, D


def loss_and_gradient(scores, labels, target, loss):
    """z (mean over images) and dz/dscores; scores is 1 x 1 x C x N."""
    s = scores[0, 0]  # C x N
    C, N = s.shape
    if loss == "softmaxlog":
        m = s.max(axis=0)
        e = np.exp(s - m)
        lse = m + np.log(e.sum(axis=0))
        c = labels.astype(int) - 1
        z = np.sum(lse - s[c, np.arange(N)]) / N
        g = e / e.sum(axis=0)
        g[c, np.arange(N)] -= 1
        return z, (g / N).reshape(scores.shape)
    y = target.reshape(C, N, order="F")
    if loss == "mse":
        return np.mean((y - s) ** 2), (2 * (s - y) / s.size).reshape(scores.shape)
    if loss == "l2":
        return np.sum((y - s) ** 2) / N, (2 * (s - y) / N).reshape(scores.shape)
    raise SystemExit("loss " + loss + " is not in this reference")


def forward_backward(layers, loss, weights, x, labels, target):
    acts, caches = [x], []
    for i, L in enumerate(layers, start=1):
        v = acts[-1]
        if L["kind"] == "conv":
            y, cache = conv_forward(v, weights[f"{i}.w"], weights[f"{i}.b"], L)
        elif L["kind"] == "pool":
            y, cache = pool_forward(v, L)
        elif L["kind"] == "subsample":
            cache = down(v, L["n"])
            y = weights[f"{i}.w"].reshape(1, 1, -1, 1) * cache + weights[f"{i}.b"].reshape(1, 1, -1, 1)
        elif L["kind"] == "relu":
            y, cache = np.where(v > 0, v, L["leak"] * v), None
        elif L["kind"] == "sigmoid":
            y = 1 / (1 + np.exp(-v))
            cache = y
        elif L["kind"] == "tanh":
            y = np.tanh(v)
            cache = y
        elif L["kind"] == "dense":
            H, W, D, N = v.shape
            cache = v.reshape(H * W * D, N, order="F")  # column-major vec of each image
            y = (weights[f"{i}.w"] @ cache + weights[f"{i}.b"][:, None]).reshape(1, 1, -1, N)
        acts.append(y)
        caches.append(cache)
    z, g = loss_and_gradient(acts[-1], labels, target, loss)
    grads = {}
    for i in range(len(layers), 0, -1):
        L, v, cache = layers[i - 1], acts[i - 1], caches[i - 1]
        if L["kind"] == "conv":
            g, df, db = conv_backward(v, cache, g, L)
            if L["table"]:
                df *= lenet_table()[None, None]  # unconnected filters are pinned to zero
            grads[f"{i}.w"], grads[f"{i}.b"] = df, db
        elif L["kind"] == "pool":
            g = pool_backward(v, g, L)
        elif L["kind"] == "subsample":
            n = L["n"]
            grads[f"{i}.w"] = np.sum(g * cache, axis=(0, 1, 3))
            grads[f"{i}.b"] = np.sum(g, axis=(0, 1, 3))
            g = np.repeat(np.repeat(g * weights[f"{i}.w"].reshape(1, 1, -1, 1), n, axis=0), n, axis=1)
        elif L["kind"] == "relu":
            g = np.where(v > 0, g, L["leak"] * g)
        elif L["kind"] == "sigmoid":
            g = g * cache * (1 - cache)
        elif L["kind"] == "tanh":
            g = g * (1 - cache ** 2)
        elif L["kind"] == "dense":
            gk = g.reshape(-1, g.shape[3])  # K x N
            grads[f"{i}.w"] = gk @ cache.T
            grads[f"{i}.b"] = gk.sum(axis=1)
            g = (weights[f"{i}.w"].T @ gk).reshape(v.shape, order="F")
    grads["x"] = g
    grads["loss"] = np.array(z)
    return grads


def setup(args):
    os.makedirs(args.dir, exist_ok=True)
    spec = LENET_NAMES.get(args.spec, args.spec)
    layers, loss = parse_spec(spec)
    shape = tuple(int(t) for t in args.input.split("x"))
    shape = shape + (1,) * (3 - len(shape))
    rng = np.random.default_rng(args.seed)
    weights, classes = init_weights(layers, shape, rng)
    x = rng.uniform(-1, 1, shape + (args.images,))
    labels = rng.integers(1, classes + 1, args.images)
    target = rng.uniform(0, 1, (classes, args.images))
    np.savez(f"{args.dir}/W.npz", **weights)
    np.savez_compressed(f"{args.dir}/Wc.npz", **weights)
    np.save(f"{args.dir}/x.npy", x)
    np.save(f"{args.dir}/labels.npy", labels)
    np.save(f"{args.dir}/target.npy", target)
    np.savez(f"{args.dir}/ref.npz", **forward_backward(layers, loss, weights, x, labels, target))


def relative_error(a, b):
    """max |a - b| over the larger of the two arrays' largest magnitudes."""
    return np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-300)


def compare(args):
    ref, got = np.load(args.ref), np.load(args.got)
    worst = 0.0
    for key in ref.files:
        if key not in got.files:
            print(f"{key}: missing from {args.got}")
            return 1
        a, b = np.asarray(ref[key], dtype=np.float64), np.asarray(got[key], dtype=np.float64)
        if a.size != b.size:
            print(f"{key}: {a.shape} vs {b.shape}")
            return 1
        shape = a.shape
        err = relative_error(a.reshape(-1, order="F"), b.reshape(-1, order="F"))
        worst = max(worst, err)
        print(f"{key:8s} {str(shape):>18s}  relative error {err:.2e}")
    print(f"worst {worst:.2e}")
    return 0 if worst <= 1e-10 else 1


def command_parser(description):
    """The `setup` and `compare` commands (the autograd reference adds its own to `sub`)."""
    parser = argparse.ArgumentParser(description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("dir")
    s.add_argument("--spec", required=True)
    s.add_argument("--input", required=True)
    s.add_argument("--images", type=int, default=3)
    s.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("compare")
    c.add_argument("ref")
    c.add_argument("got")
    return parser, sub


def main():
    parser, _ = command_parser(__doc__.split("\n")[0])
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
