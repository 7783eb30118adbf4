import ConvLabCore
import ConvLabNotation

/// Xu's trainable average "polymerization" layer without its activation (Xu (2)):
/// z_j = β_j down(x_j) + b_j 1, where down(·) sums every non-overlapping n × n block of channel j.
/// The activation f is a separate block, so the error δ = ∂E/∂z enters as dz/dy.
///
/// Gradients: ∂E/∂b_j = Σ_{p,q} [δ_j]_{pq} (Xu (19)–(20)), ∂E/∂β_j = Σ [δ_j ∘ down(x_j)] (Xu (21)–(22)),
/// and ∂E/∂x_j = β_j up(δ_j) = β_j δ_j ⊗ 1ₙₓₙ (Xu (4)–(6) with the activation split off).
public struct Subsample: Block {
  public var n: Int

  public init(n: Int = 2) { self.n = n }

  public var name: String { "subsample" }

  /// Subsample's inputs, typed: β and b, one per channel (Xu (2)).
  public func inputs<P: ParameterSet>(_ p: P) throws -> ChannelInputs<P.Array> {
    try ChannelInputs(p, block: "subsample", what: "β and b with one entry per channel")
  }

  public func variables<S: Scalar>(_ p: Parameters<S>) -> [Variable] { [.x, .w, .b] }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    guard n >= 1, x.h % n == 0, x.w % n == 0 else {
      throw ConvLabError("subsample with n = \(n) needs the height and width divisible by n, got \(x.h)×\(x.w) (Xu §2.2.1: non-overlapping blocks).")
    }
    let given = try inputs(p)
    guard given.gains.count == x.d, given.biases.count == x.d else {
      throw ConvLabError.missingInput(block: "subsample", inputs: ["w", "b"], what: "β and b with one entry per channel: \(x.d)")
    }
    return Shape(x.h / n, x.w / n, x.d, x.n)
  }

  public func structure(wrt v: Variable) -> String {
    switch v {
    case .x: return "per channel β_j (B ⊗ A) with A = I ⊗ 1ₙᵀ: vec down(X) = vec(A X Bᵀ) (Xu (2), 6)"
    case .w: return "one column per channel holding vec down(x_j) (Xu (21))"
    case .b: return "one column per channel of ones (Xu (19))"
    }
  }

  /// down(x) summed over one slab's n × n blocks: `body(oi, oj, sum)` for every output entry.
  /// A slab (one channel of one image) is contiguous and column-major, so block (oi, oj) is n
  /// runs of n entries starting at rows n·oi of columns n·oj + c.
  /// LeNet's n = 2 is unrolled (four loads, no inner loops).
  @inline(__always)
  func forEachBlockSum<S: Scalar>(_ xp: UnsafePointer<S>, h: Int, outH: Int, outW: Int, _ body: (Int, Int, S) -> Void) {
    if n == 2 {
      for oj in 0..<outW {
        let c0 = xp + 2 * oj * h
        let c1 = c0 + h
        for oi in 0..<outH { body(oi, oj, (c0[2 * oi] + c0[2 * oi + 1]) + (c1[2 * oi] + c1[2 * oi + 1])) }
      }
      return
    }
    for oj in 0..<outW {
      for oi in 0..<outH {
        var sum: S = 0
        for c in 0..<n {
          let run = xp + (oj * n + c) * h + oi * n
          for r in 0..<n { sum += run[r] }
        }
        body(oi, oj, sum)
      }
    }
  }

  /// Xu (2), slab by slab on the cores.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    let yShape = try outputShape(x.shape, p)
    let (beta, b) = try inputs(p).pair
    let (h, area, outH, outArea, depth) = (x.shape.h, x.shape.h * x.shape.w, yShape.h, yShape.h * yShape.w, x.shape.d)
    return Tensor(shape: yShape) { ys in
      x.storage.withUnsafeBufferPointer { xs in
        guard let xr = SendableRef(xs), let yr = SendableRef(ys) else { return }
        Parallel.forEach(x.shape.d * x.shape.n) { slab in
          let (scale, shift) = (beta.storage[slab % depth], b.storage[slab % depth])
          let yp = yr.pointer + slab * outArea
          forEachBlockSum(xr.pointer + slab * area, h: h, outH: outH, outW: yShape.w) { oi, oj, sum in yp[oj * outH + oi] = scale * sum + shift }
        }
      }
    }
  }

  /// Xu (19)–(22) and 4–6, channel by channel on the cores (a channel's sums ∂E/∂β_j and ∂E/∂b_j
  /// gather all of its images, so one core owns them).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    let yShape = try outputShape(x.shape, p)
    try requireDzdy(dzdy, yShape)
    let (beta, b) = try inputs(p).pair
    let (h, area, outH, outArea, depth) = (x.shape.h, x.shape.h * x.shape.w, yShape.h, yShape.h * yShape.w, x.shape.d)
    var dbeta = Tensor<S>(shape: beta.shape)
    var db = Tensor<S>(shape: b.shape)
    let dx = Tensor<S>(shape: x.shape) { ds in
      x.storage.withUnsafeBufferPointer { xs in
        dzdy.storage.withUnsafeBufferPointer { gs in
          dbeta.storage.withUnsafeMutableBufferPointer { dbetas in
            db.storage.withUnsafeMutableBufferPointer { dbs in
              guard let xr = SendableRef(xs), let gr = SendableRef(gs), let dr = SendableRef(ds),
                let betar = SendableRef(dbetas), let br = SendableRef(dbs)
              else { return }
              Parallel.forEach(depth) { d in
                let scale = beta.storage[d]
                var sumG: S = 0
                var sumGDown: S = 0
                for m in 0..<x.shape.n {
                  let slab = m * depth + d
                  let gp = gr.pointer + slab * outArea
                  let dp = dr.pointer + slab * area
                  forEachBlockSum(xr.pointer + slab * area, h: h, outH: outH, outW: yShape.w) { oi, oj, sum in
                    let g = gp[oj * outH + oi]
                    sumG += g
                    sumGDown += g * sum
                    // ∂E/∂x = β_j up(δ_j): the block's n × n entries all get β_j δ.
                    for c in 0..<n {
                      let run = dp + (oj * n + c) * h + oi * n
                      for r in 0..<n { run[r] = scale * g }
                    }
                  }
                }
                br.pointer[d] = sumG
                betar.pointer[d] = sumGDown
              }
            }
          }
        }
      }
    }
    return Gradients(dzdx: dx, dzdw: dbeta, dzdb: db)
  }

  /// Per channel: β_j down(x_j) + b_j 1 with the notation layer's down(·).
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    let yShape = try outputShape(x.shape, p)
    let (beta, b) = try inputs(p).pair
    var y = Tensor<Double>(shape: yShape)
    for m in 0..<x.shape.n {
      for d in 0..<x.shape.d {
        let z = beta.storage[d] * (try down(x.channel(d, image: m), n)) + b.storage[d] * Matrix<Double>.ones(yShape.h, yShape.w)
        y.setChannel(d, image: m, z)
      }
    }
    return y
  }

  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    let yShape = try outputShape(x.shape, p)
    let beta = try inputs(p).gains
    let channelIn = x.shape.h * x.shape.w
    let channelOut = yShape.h * yShape.w
    switch v {
    case .x:
      try JacobianBudget.check(rows: yShape.count, cols: x.count)
      // down(X) = A X Bᵀ with A = I_{H/n} ⊗ 1ₙᵀ and B = I_{W/n} ⊗ 1ₙᵀ, so vec down(X) = (B ⊗ A) vec X.
      let a = kron(Matrix<Double>.identity(yShape.h), Matrix<Double>.ones(1, n))
      let bm = kron(Matrix<Double>.identity(yShape.w), Matrix<Double>.ones(1, n))
      let block = kron(bm, a)
      var j = Matrix<Double>(rows: yShape.count, cols: x.count)
      for m in 0..<x.shape.n {
        for d in 0..<x.shape.d {
          let (r0, c0) = ((m * x.shape.d + d) * channelOut, (m * x.shape.d + d) * channelIn)
          for c in 0..<block.cols { for r in 0..<block.rows where block[r, c] != 0 { j[r0 + r, c0 + c] = beta.storage[d] * block[r, c] } }
        }
      }
      return j
    case .w, .b:
      var j = Matrix<Double>(rows: yShape.count, cols: x.shape.d)
      for m in 0..<x.shape.n {
        for d in 0..<x.shape.d {
          let column = v == .b ? Matrix<Double>.ones(channelOut, 1) : vec(try down(x.channel(d, image: m), n))
          for r in 0..<channelOut { j[yShape.index(0, 0, d, m) + r, d] = column[r, 0] }
        }
      }
      return j
    }
  }
}
