import CConvLabSupport
import ConvLabBlocks
import ConvLabCore
import Testing

private let microKernelRuns = convlab_sgemm_has_microkernel() != 0

/// The blocked Float32 forward pass (`Conv.Kernel.blocked`: im2row a cache-sized block of patch
/// rows at a time, multiplied by ConvLab's AVX2 GEMM micro-kernel) against MatConvNet's loops in
/// Double, on shapes that exercise every edge: strides, dilations, groups, asymmetric padding,
/// filter counts that are not multiples of the micro-kernel's 6 columns, and blocks that end in
/// one image and go on in the next. Float32 against Double: the inputs are rounded to Float
/// (relative 6e-8) and each output sums ≤ 5·5·10 = 250 products in Float32, so the norm-wise
/// relative error is ~1e-6; 1e-5 leaves room and still fails on any misplaced tap (which moves
/// an O(1) term: an error of order 1e-2 or more).
@Suite(.enabled(if: microKernelRuns, "the micro-kernel needs a CPU with AVX2 and FMA"))
struct BlockedConvolutionTests {
  static let tolerance = 1e-5

  struct Case: CustomStringConvertible, Sendable {
    let x: Shape, f: Shape, pad: [Int], stride: (Int, Int), dilate: (Int, Int), groups: Int, bias: Bool
    var description: String {
      "x \(x), f \(f), pad \(pad), stride \(stride), dilation \(dilate), groups \(groups)\(bias ? ", bias" : "")"
    }
  }

  static let cases: [Case] =
    (1...16).map { seed in
      var rng = SeededGenerator(seed: UInt64(100 + seed))
      let (fh, fw) = (Int.random(in: 1...5, using: &rng), Int.random(in: 1...5, using: &rng))
      let stride = (Int.random(in: 1...2, using: &rng), Int.random(in: 1...2, using: &rng))
      let dilate = (Int.random(in: 1...2, using: &rng), Int.random(in: 1...2, using: &rng))
      let pad = [
        Int.random(in: 0...2, using: &rng), Int.random(in: 0...2, using: &rng),
        Int.random(in: 0...2, using: &rng), Int.random(in: 0...2, using: &rng),
      ]
      let groups = seed % 4 == 0 ? 2 : 1
      let (h, w) = (dilate.0 * (fh - 1) + Int.random(in: 1...12, using: &rng), dilate.1 * (fw - 1) + Int.random(in: 1...12, using: &rng))
      return Case(
        x: Shape(h, w, groups * Int.random(in: 1...10, using: &rng), Int.random(in: 1...3, using: &rng)),
        f: Shape(fh, fw, 0, groups * Int.random(in: 1...13, using: &rng)), pad: pad, stride: stride, dilate: dilate,
        groups: groups, bias: seed % 2 == 1)
    } + [
      // Milisavljevic's layer, smaller: 196 patch rows per image, so 64-row blocks cross images.
      Case(x: Shape(14, 14, 16, 3), f: Shape(3, 3, 0, 64), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
      // A "same" 5×5 layer and a 1×1 layer (no padding anywhere, one tap).
      Case(x: Shape(9, 7, 3, 2), f: Shape(5, 5, 0, 7), pad: [2, 2, 2, 2], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false),
      Case(x: Shape(6, 5, 12, 2), f: Shape(1, 1, 0, 20), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    ]

  static func loops(_ x: Tensor<Double>, _ p: Parameters<Double>, _ c: Case) -> Tensor<Double> {
    ConvTests.loops(x, p.w!, bias: p.b, pad: c.pad, stride: c.stride, dilate: c.dilate, groups: c.groups)
  }

  static func parameters(_ c: Case, seed: UInt64) -> (Tensor<Double>, Parameters<Double>) {
    var rng = SeededGenerator(seed: seed)
    // Values exactly representable in Float, so that both precisions start from the same numbers.
    let x = Tensor<Double>.uniform(c.x, using: &rng).converted(to: Float.self).converted(to: Double.self)
    let f = Tensor<Double>.uniform(Shape(c.f.h, c.f.w, c.x.d / c.groups, c.f.n), using: &rng).converted(to: Float.self).converted(to: Double.self)
    let b = c.bias ? Tensor<Double>.uniform(Shape(1, 1, c.f.n), using: &rng).converted(to: Float.self).converted(to: Double.self) : nil
    return (x, Parameters(w: f, b: b))
  }

  static func conv(_ c: Case, _ kernel: Conv.Kernel) -> Conv { Conv(pad: c.pad, stride: c.stride, dilate: c.dilate, kernel: kernel) }

  @Test(arguments: cases)
  func blockedForwardMatchesTheLoops(_ c: Case) throws {
    let (x, p) = Self.parameters(c, seed: 21)
    let conv = Self.conv(c, .automatic)
    try #require(conv.forwardKernel(x: c.x, filters: p.w!.shape, scalar: Float.self) == .blocked, "\(c) should run the blocked kernel")
    let y = try conv.forward(x.converted(to: Float.self), p.converted(to: Float.self))
    #expect(relativeError(y.converted(to: Double.self), Self.loops(x, p, c)) < Self.tolerance, "\(c)")
  }

  /// The Float32 backward pass (blocked, BlockedBackwardTests checks it against loops) agrees
  /// with Float64's, which stays im2row + BLAS.
  @Test(arguments: cases.prefix(8))
  func singlePrecisionBackwardFollowsDouble(_ c: Case) throws {
    let (x, p) = Self.parameters(c, seed: 22)
    let conv = Self.conv(c, .automatic)
    var rng = SeededGenerator(seed: 23)
    let dzdy = Tensor<Double>.uniform(Self.loops(x, p, c).shape, using: &rng)
    let double = try conv.backward(x, p, dzdy)
    let single = try conv.backward(x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    #expect(relativeError(single.dzdx.converted(to: Double.self), double.dzdx) < Self.tolerance, "dz/dx \(c)")
    #expect(relativeError(single.dzdw!.converted(to: Double.self), double.dzdw!) < Self.tolerance, "dz/dw \(c)")
  }

  /// In a "same" layer, im2row copies a tap's whole column run at once and masks the rows that
  /// are padding for their image column (they would read the neighbouring column's edge). The
  /// mask must give exact zeros: a NaN or an infinity at a column's edge reaches only the outputs
  /// whose receptive field holds it, never those that read it as padding.
  @Test func paddingNeverReadsTheNeighbouringColumn() throws {
    let c = Case(x: Shape(10, 9, 4, 2), f: Shape(3, 3, 0, 8), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false)
    _ = try Self.expectNonFiniteForward(c, seed: 24, "no NaN or infinity leaks through the padding")
  }

  /// x of case `c` with a NaN at the bottom of image column 3 (read as "row −1" of column 4's
  /// patches) and an infinity at the top of column 5 ("row 10" of column 4's), through the
  /// Float32 blocked forward pass: non-finite exactly where MatConvNet's loops are, the rest
  /// finite and within `tolerance` of them. Returns x, the parameters and the loops' output.
  static func expectNonFiniteForward(_ c: Case, seed: UInt64, _ leak: Comment) throws -> (x: Tensor<Double>, p: Parameters<Double>, expected: Tensor<Double>) {
    var (x, p) = parameters(c, seed: seed)
    x[9, 3, 0, 0] = .nan
    x[0, 5, 2, 1] = .infinity
    let expected = loops(x, p, c)
    let y = try conv(c, .blocked).forward(x.converted(to: Float.self), p.converted(to: Float.self)).converted(to: Double.self)
    for i in 0..<y.count where !expected.storage[i].isFinite {
      #expect(y.storage[i].isNaN == expected.storage[i].isNaN && y.storage[i].isInfinite == expected.storage[i].isInfinite, "entry \(i)")
    }
    let finite = (0..<y.count).filter { expected.storage[$0].isFinite }
    #expect(finite.count > y.count / 2)
    #expect(finite.allSatisfy { y.storage[$0].isFinite }, leak)
    let a = Tensor(shape: Shape(finite.count, 1), storage: finite.map { y.storage[$0] })
    let b = Tensor(shape: Shape(finite.count, 1), storage: finite.map { expected.storage[$0] })
    #expect(relativeError(a, b) < tolerance)
    return (x, p, expected)
  }

  /// The micro-kernel alone: C = A·B + bias for sizes around its 16 × 6 (AVX2) and 32 × 6
  /// (AVX-512) tiles, with leading dimensions larger than the matrices, in every compilation this
  /// CPU runs. Entries of C's buffer outside the m × n block (the gap between columns) must stay
  /// untouched: the edge tiles use masked loads and stores.
  @Test(arguments: [(1, 1, 1), (15, 5, 7), (16, 6, 33), (17, 7, 2), (31, 6, 9), (33, 7, 5), (40, 13, 100), (64, 64, 576), (79, 16, 150)])
  func microKernelMatchesDoubleProducts(m: Int, n: Int, k: Int) {
    var rng = SeededGenerator(seed: UInt64(m * 1000 + n * 10 + k))
    let (lda, ldc) = (m + 3, m + 5)
    let a = (0..<(lda * k)).map { _ in Float.random(in: -1...1, using: &rng) }
    let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
    let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
    for isa in 1...max(1, convlab_sgemm_isa()) {
      for withBias in [false, true] {
        var packed = [Float](repeating: .nan, count: convlab_sgemm_packed_count(k, n))
        convlab_sgemm_pack(b, k, k, n, &packed)
        let sentinel: Float = 12345
        var c = [Float](repeating: sentinel, count: ldc * n)
        bias.withUnsafeBufferPointer { biasPointer in
          convlab_sgemm_packed_isa(Int32(isa), m, n, k, a, lda, packed, withBias ? biasPointer.baseAddress : nil, &c, ldc)
        }
        var error = 0.0
        var norm = 0.0
        var untouched = true
        for j in 0..<n {
          for i in 0..<ldc {
            guard i < m else {
              untouched = untouched && c[i + j * ldc] == sentinel
              continue
            }
            var s = withBias ? Double(bias[j]) : 0
            for p in 0..<k { s += Double(a[i + p * lda]) * Double(b[p + j * k]) }
            error += (Double(c[i + j * ldc]) - s) * (Double(c[i + j * ldc]) - s)
            norm += s * s
          }
        }
        // k ≤ 576 Float32 products of numbers in [−1, 1]: ~√k·6e-8 relative, far below 1e-5.
        #expect((error / max(norm, 1e-300)).squareRoot() < Self.tolerance, "isa \(isa), m \(m), n \(n), k \(k), bias \(withBias)")
        #expect(untouched, "isa \(isa): rows past m of C's columns are left alone")
      }
    }
  }

  @Test func automaticChoosesBlockedForSinglePrecisionGEMMLayers() {
    let (x, f) = (Shape(14, 14, 64, 100), Shape(3, 3, 64, 64))
    #expect(Conv(pad: [1, 1, 1, 1]).forwardKernel(x: x, filters: f, scalar: Float.self) == .blocked, "Milisavljevic, Float32")
    #expect(Conv(pad: [1, 1, 1, 1]).forwardKernel(x: x, filters: f, scalar: Double.self) == .gemm, "Float64 stays BLAS-backed")
    #expect(Conv(pad: [1, 1, 1, 1], kernel: .gemm).forwardKernel(x: x, filters: f, scalar: Float.self) == .gemm, "forced GEMM")
    #expect(Conv().forwardKernel(x: Shape(28, 28, 1, 64), filters: Shape(5, 5, 1, 6), scalar: Float.self) == .blocked, "LeNet C1: shifted")
    #expect(Conv().forwardKernel(x: Shape(28, 28, 1, 64), filters: Shape(5, 5, 1, 6), scalar: Double.self) == .gemm, "LeNet C1, Float64")
    #expect(Conv(kernel: .direct).forwardKernel(x: Shape(28, 28, 1, 64), filters: Shape(5, 5, 1, 6), scalar: Float.self) == .direct, "forced direct")
    #expect(
      Conv(kernel: .blocked).forwardKernel(x: Shape(28, 28, 1, 64), filters: Shape(5, 5, 1, 6), scalar: Float.self) == .blocked,
      "forced blocked, even where direct would be chosen")
  }

  /// The im2row/row2im fill loops in C, AVX2 against the portable compilation (which runs on CPUs
  /// without AVX2), on random plans: copies, strided copies, masked copies and zero fills of every
  /// length 0…20 (so every 8-, 4- and 1-wide tail), clipped to random windows. Both apply the same
  /// fills in the same order and round nothing, so they must agree exactly.
  @Test(arguments: [1, 2, 3])
  func fillLoopsAgreeWithThePortableCompilation(step: Int) {
    var rng = SeededGenerator(seed: UInt64(40 + step))
    let (plane, channels, spatial, ld) = (120, 3, 4, 48)
    var starts = [0]
    var fills: [convlab_im2row_fill] = []
    let masks = (0..<200).map { _ in Int32(Bool.random(using: &rng) ? -1 : 0) }
    // A tap's fills in increasing, non-overlapping row order (as PatchMatrix's plans; the C loops
    // rely on it), with gaps between them.
    for _ in 0..<spatial {
      var target = Int.random(in: 0...4, using: &rng)
      for _ in 0..<Int.random(in: 1...6, using: &rng) {
        let count = min(ld - target, Int.random(in: 0...20, using: &rng))
        let kind = Int.random(in: 0..<3, using: &rng)
        fills.append(
          convlab_im2row_fill(
            target: target,
            source: Int.random(in: 0...(plane - 1 - step * max(0, count - 1)), using: &rng),
            count: count, zero: kind == 0 ? 1 : 0,
            mask: kind == 2 && step == 1 ? Int.random(in: 0...(200 - count), using: &rng) : -1))
        target = min(ld, target + count + Int.random(in: 0...3, using: &rng))
      }
      starts.append(fills.count)
    }
    let x = (0..<(plane * channels)).map { _ in Float.random(in: -1...1, using: &rng) }
    for _ in 0..<5 {
      let first = Int.random(in: 0..<ld, using: &rng)
      let count = Int.random(in: 0...(ld - first), using: &rng)
      var fast = [Float](repeating: 7, count: spatial * channels * ld)
      var portable = fast
      convlab_im2row_f32(x, plane, channels, spatial, starts, fills, masks, step, first, count, &fast, ld, 0)
      convlab_im2row_f32(x, plane, channels, spatial, starts, fills, masks, step, first, count, &portable, ld, 1)
      #expect(fast == portable, "im2row, step \(step), rows \(first)..<\(first + count)")
    }
    let m = (0..<(spatial * channels * ld)).map { _ in Float.random(in: -1...1, using: &rng) }
    var fast = x
    var portable = x
    convlab_row2im_add_f32(m, ld, plane, channels, spatial, starts, fills, masks, step, &fast, 0)
    convlab_row2im_add_f32(m, ld, plane, channels, spatial, starts, fills, masks, step, &portable, 1)
    #expect(fast == portable, "row2im, step \(step)")
    #expect(fast != x, "row2im added something")
  }
}
