import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation
import Testing

/// Properties of the remaining blocks, each against an independent reference.
@Suite struct MoreBlockTests {
  @Test(arguments: 1...10)
  func convTransposeIsTheAdjointOfConvolution(seed: Int) throws {
    // MatConvNet §4.2: vec y = Mᵀ vec x, so ⟨convt(x), a⟩ = ⟨x, conv(a)⟩ for every a.
    var rng = SeededGenerator(seed: UInt64(seed))
    let upsample = (Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng))
    let crop = [Int.random(in: 0...1, using: &rng), Int.random(in: 0...1, using: &rng), 0, Int.random(in: 0...1, using: &rng)]
    let f = Tensor<Double>.uniform(Shape(3, 3, 2, 3), using: &rng)
    let x = Tensor<Double>.uniform(Shape(3, 4, 3, 2), using: &rng)
    let t = ConvTranspose(upsample: upsample, crop: crop)
    let y = try t.forward(x, Parameters(w: f))
    let a = Tensor<Double>.uniform(y.shape, using: &rng)
    let convOfA = try Conv(pad: crop, stride: upsample).forward(a, Parameters(w: f))
    let lhs = zip(y.storage, a.storage).reduce(0) { $0 + $1.0 * $1.1 }
    let rhs = zip(x.storage, convOfA.storage).reduce(0) { $0 + $1.0 * $1.1 }
    #expect(abs(lhs - rhs) <= 1e-12 * max(1, abs(lhs)))
    // §5.3: H″ = U(H − 1) + H′ − C⁻ − C⁺.
    #expect(y.shape.h == upsample.0 * 2 + 3 - crop[0] - crop[1])
  }

  @Test func batchNormOutputHasTheGivenMeanAndScale() throws {
    var rng = SeededGenerator(seed: 3)
    let x = Tensor<Double>.uniform(Shape(3, 4, 2, 5), in: -3...5, using: &rng)
    let w = Tensor<Double>(shape: Shape(1, 1, 2), storage: [2, 0.5])
    let b = Tensor<Double>(shape: Shape(1, 1, 2), storage: [1, -1])
    let y = try BatchNorm(epsilon: 1e-12).forward(x, Parameters(w: w, b: b))
    for k in 0..<2 {
      let values = (0..<5).flatMap { n in (0..<12).map { y.storage[y.shape.index(0, 0, k, n) + $0] } }
      let mean = values.reduce(0, +) / 60
      let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 60
      #expect(abs(mean - b.storage[k]) < 1e-12)
      // ε = 1e-12 changes the scale by ~1e-12 relative.
      #expect(abs(variance - w.storage[k] * w.storage[k]) < 1e-9)
    }
  }

  @Test func subsampleErrorIsBetaTimesKroneckerUpsampling() throws {
    // Xu (6) without the activation: ∂E/∂x_j = β_j up(δ_j) = β_j δ_j ⊗ 1ₙₓₙ; Xu (19), (21) for b and β.
    var rng = SeededGenerator(seed: 5)
    let x = Tensor<Double>.uniform(Shape(6, 4, 2), using: &rng)
    let beta = Tensor<Double>(shape: Shape(1, 1, 2), storage: [0.5, -2])
    let b = Tensor<Double>(shape: Shape(1, 1, 2), storage: [0.1, 0.2])
    let delta = Tensor<Double>.uniform(Shape(3, 2, 2), using: &rng)
    let g = try Subsample(n: 2).backward(x, Parameters(w: beta, b: b), delta)
    for d in 0..<2 {
      #expect(relativeError(g.dzdx.channel(d), beta.storage[d] * up(delta.channel(d), 2)) < 1e-15)
      #expect(abs((g.dzdb?.storage[d] ?? 0) - delta.channel(d).storage.reduce(0, +)) < 1e-14)
      let down = try ConvLabNotation.down(x.channel(d), 2)
      #expect(abs((g.dzdw?.storage[d] ?? 0) - zip(delta.channel(d).storage, down.storage).reduce(0) { $0 + $1.0 * $1.1 }) < 1e-14)
    }
  }

  @Test func denseEqualsAConvolutionCoveringTheWholeInput() throws {
    // MatConvNet §4.1: a fully connected layer is a convolution with an H×W filter.
    var rng = SeededGenerator(seed: 9)
    let x = Tensor<Double>.uniform(Shape(3, 2, 2, 3), using: &rng)
    let filters = Tensor<Double>.uniform(Shape(3, 2, 2, 4), using: &rng)
    // Row k of W is filter k in vec order, i.e. W = Fᵀ.
    let w = Tensor<Double>(shape: Shape(4, 12), storage: Matrix(rows: 12, cols: 4, storage: filters.storage).transposed.storage)
    let dense = try Dense().forward(x, Parameters(w: w))
    let conv = try Conv().forward(x, Parameters(w: filters))
    #expect(relativeError(dense, conv) < 1e-14)
  }

  @Test func lrnWithAWindowOfOneIsElementwise() throws {
    var rng = SeededGenerator(seed: 2)
    let x = Tensor<Double>.uniform(Shape(2, 2, 3), using: &rng)
    let y = try Normalize(depth: 1, kappa: 2, alpha: 0.5, beta: 0.75).forward(x, Parameters())
    #expect(relativeError(y, x.map { $0 * Double.pow(2 + 0.5 * $0 * $0, -0.75) }) < 1e-15)
  }

  @Test func pdistWithPTwoIsTheEuclideanDistance() throws {
    let x = Tensor<Double>(shape: Shape(1, 1, 2), storage: [3, 4])
    let t = Tensor<Double>(shape: Shape(1, 1, 2))
    #expect(try PDist(p: 2).forward(x, Parameters(target: t)).storage == [5])
    #expect(try PDist(p: 2, noRoot: true).forward(x, Parameters(target: t)).storage == [25])
  }

  @Test func dropoutScalesKeptUnits() throws {
    let x = Tensor<Double>(shape: Shape(2, 2), storage: [1, 2, 3, 4])
    let m = Tensor<Double>(shape: Shape(2, 2), storage: [1, 0, 1, 0])
    #expect(try Dropout(rate: 0.5).forward(x, Parameters(mask: m)).storage == [2, 0, 6, 0])
    #expect(throws: ConvLabError.self) { try Dropout(rate: 1).forward(x, Parameters()) }
  }

  @Test func murugansLossesOnAWorkedExample() throws {
    // ŷ = [0.5, 2], y = [1, 1]; by hand: MSE = (0.25 + 1)/2 = 0.625, L2 = 1.25, L1 = 1.5,
    // MAE = 0.75, MAPE = (50 + 100)/2 = 75, MSLE = ((log 2 − log 1.5)² + (log 2 − log 3)²)/2.
    let yhat = Tensor<Double>(shape: Shape(2, 1), storage: [0.5, 2])
    let y = Tensor<Double>(shape: Shape(2, 1), storage: [1, 1])
    func z(_ k: RegressionLoss.Kind) throws -> Double { try RegressionLoss(kind: k).forward(yhat, Parameters(target: y)).storage[0] }
    #expect(try z(.mse) == 0.625 && z(.l2) == 1.25 && z(.l1) == 1.5 && z(.mae) == 0.75 && z(.mape) == 75)
    let msle = (pow(log(2.0) - log(1.5), 2) + pow(log(2.0) - log(3.0), 2)) / 2
    #expect(abs(try z(.msle) - msle) < 1e-15)
  }

  @Test func errorCountsAreForwardOnly() throws {
    let x = Tensor<Double>(shape: Shape(1, 1, 3, 2), storage: [0.1, 0.7, 0.2, 0.5, 0.3, 0.2])
    let labels = Tensor<Double>(shape: Shape(1, 1, 1, 2), storage: [2, 3])
    #expect(try Loss(kind: .classerror).forward(x, Parameters(labels: labels)).storage == [1])
    #expect(try Loss(kind: .topkerror, topK: 2).forward(x, Parameters(labels: labels)).storage == [1])
    #expect(try Loss(kind: .topkerror, topK: 3).forward(x, Parameters(labels: labels)).storage == [0])
    #expect(throws: ConvLabError.self) { try Loss(kind: .classerror).backward(x, Parameters(labels: labels), Tensor(shape: Shape(1, 1), storage: [1])) }
  }
}

@Suite struct PoolingKernelTests {
  /// The unrolled 2×2/stride-2 kernel (and the general kernel, with padding) agree with the
  /// literal selector and averaging matrices, on even and odd sizes (odd: the last row/column is dropped), in
  /// Float and Double. Max is exact; averages differ by rounding only (Float: 1e-6). Heights 8
  /// and 19 reach max-pool backward's 4-window SIMD loop (19: two chunks and a scalar tail).
  @Test(arguments: [(4, 6), (5, 7), (8, 8), (3, 2), (19, 6), (16, 5)])
  func unrolledTwoByTwoMatchesTheLiteralPath(h: Int, w: Int) throws {
    var rng = SeededGenerator(seed: UInt64(h * 31 + w))
    let x = Tensor<Double>.uniform(Shape(h, w, 3, 2), using: &rng)
    for method in Pool.Method.allCases {
      let pool = Pool(method: method, size: (2, 2), stride: (2, 2))
      let literal = try pool.literalForward(x, Parameters())
      #expect(relativeError(try pool.forward(x, Parameters()), literal) < 1e-14, "\(method) Double")
      let single: Tensor<Float> = try pool.forward(x.converted(), Parameters())
      #expect(relativeError(single.converted(), literal) < 1e-6, "\(method) Float")
      // The general kernel, reached with one row and column of padding at the bottom/right.
      let general = Pool(method: method, size: (2, 2), pad: [0, 1, 0, 1], stride: (2, 2))
      let y = try general.forward(x, Parameters())
      let yl = try general.literalForward(x, Parameters())
      #expect(relativeError(y, yl) < 1e-14, "\(method) general kernel")
      // Backward: every entry of dz/dx (odd edges zero) as (dz/dy)ᵀ S.
      let dzdy = Tensor<Double>.uniform(literal.shape, using: &rng)
      let expected = try pool.literalBackward(x, Parameters(), dzdy).dzdx
      #expect(relativeError(try pool.backward(x, Parameters(), dzdy).dzdx, expected) < 1e-14, "\(method) backward Double")
      let singleBack: Tensor<Float> = try pool.backward(x.converted(), Parameters(), dzdy.converted()).dzdx
      #expect(relativeError(singleBack.converted(), expected) < 1e-6, "\(method) backward Float")
    }
  }

  /// With many ties (x drawn from {0, 1, 2}) max-pool backward — SIMD chunks and scalar tail —
  /// routes dz/dy exactly as the literal selector matrix does.
  @Test(arguments: 1...6)
  func backwardWithTiesMatchesTheSelector(seed: Int) throws {
    var rng = SeededGenerator(seed: UInt64(seed))
    let x = Tensor<Double>(shape: Shape(18, 4, 2, 2), storage: (0..<(18 * 4 * 4)).map { _ in Double(Int.random(in: 0...2, using: &rng)) })
    let pool = Pool(method: .max, size: (2, 2), stride: (2, 2))
    let dzdy = Tensor<Double>.uniform(Shape(9, 2, 2, 2), using: &rng)
    #expect(try pool.backward(x, Parameters(), dzdy).dzdx == pool.literalBackward(x, Parameters(), dzdy).dzdx)
  }

  /// Ties go to the first maximum in column-major order (the selector of the literal path).
  @Test func backwardBreaksTiesAtTheFirstMaximum() throws {
    let x = Tensor<Double>(shape: Shape(2, 2), storage: [3, 3, 3, 3])
    let dzdy = Tensor<Double>(shape: Shape(1, 1), storage: [1])
    let dx = try Pool(method: .max, size: (2, 2), stride: (2, 2)).backward(x, Parameters(), dzdy).dzdx
    #expect(dx.storage == [1, 0, 0, 0])
  }
}

@Suite struct InputGradientTests {
  /// A network's first conv skips dz/dx: the filter and bias derivatives are unchanged
  /// (bit for bit: the same GEMMs run) and dz/dx is zero.
  @Test func convWithoutTheInputGradientKeepsTheParameterGradients() throws {
    var rng = SeededGenerator(seed: 8)
    let x = Tensor<Float>.uniform(Shape(9, 8, 3, 4), using: &rng)
    let p = Parameters<Float>(w: .uniform(Shape(3, 3, 3, 5), using: &rng), b: .uniform(Shape(1, 1, 5), using: &rng))
    let conv = Conv(pad: [1, 1, 1, 1], stride: (2, 1))
    let dzdy = Tensor<Float>.uniform(try conv.outputShape(x.shape, p), using: &rng)
    let all = try conv.backward(x, p, dzdy)
    let some = try conv.backward(x, p, dzdy, inputGradient: false)
    #expect(some.dzdw == all.dzdw && some.dzdb == all.dzdb)
    #expect(some.dzdx.storage.allSatisfy { $0 == 0 } && all.dzdx.maxMagnitude > 0)
  }
}

@Suite struct FastSigmoidTests {
  /// Float32 sigmoid uses a polynomial e^x (≤ 2 ulp); forward and backward stay within a few ulp
  /// of the Double sigmoid of the same (Float-rounded) inputs (ε = 6e-8; 5e-7 relative per entry;
  /// the inputs are rounded first because σ's condition number |x|(1 − σ) reaches 80 here), and
  /// down to Float's smallest normal numbers (1.2e-38; an absolute 1e-37 below); beyond the
  /// clamp they are 0/1, never NaN.
  @Test func floatSigmoidMatchesDouble() throws {
    let values = (stride(from: -80.0, through: 80.0, by: 0.137).map { $0 } + [-500, -100, -88.5, 88.5, 100, 500]).map { Double(Float($0)) }
    let x = Tensor<Double>(shape: Shape(values.count, 1), storage: values)
    let dzdy = Tensor<Double>(shape: x.shape, repeating: 1)
    let y = try Sigmoid().forward(x, Parameters())
    let g = try Sigmoid().backward(x, Parameters(), dzdy).dzdx
    let yf: Tensor<Float> = try Sigmoid().forward(x.converted(), Parameters())
    let gf: Tensor<Float> = try Sigmoid().backward(x.converted(), Parameters(), dzdy.converted()).dzdx
    // The block's kernel (AVX2 + FMA where the CPU has them) and the baseline SSE2 compilation.
    let xf: Tensor<Float> = x.converted()
    let gOnes: Tensor<Float> = dzdy.converted()
    let variants = [(FastSigmoid.variant, yf, gf), ("baseline", FastSigmoid.sigmoid(xf, baseline: true), FastSigmoid.sigmoidBackward(xf, gOnes, baseline: true))]
    for (name, yv, gv) in variants {
      for k in values.indices {
        let (a, b) = (Double(yv.storage[k]), y.storage[k])
        #expect(abs(a - b) <= 5e-7 * b + 1e-37, "\(name) sigmoid(\(values[k])): \(a) vs \(b)")
        let (c, d) = (Double(gv.storage[k]), g.storage[k])
        #expect(abs(c - d) <= 2e-6 * d + 1e-37, "\(name) sigmoid′(\(values[k])): \(c) vs \(d)")
      }
    }
  }
}
