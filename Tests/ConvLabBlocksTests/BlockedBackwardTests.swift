import CConvLabSupport
import ConvLabBlocks
import ConvLabCore
import Testing

private let microKernelRuns = convlab_sgemm_has_microkernel() != 0

/// The blocked Float32 backward pass (dz/dF = φᵀ dY and dz/dX = φ*(dY Fᵀ) on cache-sized blocks
/// of each image's patch rows, MatConvNet §6.1) against the adjoint of MatConvNet §4.1's loops,
/// written out here in Double: every output entry's dz/dy is sent back along each tap it read.
///
/// Tolerance 1e-5, norm-wise relative, as the forward tests: inputs are exactly representable in
/// Float, each gradient entry sums at most a few thousand Float32 products (relative rounding
/// ~√n·6e-8 ≈ 1e-6 here), while a misplaced tap, a missing block or a block added twice changes
/// the result by O(1e-2) or more.
@Suite(.enabled(if: microKernelRuns, "the micro-kernel needs a CPU with AVX2 and FMA"))
struct BlockedBackwardTests {
  typealias Case = BlockedConvolutionTests.Case
  static let tolerance = 1e-5

  /// The forward tests' shapes (random strides, dilations, paddings, groups, 1–3 images) and
  /// shapes chosen for the backward's blocks: several blocks per image with an uneven last one,
  /// one image (N = 1), a strided large-kernel stem on 3 channels, a 630-tap layer (64-row
  /// blocks), and LeNet's C3.
  static let cases: [Case] =
    BlockedConvolutionTests.cases + [
      Case(x: Shape(40, 37, 3, 2), f: Shape(3, 3, 0, 5), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
      Case(x: Shape(33, 31, 2, 1), f: Shape(4, 2, 0, 7), pad: [0, 2, 1, 0], stride: (1, 1), dilate: (2, 1), groups: 1, bias: false),
      Case(x: Shape(23, 21, 3, 2), f: Shape(7, 7, 0, 13), pad: [3, 3, 3, 3], stride: (2, 2), dilate: (1, 1), groups: 1, bias: true),
      Case(x: Shape(9, 11, 70, 1), f: Shape(3, 3, 0, 17), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false),
      Case(x: Shape(14, 14, 6, 3), f: Shape(5, 5, 0, 16), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
      Case(x: Shape(17, 15, 8, 3), f: Shape(3, 5, 0, 12), pad: [2, 0, 1, 2], stride: (2, 3), dilate: (1, 2), groups: 4, bias: false),
    ]

  /// (dz/dx, dz/dw) by the adjoint of the loops: for every output (i″, j″, k, n) and tap
  /// (i′, j′, d′) that reads inside the input, dz/dw[i′, j′, d′, k] += x·g and dz/dx[…] += f·g.
  static func adjointLoops(_ x: Tensor<Double>, _ f: Tensor<Double>, _ g: Tensor<Double>, _ c: Case) -> (Tensor<Double>, Tensor<Double>) {
    var dx = Tensor<Double>(shape: x.shape)
    var dw = Tensor<Double>(shape: f.shape)
    let perGroup = f.shape.n / c.groups
    for n in 0..<x.shape.n {
      for k in 0..<f.shape.n {
        let group = k / perGroup
        for j2 in 0..<g.shape.w {
          for i2 in 0..<g.shape.h {
            let gradient = g[i2, j2, k, n]
            for d1 in 0..<f.shape.d {
              for j1 in 0..<f.shape.w {
                let col = c.stride.1 * j2 + c.dilate.1 * j1 - c.pad[2]
                guard col >= 0, col < x.shape.w else { continue }
                for i1 in 0..<f.shape.h {
                  let row = c.stride.0 * i2 + c.dilate.0 * i1 - c.pad[0]
                  guard row >= 0, row < x.shape.h else { continue }
                  let channel = group * f.shape.d + d1
                  dw[i1, j1, d1, k] += x[row, col, channel, n] * gradient
                  dx[row, col, channel, n] += f[i1, j1, d1, k] * gradient
                }
              }
            }
          }
        }
      }
    }
    return (dx, dw)
  }

  static func instance(_ c: Case, seed: UInt64) -> (Tensor<Double>, Parameters<Double>, Tensor<Double>) {
    let (x, p) = BlockedConvolutionTests.parameters(c, seed: seed)
    var rng = SeededGenerator(seed: seed + 1)
    let y = BlockedConvolutionTests.loops(x, p, c)
    let dzdy = Tensor<Double>.uniform(y.shape, using: &rng).converted(to: Float.self).converted(to: Double.self)
    return (x, p, dzdy)
  }

  @Test(arguments: cases)
  func blockedBackwardMatchesTheAdjointLoops(_ c: Case) throws {
    let (x, p, dzdy) = Self.instance(c, seed: 31)
    // Forced: `automatic` runs the direct kernel on the few-tap cases.
    let conv = BlockedConvolutionTests.conv(c, .blocked)
    try #require(conv.backwardKernel(x: c.x, filters: p.w!.shape, scalar: Float.self) == .blocked, "\(c) should run the blocked backward")
    let g = try conv.backward(x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    let (dx, dw) = Self.adjointLoops(x, p.w!, dzdy, c)
    #expect(relativeError(g.dzdx.converted(to: Double.self), dx) < Self.tolerance, "dz/dx \(c)")
    #expect(relativeError(g.dzdw!.converted(to: Double.self), dw) < Self.tolerance, "dz/dw \(c)")
    if let b = p.b {
      // dz/db = Σ over pixels and images of dz/dy, channel by channel.
      let expected = Tensor<Double>(shape: b.shape) { _, _, k, _ in
        var s = 0.0
        for n in 0..<dzdy.shape.n { for j in 0..<dzdy.shape.w { for i in 0..<dzdy.shape.h { s += dzdy[i, j, k, n] } } }
        return s
      }
      #expect(relativeError(g.dzdb!.converted(to: Double.self), expected) < Self.tolerance, "dz/db \(c)")
    }
  }

  /// The blocked and the im2row + OpenBLAS backward agree, and without the input gradient the
  /// filter gradient is unchanged and dz/dx stays zero (a network's first layer).
  @Test(arguments: cases.suffix(6))
  func withoutInputGradientOnlyTheFilterGradient(_ c: Case) throws {
    let (x, p, dzdy) = Self.instance(c, seed: 41)
    let (xf, pf, gf) = (x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    let blocked = try BlockedConvolutionTests.conv(c, .blocked).backward(xf, pf, gf, inputGradient: false)
    let gemm = try BlockedConvolutionTests.conv(c, .gemm).backward(xf, pf, gf, inputGradient: true)
    #expect(blocked.dzdx.storage.allSatisfy { $0 == 0 }, "dz/dx untouched \(c)")
    #expect(relativeError(blocked.dzdw!.converted(to: Double.self), gemm.dzdw!.converted(to: Double.self)) < Self.tolerance, "\(c)")
  }

  /// Partial filter gradients are added in a fixed order of image runs, not in the order the
  /// cores finish: the same call gives the same bits every time (training reproduces its seed).
  @Test func filterGradientIsBitwiseReproducible() throws {
    let c = Case(x: Shape(14, 14, 6, 64), f: Shape(5, 5, 0, 16), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false)
    let (x, p, dzdy) = Self.instance(c, seed: 51)
    let (xf, pf, gf) = (x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    let conv = BlockedConvolutionTests.conv(c, .automatic)
    let first = try conv.backward(xf, pf, gf)
    for _ in 0..<5 {
      let again = try conv.backward(xf, pf, gf)
      #expect(again.dzdw!.storage == first.dzdw!.storage)
      #expect(again.dzdx.storage == first.dzdx.storage)
    }
  }

  @Test func kernelChoice() {
    let (x, f) = (Shape(14, 14, 6, 64), Shape(5, 5, 6, 16))
    #expect(Conv().backwardKernel(x: x, filters: f, scalar: Float.self) == .blocked, "LeNet C3, Float32")
    #expect(Conv().backwardKernel(x: x, filters: f, scalar: Double.self) == .gemm, "Float64 stays BLAS-backed")
    #expect(Conv(kernel: .gemm).backwardKernel(x: x, filters: f, scalar: Float.self) == .gemm, "forced GEMM")
    #expect(Conv().backwardKernel(x: Shape(28, 28, 1, 64), filters: Shape(5, 5, 1, 6), scalar: Float.self) == .blocked, "LeNet C1")
    #expect(Conv(kernel: .direct).backwardKernel(x: Shape(28, 28, 1, 64), filters: Shape(5, 5, 1, 6), scalar: Float.self) == .direct, "forced direct")
  }

  /// C += A·B with the accumulating micro-kernel and Bᵀ packed from a stored matrix, against
  /// Double sums, in every compilation this CPU runs; rows of C's buffer past m stay untouched.
  /// Sizes around the 16 × 6 (AVX2) and 32 × 6 (AVX-512) tiles.
  @Test(arguments: [1, 2].flatMap { isa in [(1, 1, 1), (15, 5, 7), (16, 6, 33), (17, 7, 2), (31, 6, 9), (33, 7, 5), (40, 13, 100), (64, 150, 100)].map { (isa, $0) } })
  func accumulatingKernelAndTransposedPacking(isa: Int, size: (Int, Int, Int)) {
    let (m, n, k) = size
    var rng = SeededGenerator(seed: UInt64(m * 1000 + n * 10 + k + 7))
    let (lda, ldc, ldb) = (m + 3, m + 5, n + 2)
    let a = (0..<(lda * k)).map { _ in Float.random(in: -1...1, using: &rng) }
    let stored = (0..<(ldb * k)).map { _ in Float.random(in: -1...1, using: &rng) }  // B[p, j] = stored[j + p·ldb]
    let start = (0..<(ldc * n)).map { _ in Float.random(in: -1...1, using: &rng) }
    var packed = [Float](repeating: .nan, count: convlab_sgemm_packed_count(k, n))
    convlab_sgemm_pack_transposed(stored, ldb, k, n, &packed)
    var c = start
    let sentinel: Float = 12345
    for j in 0..<n { for i in m..<ldc { c[i + j * ldc] = sentinel } }
    convlab_sgemm_packed_add_isa(Int32(isa), m, n, k, a, lda, packed, &c, ldc)  // isa 2 runs as 1 on CPUs without AVX-512
    var error = 0.0
    var norm = 0.0
    var untouched = true
    for j in 0..<n {
      for i in 0..<ldc {
        guard i < m else {
          untouched = untouched && c[i + j * ldc] == sentinel
          continue
        }
        var s = Double(start[i + j * ldc])
        for p in 0..<k { s += Double(a[i + p * lda]) * Double(stored[j + p * ldb]) }
        error += (Double(c[i + j * ldc]) - s) * (Double(c[i + j * ldc]) - s)
        norm += s * s
      }
    }
    // ≤ 100 Float32 products in [−1, 1] plus the start value: ~1e-6 relative at most.
    #expect((error / max(norm, 1e-300)).squareRoot() < Self.tolerance, "isa \(isa), m \(m), n \(n), k \(k)")
    #expect(untouched, "rows past m of C's columns are left alone")
  }

  /// row2im on a window of rows is the adjoint of im2row on the same window:
  /// ⟨im2row_w(x), M⟩ = ⟨x, row2im_w(M)⟩, on random plans whose fills (copies, strided copies,
  /// masked copies, zero fills) tile each column without overlap, as PatchMatrix's plans do;
  /// computed in Double from the Float entries. The AVX2 and portable compilations of the
  /// windowed row2im agree exactly (same additions in the same order).
  @Test(arguments: [(1, 0, 7), (1, 5, 40), (2, 37, 1), (2, 0, 60), (3, 13, 30), (1, 59, 1)])
  func windowedRow2imIsTheAdjointOfIm2row(step: Int, first: Int, count: Int) {
    var rng = SeededGenerator(seed: UInt64(1000 * step + 10 * first + count))
    let (plane, channels, spatial, rows) = (400, 3, 5, 60)
    let masks = (0..<400).map { _ in Int32(Bool.random(using: &rng) ? -1 : 0) }
    var starts = [0]
    var fills: [convlab_im2row_fill] = []
    for _ in 0..<spatial {
      var target = 0
      while target < rows {
        let n = min(rows - target, Int.random(in: 0...17, using: &rng))
        let kind = Int.random(in: 0..<3, using: &rng)
        fills.append(
          convlab_im2row_fill(
            target: target, source: Int.random(in: 0...(plane - 1 - step * max(0, n - 1)), using: &rng),
            count: n, zero: kind == 0 ? 1 : 0,
            mask: kind == 2 && step == 1 ? Int.random(in: 0...(400 - n), using: &rng) : -1))
        target += n
      }
      starts.append(fills.count)
    }
    let x = (0..<(plane * channels)).map { _ in Float.random(in: -1...1, using: &rng) }
    let ld = count + 3
    var phi = [Float](repeating: 0, count: spatial * channels * ld)
    convlab_im2row_f32(x, plane, channels, spatial, starts, fills, masks, step, first, count, &phi, ld, 0)
    let m = (0..<(spatial * channels * ld)).map { _ in Float.random(in: -1...1, using: &rng) }
    var adjoint = [Float](repeating: 0, count: plane * channels)
    var portable = adjoint
    convlab_row2im_add_rows_f32(m, ld, plane, channels, spatial, starts, fills, masks, step, first, count, &adjoint, 0)
    convlab_row2im_add_rows_f32(m, ld, plane, channels, spatial, starts, fills, masks, step, first, count, &portable, 1)
    var lhs = 0.0
    var rhs = 0.0
    for q in 0..<(spatial * channels) { for r in 0..<count { lhs += Double(phi[r + q * ld]) * Double(m[r + q * ld]) } }
    for i in 0..<x.count { rhs += Double(x[i]) * Double(adjoint[i]) }
    // ≤ 900 products of numbers in [−1, 1] summed in Double on the left; on the right each
    // entry of the adjoint adds ≤ 5 Float32 terms (one per tap), ~1e-7 relative each.
    #expect(abs(lhs - rhs) <= 1e-5 * max(1, abs(lhs)), "⟨im2row x, M⟩ = \(lhs), ⟨x, row2im M⟩ = \(rhs)")
    #expect(adjoint == portable, "AVX2 and portable row2im")
    #expect(count == 0 || adjoint.contains { $0 != 0 } || fills.allSatisfy { $0.zero != 0 }, "something was added")
  }
}
