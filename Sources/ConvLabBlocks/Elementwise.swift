import ConvLabCore

/// A block that acts entry by entry, y = f(x): its Jacobian is diag(f′(x)) (MatConvNet §6.4).
///
/// Conforming blocks give f and f′ once; forward, backward and the literal diagonal Jacobian
/// follow from them.
public protocol ElementwiseBlock: StructuredJacobianBlock {
  func value<S: Scalar>(_ x: S) -> S
  func derivative<S: Scalar>(_ x: S) -> S
}

extension ElementwiseBlock {
  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape { x }

  /// y = f(x); conforming blocks call this from their own (pre-specialized) `forward`. One
  /// pass: y is written once, straight from x (not copied from x and then overwritten).
  @inline(__always)
  public func elementwiseForward<S: Scalar>(_ x: Tensor<S>) -> Tensor<S> {
    Tensor(shape: x.shape) { out in
      x.storage.withUnsafeBufferPointer { xb in
        guard let source = SendableRef(xb), let target = SendableRef(out) else { return }
        Parallel.forEachRange(out.count) { range in for k in range { target.pointer[k] = value(source.pointer[k]) } }
      }
    }
  }

  /// dz/dx = dz/dy ∘ f′(x); conforming blocks call this from their own `backward`.
  @inline(__always)
  public func elementwiseBackward<S: Scalar>(_ x: Tensor<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    try requireDzdy(dzdy, x.shape)
    let dx = Tensor<S>(shape: x.shape) { out in
      x.storage.withUnsafeBufferPointer { xb in
        dzdy.storage.withUnsafeBufferPointer { gb in
          guard let xs = SendableRef(xb), let gs = SendableRef(gb), let target = SendableRef(out) else { return }
          Parallel.forEachRange(out.count) { range in for k in range { target.pointer[k] = gs.pointer[k] * derivative(xs.pointer[k]) } }
        }
      }
    }
    return Gradients(dzdx: dx)
  }

  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> { x.map(value) }

  /// diag(f′(x)), as the dense matrix (MatConvNet §6.4).
  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard v == .x else { throw ConvLabError("\(name) has no parameters; differentiate with respect to x.") }
    try JacobianBudget.check(rows: x.count, cols: x.count)
    return try structuredJacobian(at: x, p, wrt: v).matrix
  }

  /// diag(f′(x)) kept as its diagonal f′(x): what a 28×28×6 layer of LeNet can afford.
  public func structuredJacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> StructuredJacobian {
    guard v == .x else { throw ConvLabError("\(name) has no parameters; differentiate with respect to x.") }
    return .diagonal(x.storage.map { derivative($0) })
  }
}

// Each conforming struct repeats the two-line forward/backward below on purpose: a protocol
// extension's methods are generic over Self as well as S, so only a concrete type's own methods
// can carry @_specialize for Float and Double (without it, calls through `any Block` ran 100×
// slower, see README "Performance").

/// ReLU with optional leak: y = max(x, 0) + leak·min(x, 0) (MatConvNet §4.4, §6.4.1; Murugan
/// Table 1 ReLU and leaky ReLU). Its Jacobian is diag(s) with s = 1{x > 0} + leak·1{x ≤ 0}.
public struct ReLU: ElementwiseBlock {
  public var leak: Double
  public init(leak: Double = 0) { self.leak = leak }
  public var name: String { "relu" }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> { elementwiseForward(x) }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    try elementwiseBackward(x, dzdy)
  }
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func value<S: Scalar>(_ x: S) -> S { x > 0 ? x : S(leak) * x }
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func derivative<S: Scalar>(_ x: S) -> S { x > 0 ? 1 : S(leak) }
  public func structure(wrt v: Variable) -> String { "diagonal diag(s), s = 1{x > 0} (+ leak·1{x ≤ 0}) (MatConvNet §6.4.1)" }
}

/// Sigmoid y = σ(x) = 1/(1 + e^{−x}) (MatConvNet §6.4.2, Murugan Table 1). Its Jacobian is
/// diag(y ∘ (1 − y)).
// Murugan Table 1 prints f(1−f)² as the derivative; the derivative is f(1−f).
public struct Sigmoid: ElementwiseBlock {
  public init() {}
  public var name: String { "sigmoid" }

  /// Float32 takes `FastSigmoid`'s polynomial e^x, vectorized, with AVX2 + FMA where the CPU
  /// has them (libm's expf is a call per element that the compiler cannot vectorize; it made
  /// sigmoid exp-bound at 12% of memory bandwidth).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    if let single = S.singlePrecision { return single.result(FastSigmoid.sigmoid(single.tensor(x))) }
    return elementwiseForward(x)
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    if let single = S.singlePrecision {
      try requireDzdy(dzdy, x.shape)
      return Gradients(dzdx: single.result(FastSigmoid.sigmoidBackward(single.tensor(x), single.tensor(dzdy))))
    }
    return try elementwiseBackward(x, dzdy)
  }
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func value<S: Scalar>(_ x: S) -> S { 1 / (1 + S.exp(-x)) }
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func derivative<S: Scalar>(_ x: S) -> S {
    // σ(1 − σ); for x ≥ 0, 1 − σ = e^{−x}σ keeps the relative accuracy that 1 − σ loses once σ
    // rounds to 1 (x ≳ 37 in Double).
    let e = S.exp(-x)
    let y = 1 / (1 + e)
    return x >= 0 ? e * y * y : y * (1 - y)
  }
  public func structure(wrt v: Variable) -> String { "diagonal diag(y ∘ (1 − y)) (MatConvNet §6.4.2)" }
}

/// Hyperbolic tangent y = tanh x (Murugan Table 1); Jacobian diag(1 − y²).
public struct Tanh: ElementwiseBlock {
  public init() {}
  public var name: String { "tanh" }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> { elementwiseForward(x) }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    try elementwiseBackward(x, dzdy)
  }
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func value<S: Scalar>(_ x: S) -> S { S.tanh(x) }
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func derivative<S: Scalar>(_ x: S) -> S {
    let y = S.tanh(x)
    return 1 - y * y
  }
  public func structure(wrt v: Variable) -> String { "diagonal diag(1 − y²) (Murugan Table 1)" }
}
