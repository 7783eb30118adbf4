"""Prints the folder of PyPI's NVRTC (the nvidia-cuda-nvrtc wheel), or exits 1 when it is not installed.

`make test` points CONVLAB_CUDA_LIB_PATH at it so that every CUDA kernel is compiled by NVRTC
in the tests (PTX needs no GPU)."""
import os
import sys

try:
    import nvidia
except ImportError:
    sys.exit(1)
for root in list(nvidia.__path__):
    for sub in ("cu13", "cuda_nvrtc"):
        folder = os.path.join(root, sub, "lib")
        if any(name.startswith("libnvrtc.so.") for name in (os.listdir(folder) if os.path.isdir(folder) else [])):
            print(folder)
            sys.exit(0)
sys.exit(1)
