import CConvLabSupport
import ConvLabCore

/// The Float32 sigmoid and its derivative, on the cores. The element-wise kernel is C
/// (`CConvLabSupport/sigmoid.c`): it is compute-bound — e^x is a polynomial of about 20
/// operations per entry — and C can compile it twice, for baseline x86-64 and for AVX2 + FMA,
/// and choose at run time, which Swift cannot do for one function. On this project's machine the
/// AVX2 version takes 64×64×64×16 entries from 4.6 ms (Swift SIMD on SSE2) to the memory's pace.
public enum FastSigmoid {
  /// Which compilation of the kernel runs on this CPU ("avx2+fma" or "baseline").
  public static var variant: String { String(cString: convlab_sigmoid_variant()) }

  /// σ(x) = 1/(1 + e^{−x}) for every entry; `baseline` forces the SSE2 compilation (for tests).
  public static func sigmoid(_ x: Tensor<Float>, baseline: Bool = false) -> Tensor<Float> {
    Tensor(shape: x.shape) { ys in
      x.storage.withUnsafeBufferPointer { xs in
        guard let xr = SendableRef(xs), let yr = SendableRef(ys) else { return }
        Parallel.forEachRange(xs.count) { range in
          convlab_sigmoid_f32(xr.pointer + range.lowerBound, yr.pointer + range.lowerBound, range.count, baseline ? 1 : 0)
        }
      }
    }
  }

  /// dz/dx = dz/dy ∘ σ(x)(1 − σ(x)), computed as dz/dy ∘ e^{−x} σ(x)² so that it keeps its
  /// relative accuracy where σ(x) rounds to 1 in Float32 (x ≳ 9).
  public static func sigmoidBackward(_ x: Tensor<Float>, _ g: Tensor<Float>, baseline: Bool = false) -> Tensor<Float> {
    Tensor(shape: x.shape) { ds in
      x.storage.withUnsafeBufferPointer { xs in
        g.storage.withUnsafeBufferPointer { gs in
          guard let xr = SendableRef(xs), let gr = SendableRef(gs), let dr = SendableRef(ds) else { return }
          Parallel.forEachRange(xs.count) { range in
            let start = range.lowerBound
            convlab_sigmoid_backward_f32(xr.pointer + start, gr.pointer + start, dr.pointer + start, range.count, baseline ? 1 : 0)
          }
        }
      }
    }
  }
}
