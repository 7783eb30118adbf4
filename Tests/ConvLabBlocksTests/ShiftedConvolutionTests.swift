import CConvLabSupport
import ConvLabBlocks
import ConvLabCore
import Testing

private let microKernelRuns = convlab_sgemm_has_microkernel() != 0

/// The stride-1 forward pass without a patch matrix (`Fast/ShiftedConvolution.swift`: column
/// (i′, j′, d) of φ read in place as the padded input shifted by i′ + H_p j′ + H_p W_p d), its
/// dz/dx (the same kernel on dz/dy with rot180 of the filters, Xu (16)) and its dz/dF for many
/// channels (`Fast/ShiftedFilterGradient.swift`, Xu (13)), against MatConvNet's
/// loops and their adjoint in Double (`BlockedConvolutionTests.loops`,
/// `BlockedBackwardTests.adjointLoops`).
///
/// Tolerance 1e-5 norm-wise relative, as the other fast-path tests: inputs exactly representable
/// in Float, each entry a sum of at most ~2 000 Float32 products (relative rounding ~√n·6e-8 ≈
/// 3e-6 at worst), while a tap read from the wrong row or a dropped row kept moves an entry by
/// O(1e-2).
@Suite(.enabled(if: microKernelRuns, "the micro-kernel needs a CPU with AVX2 and FMA"))
struct ShiftedConvolutionTests {
  typealias Case = BlockedConvolutionTests.Case
  static let tolerance = 1e-5

  /// Stride-1 layers (the shifted kernel's domain: `BlockedConvolution` hands them to it when at
  /// most half of the tall product's rows are dropped, which holds for each of these): chunks of
  /// rows that end inside an output column (tall images), heights that are not multiples of the
  /// 32-row tile, padding wider than the filter (dz/dx then falls back to φ), dilation, groups,
  /// one image, a single tap, filter counts that are not multiples of 6, LeNet's C3 and a
  /// "same" 3×3 layer with many channels.
  static let cases: [Case] = [
    Case(x: Shape(14, 14, 6, 3), f: Shape(5, 5, 0, 16), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    Case(x: Shape(28, 28, 40, 1), f: Shape(3, 3, 0, 13), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false),
    Case(x: Shape(71, 9, 3, 2), f: Shape(3, 3, 0, 7), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    Case(x: Shape(33, 31, 2, 1), f: Shape(4, 2, 0, 7), pad: [0, 2, 1, 0], stride: (1, 1), dilate: (2, 1), groups: 1, bias: false),
    Case(x: Shape(12, 17, 8, 2), f: Shape(3, 5, 0, 12), pad: [2, 0, 1, 2], stride: (1, 1), dilate: (1, 2), groups: 4, bias: true),
    Case(x: Shape(9, 11, 5, 2), f: Shape(2, 3, 0, 1), pad: [4, 0, 0, 5], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    Case(x: Shape(6, 5, 12, 2), f: Shape(1, 1, 0, 20), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    Case(x: Shape(19, 23, 7, 3), f: Shape(5, 5, 0, 9), pad: [2, 2, 2, 2], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false),
    Case(x: Shape(32, 32, 1, 2), f: Shape(5, 5, 0, 6), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    // ≥ 32 channels per group: dz/dF by one product per spatial tap (`filterGradient`), with
    // groups, dilation and uneven padding, and with 3 images in runs of one.
    Case(x: Shape(10, 9, 64, 3), f: Shape(3, 3, 0, 14), pad: [2, 1, 0, 2], stride: (1, 1), dilate: (2, 1), groups: 2, bias: true),
    Case(x: Shape(7, 12, 33, 2), f: Shape(2, 4, 0, 5), pad: [1, 0, 3, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false),
    // 23 × 13 = 299 output pixels: the products run over two uneven pieces (150 + 149 rows).
    Case(x: Shape(23, 13, 32, 2), f: Shape(3, 3, 0, 10), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
  ]

  @Test(arguments: cases)
  func forwardMatchesTheLoops(_ c: Case) throws {
    let (x, p) = BlockedConvolutionTests.parameters(c, seed: 61)
    let conv = BlockedConvolutionTests.conv(c, .blocked)
    let y = try conv.forward(x.converted(to: Float.self), p.converted(to: Float.self))
    #expect(relativeError(y.converted(to: Double.self), BlockedConvolutionTests.loops(x, p, c)) < Self.tolerance, "\(c)")
  }

  @Test(arguments: cases)
  func backwardMatchesTheAdjointLoops(_ c: Case) throws {
    let (x, p, dzdy) = BlockedBackwardTests.instance(c, seed: 62)
    let conv = BlockedConvolutionTests.conv(c, .blocked)
    try #require(conv.backwardKernel(x: c.x, filters: p.w!.shape, scalar: Float.self) == .blocked)
    let g = try conv.backward(x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    let (dx, dw) = BlockedBackwardTests.adjointLoops(x, p.w!, dzdy, c)
    #expect(relativeError(g.dzdx.converted(to: Double.self), dx) < Self.tolerance, "dz/dx \(c)")
    #expect(relativeError(g.dzdw!.converted(to: Double.self), dw) < Self.tolerance, "dz/dw \(c)")
  }

  /// The per-tap filter gradient sums its runs of images in a fixed order: the same bits every
  /// call, whichever core ran which run (training reproduces its seed).
  @Test func filterGradientIsBitwiseReproducible() throws {
    let c = Case(x: Shape(12, 12, 32, 16), f: Shape(3, 3, 0, 8), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false)
    let (x, p, dzdy) = BlockedBackwardTests.instance(c, seed: 64)
    let (xf, pf, gf) = (x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    let conv = BlockedConvolutionTests.conv(c, .automatic)
    let first = try conv.backward(xf, pf, gf)
    for _ in 0..<4 {
      let again = try conv.backward(xf, pf, gf)
      #expect(again.dzdw!.storage == first.dzdw!.storage)
      #expect(again.dzdx.storage == first.dzdx.storage)
    }
  }

  /// The per-tap filter gradient reads only output pixels: an infinity in the image's bottom row
  /// reaches the filter rows that read it (i′ = 1, 2 of a 3×3 "same" layer) and no other. When the
  /// rows between two output columns were multiplied by zeros, tap i′ = 0 read it there and
  /// turned ∞·0 into NaN.
  @Test func perTapFilterGradientKeepsAnInfinityToItsTaps() throws {
    let c = Case(x: Shape(14, 14, 32, 1), f: Shape(3, 3, 0, 8), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false)
    let (clean, p, dzdy) = BlockedBackwardTests.instance(c, seed: 66)
    var x = clean
    x[13, 4, 0, 0] = .infinity
    let g = try BlockedConvolutionTests.conv(c, .blocked).backward(x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    let dw = try #require(g.dzdw)
    for k in 0..<8 {
      for d in 0..<32 {
        for j in 0..<3 {
          for i in 0..<3 {
            let reads = d == 0 && i > 0
            #expect(dw[i, j, d, k].isInfinite == reads && (dw[i, j, d, k].isFinite || reads), "dz/dw[\(i), \(j), \(d), \(k)] = \(dw[i, j, d, k])")
          }
        }
      }
    }
  }

  /// The few-channel filter gradient (`fewChannelFilterGradient`: LeNet's C1 and C3) sums its runs
  /// of images in a fixed order too: the same bits every call.
  @Test func fewChannelFilterGradientIsBitwiseReproducible() throws {
    let c = Case(x: Shape(14, 14, 6, 64), f: Shape(5, 5, 0, 16), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false)
    let (x, p, dzdy) = BlockedBackwardTests.instance(c, seed: 65)
    let (xf, pf, gf) = (x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    let conv = BlockedConvolutionTests.conv(c, .automatic)
    let first = try conv.backward(xf, pf, gf, inputGradient: false)
    #expect(relativeError(first.dzdw!.converted(to: Double.self), BlockedBackwardTests.adjointLoops(x, p.w!, dzdy, c).1) < Self.tolerance)
    for _ in 0..<4 {
      #expect(try conv.backward(xf, pf, gf, inputGradient: false).dzdw!.storage == first.dzdw!.storage)
    }
  }

  /// The correlation kernel alone (`convlab_shifted_correlate`), in every compilation this CPU
  /// runs: dw[s + k·ldw] += Σ_n Σ_t x[n·xs + o_s + t]·dy[n·ds + k·dp + t] against Double sums, for
  /// tap and output counts that leave every edge tile (1–3 taps, 1–2 outputs) and several images;
  /// entries of dw between ldw's columns stay untouched and the old values are added to.
  @Test(arguments: [0, 1, 2].flatMap { isa in [(1, 1, 1), (4, 3, 2), (5, 7, 3), (25, 6, 8), (9, 16, 1)].map { (isa, $0) } })
  func correlateKernelMatchesDoubleSums(isa: Int, size: (Int, Int, Int)) {
    let (taps, outputs, images) = size
    let length = 48
    var rng = SeededGenerator(seed: UInt64(isa * 100_000 + taps * 1000 + outputs * 10 + images))
    let offsets = (0..<taps).map { _ in Int.random(in: 0...40, using: &rng) }
    let (xStride, dyStride) = (length + 41, outputs * length + 5)
    let x = (0..<(images * xStride)).map { _ in Float.random(in: -1...1, using: &rng) }
    let dy = (0..<(images * dyStride)).map { _ in Float.random(in: -1...1, using: &rng) }
    let ldw = taps + 2
    var dw = [Float](repeating: 0.5, count: ldw * outputs)
    convlab_shifted_correlate(Int32(isa), images, length, x, xStride, offsets, taps, dy, dyStride, length, outputs, &dw, ldw)
    var (error, norm, untouched) = (0.0, 0.0, true)
    for k in 0..<outputs {
      for s in 0..<ldw {
        guard s < taps else {
          untouched = untouched && dw[s + k * ldw] == 0.5
          continue
        }
        var sum = 0.5
        for n in 0..<images {
          for t in 0..<length { sum += Double(x[n * xStride + offsets[s] + t]) * Double(dy[n * dyStride + k * length + t]) }
        }
        error += (Double(dw[s + k * ldw]) - sum) * (Double(dw[s + k * ldw]) - sum)
        norm += sum * sum
      }
    }
    // ≤ 384 Float32 products of numbers in [−1, 1]: ~1e-6 relative at most.
    #expect((error / max(norm, 1e-300)).squareRoot() < Self.tolerance, "isa \(isa), taps \(taps), outputs \(outputs), images \(images)")
    #expect(untouched, "isa \(isa): entries between dw's columns are left alone")
  }

  /// The dropped rows read across the end of an output column into the next one, and padding is
  /// real zeros: a NaN or an infinity in the input reaches exactly the outputs whose receptive
  /// field holds it (and dz/dx only where its own entry is), never a neighbouring column's.
  @Test func nonFiniteInputsStayInTheirReceptiveFields() throws {
    let c = Case(x: Shape(10, 9, 4, 2), f: Shape(3, 3, 0, 8), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true)
    // The NaN at the bottom of column 3 is the row a dropped row of column 3 reads next to column 4.
    let (x, p, expected) = try BlockedConvolutionTests.expectNonFiniteForward(c, seed: 63, "no NaN or infinity leaks into a neighbouring column")
    // dz/dy with a NaN at one output: dz/dx is NaN exactly at the inputs that output read.
    var dzdy = Tensor<Double>(shape: expected.shape, repeating: 0.5)
    dzdy[4, 4, 1, 1] = .nan
    let g = try BlockedConvolutionTests.conv(c, .blocked).backward(
      x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    for n in 0..<2 {
      for d in 0..<4 {
        for j in 0..<9 {
          for i in 0..<10 {
            let read = n == 1 && (3...5).contains(i) && (3...5).contains(j)
            #expect(g.dzdx[i, j, d, n].isNaN == read, "dz/dx[\(i), \(j), \(d), \(n)]")
          }
        }
      }
    }
  }

  /// The shifted micro-kernel alone, in every compilation this CPU runs: C = A·B + bias with
  /// A[i, p] = a[i + offsets[p]], against Double sums, for row counts around the 16- and 32-row
  /// tiles; entries of C's buffer past m stay untouched (the edge tiles are masked).
  @Test(arguments: [1, 2].flatMap { isa in [(1, 1, 1), (15, 5, 7), (32, 6, 25), (33, 7, 9), (79, 16, 150)].map { (isa, $0) } })
  func shiftedKernelMatchesDoubleProducts(isa: Int, size: (Int, Int, Int)) {
    let (m, n, k) = size
    var rng = SeededGenerator(seed: UInt64(isa * 100_000 + m * 1000 + n * 10 + k))
    let offsets = (0..<k).map { _ in Int.random(in: 0...60, using: &rng) }
    let a = (0..<(m + 61)).map { _ in Float.random(in: -1...1, using: &rng) }
    let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
    let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
    var packed = [Float](repeating: .nan, count: convlab_sgemm_packed_count(k, n))
    convlab_sgemm_pack(b, k, k, n, &packed)
    let ldc = m + 3
    let sentinel: Float = 12345
    var c = [Float](repeating: sentinel, count: ldc * n)
    convlab_sgemm_shifted(Int32(isa), m, n, k, a, offsets, packed, bias, &c, ldc)  // isa 2 runs as 1 without AVX-512
    var (error, norm, untouched) = (0.0, 0.0, true)
    for j in 0..<n {
      for i in 0..<ldc {
        guard i < m else {
          untouched = untouched && c[i + j * ldc] == sentinel
          continue
        }
        var s = Double(bias[j])
        for p in 0..<k { s += Double(a[i + offsets[p]]) * Double(b[p + j * k]) }
        error += (Double(c[i + j * ldc]) - s) * (Double(c[i + j * ldc]) - s)
        norm += s * s
      }
    }
    // ≤ 150 Float32 products of numbers in [−1, 1]: ~1e-6 relative at most.
    #expect((error / max(norm, 1e-300)).squareRoot() < Self.tolerance, "isa \(isa), m \(m), n \(n), k \(k)")
    #expect(untouched, "isa \(isa): rows past m are left alone")
  }
}
