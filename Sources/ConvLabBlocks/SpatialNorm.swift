import ConvLabCore

/// Spatial normalization (MatConvNet §4.5.3, §6.5.3): each channel is divided by the local
/// energy n² = average of x² over an H′×W′ neighbourhood,
/// y = x (1 + α n²)^{−β}.
///
/// n² is average pooling of x² with top padding ⌊(H′−1)/2⌋ and bottom padding
/// H′ − ⌊(H′−1)/2⌋ − 1, dividing by the in-bounds count at the borders.
// MatConvNet §6.5.3 prints the bottom padding as H′ − ⌊(H−1)/2⌋ − 1 (H, the input height);
// only H′ keeps the output the size of the input.
public struct SpatialNorm: Block {
  public var size: (Int, Int)
  public var alpha: Double
  public var beta: Double

  public init(size: (Int, Int) = (3, 3), alpha: Double = 1, beta: Double = 0.5) {
    self.size = size
    self.alpha = alpha
    self.beta = beta
  }

  public var name: String { "spnorm" }

  /// The average pooling that computes n².
  public var energyPool: Pool {
    let top = (size.0 - 1) / 2
    let left = (size.1 - 1) / 2
    return Pool(method: .avg, size: size, pad: [top, size.0 - top - 1, left, size.1 - left - 1])
  }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    guard size.0 >= 1, size.1 >= 1 else { throw ConvLabError.outOfRange(subject: "spnorm", setting: "param", value: "PH \(size.0), PW \(size.1)", allowed: "PH,PW,alpha,beta with positive PH and PW") }
    let pooled = try energyPool.outputShape(x, p)
    precondition(pooled == x, "spnorm padding keeps the size")
    return x
  }

  public func structure(wrt v: Variable) -> String {
    "per channel: diag((1 + αn²)^{−β}) − 2αβ diag(x (1 + αn²)^{−β−1}) A diag(x), A the averaging matrix of the neighbourhood (MatConvNet §6.5.3)"
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    _ = try outputShape(x.shape, p)
    let n2 = try energyPool.forward(x.map { $0 * $0 }, Parameters())
    return x.zipWith(n2) { $0 * S.pow(1 + S(alpha) * $1, S(-beta)) }
  }

  /// dz/dx = dz/dy (1 + αn²)^{−β} − 2αβ x · pool*(η), η = dz/dy (1 + αn²)^{−β−1} x, where pool* is
  /// the backward pass of the averaging pool (MatConvNet §6.5.3).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    try requireDzdy(dzdy, x.shape)
    let squares = x.map { $0 * $0 }
    let n2 = try energyPool.forward(squares, Parameters())
    var eta = Tensor<S>(shape: x.shape)
    for k in 0..<x.count { eta.storage[k] = dzdy.storage[k] * S.pow(1 + S(alpha) * n2.storage[k], S(-beta - 1)) * x.storage[k] }
    let routed = try energyPool.backward(squares, Parameters(), eta).dzdx
    var dx = Tensor<S>(shape: x.shape)
    for k in 0..<x.count {
      dx.storage[k] = dzdy.storage[k] * S.pow(1 + S(alpha) * n2.storage[k], S(-beta)) - S(2 * alpha * beta) * x.storage[k] * routed.storage[k]
    }
    return Gradients(dzdx: dx)
  }

  /// n² = A vec(x ∘ x) with the literal averaging matrix A of the pool.
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    _ = try outputShape(x.shape, p)
    let squares = x.map { $0 * $0 }
    let n2 = try energyPool.poolingMatrix(at: squares) * Matrix(rows: x.count, cols: 1, storage: squares.storage)
    return Tensor(shape: x.shape, storage: (0..<x.count).map { x.storage[$0] * Double.pow(1 + alpha * n2.storage[$0], -beta) })
  }

  /// J = diag((1 + αn²)^{−β}) − 2αβ diag(x ∘ (1 + αn²)^{−β−1}) A diag(x).
  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard v == .x else { throw ConvLabError("spnorm has no parameters; differentiate with respect to x.") }
    _ = try outputShape(x.shape, p)
    let squares = x.map { $0 * $0 }
    let a = try energyPool.poolingMatrix(at: squares)
    let n2 = a * Matrix(rows: x.count, cols: 1, storage: squares.storage)
    var j = Matrix<Double>(rows: x.count, cols: x.count)
    for r in 0..<x.count {
      let scale = 2 * alpha * beta * x.storage[r] * Double.pow(1 + alpha * n2.storage[r], -beta - 1)
      for c in 0..<x.count where a[r, c] != 0 { j[r, c] -= scale * a[r, c] * x.storage[c] }
      j[r, r] += Double.pow(1 + alpha * n2.storage[r], -beta)
    }
    return j
  }
}
