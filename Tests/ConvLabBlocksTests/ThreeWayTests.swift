import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabNotation
import Testing

/// Every block three ways on seeded random configurations (the long run is
/// `convlab check all --cases 200`). Tolerances are ThreeWayCheck's, explained there.
@Suite struct ThreeWayTests {
  static let cases: [(String, UInt64)] = CheckCase.blockNames.flatMap { name in (1...(name == "loss" ? 24 : 8)).map { (name, UInt64($0)) } }

  @Test(arguments: cases)
  func literalFastAndFiniteDifferencesAgree(name: String, seed: UInt64) throws {
    let c = try CheckCase.random(name, seed: seed)
    let report = try ThreeWayCheck(c.block, x: c.x, c.parameters, configuration: c.configuration, seed: seed)
    #expect(report.literalVsFast <= ThreeWayCheck.literalTolerance, "\(name) \(c.configuration): literal↔fast \(report.literalVsFast)")
    #expect(report.versusFiniteDifferences <= ThreeWayCheck.finiteDifferenceTolerance, "\(name) \(c.configuration): FD \(report.versusFiniteDifferences)")
  }

  @Test(arguments: CheckCase.blockNames)
  func backwardIsLinearInDzdyAndRepeatable(name: String) throws {
    // Seed 97 draws a differentiable kind for every block (loss: not an error count).
    let c = try CheckCase.random(name, seed: 97)
    try #require(!c.block.variables(c.parameters).isEmpty, "\(c.configuration) is forward only")
    let y = try c.block.forward(c.x, c.parameters)
    var rng = SeededGenerator(seed: 7)
    let g1 = Tensor<Double>.uniform(y.shape, using: &rng)
    let g2 = Tensor<Double>.uniform(y.shape, using: &rng)
    let a = try c.block.backward(c.x, c.parameters, g1)
    let b = try c.block.backward(c.x, c.parameters, g2)
    let sum = try c.block.backward(c.x, c.parameters, g1.zipWith(g2) { 2 * $0 + $1 })
    // Linearity holds up to round-off of O(1) sums.
    #expect(relativeError(sum.dzdx, a.dzdx.zipWith(b.dzdx) { 2 * $0 + $1 }) < 1e-13)
    #expect(try c.block.backward(c.x, c.parameters, g1).dzdx == a.dzdx, "a second call gives the same result (no hidden state)")
    #expect(a.dzdx.shape == c.x.shape)
  }

  @Test(arguments: CheckCase.blockNames)
  func singlePrecisionFollowsDouble(name: String) throws {
    let c = try CheckCase.random(name, seed: 5)
    let single = try c.block.forward(c.x.converted(to: Float.self), c.parameters.converted(to: Float.self))
    let double = try c.block.forward(c.x, c.parameters)
    // Float32 keeps ~7 digits; sums of ≤ 50 O(1) terms lose at most a few more ulps.
    #expect(relativeError(single.converted(to: Double.self), double) < 1e-5)
  }
}

@Suite struct ConvTests {
  /// MatConvNet §4.1 written as nested loops: y = b + Σ f·x at S(i″−1) + D(i′−1) + 1 − P⁻.
  /// With groups, output channel k of group g reads input channels g·D′ ..< (g+1)·D′.
  static func loops(
    _ x: Tensor<Double>, _ f: Tensor<Double>, bias: Tensor<Double>? = nil, pad: [Int], stride: (Int, Int),
    dilate: (Int, Int), groups: Int = 1
  ) -> Tensor<Double> {
    let outH = (x.shape.h + pad[0] + pad[1] - dilate.0 * (f.shape.h - 1) - 1) / stride.0 + 1
    let outW = (x.shape.w + pad[2] + pad[3] - dilate.1 * (f.shape.w - 1) - 1) / stride.1 + 1
    let perGroup = f.shape.n / groups
    return Tensor(shape: Shape(outH, outW, f.shape.n, x.shape.n)) { i, j, k, n in
      var s = bias?.storage[k] ?? 0
      for i1 in 0..<f.shape.h {
        for j1 in 0..<f.shape.w {
          for d in 0..<f.shape.d {
            let r = stride.0 * i + dilate.0 * i1 - pad[0]
            let c = stride.1 * j + dilate.1 * j1 - pad[2]
            if r >= 0, r < x.shape.h, c >= 0, c < x.shape.w { s += f[i1, j1, d, k] * x[r, c, k / perGroup * f.shape.d + d, n] }
          }
        }
      }
      return s
    }
  }

  @Test(arguments: 1...20)
  func fastConvMatchesMatConvNetLoops(seed: Int) throws {
    var rng = SeededGenerator(seed: UInt64(seed))
    let pad = (0..<4).map { _ in Int.random(in: 0...2, using: &rng) }
    let stride = (Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng))
    let dilate = (Int.random(in: 1...2, using: &rng), Int.random(in: 1...2, using: &rng))
    let f = Tensor<Double>.uniform(Shape(Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng), 3, 4), using: &rng)
    let x = Tensor<Double>.uniform(Shape(7, 8, 3, 2), using: &rng)
    let fast = try Conv(pad: pad, stride: stride, dilate: dilate).forward(x, Parameters(w: f))
    #expect(relativeError(fast, Self.loops(x, f, pad: pad, stride: stride, dilate: dilate)) < 1e-13)
  }

  /// "Same" convolutions (stride 1, output as high as the input), where im2row and row2im copy a
  /// tap's columns as one block: forward against MatConvNet's loops, backward against the
  /// transposed literal Jacobians (dz/dx = Jₓᵀ vec dz/dy, dz/dw = J_wᵀ vec dz/dy), with dilation
  /// and uneven padding. Double; sums of ≤ 45 products in different orders.
  @Test(arguments: [(3, [1, 1, 1, 1], 1), (5, [2, 2, 2, 2], 1), (3, [0, 2, 1, 1], 1), (3, [2, 2, 2, 2], 2), (3, [1, 1, 0, 0], 1)])
  func sameConvolutionsMatchLoopsAndJacobians(size: Int, pad: [Int], dilation: Int) throws {
    var rng = SeededGenerator(seed: UInt64(size * 10 + dilation + pad[0]))
    let x = Tensor<Double>.uniform(Shape(7, 6, 3, 2), using: &rng)
    let p = Parameters(w: Tensor<Double>.uniform(Shape(size, size, 3, 4), using: &rng))
    let conv = Conv(pad: pad, dilate: (dilation, dilation), kernel: .gemm)
    let y = try conv.forward(x, p)
    #expect(y.shape.h == x.shape.h, "the rows keep the input's height")
    #expect(relativeError(y, Self.loops(x, p.w!, pad: pad, stride: (1, 1), dilate: (dilation, dilation))) < 1e-13)
    let dzdy = Tensor<Double>.uniform(y.shape, using: &rng)
    let g = try conv.backward(x, p, dzdy)
    let v = Matrix(rows: dzdy.count, cols: 1, storage: dzdy.storage)
    #expect(relativeError(try conv.jacobian(at: x, p, wrt: .x).transposed * v, Matrix(rows: x.count, cols: 1, storage: g.dzdx.storage)) < 1e-12)
    #expect(relativeError(try conv.jacobian(at: x, p, wrt: .w).transposed * v, Matrix(rows: p.w!.count, cols: 1, storage: g.dzdw!.storage)) < 1e-12)
  }

  @Test func kernelGradientIsCorrelationOfInputWithDelta() throws {
    // Xu (13)–(14) with MatConvNet's correlation convention: dE/dk = xcorr2(x, δ, 'valid').
    var rng = SeededGenerator(seed: 4)
    let x = Tensor<Double>.uniform(Shape(5, 6), using: &rng)
    let f = Tensor<Double>.uniform(Shape(2, 3), using: &rng)
    let delta = Tensor<Double>.uniform(Shape(4, 4), using: &rng)
    let g = try Conv().backward(x, Parameters(w: f), delta)
    #expect(relativeError(g.dzdw?.channel(0) ?? Matrix(rows: 0, cols: 0), xcorr2(x.channel(0), delta.channel(0))) < 1e-13)
    // Xu (16)–(17): dE/dx = full convolution of δ with the kernel = conv2(δ, f, 'full').
    #expect(relativeError(g.dzdx.channel(0), conv2(delta.channel(0), f.channel(0), shape: .full)) < 1e-13)
  }

  static let invalid: [(String, Tensor<Double>, Parameters<Double>, Conv, String)] = [
    ("filter larger than padded input", Tensor(shape: Shape(3, 3)), Parameters(w: Tensor(shape: Shape(5, 5))), Conv(pad: [0, 1, 0, 0]), "spans 5 samples but the padded input has only 4"),
    ("groups that do not divide", Tensor(shape: Shape(4, 4, 3)), Parameters(w: Tensor(shape: Shape(2, 2, 2, 2))), Conv(), "does not divide the input depth 3"),
    ("filters not divisible into groups", Tensor(shape: Shape(4, 4, 4)), Parameters(w: Tensor(shape: Shape(2, 2, 2, 3))), Conv(), "cannot be split into 2 groups"),
    ("bias count", Tensor(shape: Shape(4, 4)), Parameters(w: Tensor(shape: Shape(2, 2, 1, 2)), b: Tensor(shape: Shape(3, 1))), Conv(), "2 filters but 3 biases"),
    ("no filters", Tensor(shape: Shape(4, 4)), Parameters(), Conv(), "needs w (filters of shape"),
  ]

  @Test(arguments: 0..<invalid.count)
  func invalidConfigurationsAreRefusedInOneSentence(index: Int) {
    let (label, x, p, block, fragment) = Self.invalid[index]
    do {
      _ = try block.forward(x, p)
      Issue.record("\(label): accepted")
    } catch {
      let text = (error as? ConvLabError)?.description ?? "\(error)"
      #expect(text.contains(fragment) && !text.contains("\n"), "\(label): \(text)")
    }
  }
}

@Suite struct PoolTests {
  @Test func averagePoolErrorIsKroneckerUpsamplingDividedByFour() throws {
    // Xu (6) with β = 1/n² (MatConvNet's average) and f′ = 1: δˡ = up(δˡ⁺¹)/n².
    var rng = SeededGenerator(seed: 8)
    let x = Tensor<Double>.uniform(Shape(6, 4), using: &rng)
    let delta = Tensor<Double>.uniform(Shape(3, 2), using: &rng)
    let g = try Pool(method: .avg, size: (2, 2), stride: (2, 2)).backward(x, Parameters(), delta)
    #expect(relativeError(g.dzdx.channel(0), 0.25 * up(delta.channel(0), 2)) < 1e-15)
  }

  @Test func maxPoolRoutesToTheIndicator() throws {
    // Xu (7)–(8): the error reaches only the window's maximum.
    let x = Tensor<Double>(shape: Shape(2, 2), storage: [1, 4, 3, 2])
    let g = try Pool(method: .max, size: (2, 2)).backward(x, Parameters(), Tensor(shape: Shape(1, 1), storage: [5]))
    #expect(g.dzdx.storage == [0, 5, 0, 0])
    #expect(g.dzdx.channel(0) == 5 * indicatorOfMax(x.channel(0)))
  }

  @Test func averageDividesByInBoundsSamplesOnly() throws {
    let x = Tensor<Double>(shape: Shape(2, 2), storage: [1, 2, 3, 4])
    // Pad 1 on top: the first window holds two real samples (1, 3)... and the padding is ignored.
    let y = try Pool(method: .avg, size: (2, 2), pad: [1, 0, 0, 0]).forward(x, Parameters())
    #expect(y.storage == [2, 2.5])
  }

  @Test func padAtLeastPoolSizeIsRefused() {
    #expect(throws: ConvLabError.self) { try Pool(size: (2, 2), pad: [2, 0, 0, 0]).forward(Tensor<Double>(shape: Shape(4, 4)), Parameters()) }
  }

  @Test func oversizedJacobianIsRefusedWithItsSize() {
    let x = Tensor<Double>(shape: Shape(200, 200, 4))
    do {
      _ = try ReLU().jacobian(at: x, Parameters(), wrt: .x)
      Issue.record("a 160000² Jacobian was built")
    } catch {
      #expect((error as? ConvLabError)?.description.contains("GiB") == true, "\(error)")
    }
  }
}

@Suite struct LossTests {
  @Test func softmaxLogLossOfUniformScoresIsLogOfClassCount() throws {
    let x = Tensor<Double>(shape: Shape(1, 1, 4, 3))
    let labels = Tensor<Double>(shape: Shape(1, 1, 1, 3), storage: [1, 2, 4])
    let z = try Loss(kind: .softmaxlog).forward(x, Parameters(labels: labels))
    #expect(abs(z.storage[0] - 3 * Double.log(4)) < 1e-14)
  }

  @Test func labelsOutOfRangeAreRefused() {
    let x = Tensor<Double>(shape: Shape(1, 1, 3))
    #expect(throws: ConvLabError.self) { try Loss().forward(x, Parameters(labels: Tensor(shape: Shape(1, 1), storage: [0]))) }
    #expect(throws: ConvLabError.self) { try Loss().forward(x, Parameters(labels: Tensor(shape: Shape(1, 1), storage: [4]))) }
  }
}
