import CConvLabSupport
import ConvLabBlocks
import ConvLabCore
import Testing

private let microKernelRuns = convlab_sgemm_has_microkernel() != 0

/// Layers whose filters are as large as their input (`Fast/WholeInputConvolution.swift`: one
/// patch per image, y = Fᵀ x̄ + b, dz/dx̄ = F dz/dy, dz/dF = x̄ dz/dyᵀ on the micro-kernel), against
/// MatConvNet's loops and their adjoint in Double (`BlockedConvolutionTests.loops`,
/// `BlockedBackwardTests.adjointLoops`).
///
/// Tolerance 1e-5 norm-wise relative, as the other fast-path tests: inputs exactly representable
/// in Float, each entry a sum of at most 400 Float32 products (relative rounding ~√n·6e-8 ≈ 1e-6),
/// while a transposed factor or a wrong image block moves entries by O(1).
@Suite(.enabled(if: microKernelRuns, "the micro-kernel needs a CPU with AVX2 and FMA"))
struct WholeInputConvolutionTests {
  typealias Case = BlockedConvolutionTests.Case
  static let tolerance = 1e-5

  /// LeNet's C5 (5×5×16 → 120), a batch of 50 (one 48-image block and a 2-image edge block), groups
  /// (each group's channels a contiguous slice of the image), a 1×1 input (a dense layer), filter
  /// counts that fill no whole 6-column panel or 32-row tile, and a stride that cannot matter.
  static let cases: [Case] = [
    Case(x: Shape(5, 5, 16, 3), f: Shape(5, 5, 0, 120), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    Case(x: Shape(3, 4, 5, 50), f: Shape(3, 4, 0, 7), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false),
    Case(x: Shape(2, 3, 6, 4), f: Shape(2, 3, 0, 10), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 2, bias: true),
    Case(x: Shape(1, 1, 37, 9), f: Shape(1, 1, 0, 33), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    Case(x: Shape(7, 6, 3, 2), f: Shape(7, 6, 0, 1), pad: [0, 0, 0, 0], stride: (2, 3), dilate: (1, 1), groups: 1, bias: true),
  ]

  @Test(arguments: cases)
  func forwardMatchesTheLoops(_ c: Case) throws {
    let (x, p) = BlockedConvolutionTests.parameters(c, seed: 71)
    let y = try BlockedConvolutionTests.conv(c, .blocked).forward(x.converted(to: Float.self), p.converted(to: Float.self))
    #expect(relativeError(y.converted(to: Double.self), BlockedConvolutionTests.loops(x, p, c)) < Self.tolerance, "\(c)")
  }

  @Test(arguments: cases)
  func backwardMatchesTheAdjointLoops(_ c: Case) throws {
    let (x, p, dzdy) = BlockedBackwardTests.instance(c, seed: 72)
    let conv = BlockedConvolutionTests.conv(c, .automatic)
    try #require(conv.backwardKernel(x: c.x, filters: p.w!.shape, scalar: Float.self) == .blocked)
    let (xf, pf, gf) = (x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    let g = try conv.backward(xf, pf, gf)
    let (dx, dw) = BlockedBackwardTests.adjointLoops(x, p.w!, dzdy, c)
    #expect(relativeError(g.dzdx.converted(to: Double.self), dx) < Self.tolerance, "dz/dx \(c)")
    #expect(relativeError(g.dzdw!.converted(to: Double.self), dw) < Self.tolerance, "dz/dw \(c)")
    // Without dz/dx (a network's first layer) the filter gradient is the same, bit for bit.
    let filterOnly = try conv.backward(xf, pf, gf, inputGradient: false)
    #expect(filterOnly.dzdw!.storage == g.dzdw!.storage, "\(c)")
  }
}
