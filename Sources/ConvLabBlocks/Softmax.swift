import ConvLabCore

/// Softmax across channels at every pixel: y_{ijk} = e^{x_{ijk}} / Σ_t e^{x_{ijt}}
/// (MatConvNet §4.5.4, §6.5.4; Murugan Table 1). Computed after subtracting the channel maximum,
/// which leaves y unchanged and keeps e^x finite.
///
/// Per pixel the Jacobian is diag(y) − y yᵀ (MatConvNet §6.5.4).
public struct Softmax: Block {
  public init() {}
  public var name: String { "softmax" }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape { x }

  public func structure(wrt v: Variable) -> String {
    "block-diagonal over pixels, each block diag(y) − y yᵀ (MatConvNet §6.5.4); entries d apart in channel are H·W apart in vec order"
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    var y = x
    let s = x.shape
    let stride = s.h * s.w
    for n in 0..<s.n {
      for pixel in 0..<stride {
        let base = s.index(0, 0, 0, n) + pixel
        var m = -S.infinity
        for d in 0..<s.d { m = Swift.max(m, x.storage[base + d * stride]) }
        var total: S = 0
        for d in 0..<s.d {
          let e = S.exp(x.storage[base + d * stride] - m)
          y.storage[base + d * stride] = e
          total += e
        }
        for d in 0..<s.d { y.storage[base + d * stride] /= total }
      }
    }
    return y
  }

  /// dz/dx = y ∘ (dz/dy − ⟨dz/dy, y⟩) per pixel, i.e. (diag(y) − y yᵀ) dz/dy.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    try requireDzdy(dzdy, x.shape)
    let y = try forward(x, p)
    var dx = y
    let s = x.shape
    let stride = s.h * s.w
    for n in 0..<s.n {
      for pixel in 0..<stride {
        let base = s.index(0, 0, 0, n) + pixel
        var dot: S = 0
        for d in 0..<s.d { dot += dzdy.storage[base + d * stride] * y.storage[base + d * stride] }
        for d in 0..<s.d { dx.storage[base + d * stride] = y.storage[base + d * stride] * (dzdy.storage[base + d * stride] - dot) }
      }
    }
    return Gradients(dzdx: dx)
  }

  /// The literal forward: e^x divided by the channel sums, without the max shift.
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    let e = x.map { Double.exp($0) }
    let s = x.shape
    return Tensor(shape: s) { i, j, d, n in
      e[i, j, d, n] / (0..<s.d).reduce(0) { $0 + e[i, j, $1, n] }
    }
  }

  /// diag(y) − y yᵀ for each pixel, placed at the pixel's channel entries.
  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard v == .x else { throw ConvLabError("softmax has no parameters; differentiate with respect to x.") }
    try JacobianBudget.check(rows: x.count, cols: x.count)
    let y = try literalForward(x, p)
    let s = x.shape
    var j = Matrix<Double>(rows: x.count, cols: x.count)
    for n in 0..<s.n {
      for col in 0..<s.w {
        for row in 0..<s.h {
          let channel = Matrix<Double>(rows: s.d, cols: 1) { d, _ in y[row, col, d, n] }
          let block = Matrix<Double>(rows: s.d, cols: s.d) { a, b in a == b ? channel[a, 0] : 0 } - channel * channel.transposed
          for a in 0..<s.d { for b in 0..<s.d { j[s.index(row, col, a, n), s.index(row, col, b, n)] = block[a, b] } }
        }
      }
    }
    return j
  }
}
