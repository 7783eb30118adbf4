import ConvLabCore
import ConvLabNotation

/// Convolution by direct loops over MatConvNet §4.1's sum (no im2row, no BLAS): the "naive"
/// baseline of `convlab bench`, and a reference that shares no code with `Conv`.
public enum DirectConvolution {
  /// y_{i″j″k n} = Σ_{i′ j′ d} f_{i′j′dk} x_{S i″ + i′ − P, S j″ + j′ − P, d, n} (0-based), single group, no bias.
  public static func forward<S: Scalar>(_ x: Tensor<S>, _ f: Tensor<S>, stride: Int, pad: Int) throws -> Tensor<S> {
    let geometry = FilterGeometry(kh: f.shape.h, kw: f.shape.w, stride: (stride, stride), pad: [pad, pad, pad, pad])
    let (outH, outW) = try geometry.outputSize(h: x.shape.h, w: x.shape.w)
    guard f.shape.d == x.shape.d else { throw ConvLabError("the filter depth \(f.shape.d) must equal the input depth \(x.shape.d).") }
    var y = Tensor<S>(shape: Shape(outH, outW, f.shape.n, x.shape.n))
    x.storage.withUnsafeBufferPointer { xp in
      f.storage.withUnsafeBufferPointer { fp in
        y.storage.withUnsafeMutableBufferPointer { yp in
          for n in 0..<x.shape.n {
            for k in 0..<f.shape.n {
              for j in 0..<outW {
                for i in 0..<outH {
                  var sum: S = 0
                  for d in 0..<x.shape.d {
                    for q in 0..<f.shape.w {
                      let c = stride * j + q - pad
                      if c < 0 || c >= x.shape.w { continue }
                      for p in 0..<f.shape.h {
                        let r = stride * i + p - pad
                        if r < 0 || r >= x.shape.h { continue }
                        sum += fp[f.shape.index(p, q, d, k)] * xp[x.shape.index(r, c, d, n)]
                      }
                    }
                  }
                  yp[y.shape.index(i, j, k, n)] = sum
                }
              }
            }
          }
        }
      }
    }
    return y
  }
}
