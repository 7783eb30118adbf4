"""What the JAX and PyTorch benchmark scripts share with `convlab bench`: the performance issue's
conv shapes and Xu's S2→C3 connection table for LeNet-5."""

SHAPES = [  # name, N, H, W, D, K, FH, FW, stride, pad
    ("LeNet C1", 64, 32, 32, 1, 6, 5, 5, 1, 0),
    ("LeNet C3", 64, 14, 14, 6, 16, 5, 5, 1, 0),
    ("Milisavljevic", 100, 14, 14, 64, 64, 3, 3, 1, 1),
    ("VGG-like", 8, 56, 56, 64, 128, 3, 3, 1, 1),
    ("mid 3×3", 32, 28, 28, 128, 128, 3, 3, 1, 1),
    ("stem 7×7 s2", 16, 112, 112, 3, 64, 7, 7, 2, 3),
]

LENET_TABLE = [  # Xu Table 1: rows = S2 maps 1–6, columns = C3 maps 1–16
    "X...XXX..XXXX.XX",
    "XX...XXX..XXXX.X",
    "XXX...XXX..X.XXX",
    ".XXX..XXXX..X.XX",
    "..XXX..XXXX.XX.X",
    "...XXX..XXXX.XXX",
]
