import ConvLabCore

/// The bias of conv, convt and dense-like blocks: b_k added to every pixel of channel k, and its
/// gradient dz/db_k = Σ over pixels and images of dz/dy (Xu (9)–(10): "the sum of all the
/// elements in error δ").
enum ChannelBias {
  /// y[:, :, k, n] += b_k.
  @inline(__always)
  static func add<S: Scalar>(_ b: Tensor<S>, to y: inout Tensor<S>) {
    let s = y.shape
    let pixels = s.h * s.w
    y.storage.withUnsafeMutableBufferPointer { yp in
      for n in 0..<s.n {
        for k in 0..<s.d {
          let start = s.index(0, 0, k, n)
          let value = b.storage[k]
          for i in start..<start + pixels { yp[i] += value }
        }
      }
    }
  }

  /// Σ_{i,j,n} dz/dy[i, j, k, n], shaped like b.
  @inline(__always)
  static func gradient<S: Scalar>(_ dzdy: Tensor<S>, shape: Shape) -> Tensor<S> {
    let s = dzdy.shape
    let pixels = s.h * s.w
    var sums = Tensor<S>(shape: shape)
    dzdy.storage.withUnsafeBufferPointer { gp in
      for n in 0..<s.n {
        for k in 0..<s.d {
          let start = s.index(0, 0, k, n)
          var total: S = 0
          for i in start..<start + pixels { total += gp[i] }
          sums.storage[k] += total
        }
      }
    }
    return sums
  }
}
