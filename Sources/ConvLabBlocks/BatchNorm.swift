import ConvLabCore

/// Batch normalization (MatConvNet §4.5.2, §6.5.2): per channel k, over all H·W·N entries,
/// y = w_k (x − μ_k)/√(σ²_k + ε) + b_k with the batch mean μ_k and (biased) variance σ²_k.
/// w (gains) and b (biases) have one entry per channel.
public struct BatchNorm: Block {
  public var epsilon: Double

  public init(epsilon: Double = 1e-4) { self.epsilon = epsilon }

  public var name: String { "bnorm" }

  /// Bnorm's inputs, typed: gains w and biases b, one per channel (MatConvNet §4.5.2).
  public func inputs<P: ParameterSet>(_ p: P) throws -> ChannelInputs<P.Array> {
    try ChannelInputs(p, block: "bnorm", what: "gains and biases, one per channel")
  }

  public func variables<S: Scalar>(_ p: Parameters<S>) -> [Variable] { [.x, .w, .b] }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    let (w, b) = try ChannelInputs(p, block: "bnorm", what: "gains and biases, one per channel: \(x.d) each").pair
    guard w.count == x.d, b.count == x.d else {
      throw ConvLabError("bnorm has \(x.d) channels but \(w.count) gains and \(b.count) biases; give one of each per channel.")
    }
    guard epsilon > 0 else { throw ConvLabError.outOfRange(subject: "bnorm", setting: "epsilon", value: "\(epsilon)", allowed: "> 0") }
    return x
  }

  public func structure(wrt v: Variable) -> String {
    switch v {
    case .x: return "block-diagonal over channels: (w_k/σ̂_k)(I − 11ᵀ/m − x̂ x̂ᵀ/m) on the m = HWN entries of channel k (MatConvNet §6.5.2)"
    case .w: return "one column per channel holding x̂ = (x − μ)/σ̂ on that channel's entries"
    case .b: return "one column per channel holding 1 on that channel's entries"
    }
  }

  /// The vec indices of channel k's entries (over all pixels and images).
  func entries(_ s: Shape, channel k: Int) -> [Int] {
    (0..<s.n).flatMap { n in (0..<s.h * s.w).map { s.index(0, 0, k, n) + $0 } }
  }

  /// μ_k and σ̂_k = √(σ²_k + ε) for every channel: the "moments" of the batch. Channel k of
  /// image n is a contiguous H·W slab, so each channel is N slabs read in order (two passes:
  /// the mean, then the squared deviations — stabler than Σx² − m μ²), summed in SIMD lanes.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func moments<S: Scalar>(_ x: Tensor<S>) -> [(mean: S, deviation: S)] {
    let s = x.shape
    let area = s.h * s.w
    let m = S(area * s.n)
    var result = [(mean: S, deviation: S)](repeating: (0, 0), count: s.d)
    x.storage.withUnsafeBufferPointer { xs in
      result.withUnsafeMutableBufferPointer { rs in
        guard let xr = SendableRef(xs), let rr = SendableRef(rs) else { return }
        Parallel.forEach(s.d) { k in
          let slabs = (0..<s.n).map { n in UnsafePointer(xr.pointer + (n * s.d + k) * area) }
          let mean = slabs.reduce(0) { $0 + Reductions.sum($1, count: area) } / m
          let squares = slabs.reduce(0) { $0 + Reductions.sumOfSquares($1, count: area, minus: mean) }
          rr.pointer[k] = (mean, (squares / m + S(epsilon)).squareRoot())
        }
      }
    }
    return result
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    _ = try outputShape(x.shape, p)
    let (w, b) = try inputs(p).pair
    let s = x.shape
    let area = s.h * s.w
    // y = a x + c per channel, with a = w/σ̂ and c = b − a μ.
    let coefficients = moments(x).enumerated().map { k, m in (w.storage[k] / m.deviation, b.storage[k] - w.storage[k] / m.deviation * m.mean) }
    return Tensor(shape: s) { ys in
      x.storage.withUnsafeBufferPointer { xs in
        guard let xr = SendableRef(xs), let yr = SendableRef(ys) else { return }
        Parallel.forEach(s.d * s.n) { slab in
          let (a, c) = coefficients[slab % s.d]
          let xp = xr.pointer + slab * area
          let yp = yr.pointer + slab * area
          for e in 0..<area { yp[e] = a * xp[e] + c }
        }
      }
    }
  }

  /// MatConvNet §6.5.2: dz/dw_k = Σ dz/dy x̂, dz/db_k = Σ dz/dy,
  /// dz/dx = (w_k/σ̂_k)(dz/dy − dz/db_k/m − x̂ dz/dw_k/m).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    _ = try outputShape(x.shape, p)
    try requireDzdy(dzdy, x.shape)
    let (w, b) = try inputs(p).pair
    let s = x.shape
    let area = s.h * s.w
    let count = S(area * s.n)
    let stats = moments(x)
    var dw = Tensor<S>(shape: w.shape)
    var db = Tensor<S>(shape: b.shape)
    // Every entry of dz/dx is written below (each channel by the core that owns it).
    let dx = Tensor<S>(shape: s) { ds in
      x.storage.withUnsafeBufferPointer { xs in
        dzdy.storage.withUnsafeBufferPointer { gs in
          dw.storage.withUnsafeMutableBufferPointer { dws in
            db.storage.withUnsafeMutableBufferPointer { dbs in
              guard let xr = SendableRef(xs), let gr = SendableRef(gs), let dr = SendableRef(ds), let dwr = SendableRef(dws), let dbr = SendableRef(dbs) else { return }
              Parallel.forEach(s.d) { k in
                let (mean, deviation) = stats[k]
                var sumG: S = 0
                var sumGX: S = 0
                for n in 0..<s.n {
                  let offset = (n * s.d + k) * area
                  let (g, gx) = Reductions.sumAndDot(gr.pointer + offset, xr.pointer + offset, count: area, minus: mean)
                  sumG += g
                  sumGX += gx
                }
                sumGX /= deviation
                dwr.pointer[k] = sumGX
                dbr.pointer[k] = sumG
                // dz/dx = scale (g − meanG − (x − μ) meanGX/σ̂): one multiply-add per entry, no division.
                let scale = w.storage[k] / deviation
                let meanG = sumG / count
                let slope = sumGX / count / deviation
                for n in 0..<s.n {
                  let offset = (n * s.d + k) * area
                  let (xp, gp, dp) = (xr.pointer + offset, gr.pointer + offset, dr.pointer + offset)
                  for e in 0..<area { dp[e] = scale * (gp[e] - meanG - (xp[e] - mean) * slope) }
                }
              }
            }
          }
        }
      }
    }
    return Gradients(dzdx: dx, dzdw: dw, dzdb: db)
  }

  /// Per channel with the centring matrix C = I − 11ᵀ/m: x̃ = C x, σ² = x̃ᵀx̃/m,
  /// y = (w/√(σ² + ε)) x̃ + b.
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    _ = try outputShape(x.shape, p)
    let (w, b) = try inputs(p).pair
    var y = x
    for k in 0..<x.shape.d {
      let idx = entries(x.shape, channel: k)
      let m = Double(idx.count)
      let column = Matrix<Double>(rows: idx.count, cols: 1) { r, _ in x.storage[idx[r]] }
      let centred = (Matrix<Double>.identity(idx.count) - (1 / m) * Matrix<Double>.ones(idx.count, idx.count)) * column
      let variance = (centred.transposed * centred)[0, 0] / m
      for (r, e) in idx.enumerated() { y.storage[e] = w.storage[k] / (variance + epsilon).squareRoot() * centred[r, 0] + b.storage[k] }
    }
    return y
  }

  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    _ = try outputShape(x.shape, p)
    let w = try inputs(p).gains
    let ms = moments(x)
    switch v {
    case .x:
      try JacobianBudget.check(rows: x.count, cols: x.count)
      var j = Matrix<Double>(rows: x.count, cols: x.count)
      for (k, m) in ms.enumerated() {
        let idx = entries(x.shape, channel: k)
        let count = Double(idx.count)
        let xhat = Matrix<Double>(rows: idx.count, cols: 1) { r, _ in (x.storage[idx[r]] - m.mean) / m.deviation }
        // (w/σ̂)(I − 11ᵀ/m − x̂x̂ᵀ/m): the mean and the variance both depend on every entry.
        let block = (w.storage[k] / m.deviation) * (Matrix<Double>.identity(idx.count) - (1 / count) * Matrix<Double>.ones(idx.count, idx.count) - (1 / count) * (xhat * xhat.transposed))
        for (a, ea) in idx.enumerated() { for (b, eb) in idx.enumerated() { j[ea, eb] = block[a, b] } }
      }
      return j
    case .w, .b:
      var j = Matrix<Double>(rows: x.count, cols: x.shape.d)
      for (k, m) in ms.enumerated() {
        for e in entries(x.shape, channel: k) { j[e, k] = v == .b ? 1 : (x.storage[e] - m.mean) / m.deviation }
      }
      return j
    }
  }
}
