import ConvLabCore

/// Murugan's losses between a prediction ŷ = x and a target y (`--target`, shaped like x), over
/// all t = numel(x) entries (Murugan §2.5):
/// - `mse` (1/t) Σ (y − ŷ)² (Murugan (2.4));  `msle` (1/t) Σ (log(y + 1) − log(ŷ + 1))² (Murugan (2.5));
/// - `l2` Σ (y − ŷ)² (Murugan (2.6));  `l1` Σ |y − ŷ| (Murugan (2.7));  `mae` (1/t) Σ |y − ŷ| (Murugan (2.8));
/// - `mape` (100/t) Σ |(y − ŷ)/y| (Murugan (2.9));
/// - `bce` −(1/t) Σ (y log ŷ + (1 − y) log(1 − ŷ)) (Murugan (2.14)).
// Murugan (2.5) prints log(ŷ − 1); MSLE is defined with log(ŷ + 1), as for y.
// Murugan §2.5.3 calls L2 "the square root of the L2 norm" but Murugan (2.6) has no root; Murugan (2.6) is used.
public struct RegressionLoss: Block {
  public enum Kind: String, CaseIterable, Sendable { case mse, msle, l2, l1, mae, mape, bce }

  public var kind: Kind
  public init(kind: Kind) { self.kind = kind }

  public var name: String { "loss" }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    guard let y = p.target else { throw ConvLabError.missingInput(block: "the \(kind.rawValue) loss", inputs: ["target"], what: "a target shaped like x: \(x)") }
    guard y.shape == x else { throw ConvLabError("the target has shape \(y.shape) but x has \(x).") }
    switch kind {
    case .msle:
      guard y.storage.allSatisfy({ $0 > -1 }) else { throw ConvLabError("msle needs targets greater than −1 (log(y + 1)).") }
    case .mape:
      guard y.storage.allSatisfy({ $0 != 0 }) else { throw ConvLabError("mape divides by the target, so no target may be 0 (Murugan §2.5.6).") }
    case .bce:
      guard y.storage.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { throw ConvLabError("bce needs targets between 0 and 1.") }
    default: break
    }
    return Shape(1, 1)
  }

  public func structure(wrt v: Variable) -> String { "one row: ∂ℓ/∂ŷ entry by entry (Murugan (3.25)–(3.27))" }

  /// ℓ(ŷ, y) for one entry (before the 1/t factor) and ∂ℓ/∂ŷ.
  func entry<S: Scalar>(_ yhat: S, _ y: S) -> (S, S) {
    switch kind {
    case .mse, .l2: return ((y - yhat) * (y - yhat), -2 * (y - yhat))
    case .msle:
      let d = S.log(y + 1) - S.log(yhat + 1)
      return (d * d, -2 * d / (yhat + 1))
    case .l1, .mae: return (Swift.abs(y - yhat), yhat > y ? 1 : (yhat < y ? -1 : 0))
    case .mape:
      let r = (y - yhat) / y
      // d|r|/dŷ = sign(r) · dr/dŷ = −sign(r)/y.
      return (100 * Swift.abs(r), (r > 0 ? -100 : (r < 0 ? 100 : 0)) / y)
    case .bce: return (-(y * S.log(yhat) + (1 - y) * S.log(1 - yhat)), -(y / yhat - (1 - y) / (1 - yhat)))
    }
  }

  /// 1/t for the mean losses, 1 for the sums.
  func scale<S: Scalar>(_ count: Int) -> S { [.l2, .l1].contains(kind) ? 1 : 1 / S(count) }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    _ = try outputShape(x.shape, p)
    guard let y = p.target else { throw ConvLabError.missingInput(block: "the \(kind.rawValue) loss", inputs: ["target"], what: "") }
    let total = zip(x.storage, y.storage).reduce(S(0)) { $0 + entry($1.0, $1.1).0 }
    return Tensor(shape: Shape(1, 1), storage: [scale(x.count) * total])
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    _ = try outputShape(x.shape, p)
    try requireDzdy(dzdy, Shape(1, 1))
    guard let y = p.target else { throw ConvLabError.missingInput(block: "the \(kind.rawValue) loss", inputs: ["target"], what: "") }
    let factor: S = dzdy.storage[0] * scale(x.count)
    return Gradients(dzdx: Tensor(shape: x.shape, storage: zip(x.storage, y.storage).map { factor * entry($0, $1).1 }))
  }

  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> { try forward(x, p) }

  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard v == .x else { throw ConvLabError("the \(kind.rawValue) loss is differentiated with respect to x.") }
    let g = try backward(x, p, Tensor(shape: Shape(1, 1), storage: [1])).dzdx
    return Matrix(rows: 1, cols: x.count, storage: g.storage)
  }
}
