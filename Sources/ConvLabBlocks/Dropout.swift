import ConvLabCore

/// Dropout (MatConvNet vl_nndropout): y = x ∘ m / (1 − rate) with a 0/1 keep mask m, so the
/// expected output equals x. The mask is given (`--mask`) or drawn from a seed; a given mask is
/// what makes forward and backward use the same units.
public struct Dropout: Block {
  public var rate: Double
  public var seed: UInt64

  public init(rate: Double = 0.5, seed: UInt64 = 1) {
    self.rate = rate
    self.seed = seed
  }

  public var name: String { "dropout" }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    guard rate >= 0, rate < 1 else { throw ConvLabError.outOfRange(subject: "dropout", setting: "rate", value: "\(rate)", allowed: "in [0, 1)") }
    if let m = p.mask {
      guard m.shape == x else { throw ConvLabError("the dropout mask has shape \(m.shape) but x has \(x).") }
      guard m.storage.allSatisfy({ $0 == 0 || $0 == 1 }) else { throw ConvLabError("the dropout mask must hold only 0 (dropped) and 1 (kept).") }
    }
    return x
  }

  public func structure(wrt v: Variable) -> String { "diagonal diag(m)/(1 − rate)" }

  /// The mask in use: the given one, or a seeded draw keeping each unit with probability 1 − rate.
  public func mask<S: Scalar>(_ shape: Shape, _ p: Parameters<S>) -> Tensor<S> {
    if let m = p.mask { return m }
    var rng = SeededGenerator(seed: seed)
    return Tensor(shape: shape, storage: (0..<shape.count).map { _ in Double.random(in: 0..<1, using: &rng) < rate ? 0 : 1 })
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    _ = try outputShape(x.shape, p)
    let scale = 1 / (1 - S(rate))
    return x.zipWith(mask(x.shape, p)) { $0 * $1 * scale }
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    try requireDzdy(dzdy, x.shape)
    return Gradients(dzdx: try forward(dzdy, p))
  }

  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    let j = try jacobian(at: x, p, wrt: .x)
    return Tensor(shape: x.shape, storage: (j * Matrix(rows: x.count, cols: 1, storage: x.storage)).storage)
  }

  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard v == .x else { throw ConvLabError("dropout has no parameters; differentiate with respect to x.") }
    _ = try outputShape(x.shape, p)
    try JacobianBudget.check(rows: x.count, cols: x.count)
    let m = mask(x.shape, p)
    var j = Matrix<Double>(rows: x.count, cols: x.count)
    for k in 0..<x.count { j[k, k] = m.storage[k] / (1 - rate) }
    return j
  }
}
