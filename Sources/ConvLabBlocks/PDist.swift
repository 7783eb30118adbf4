import ConvLabCore

/// The p-distance between x and a target x̄ at every pixel (MatConvNet §4.6.3, §6.6.3):
/// y_ij = (Σ_d |x_ijd − x̄_ijd|^p)^{1/p}, or without the root (`noroot`). Output H×W×1×N.
public struct PDist: Block {
  public var p: Double
  public var noRoot: Bool

  public init(p: Double = 2, noRoot: Bool = false) {
    self.p = p
    self.noRoot = noRoot
  }

  public var name: String { "pdist" }

  public func outputShape<S: Scalar>(_ x: Shape, _ q: Parameters<S>) throws -> Shape {
    guard let t = q.target else { throw ConvLabError.missingInput(block: "pdist", inputs: ["target"], what: "a target x̄ shaped like x: \(x)") }
    guard t.shape == x else { throw ConvLabError("the pdist target has shape \(t.shape) but x has \(x).") }
    guard p > 0 else { throw ConvLabError.outOfRange(subject: "pdist", setting: "p", value: "\(p)", allowed: "> 0") }
    return Shape(x.h, x.w, 1, x.n)
  }

  public func structure(wrt v: Variable) -> String {
    "one row per pixel: |x − x̄|^{p−1} sign(x − x̄) / y^{p−1} on that pixel's channels (p·|·|^{p−1} sign without the root; MatConvNet §6.6.3)"
  }

  /// Σ_d |x − x̄|^p at every pixel.
  func powerSums<S: Scalar>(_ x: Tensor<S>, _ t: Tensor<S>) -> Tensor<S> {
    Tensor(shape: Shape(x.shape.h, x.shape.w, 1, x.shape.n)) { i, j, _, n in
      (0..<x.shape.d).reduce(S(0)) { $0 + S.pow(Swift.abs(x[i, j, $1, n] - t[i, j, $1, n]), S(p)) }
    }
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ q: Parameters<S>) throws -> Tensor<S> {
    _ = try outputShape(x.shape, q)
    guard let t = q.target else { throw ConvLabError.missingInput(block: "pdist", inputs: ["target"], what: "") }
    let sums = powerSums(x, t)
    return noRoot ? sums : sums.map { S.pow($0, 1 / S(p)) }
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ q: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    let y = try forward(x, q)
    try requireDzdy(dzdy, y.shape)
    guard let t = q.target else { throw ConvLabError.missingInput(block: "pdist", inputs: ["target"], what: "") }
    let dx = Tensor<S>(shape: x.shape) { i, j, d, n in
      let diff = x[i, j, d, n] - t[i, j, d, n]
      let g = dzdy[i, j, 0, n] * S.pow(Swift.abs(diff), S(p - 1)) * (diff > 0 ? 1 : (diff < 0 ? -1 : 0))
      return noRoot ? S(p) * g : g / S.pow(y[i, j, 0, n], S(p - 1))
    }
    return Gradients(dzdx: dx)
  }

  public func literalForward(_ x: Tensor<Double>, _ q: Parameters<Double>) throws -> Tensor<Double> {
    try forward(x, q)
  }

  public func jacobian(at x: Tensor<Double>, _ q: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard v == .x else { throw ConvLabError("pdist is differentiated with respect to x.") }
    let y = try forward(x, q)
    guard let t = q.target else { throw ConvLabError.missingInput(block: "pdist", inputs: ["target"], what: "") }
    try JacobianBudget.check(rows: y.count, cols: x.count)
    var j = Matrix<Double>(rows: y.count, cols: x.count)
    for n in 0..<x.shape.n {
      for col in 0..<x.shape.w {
        for row in 0..<x.shape.h {
          let r = y.shape.index(row, col, 0, n)
          for d in 0..<x.shape.d {
            let diff = x[row, col, d, n] - t[row, col, d, n]
            let g = Double.pow(abs(diff), p - 1) * (diff > 0 ? 1 : (diff < 0 ? -1 : 0))
            j[r, x.shape.index(row, col, d, n)] = noRoot ? p * g : g / Double.pow(y.storage[r], p - 1)
          }
        }
      }
    }
    return j
  }
}
