#!/usr/bin/env python3
"""Writes the first K training and T test images (and labels) of an MNIST-format folder as
gzipped IDX files: a small copy of the data for the GPU bundle (scripts/gpu_bundle.sh).

    python3 scripts/idx_subset.py SOURCE_DIR TARGET_DIR K T
"""
import gzip
import os
import struct
import sys


def read(path):
    for candidate in (path, path + ".gz"):
        if os.path.exists(candidate):
            opener = gzip.open if candidate.endswith(".gz") else open
            with opener(candidate, "rb") as f:
                return f.read()
    sys.exit(f"idx_subset.py: {path}(.gz) not found")


def subset(data, count):
    dims = data[3]
    shape = list(struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims]))
    per_item = 1
    for d in shape[1:]:
        per_item *= d
    count = min(count, shape[0])
    header = data[:4] + struct.pack(">I", count) + data[8:4 + 4 * dims]
    body = data[4 + 4 * dims:4 + 4 * dims + count * per_item]
    return header + body


def main():
    source, target, train, test = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(target, exist_ok=True)
    for name, count in (("train-images-idx3-ubyte", train), ("train-labels-idx1-ubyte", train),
                        ("t10k-images-idx3-ubyte", test), ("t10k-labels-idx1-ubyte", test)):
        with gzip.open(os.path.join(target, name + ".gz"), "wb") as f:
            f.write(subset(read(os.path.join(source, name)), count))


if __name__ == "__main__":
    main()
