#!/usr/bin/env python3
"""An independent automatic-differentiation reference for `convlab net grad`: the network's
forward pass written once with autograd.numpy (HIPS autograd, `pip install autograd`), and
every gradient taken by autograd's reverse mode, in float64. Nothing here is hand-derived:
not ConvLab's backprop, and not scripts/net_reference.py's (whose spec parser, weight
initialization and `compare` it reuses; the gradients are this file's own).

  net_reference_autograd.py setup DIR --spec SPEC --input HxWxD --images N [--seed S]
      writes the same files as net_reference.py setup (W.npz, Wc.npz, x.npy, labels.npy,
      target.npy), with DIR/ref.npz holding autograd's loss, dz/dx and every dz/dw.
  net_reference_autograd.py compare REF.npz G.npz
      as net_reference.py compare (exit 1 above 1e-10 relative).
  net_reference_autograd.py crosscheck DIR --spec SPEC
      compares autograd's gradients with net_reference.py's hand-coded backprop on DIR's files.

The conventions are ConvLab's (Docs/your-own-network.md): x[i, j, d, n]; filters f[i, j, d, k],
correlation unless `flip`; a dense W acts on the column-major vec of each image; the objective
is the loss averaged over the images.
"""
import os
import sys

import autograd.numpy as anp
import numpy as np
from autograd import grad

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import net_reference as hand  # noqa: E402  (spec parsing, initialization, compare)


def conv(x, f, b, L):
    pt, pb, pl, pr = L["pad"]
    (sh, sw), (dh, dw) = L["stride"], L["dilate"]
    if L["flip"]:
        f = f[::-1, ::-1]
    fh, fw, _, K = f.shape
    H, W = x.shape[:2]
    Ho = hand.conv_out(H, fh, pt, pb, sh, dh)
    Wo = hand.conv_out(W, fw, pl, pr, sw, dw)
    xp = anp.pad(x, ((pt, pb), (pl, pr), (0, 0), (0, 0)), mode="constant")
    y = anp.reshape(b, (1, 1, K, 1))
    for a in range(fh):
        for c in range(fw):
            patch = xp[a * dh:a * dh + sh * (Ho - 1) + 1:sh, c * dw:c * dw + sw * (Wo - 1) + 1:sw]
            y = y + anp.einsum("ijdn,dk->ijkn", patch, f[a, c])
    return y


def pool(x, L):
    pt, pb, pl, pr = L["pad"]
    (fh, fw), (sh, sw) = L["size"], L["stride"]
    H, W = x.shape[:2]
    Ho, Wo = (H + pt + pb - fh) // sh + 1, (W + pl + pr - fw) // sw + 1
    out = 0.0
    if L["method"] in ("max", "maxavg"):
        # Padding never wins a max (MatConvNet pads max pooling with -inf).
        xp = anp.pad(x, ((pt, pb), (pl, pr), (0, 0), (0, 0)), mode="constant", constant_values=-np.inf)
        taps = [xp[a:a + sh * (Ho - 1) + 1:sh, c:c + sw * (Wo - 1) + 1:sw] for a in range(fh) for c in range(fw)]
        out = out + anp.max(anp.stack(taps), axis=0)
    if L["method"] in ("avg", "maxavg"):
        xp = anp.pad(x, ((pt, pb), (pl, pr), (0, 0), (0, 0)), mode="constant")
        inside = np.pad(np.ones((H, W)), ((pt, pb), (pl, pr)))
        total, count = 0.0, 0.0
        for a in range(fh):
            for c in range(fw):
                rows, cols = slice(a, a + sh * (Ho - 1) + 1, sh), slice(c, c + sw * (Wo - 1) + 1, sw)
                total = total + xp[rows, cols]
                count = count + inside[rows, cols]
        out = out + total / count[:, :, None, None]  # in-bounds samples only
    return out


def objective(x, weights, layers, loss, labels, target):
    v = x
    for i, L in enumerate(layers, start=1):
        k = L["kind"]
        if k == "conv":
            f = weights[f"{i}.w"]
            if L["table"]:
                f = f * hand.lenet_table()[None, None]
            v = conv(v, f, weights[f"{i}.b"], L)
        elif k == "pool":
            v = pool(v, L)
        elif k == "subsample":
            H, W, D, N = v.shape
            n = L["n"]
            s = anp.sum(anp.reshape(v[:H // n * n, :W // n * n], (H // n, n, W // n, n, D, N)), axis=(1, 3))
            v = anp.reshape(weights[f"{i}.w"], (1, 1, -1, 1)) * s + anp.reshape(weights[f"{i}.b"], (1, 1, -1, 1))
        elif k == "relu":
            v = anp.where(v > 0, v, L["leak"] * v)
        elif k == "sigmoid":
            v = 1 / (1 + anp.exp(-v))
        elif k == "tanh":
            v = anp.tanh(v)
        elif k == "dense":
            H, W, D, N = v.shape
            # The column-major vec of each image: transpose to (N, D, W, H), C-order reshape.
            cols = anp.transpose(anp.reshape(anp.transpose(v, (3, 2, 1, 0)), (N, H * W * D)))
            v = anp.reshape(anp.dot(weights[f"{i}.w"], cols) + weights[f"{i}.b"][:, None], (1, 1, -1, N))
    s = v[0, 0]  # C x N
    C, N = s.shape
    if loss == "softmaxlog":
        m = anp.max(s, axis=0)
        lse = m + anp.log(anp.sum(anp.exp(s - m), axis=0))
        picked = s[labels.astype(int) - 1, np.arange(N)]
        return anp.sum(lse - picked) / N
    y = target.reshape(C, N, order="F")
    if loss == "mse":
        return anp.mean((y - s) ** 2)
    if loss == "l2":
        return anp.sum((y - s) ** 2) / N
    raise SystemExit("loss " + loss + " is not in this reference")


def gradients(layers, loss, weights, x, labels, target):
    z = objective(x, weights, layers, loss, labels, target)
    dx, dw = grad(objective, (0, 1))(x, weights, layers, loss, labels, target)
    out = {"loss": np.array(z), "x": dx}
    out.update({k: np.asarray(v) for k, v in dw.items()})
    return out


def load_case(directory):
    W = dict(np.load(f"{directory}/W.npz"))
    x = np.load(f"{directory}/x.npy")
    labels = np.load(f"{directory}/labels.npy")
    target = np.load(f"{directory}/target.npy")
    return W, x, labels, target


def setup(args):
    hand.setup(args)  # the weights, x, labels, target (and the hand-coded ref.npz, replaced below)
    layers, loss = hand.parse_spec(hand.LENET_NAMES.get(args.spec, args.spec))
    W, x, labels, target = load_case(args.dir)
    np.savez(f"{args.dir}/ref.npz", **gradients(layers, loss, W, x, labels, target))


def crosscheck(args):
    layers, loss = hand.parse_spec(hand.LENET_NAMES.get(args.spec, args.spec))
    W, x, labels, target = load_case(args.dir)
    auto = gradients(layers, loss, W, x, labels, target)
    manual = hand.forward_backward(layers, loss, W, x, labels, target)
    worst = 0.0
    for key, a in auto.items():
        b = np.asarray(manual[key])
        err = hand.relative_error(a, b)
        worst = max(worst, err)
        print(f"{key:8s} {str(a.shape):>18s}  autograd vs hand-coded backprop {err:.2e}")
    print(f"worst {worst:.2e}")
    return 0 if worst <= 1e-10 else 1


def main():
    parser, sub = hand.command_parser(__doc__.split("\n")[0])
    x = sub.add_parser("crosscheck")
    x.add_argument("dir")
    x.add_argument("--spec", required=True)
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
        return 0
    if args.command == "crosscheck":
        return crosscheck(args)
    return hand.compare(args)


if __name__ == "__main__":
    sys.exit(main())
