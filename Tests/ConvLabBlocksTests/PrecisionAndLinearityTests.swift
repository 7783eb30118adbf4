import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabNotation
import Testing

/// Properties every block must have, beyond agreeing with its literal Jacobian (issue 18 item 6):
/// Float32 follows Float64 forward and backward within the bound of a Float32 sum, and every
/// derivative — dz/dx, dz/dw and dz/db — is linear in the upstream gradient dz/dy.
@Suite struct PrecisionAndLinearityTests {
  static let seeds: [UInt64] = [1, 2, 3, 4]
  static let cases: [(String, UInt64)] = CheckCase.blockNames.flatMap { name in seeds.map { (name, $0) } }

  /// The longest sum a block can form: every reduction of these blocks (a filter window, a
  /// pooling window, a channel sum, batch-norm's mean over pixels and images, the loss's sum over
  /// images) runs over the entries of one of its arrays, so no sum has more terms than the
  /// largest of x, y and the weights.
  static func reductionLength(_ x: Shape, _ y: Shape, _ p: Parameters<Double>) -> Int {
    max(x.count, y.count, p.w?.count ?? 0, p.b?.count ?? 0, 1)
  }

  /// The Float32 tolerance for a block whose longest sum has `length` terms.
  ///
  /// A sum of L products computed in Float32 is within γ_L·Σ|terms| of the exact one, with
  /// γ_L ≈ L·u and u = 2⁻²⁴ (Higham, Accuracy and Stability, §3.1). The factor 16 covers the
  /// other roundings along the way (a product, an exp or log of glibc's ≤ 2 ulps, a division,
  /// a square root) and the ratio Σ|terms| / max|y| of O(1) random data; both sides start from
  /// the same Float32-rounded inputs, so the inputs' own rounding (which a nonlinear block would
  /// amplify by its condition number) is not part of the difference.
  static func singleTolerance(_ length: Int) -> Double {
    16 * Double(length) * Double(Float.ulpOfOne) / 2
  }

  /// The inputs rounded to Float32 and widened again: the Double reference sees exactly the
  /// numbers the Float32 computation sees.
  static func rounded(_ t: Tensor<Double>) -> Tensor<Double> { t.converted(to: Float.self).converted(to: Double.self) }

  @Test(arguments: cases)
  func float32FollowsFloat64ForwardAndBackward(name: String, seed: UInt64) throws {
    let c = try CheckCase.random(name, seed: seed)
    let x = Self.rounded(c.x)
    let p = c.parameters.converted(to: Float.self).converted(to: Double.self)
    let y = try c.block.forward(x, p)
    let y32 = try c.block.forward(x.converted(to: Float.self), p.converted(to: Float.self))
    let tolerance = Self.singleTolerance(Self.reductionLength(x.shape, y.shape, p))
    let forward = Comparison(y32.converted(to: Double.self), y)
    #expect(forward.passes(tolerance), "\(name) \(c.configuration) forward: \(forward), tolerance \(tolerance)")

    guard !c.block.variables(p).isEmpty else { return }  // forward only (an error count)
    var rng = SeededGenerator(seed: seed &+ 1000)
    let g = Self.rounded(Tensor<Double>.uniform(y.shape, using: &rng))
    let double = try c.block.backward(x, p, g)
    let single = try c.block.backward(x.converted(to: Float.self), p.converted(to: Float.self), g.converted(to: Float.self))
    for v in c.block.variables(p) {
      guard let d = double[v] else { continue }
      let s = try #require(single[v], "\(name): Float32 backward lacks dz/d\(v.rawValue)")
      let backward = Comparison(s.converted(to: Double.self), d)
      #expect(backward.passes(tolerance), "\(name) \(c.configuration) dz/d\(v.rawValue): \(backward), tolerance \(tolerance)")
    }
  }

  @Test(arguments: cases)
  func everyDerivativeIsLinearInDzdy(name: String, seed: UInt64) throws {
    let c = try CheckCase.random(name, seed: seed &+ 96)
    let variables = c.block.variables(c.parameters)
    guard !variables.isEmpty else { return }  // forward only
    let y = try c.block.forward(c.x, c.parameters)
    var rng = SeededGenerator(seed: seed)
    let g1 = Tensor<Double>.uniform(y.shape, using: &rng)
    let g2 = Tensor<Double>.uniform(y.shape, using: &rng)
    let a = try c.block.backward(c.x, c.parameters, g1)
    let b = try c.block.backward(c.x, c.parameters, g2)
    let combined = try c.block.backward(c.x, c.parameters, g1.zipWith(g2) { 2 * $0 - 3 * $1 })
    // backward(2g₁ − 3g₂) and 2·backward(g₁) − 3·backward(g₂) are the same sums of ≤ L products
    // taken in another order: they differ by at most ~2γ_L in Double (u = 2⁻⁵³), times 8 for
    // the scaling by 2 and 3 and the ratio Σ|terms| / max|result|.
    let tolerance = 8 * Double(Self.reductionLength(c.x.shape, y.shape, c.parameters)) * Double.ulpOfOne
    for v in variables {
      let da = try #require(a[v])
      let db = try #require(b[v])
      let dc = try #require(combined[v])
      let c2 = Comparison(dc, da.zipWith(db) { 2 * $0 - 3 * $1 })
      #expect(c2.passes(tolerance), "\(name) \(c.configuration) dz/d\(v.rawValue) is not linear in dz/dy: \(c2)")
      #expect(
        da.shape == (v == .x ? c.x.shape : (v == .w ? c.parameters.w?.shape : c.parameters.b?.shape)),
        "dz/d\(v.rawValue) has the shape of \(v.rawValue)")
    }
  }
}

/// `Conv.kroneckerJacobian` — d vec y / d (vec x)ᵀ = (Fᵀ ⊗ I) H, MatConvNet §6.1 — against the
/// same product built here by brute force, and against the Jacobian written from the index
/// definition of convolution (MatConvNet §4.1).
@Suite struct KroneckerJacobianTests {
  /// The Kronecker product A ⊗ B by its definition: (A ⊗ B)[i·p + k, j·q + l] = A[i, j]·B[k, l]
  /// for B of size p × q.
  static func kron(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> {
    var k = Matrix<Double>(rows: a.rows * b.rows, cols: a.cols * b.cols)
    for i in 0..<a.rows {
      for j in 0..<a.cols {
        for r in 0..<b.rows {
          for s in 0..<b.cols {
            k[i * b.rows + r, j * b.cols + s] = a[i, j] * b[r, s]
          }
        }
      }
    }
    return k
  }

  struct Geometry {
    let pad: [Int]  // top, bottom, left, right
    let stride: (Int, Int)
    let dilate: (Int, Int)
    func outputSize(_ x: Shape, _ f: Shape) -> (Int, Int) {
      ((x.h + pad[0] + pad[1] - dilate.0 * (f.h - 1) - 1) / stride.0 + 1, (x.w + pad[2] + pad[3] - dilate.1 * (f.w - 1) - 1) / stride.1 + 1)
    }
    /// The input pixel that output (i, j) reads through filter tap (u, v), or nil in the padding.
    func source(_ i: Int, _ j: Int, _ u: Int, _ v: Int, _ x: Shape) -> (Int, Int)? {
      let r = stride.0 * i + dilate.0 * u - pad[0]
      let c = stride.1 * j + dilate.1 * v - pad[2]
      return (0..<x.h).contains(r) && (0..<x.w).contains(c) ? (r, c) : nil
    }
  }

  /// (Fᵀ ⊗ I_{H″W″}) H with every factor built from its definition: F is the filters as an
  /// (H′W′D) × D″ matrix (tap index u + H′v + H′W′d), H the 0/1 matrix with vec φ(x) = H vec x
  /// where φ(x)[i + H″j, tap] is the input pixel that output (i, j) reads through the tap.
  static func bruteForce(_ x: Shape, _ f: Tensor<Double>, _ g: Geometry) -> Matrix<Double> {
    let (oh, ow) = g.outputSize(x, f.shape)
    let taps = f.shape.h * f.shape.w * f.shape.d
    let pixels = oh * ow
    let filterMatrix = Matrix<Double>(rows: taps, cols: f.shape.n) { t, k in
      f[t % f.shape.h, t / f.shape.h % f.shape.w, t / (f.shape.h * f.shape.w), k]
    }
    var h = Matrix<Double>(rows: pixels * taps, cols: x.h * x.w * x.d)
    for t in 0..<taps {
      let u = t % f.shape.h
      let v = t / f.shape.h % f.shape.w
      let d = t / (f.shape.h * f.shape.w)
      for j in 0..<ow {
        for i in 0..<oh {
          if let (r, c) = g.source(i, j, u, v, x) { h[t * pixels + i + oh * j, r + x.h * c + x.h * x.w * d] = 1 }
        }
      }
    }
    return kron(filterMatrix.transposed, .identity(pixels)) * h
  }

  /// ∂y[i, j, k]/∂x[r, c, d] = Σ over taps (u, v) reading (r, c) of f[u, v, d, k] (MatConvNet §4.1).
  static func fromIndices(_ x: Shape, _ f: Tensor<Double>, _ g: Geometry) -> Matrix<Double> {
    let (oh, ow) = g.outputSize(x, f.shape)
    var j = Matrix<Double>(rows: oh * ow * f.shape.n, cols: x.h * x.w * x.d)
    for k in 0..<f.shape.n {
      for jj in 0..<ow {
        for i in 0..<oh {
          for d in 0..<f.shape.d {
            for v in 0..<f.shape.w {
              for u in 0..<f.shape.h {
                if let (r, c) = g.source(i, jj, u, v, x) { j[i + oh * jj + oh * ow * k, r + x.h * c + x.h * x.w * d] += f[u, v, d, k] }
              }
            }
          }
        }
      }
    }
    return j
  }

  @Test(arguments: 1...12)
  func kroneckerFormEqualsBruteForceKroneckerProduct(seed: Int) throws {
    var rng = SeededGenerator(seed: UInt64(seed))
    func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    let g = Geometry(pad: (0..<4).map { _ in int(0...1) }, stride: (int(1...2), int(1...2)), dilate: (int(1...2), int(1...2)))
    let f = Tensor<Double>.uniform(Shape(int(1...3), int(1...3), int(1...2), int(1...3)), using: &rng)
    let x = Tensor<Double>.uniform(Shape(int(5...7), int(5...7), f.shape.d, 1), using: &rng)
    let conv = Conv(pad: g.pad, stride: g.stride, dilate: g.dilate)
    let p = Parameters<Double>(w: f)
    let kronecker = try conv.kroneckerJacobian(at: x, p)
    let brute = Self.bruteForce(x.shape, f, g)
    // Every entry of both is one filter value times 1 plus exact zeros (H is 0/1 with at most one
    // 1 per row): exact in any order of summation, so the two must be equal.
    #expect(kronecker.rows == brute.rows && kronecker.cols == brute.cols)
    #expect(relativeError(kronecker, brute) == 0, "pad \(g.pad) stride \(g.stride) dilate \(g.dilate) filters \(f.shape)")
    // The brute-force product is itself the index-definition Jacobian (exact: one tap per entry
    // unless dilation makes two taps read one pixel, which never happens for one output pixel).
    #expect(relativeError(brute, Self.fromIndices(x.shape, f, g)) == 0)
    // And it maps x to the convolution: J vec x = vec y − bias (Double sums of ≤ 18 products).
    let y = try conv.forward(x, p)
    let jx = brute * Matrix(rows: x.count, cols: 1, storage: x.storage)
    #expect(Comparison(jx.storage, y.storage).relativeError < 1e-14)
  }

  @Test func kroneckerFormRefusesBatchesAndGroupsInOneSentence() throws {
    var rng = SeededGenerator(seed: 3)
    let f = Tensor<Double>.uniform(Shape(2, 2, 1, 2), using: &rng)
    for x in [Tensor<Double>.uniform(Shape(4, 4, 1, 2), using: &rng), Tensor<Double>.uniform(Shape(4, 4, 2, 1), using: &rng)] {
      #expect(throws: ConvLabError.self) { try Conv().kroneckerJacobian(at: x, Parameters(w: f)) }
    }
  }
}
