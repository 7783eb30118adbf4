import ConvLabCore

/// MatConvNet's losses and errors (§4.6, §6.6; vl_nnloss), summed over pixels and images into
/// a scalar z.
///
/// Multi-class kinds take 1-based labels c ∈ {1…D}, one per pixel (H×W×1×N) or one per image (any shape with N elements):
/// - `log` z = −Σ log x_c (x holds probabilities; §4.6.1);
/// - `softmaxlog` z = −Σ (x_c − log Σ_k e^{x_k}) (§4.6.2);
/// - `mhinge` z = Σ max{0, 1 − x_c} (multi-class hinge);
/// - `mshinge` z = Σ max{0, 1 − x_c + max_{k≠c} x_k} (multi-class structured hinge);
/// - `classerror` z = Σ [argmax_k x_k ≠ c] and `topkerror` z = Σ [c not among the K largest]
///   (forward only: piecewise constant).
/// Binary kinds take labels c ∈ {−1, +1} shaped like x:
/// - `binarylog` z = −Σ log(c(x − ½) + ½) (x a probability); `logistic` z = Σ log(1 + e^{−cx});
/// - `hinge` z = Σ max{0, 1 − cx}; `binaryerror` z = Σ [sign x ≠ c] (forward only).
public struct Loss: Block {
  public enum Kind: String, CaseIterable, Sendable {
    case log, softmaxlog, mhinge, mshinge, classerror, topkerror, binarylog, logistic, hinge, binaryerror

    /// Binary kinds label every entry with ±1.
    public var isBinary: Bool { [.binarylog, .logistic, .hinge, .binaryerror].contains(self) }
    /// Errors count mistakes: no derivative.
    public var isForwardOnly: Bool { [.classerror, .topkerror, .binaryerror].contains(self) }
  }

  public var kind: Kind
  public var topK: Int

  public init(kind: Kind = .softmaxlog, topK: Int = 5) {
    self.kind = kind
    self.topK = topK
  }

  public var name: String { "loss" }

  public func variables<S: Scalar>(_ p: Parameters<S>) -> [Variable] { kind.isForwardOnly ? [] : [.x] }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    _ = try labels(x, p)
    if kind == .topkerror, topK < 1 { throw ConvLabError.outOfRange(subject: "topkerror", setting: "topk", value: "\(topK)", allowed: "≥ 1") }
    return Shape(1, 1)
  }

  public func structure(wrt v: Variable) -> String {
    switch kind {
    case .log: return "one row: −1/x_c at each pixel's labelled channel, 0 elsewhere (MatConvNet §6.6.1)"
    case .softmaxlog: return "one row: softmax(x) − e_c at each pixel (MatConvNet §6.6.2)"
    case .mhinge: return "one row: −1 at x_c where 1 − x_c > 0"
    case .mshinge: return "one row: −1 at x_c and +1 at the strongest other class where the margin is violated"
    case .binarylog: return "one row: −c/(c(x − ½) + ½)"
    case .logistic: return "one row: −c σ(−cx)"
    case .hinge: return "one row: −c where 1 − cx > 0"
    case .classerror, .topkerror, .binaryerror: return "none: a count of mistakes is piecewise constant"
    }
  }

  /// Labels per entry of x's pixel grid (multi-class, 0-based class) or per entry of x (binary, ±1).
  public func labels<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> [Int] {
    guard let c = p.labels else {
      throw ConvLabError.missingInput(
        block: kind.isBinary ? kind.rawValue : "loss", inputs: ["labels"],
        what: kind.isBinary ? "labels of ±1 shaped like x (\(x))" : "class labels, 1-based, one per image (N elements) or one per pixel (H×W×1×N)")
    }
    if kind.isBinary {
      guard c.shape == x else { throw ConvLabError("labels have shape \(c.shape) but \(kind.rawValue) needs them shaped like x (\(x)).") }
      guard c.storage.allSatisfy({ $0 == 1 || $0 == -1 }) else { throw ConvLabError("\(kind.rawValue) labels must be −1 or +1.") }
      return c.storage.map { Int($0) }
    }
    let perPixel = c.shape == Shape(x.h, x.w, 1, x.n)
    // One label per image may come in any shape with N elements (what np.save of a plain
    // vector writes), as MatConvNet's vl_nnloss accepts it.
    guard perPixel || c.count == x.n else {
      throw ConvLabError("labels have shape \(c.shape) (\(c.count) elements) but x is \(x); give one label per image (\(x.n) elements, any shape) or one per pixel (\(Shape(x.h, x.w, 1, x.n))).")
    }
    var out: [Int] = []
    for n in 0..<x.n {
      for j in 0..<x.w {
        for i in 0..<x.h {
          let v = perPixel ? c[i, j, 0, n] : c.storage[n]
          guard v == v.rounded(), v >= 1, v <= S(x.d) else {
            throw ConvLabError("label \(v) at pixel (\(i + 1), \(j + 1)) of image \(n + 1) is not a class between 1 and \(x.d).")
          }
          out.append(Int(v) - 1)
        }
      }
    }
    return out
  }

  /// The loss of one pixel's channel vector v with class c, and its gradient ∂ℓ/∂v.
  func pixel<S: Scalar>(_ v: [S], _ c: Int) -> (S, [S]) {
    var g = [S](repeating: 0, count: v.count)
    switch kind {
    case .log:
      g[c] = -1 / v[c]
      return (-S.log(v[c]), g)
    case .softmaxlog:
      let m = v.max() ?? 0
      let total = v.reduce(S(0)) { $0 + S.exp($1 - m) }
      for k in v.indices { g[k] = S.exp(v[k] - m) / total - (k == c ? 1 : 0) }
      return (-(v[c] - m - S.log(total)), g)
    case .mhinge:
      let margin = 1 - v[c]
      if margin > 0 { g[c] = -1 }
      return (Swift.max(0, margin), g)
    case .mshinge:
      var best = -S.infinity
      var arg = 0
      for k in v.indices where k != c && v[k] > best {
        best = v[k]
        arg = k
      }
      if v.count == 1 { best = 0 }
      let margin = 1 - v[c] + best
      if margin > 0 {
        g[c] = -1
        if v.count > 1 { g[arg] += 1 }
      }
      return (Swift.max(0, margin), g)
    case .classerror:
      let arg = v.indices.max { v[$0] < v[$1] } ?? 0
      return (arg == c ? 0 : 1, g)
    case .topkerror:
      let larger = v.indices.filter { v[$0] > v[c] }.count
      return (larger < topK ? 0 : 1, g)
    case .binarylog, .logistic, .hinge, .binaryerror:
      preconditionFailure("binary kinds are evaluated per entry")
    }
  }

  /// The loss of one entry x with label c = ±1, and its derivative.
  func entry<S: Scalar>(_ x: S, _ c: S) -> (S, S) {
    switch kind {
    case .binarylog:
      let q = c * (x - S(0.5)) + S(0.5)
      return (-S.log(q), -c / q)
    case .logistic:
      // log(1 + e^{−cx}) = softplus(−cx), evaluated without overflow.
      let t = -c * x
      let value = t > 0 ? t + S.log(1 + S.exp(-t)) : S.log(1 + S.exp(t))
      return (value, -c / (1 + S.exp(c * x)))
    case .hinge:
      let margin = 1 - c * x
      return (Swift.max(0, margin), margin > 0 ? -c : 0)
    case .binaryerror:
      let s: S = x > 0 ? 1 : -1
      return (s == c ? 0 : 1, 0)
    default:
      preconditionFailure("multi-class kinds are evaluated per pixel")
    }
  }

  /// z and dz/dx together.
  func evaluate<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> (S, Tensor<S>) {
    let c = try labels(x.shape, p)
    var z: S = 0
    var grad = Tensor<S>(shape: x.shape)
    if kind.isBinary {
      for k in 0..<x.count {
        let (v, g) = entry(x.storage[k], S(c[k]))
        z += v
        grad.storage[k] = g
      }
      return (z, grad)
    }
    let s = x.shape
    let stride = s.h * s.w
    for n in 0..<s.n {
      for pixel in 0..<stride {
        let base = s.index(0, 0, 0, n) + pixel
        let (v, g) = self.pixel((0..<s.d).map { x.storage[base + $0 * stride] }, c[n * stride + pixel])
        z += v
        for d in 0..<s.d { grad.storage[base + d * stride] = g[d] }
      }
    }
    return (z, grad)
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    if kind == .topkerror, topK < 1 { throw ConvLabError.outOfRange(subject: "topkerror", setting: "topk", value: "\(topK)", allowed: "≥ 1") }
    return Tensor(shape: Shape(1, 1), storage: [try evaluate(x, p).0])
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    guard !kind.isForwardOnly else { throw ConvLabError("\(kind.rawValue) counts mistakes and has no derivative; it is forward only.") }
    try requireDzdy(dzdy, Shape(1, 1))
    let g = dzdy.storage[0]
    return Gradients(dzdx: try evaluate(x, p).1.map { g * $0 })
  }

  /// The literal forward: softmaxlog and log without the max shift, the rest as defined.
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    guard kind == .softmaxlog || kind == .log else { return try forward(x, p) }
    let c = try labels(x.shape, p)
    let s = x.shape
    var z = 0.0
    for n in 0..<s.n {
      for j in 0..<s.w {
        for i in 0..<s.h {
          let label = c[n * s.h * s.w + j * s.h + i]
          switch kind {
          case .log: z -= Double.log(x[i, j, label, n])
          default: z -= x[i, j, label, n] - Double.log((0..<s.d).reduce(0) { $0 + Double.exp(x[i, j, $1, n]) })
          }
        }
      }
    }
    return Tensor(shape: Shape(1, 1), storage: [z])
  }

  /// The 1 × numel(x) Jacobian. For softmaxlog it is built from the literal softmax as
  /// softmax(x) − e_c (MatConvNet §6.6.2); for the others from the derivative formulas above.
  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard v == .x, !kind.isForwardOnly else { throw ConvLabError("\(kind.rawValue) has no Jacobian\(kind.isForwardOnly ? " (forward only)" : "; differentiate with respect to x").") }
    guard kind == .softmaxlog else { return Matrix(rows: 1, cols: x.count, storage: try evaluate(x, p).1.storage) }
    let c = try labels(x.shape, p)
    let s = x.shape
    let probabilities = try Softmax().literalForward(x, Parameters())
    var j = Matrix<Double>(rows: 1, cols: x.count)
    for n in 0..<s.n {
      for col in 0..<s.w {
        for row in 0..<s.h {
          let label = c[n * s.h * s.w + col * s.h + row]
          for d in 0..<s.d {
            let k = s.index(row, col, d, n)
            j[0, k] = probabilities.storage[k] - (d == label ? 1 : 0)
          }
        }
      }
    }
    return j
  }
}
