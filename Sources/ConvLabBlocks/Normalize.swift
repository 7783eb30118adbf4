import ConvLabCore
import ConvLabNotation

/// Local response normalization across channels (MatConvNet §4.5.1, §6.5.1):
/// y_{ijk} = x_{ijk} L_k^{−β}, L_k = κ + α Σ_{t∈G(k)} x²_{ijt}, with the window
/// G(k) = {max(1, k − ⌊(N−1)/2⌋), …, min(D, k + ⌈(N−1)/2⌉)} of N channels around k.
public struct Normalize: Block {
  public var depth: Int
  public var kappa: Double
  public var alpha: Double
  public var beta: Double

  public init(depth: Int = 5, kappa: Double = 2, alpha: Double = 1e-4, beta: Double = 0.75) {
    self.depth = depth
    self.kappa = kappa
    self.alpha = alpha
    self.beta = beta
  }

  public var name: String { "normalize" }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    guard depth >= 1, kappa > 0 || alpha > 0 else {
      throw ConvLabError.outOfRange(subject: "normalize", setting: "param", value: "N \(depth), κ \(kappa)", allowed: "N,kappa,alpha,beta with N ≥ 1 and κ > 0")
    }
    return x
  }

  public func structure(wrt v: Variable) -> String {
    "block-diagonal over pixels; each D×D block diag(L^{−β}) − 2αβ x xᵀ L^{−β−1} restricted to the windows G(k) (MatConvNet §6.5.1)"
  }

  /// The channels in G(k), 0-based.
  public func window(_ k: Int, channels: Int) -> ClosedRange<Int> {
    max(0, k - (depth - 1) / 2)...min(channels - 1, k + depth / 2)
  }

  /// L_k at every entry: κ + α Σ_{t∈G(k)} x²_t.
  func denominators<S: Scalar>(_ x: Tensor<S>) -> Tensor<S> {
    let s = x.shape
    let stride = s.h * s.w
    var l = Tensor<S>(shape: s)
    for n in 0..<s.n {
      for pixel in 0..<stride {
        let base = s.index(0, 0, 0, n) + pixel
        for k in 0..<s.d {
          var sum: S = 0
          for t in window(k, channels: s.d) {
            let v = x.storage[base + t * stride]
            sum += v * v
          }
          l.storage[base + k * stride] = S(kappa) + S(alpha) * sum
        }
      }
    }
    return l
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    _ = try outputShape(x.shape, p)
    let l = denominators(x)
    return x.zipWith(l) { $0 * S.pow($1, S(-beta)) }
  }

  /// dz/dx_d = dz/dy_d L_d^{−β} − 2αβ x_d Σ_{k: d∈G(k)} dz/dy_k L_k^{−β−1} x_k (MatConvNet §6.5.1).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    try requireDzdy(dzdy, x.shape)
    let l = denominators(x)
    let s = x.shape
    let stride = s.h * s.w
    var dx = Tensor<S>(shape: s)
    for n in 0..<s.n {
      for pixel in 0..<stride {
        let base = s.index(0, 0, 0, n) + pixel
        for d in 0..<s.d {
          var sum: S = 0
          for k in 0..<s.d where window(k, channels: s.d).contains(d) {
            let e = base + k * stride
            sum += dzdy.storage[e] * S.pow(l.storage[e], S(-beta - 1)) * x.storage[e]
          }
          let e = base + d * stride
          dx.storage[e] = dzdy.storage[e] * S.pow(l.storage[e], S(-beta)) - S(2 * alpha * beta) * x.storage[e] * sum
        }
      }
    }
    return Gradients(dzdx: dx)
  }

  /// The window matrix G ∈ {0,1}^{D×D}, G_kt = [t ∈ G(k)].
  public func windowMatrix(channels: Int) -> Matrix<Double> {
    Matrix(rows: channels, cols: channels) { k, t in window(k, channels: channels).contains(t) ? 1 : 0 }
  }

  /// Per pixel: y = x ∘ (κ1 + α G (x ∘ x))^{∘(−β)} with the window matrix G.
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    _ = try outputShape(x.shape, p)
    let s = x.shape
    let g = windowMatrix(channels: s.d)
    var y = x
    for n in 0..<s.n {
      for col in 0..<s.w {
        for row in 0..<s.h {
          let v = Matrix<Double>(rows: s.d, cols: 1) { d, _ in x[row, col, d, n] }
          let l = g * (try hadamard(v, v))
          for d in 0..<s.d { y[row, col, d, n] = v[d, 0] * Double.pow(kappa + alpha * l[d, 0], -beta) }
        }
      }
    }
    return y
  }

  /// ∂y_k/∂x_t = δ_kt L_k^{−β} − 2αβ x_k x_t L_k^{−β−1} [t ∈ G(k)], at each pixel.
  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard v == .x else { throw ConvLabError("normalize has no parameters; differentiate with respect to x.") }
    try JacobianBudget.check(rows: x.count, cols: x.count)
    let l = denominators(x)
    let s = x.shape
    var j = Matrix<Double>(rows: x.count, cols: x.count)
    for n in 0..<s.n {
      for col in 0..<s.w {
        for row in 0..<s.h {
          for k in 0..<s.d {
            let a = s.index(row, col, k, n)
            j[a, a] += Double.pow(l.storage[a], -beta)
            for t in window(k, channels: s.d) {
              let b = s.index(row, col, t, n)
              j[a, b] -= 2 * alpha * beta * x.storage[a] * x.storage[b] * Double.pow(l.storage[a], -beta - 1)
            }
          }
        }
      }
    }
    return j
  }
}
