#!/usr/bin/env python3
"""How fast can the im2row + GEMM decomposition be on this GPU? Times, with PyTorch's cuBLAS
and strict FP32 (TF32 off), the GEMMs that ConvLab's CUDA conv issues for each bench shape, in
the orientations and batchings a design could choose, and a device copy of the im2row matrix's
size (the floor for the im2row kernel). Used to decide the CUDA conv's layout (README, issue 8).

    python3 Benchmarks/cublas_shapes.py

Column-major (ConvLab) versus row-major (PyTorch): a column-major m×n matrix is a row-major
n×m one, so ConvLab's C = A·B (m×k times k×n, column-major) is PyTorch's Cᵀ = Bᵀ·Aᵀ.
"""
import torch

from lenet import SHAPES


def median_us(fn, repeats=31, warmup=5):
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
        times.append(start.elapsed_time(end) * 1e3)
    return sorted(times)[len(times) // 2]


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda")
    print(f"{torch.cuda.get_device_name()}, PyTorch {torch.__version__}, strict FP32; µs, median of 31")
    for (name, n, h, w, d, k, fh, fw, s, p) in SHAPES:
        oh, ow = (h + 2 * p - fh) // s + 1, (w + 2 * p - fw) // s + 1
        area, q = oh * ow, fh * fw * d
        rows = n * area
        gflop = 2.0 * rows * q * k / 1e9
        # Column-major names: phi is rows×q, F is q×k, Y is rows×k.
        phi_t = torch.randn(q, rows, device=dev)          # = column-major phi (rows×q)
        f_t = torch.randn(k, q, device=dev)               # = column-major F (q×k)
        dy_t = torch.randn(k, rows, device=dev)           # = column-major dY (rows×k)
        phi_rm = torch.randn(rows, q, device=dev)         # = column-major phiᵀ (q×rows): tap-fastest im2col
        batched_phi_t = torch.randn(n, q, area, device=dev)  # per-image column-major area×q blocks
        batched_dy_t = torch.randn(n, k, area, device=dev)
        copy_src, copy_dst = torch.randn(rows * q, device=dev), torch.empty(rows * q, device=dev)
        out = {}
        # PyTorch computes a row-major product; each line says which column-major GEMM that is.
        out["Y = phi·F           (NN)"] = median_us(lambda: torch.mm(f_t, phi_t))
        out["Y = (phiᵀ)ᵀ·F       (TN, tap-fastest phi)"] = median_us(lambda: torch.mm(f_t, phi_rm.t()))
        out["Yᵀ = Fᵀ·phiᵀ        (TN, k-fastest Y)"] = median_us(lambda: torch.mm(phi_rm, f_t.t()))
        out["Y_img = phi_img·F   (batched over images)"] = median_us(lambda: torch.matmul(f_t, batched_phi_t))
        out["dF = phiᵀ·dY        (TN)"] = median_us(lambda: torch.mm(dy_t, phi_t.t()))
        out["dF_img partials     (batched)"] = median_us(lambda: torch.bmm(batched_dy_t, batched_phi_t.transpose(1, 2)))
        out["dPhi = dY·Fᵀ        (NT)"] = median_us(lambda: torch.mm(f_t.t(), dy_t))
        out["dPhi_img = dY_img·Fᵀ (batched)"] = median_us(lambda: torch.matmul(f_t.t(), batched_dy_t))
        out[f"copy of phi ({rows * q * 4 / 2**20:.0f} MiB)"] = median_us(lambda: copy_dst.copy_(copy_src))
        print(f"\n{name}: rows {rows}, q {q}, k {k}, {gflop:.2f} GFLOP per GEMM")
        for label, us in out.items():
            rate = f"{gflop / us * 1e3:7.1f} TFLOP/s" if "copy" not in label else f"{2 * rows * q * 4 / us / 1e3:7.0f} GB/s"
            print(f"  {label:44} {us:8.1f}  {rate}")


if __name__ == "__main__":
    main()
