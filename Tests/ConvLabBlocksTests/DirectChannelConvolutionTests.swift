import CConvLabSupport
import ConvLabBlocks
import ConvLabCore
import Testing

private let directRuns = convlab_direct_available() != 0

/// The forward pass with 16 filters per SIMD vector (`Fast/DirectChannelConvolution.swift`,
/// `CConvLabSupport/direct.c`), which stride-1 layers with whole 16-filter vectors per group take
/// on CPUs with AVX2 + FMA (strided ones too where AVX-512 is missing), and so their dz/dx where
/// the input depth per group is a multiple of 16 (the forward pass of dz/dy with rot180 of the
/// filters), against MatConvNet's loops and their adjoint in Double
/// (`BlockedConvolutionTests.loops`, `BlockedBackwardTests.adjointLoops`).
///
/// Tolerance 1e-5 norm-wise relative, as the other fast-path tests: inputs exactly representable
/// in Float, each entry a sum of at most 600 Float32 products (relative rounding ~√n·6e-8 ≈ 2e-6),
/// while a tap read from the wrong pixel, a filter in the wrong lane or a tile written to the wrong
/// rows moves entries by O(1e-2) or more.
@Suite(.enabled(if: directRuns, "the direct kernel needs a CPU with AVX2 and FMA"))
struct DirectChannelConvolutionTests {
  typealias Case = BlockedConvolutionTests.Case
  static let tolerance = 1e-5

  /// Filter counts of 1–5 vectors per group (tiles of up to 12, 12, 6 and 6 pixels), columns of 1
  /// to 30 output pixels split into uneven tiles, padding on one side only, dilation, groups, one
  /// image, LeNet's C3, and input depths per group of 16 and 32 (dz/dx through the same kernel).
  static let cases: [Case] = [
    Case(x: Shape(14, 14, 6, 3), f: Shape(5, 5, 0, 16), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    Case(x: Shape(9, 7, 16, 2), f: Shape(3, 3, 0, 32), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false),
    Case(x: Shape(13, 5, 32, 2), f: Shape(3, 2, 0, 48), pad: [1, 0, 2, 1], stride: (1, 1), dilate: (2, 1), groups: 1, bias: true),
    Case(x: Shape(30, 4, 5, 1), f: Shape(1, 1, 0, 64), pad: [0, 0, 0, 0], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    Case(x: Shape(6, 6, 32, 2), f: Shape(3, 3, 0, 64), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 2, bias: true),
    Case(x: Shape(25, 3, 3, 2), f: Shape(2, 3, 0, 16), pad: [0, 0, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false),
    Case(x: Shape(12, 11, 16, 3), f: Shape(3, 3, 0, 80), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 2), groups: 1, bias: true),
    // One 16-filter vector with 3 or 5 filter rows: the row-reusing tile (columns of 9 and of
    // 30 = 10 + 10 + 10 pixels); with row dilation it must not be used (rows not consecutive).
    Case(x: Shape(9, 7, 4, 2), f: Shape(3, 3, 0, 16), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true),
    Case(x: Shape(30, 5, 3, 1), f: Shape(5, 3, 0, 16), pad: [2, 2, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: false),
    Case(x: Shape(11, 8, 5, 2), f: Shape(3, 3, 0, 16), pad: [2, 2, 1, 1], stride: (1, 1), dilate: (2, 1), groups: 1, bias: true),
    // Strided layers, which AVX2 CPUs compute here (AVX-512 ones with im2row blocks): a small
    // 7 × 7 stride-2 stem on 3 channels, unequal strides with dilation, and groups.
    Case(x: Shape(23, 20, 3, 2), f: Shape(7, 7, 0, 32), pad: [3, 3, 3, 3], stride: (2, 2), dilate: (1, 1), groups: 1, bias: true),
    Case(x: Shape(17, 12, 8, 2), f: Shape(3, 2, 0, 16), pad: [1, 0, 0, 1], stride: (2, 3), dilate: (2, 1), groups: 1, bias: false),
    Case(x: Shape(12, 12, 8, 2), f: Shape(3, 3, 0, 32), pad: [1, 1, 1, 1], stride: (2, 2), dilate: (1, 1), groups: 2, bias: true),
  ]

  /// Every instruction set's tiles this CPU runs (AVX2, and AVX-512 where it has it), called
  /// directly: `convlab_direct_conv_image` on each image laid out by `convlab_direct_layout`, one
  /// group, so that an AVX-512 machine checks the AVX2 tile too.
  static func direct(_ x: Tensor<Double>, _ p: Parameters<Double>, _ c: Case, isa: Int32) -> Tensor<Double> {
    let f = p.w!
    let (top, left) = (c.pad[0], c.pad[2])
    let (ph, pw) = (c.x.h + c.pad[0] + c.pad[1], c.x.w + c.pad[2] + c.pad[3])
    let outH = (ph - (c.dilate.0 * (f.shape.h - 1) + 1)) / c.stride.0 + 1
    let outW = (pw - (c.dilate.1 * (f.shape.w - 1) + 1)) / c.stride.1 + 1
    let (taps, depth, filters) = (f.shape.h * f.shape.w, c.x.d, f.shape.n)
    var offsets: [Int] = []  // tap i′ + H′j′, in the filters' order
    for j in 0..<f.shape.w {
      for i in 0..<f.shape.h { offsets.append((c.dilate.0 * i + ph * c.dilate.1 * j) * depth) }
    }
    var packed = [Float](repeating: 0, count: convlab_direct_packed_count(taps, depth, filters))
    convlab_direct_pack(f.converted(to: Float.self).storage, taps, depth, filters, &packed)
    let xs = x.converted(to: Float.self).storage
    let bias = p.b?.converted(to: Float.self).storage
    var y = [Float](repeating: 0, count: outH * outW * filters * c.x.n)
    var padded = [Float](repeating: 0, count: ph * pw * depth)
    for n in 0..<c.x.n {
      xs.withUnsafeBufferPointer { convlab_direct_layout($0.baseAddress! + n * c.x.h * c.x.w * depth, c.x.h, c.x.w, depth, top, left, ph, pw, &padded) }
      y.withUnsafeMutableBufferPointer { yp in
        convlab_direct_conv_image(
          isa, outH, outW, c.stride.0, c.stride.1, ph, depth, f.shape.h, taps, offsets, padded, packed, filters, bias,
          yp.baseAddress! + n * outH * outW * filters)
      }
    }
    return Tensor(shape: Shape(outH, outW, filters, c.x.n), storage: y).converted(to: Double.self)
  }

  @Test(arguments: cases.filter { $0.groups == 1 })
  func everyInstructionSetsTilesMatchTheLoops(_ c: Case) throws {
    let (x, p) = BlockedConvolutionTests.parameters(c, seed: 84)
    for isa in 1...convlab_direct_isa() {
      #expect(relativeError(Self.direct(x, p, c, isa: isa), BlockedConvolutionTests.loops(x, p, c)) < Self.tolerance, "isa \(isa), \(c)")
    }
  }

  @Test(arguments: cases)
  func forwardMatchesTheLoops(_ c: Case) throws {
    let (x, p) = BlockedConvolutionTests.parameters(c, seed: 81)
    let y = try BlockedConvolutionTests.conv(c, .blocked).forward(x.converted(to: Float.self), p.converted(to: Float.self))
    #expect(relativeError(y.converted(to: Double.self), BlockedConvolutionTests.loops(x, p, c)) < Self.tolerance, "\(c)")
  }

  @Test(arguments: cases)
  func backwardMatchesTheAdjointLoops(_ c: Case) throws {
    let (x, p, dzdy) = BlockedBackwardTests.instance(c, seed: 82)
    let g = try BlockedConvolutionTests.conv(c, .blocked).backward(x.converted(to: Float.self), p.converted(to: Float.self), dzdy.converted(to: Float.self))
    let (dx, dw) = BlockedBackwardTests.adjointLoops(x, p.w!, dzdy, c)
    #expect(relativeError(g.dzdx.converted(to: Double.self), dx) < Self.tolerance, "dz/dx \(c)")
    #expect(relativeError(g.dzdw!.converted(to: Double.self), dw) < Self.tolerance, "dz/dw \(c)")
  }

  /// Padding is real zeros and each tile reads only its own pixels: a NaN in the input reaches
  /// exactly the outputs whose receptive field holds it.
  @Test func aNaNReachesOnlyItsReceptiveField() throws {
    let c = Case(x: Shape(10, 9, 4, 2), f: Shape(3, 3, 0, 16), pad: [1, 1, 1, 1], stride: (1, 1), dilate: (1, 1), groups: 1, bias: true)
    let (clean, p) = BlockedConvolutionTests.parameters(c, seed: 83)
    var x = clean
    x[9, 3, 2, 1] = .nan  // the bottom of column 3: a tile of column 4 must not see it
    let y = try BlockedConvolutionTests.conv(c, .blocked).forward(x.converted(to: Float.self), p.converted(to: Float.self))
    for n in 0..<2 {
      for k in 0..<16 {
        for j in 0..<9 {
          for i in 0..<10 {
            let reads = n == 1 && (8...9).contains(i) && (2...4).contains(j)
            #expect(y[i, j, k, n].isNaN == reads, "y[\(i), \(j), \(k), \(n)]")
          }
        }
      }
    }
  }
}
