import CConvLabSupport
import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Testing

/// The direct convolution kernel (`Conv.Kernel.direct`, LeNet's small layers) against MatConvNet's
/// loops, the im2row + GEMM kernel, and the literal Jacobians, on shapes where it runs: stride 1,
/// output ≥ 8 rows, with row counts that are and are not multiples of the 8 SIMD lanes, channel
/// counts that are and are not multiples of its 4-channel blocks, and every padding below the
/// filter size.
@Suite struct SmallConvolutionTests {
  struct Case: CustomStringConvertible, Sendable {
    let x: Shape, f: Shape, pad: [Int], bias: Bool
    var description: String { "x \(x), f \(f), pad \(pad)\(bias ? ", bias" : "")" }
  }

  static let cases: [Case] = (1...24).map { seed in
    var rng = SeededGenerator(seed: UInt64(seed))
    let (fh, fw) = (Int.random(in: 1...5, using: &rng), Int.random(in: 1...5, using: &rng))
    let pad = [Int.random(in: 0..<fh, using: &rng), Int.random(in: 0..<fh, using: &rng), Int.random(in: 0..<fw, using: &rng), Int.random(in: 0..<fw, using: &rng)]
    // Output height 8…17 (one chunk exactly, or a chunk and an overlapping tail).
    let h = fh - pad[0] - pad[1] + Int.random(in: 7...16, using: &rng)
    let w = max(1, fw - pad[2] - pad[3]) + Int.random(in: 0...3, using: &rng)
    return Case(
      x: Shape(h, w, Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng)),
      f: Shape(fh, fw, 0, Int.random(in: 1...9, using: &rng)), pad: pad, bias: seed % 2 == 0)
  }

  static func parameters(_ c: Case, seed: UInt64) -> (Tensor<Double>, Parameters<Double>) {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor<Double>.uniform(c.x, using: &rng)
    let f = Tensor<Double>.uniform(Shape(c.f.h, c.f.w, c.x.d, c.f.n), using: &rng)
    return (x, Parameters(w: f, b: c.bias ? .uniform(Shape(1, 1, c.f.n), using: &rng) : nil))
  }

  @Test(arguments: cases)
  func directMatchesTheLoopsAndTheGEMMKernel(_ c: Case) throws {
    let (x, p) = Self.parameters(c, seed: 11)
    let direct = Conv(pad: c.pad, kernel: .direct)
    let gemm = Conv(pad: c.pad, kernel: .gemm)
    try #require(direct.usesDirectKernel(x: c.x, filters: p.w!.shape), "\(c) should run the direct kernel")
    let loops = ConvTests.loops(x, p.w!, bias: p.b, pad: c.pad, stride: (1, 1), dilate: (1, 1))
    // Sums of at most 5·5·3 products of O(1) numbers, in a different order: Double round-off.
    #expect(relativeError(try direct.forward(x, p), loops) < 1e-13, "forward \(c)")

    var rng = SeededGenerator(seed: 12)
    let dzdy = Tensor<Double>.uniform(loops.shape, using: &rng)
    let a = try direct.backward(x, p, dzdy)
    let b = try gemm.backward(x, p, dzdy)
    #expect(relativeError(a.dzdx, b.dzdx) < 1e-13, "dz/dx (rot180 correlation vs φ*) \(c)")
    #expect(relativeError(a.dzdw!, b.dzdw!) < 1e-13, "dz/dw \(c)")
    if c.bias { #expect(relativeError(a.dzdb!, b.dzdb!) < 1e-13, "dz/db \(c)") }
    // Without dz/dx (a network's first layer) the filter gradient is the same.
    let noInput = try direct.backward(x, p, dzdy, inputGradient: false)
    #expect(noInput.dzdw! == a.dzdw!, "dz/dw without dz/dx \(c)")
  }

  /// The literal side (explicit Jacobians, MatConvNet §6.1) against the direct kernel's backward:
  /// dz/dx = Jₓᵀ vec(dz/dy), dz/dw = J_wᵀ vec(dz/dy).
  @Test(arguments: cases.prefix(6))
  func directBackwardIsTheTransposedJacobian(_ c: Case) throws {
    let (x, p) = Self.parameters(c, seed: 13)
    let conv = Conv(pad: c.pad, kernel: .direct)
    let y = try conv.forward(x, p)
    var rng = SeededGenerator(seed: 14)
    let dzdy = Tensor<Double>.uniform(y.shape, using: &rng)
    let g = try conv.backward(x, p, dzdy)
    let v = Matrix(rows: dzdy.count, cols: 1, storage: dzdy.storage)
    let jx = try conv.jacobian(at: x, p, wrt: .x)
    let jw = try conv.jacobian(at: x, p, wrt: .w)
    // Both sides sum the same ≤ 75 products per entry, in different orders.
    #expect(relativeError(jx.transposed * v, Matrix(rows: x.count, cols: 1, storage: g.dzdx.storage)) < 1e-12, "dz/dx \(c)")
    #expect(relativeError(jw.transposed * v, Matrix(rows: p.w!.count, cols: 1, storage: g.dzdw!.storage)) < 1e-12, "dz/dw \(c)")
  }

  @Test func singlePrecisionDirectFollowsDouble() throws {
    // LeNet's C3: 14×14×6 → 10×10×16, 5×5, batch 4.
    let c = Case(x: Shape(14, 14, 6, 4), f: Shape(5, 5, 0, 16), pad: [0, 0, 0, 0], bias: true)
    let (x, p) = Self.parameters(c, seed: 15)
    let conv = Conv(kernel: .direct)
    let single = try conv.forward(x.converted(to: Float.self), p.converted(to: Float.self))
    // 150-term sums of O(1) products in Float32: a few hundred ulps at most of ~1e-7.
    #expect(relativeError(single.converted(to: Double.self), try conv.forward(x, p)) < 1e-5)
  }

  /// Automatic: direct for few-tap layers only where ConvLab's micro-kernel does not run (there
  /// the blocked path's shifted kernel is faster on C1 too: `SmallConvolution.faster`).
  @Test func automaticChoosesDirectOnlyForSmallLayers() {
    let conv = Conv()
    let direct = convlab_sgemm_has_microkernel() == 0
    #expect(conv.usesDirectKernel(x: Shape(28, 28, 1, 64), filters: Shape(5, 5, 1, 6)) == direct, "LeNet C1 (with pad 2 below)")
    #expect(Conv(pad: [2, 2, 2, 2]).usesDirectKernel(x: Shape(28, 28, 1, 64), filters: Shape(5, 5, 1, 6)) == direct)
    #expect(!conv.usesDirectKernel(x: Shape(14, 14, 6, 64), filters: Shape(5, 5, 6, 16)), "LeNet C3: 150 taps, GEMM")
    #expect(Conv(kernel: .direct).usesDirectKernel(x: Shape(14, 14, 6, 64), filters: Shape(5, 5, 6, 16)), "LeNet C3, forced")
    #expect(!conv.usesDirectKernel(x: Shape(14, 14, 64, 100), filters: Shape(3, 3, 64, 64)), "Milisavljevic: GEMM")
    #expect(!conv.usesDirectKernel(x: Shape(5, 5, 16, 64), filters: Shape(5, 5, 16, 120)), "C5: a 1×1 output")
    #expect(!Conv(stride: (2, 2)).usesDirectKernel(x: Shape(28, 28, 1, 1), filters: Shape(3, 3, 1, 4)), "stride 2")
    #expect(!Conv(kernel: .gemm).usesDirectKernel(x: Shape(28, 28, 1, 64), filters: Shape(5, 5, 1, 6)), "forced GEMM")
    #expect(!Conv(pad: [5, 5, 0, 0], kernel: .direct).usesDirectKernel(x: Shape(28, 28, 1, 1), filters: Shape(5, 5, 1, 4)), "pad ≥ filter size")
  }
}
