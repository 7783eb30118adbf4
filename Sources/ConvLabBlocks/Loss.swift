import ConvLabCore

/// Classification losses with 1-based labels c (MatConvNet §4.6, §6.6), summed over pixels and
/// images into a scalar z:
/// - `log`: z = −Σ log x_c (x holds probabilities; MatConvNet §4.6.1);
/// - `softmaxlog`: z = −Σ (x_c − log Σ_k e^{x_k}) (§4.6.2, computed with the max shift).
/// Labels have shape H×W×1×N or 1×1×1×N (one label per image, broadcast over pixels).
public struct Loss: Block {
  public enum Kind: String, CaseIterable, Sendable { case log, softmaxlog }

  public var kind: Kind
  public init(kind: Kind = .softmaxlog) { self.kind = kind }

  public var name: String { "loss" }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    _ = try labels(x, p)
    return Shape(1, 1)
  }

  public func structure(wrt v: Variable) -> String {
    switch kind {
    case .log: return "one row: −1/x_c at each pixel's labelled channel, 0 elsewhere (MatConvNet §6.6.1)"
    case .softmaxlog: return "one row: softmax(x) − e_c at each pixel (MatConvNet §6.6.2)"
    }
  }

  /// The 0-based class of every pixel, validated.
  func labels<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> [Int] {
    guard let c = p.labels else { throw ConvLabError("loss needs class labels (--labels), 1-based, of shape H×W×1×N or 1×1×1×N.") }
    let perPixel = c.shape == Shape(x.h, x.w, 1, x.n)
    guard perPixel || c.shape == Shape(1, 1, 1, x.n) else {
      throw ConvLabError("labels have shape \(c.shape) but x is \(x); expected \(Shape(x.h, x.w, 1, x.n)) or \(Shape(1, 1, 1, x.n)).")
    }
    var out: [Int] = []
    for n in 0..<x.n {
      for j in 0..<x.w {
        for i in 0..<x.h {
          let v = perPixel ? c[i, j, 0, n] : c[0, 0, 0, n]
          guard v == v.rounded(), v >= 1, Int(v) <= x.d else {
            throw ConvLabError("label \(v) at pixel (\(i + 1), \(j + 1)) of image \(n + 1) is not a class between 1 and \(x.d).")
          }
          out.append(Int(v) - 1)
        }
      }
    }
    return out
  }

  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    let c = try labels(x.shape, p)
    let s = x.shape, stride = s.h * s.w
    var z: S = 0
    for n in 0..<s.n {
      for pixel in 0..<stride {
        let base = s.index(0, 0, 0, n) + pixel, label = c[n * stride + pixel]
        switch kind {
        case .log:
          z -= S.log(x.storage[base + label * stride])
        case .softmaxlog:
          var m = -S.infinity
          for d in 0..<s.d { m = Swift.max(m, x.storage[base + d * stride]) }
          var total: S = 0
          for d in 0..<s.d { total += S.exp(x.storage[base + d * stride] - m) }
          z -= x.storage[base + label * stride] - m - S.log(total)
        }
      }
    }
    return Tensor(shape: Shape(1, 1), storage: [z])
  }

  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    guard dzdy.count == 1 else { throw ConvLabError.shape("dz/dy", expected: "a scalar (1×1)", got: "\(dzdy.shape)") }
    let c = try labels(x.shape, p)
    let g = dzdy.storage[0]
    let s = x.shape, stride = s.h * s.w
    var dx = Tensor<S>(shape: s)
    for n in 0..<s.n {
      for pixel in 0..<stride {
        let base = s.index(0, 0, 0, n) + pixel, label = c[n * stride + pixel]
        switch kind {
        case .log:
          dx.storage[base + label * stride] = -g / x.storage[base + label * stride]
        case .softmaxlog:
          var m = -S.infinity
          for d in 0..<s.d { m = Swift.max(m, x.storage[base + d * stride]) }
          var total: S = 0
          for d in 0..<s.d { total += S.exp(x.storage[base + d * stride] - m) }
          for d in 0..<s.d {
            let y = S.exp(x.storage[base + d * stride] - m) / total
            dx.storage[base + d * stride] = g * (y - (d == label ? 1 : 0))
          }
        }
      }
    }
    return Gradients(dzdx: dx)
  }

  /// The literal forward: the formula without the max shift.
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    let c = try labels(x.shape, p)
    let s = x.shape
    var z = 0.0
    for n in 0..<s.n {
      for j in 0..<s.w {
        for i in 0..<s.h {
          let label = c[n * s.h * s.w + j * s.h + i]
          switch kind {
          case .log: z -= Double.log(x[i, j, label, n])
          case .softmaxlog: z -= x[i, j, label, n] - Double.log((0..<s.d).reduce(0) { $0 + Double.exp(x[i, j, $1, n]) })
          }
        }
      }
    }
    return Tensor(shape: Shape(1, 1), storage: [z])
  }

  /// The 1 × numel(x) Jacobian: softmax(x) − e_c (softmaxlog) or −e_c / x_c (log) per pixel.
  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard v == .x else { throw ConvLabError("loss has no parameters; differentiate with respect to x.") }
    let c = try labels(x.shape, p)
    let s = x.shape
    let probabilities = kind == .softmaxlog ? try Softmax().literalForward(x, Parameters()) : x
    var j = Matrix<Double>(rows: 1, cols: x.count)
    for n in 0..<s.n {
      for col in 0..<s.w {
        for row in 0..<s.h {
          let label = c[n * s.h * s.w + col * s.h + row]
          for d in 0..<s.d {
            let k = s.index(row, col, d, n)
            switch kind {
            case .log: j[0, k] = d == label ? -1 / x.storage[k] : 0
            case .softmaxlog: j[0, k] = probabilities.storage[k] - (d == label ? 1 : 0)
            }
          }
        }
      }
    }
    return j
  }
}
