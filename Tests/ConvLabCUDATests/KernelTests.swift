import CConvLabKernels
import ConvLabBlocks
import ConvLabCore
import ConvLabCUDA
import ConvLabNotation
import Foundation
import Testing

/// The CUDA kernels' bodies, compiled for the CPU and run over every index, against ConvLab's
/// own CPU paths: the index arithmetic of every gather is checked without a GPU. Exact
/// equality for gathers (they copy); sums are compared to 1e-12 relative (Double round-off).
@Suite("CUDA kernel bodies on the CPU")
struct KernelBodyTests {
  static func convGeometry(_ seed: UInt64) -> (cl_conv_geometry, Im2Row, Shape) {
    var rng = SeededGenerator(seed: seed)
    func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    let kh = int(1...3), kw = int(1...3), sh = int(1...3), sw = int(1...2), dh = int(1...2), dw = int(1...2)
    let pad = [int(0...2), int(0...2), int(0...2), int(0...2)]
    let h = dh * (kh - 1) + 1 + int(0...4), w = dw * (kw - 1) + 1 + int(0...4), d = int(1...3), n = int(1...3)
    let geometry = FilterGeometry(kh: kh, kw: kw, stride: (sh, sw), pad: pad, dilation: (dh, dw))
    // Safe: the sizes above always fit the (dilated) filter.
    let map = try! Im2Row(geometry: geometry, h: h, w: w, d: d)
    let g = cl_conv_geometry(h: Int32(h), w: Int32(w), d: Int32(d), n: Int32(n), kh: Int32(kh), kw: Int32(kw), sh: Int32(sh), sw: Int32(sw),
                             pt: Int32(pad[0]), pb: Int32(pad[1]), pl: Int32(pad[2]), pr: Int32(pad[3]), dh: Int32(dh), dw: Int32(dw),
                             oh: Int32(map.outH), ow: Int32(map.outW))
    return (g, map, Shape(h, w, d, n))
  }

  /// im2row gathers exactly MatConvNet §6.1's φ(x), image by image.
  @Test(arguments: 1...25 as ClosedRange<UInt64>)
  func im2rowMatchesPhi(seed: UInt64) {
    let (g, map, shape) = Self.convGeometry(seed)
    var rng = SeededGenerator(seed: seed + 100)
    let x = Tensor<Double>.uniform(shape, using: &rng)
    let rows = map.patchCount * shape.n, cols = map.patchSize
    var phi = [Double](repeating: .nan, count: rows * cols)
    cl_cpu_im2row(x.storage, &phi, g)
    for image in 0..<shape.n {
      let expected = map.phi(x, image: image)
      for q in 0..<cols {
        for p in 0..<map.patchCount {
          #expect(phi[q * rows + image * map.patchCount + p] == expected[p, q], "seed \(seed): φ(\(p), \(q)) of image \(image)")
        }
      }
    }
  }

  /// row2im as a gather equals φ*, the adjoint that scatters and adds overlaps.
  @Test(arguments: 1...25 as ClosedRange<UInt64>)
  func row2imMatchesPhiStar(seed: UInt64) {
    let (g, map, shape) = Self.convGeometry(seed)
    var rng = SeededGenerator(seed: seed + 200)
    let rows = map.patchCount * shape.n, cols = map.patchSize
    let phi = Matrix<Double>.uniform(rows, cols, using: &rng)
    var dx = [Double](repeating: .nan, count: shape.count)
    cl_cpu_row2im(phi.storage, &dx, g)
    for image in 0..<shape.n {
      let block = Matrix<Double>(rows: map.patchCount, cols: cols) { p, q in phi[image * map.patchCount + p, q] }
      let expected = map.phiStar(block)
      let got = Array(dx[(image * expected.count)..<((image + 1) * expected.count)])
      #expect(Comparison(got, expected.storage).relativeError < 1e-12, "seed \(seed), image \(image)")
    }
  }

  /// Pooling forward and backward (gather form, no atomics) against the pool block, over max,
  /// average and max+average, padding, overlap and Caffe's ceil mode.
  @Test(arguments: 1...30 as ClosedRange<UInt64>)
  func poolingMatchesThePoolBlock(seed: UInt64) throws {
    var rng = SeededGenerator(seed: seed)
    func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    let kh = int(1...3), kw = int(1...3), sh = int(1...3), sw = int(1...3)
    let pad = [int(0...kh - 1), int(0...kh - 1), int(0...kw - 1), int(0...kw - 1)]
    let method = Pool.Method.allCases[int(0...2)]
    let pool = Pool(method: method, size: (kh, kw), pad: pad, stride: (sh, sw), caffeCeil: int(0...3) == 0)
    let x = Tensor<Double>.uniform(Shape(kh + int(0...5), kw + int(0...5), int(1...2), int(1...2)), using: &rng)
    let y = try pool.forward(x, Parameters())
    let g = cl_pool_geometry(h: Int32(x.shape.h), w: Int32(x.shape.w), slabs: Int32(x.shape.d * x.shape.n), kh: Int32(kh), kw: Int32(kw),
                             sh: Int32(sh), sw: Int32(sw), pt: Int32(pad[0]), pl: Int32(pad[2]), oh: Int32(y.shape.h), ow: Int32(y.shape.w))
    let code: Int32 = method == .max ? 0 : method == .avg ? 1 : 2
    var out = [Double](repeating: .nan, count: y.count)
    cl_cpu_pool_forward(x.storage, &out, g, code)
    #expect(Comparison(out, y.storage).relativeError < 1e-12, "forward, seed \(seed): \(pool.method) \(kh)×\(kw) pad \(pad) stride \(sh),\(sw)")
    let dzdy = Tensor<Double>.uniform(y.shape, using: &rng)
    let expected = try pool.backward(x, Parameters(), dzdy).dzdx
    var dx = [Double](repeating: .nan, count: x.count)
    cl_cpu_pool_backward(x.storage, dzdy.storage, &dx, g, code)
    #expect(Comparison(dx, expected.storage).relativeError < 1e-12, "backward, seed \(seed)")
  }
}

/// Every kernel compiles with NVRTC for a recent architecture (PTX needs no GPU). `make test`
/// installs NVRTC from PyPI (`nvidia-cuda-nvrtc`) and points CONVLAB_CUDA_LIB_PATH at it.
@Suite("NVRTC compiles every kernel", .enabled(if: (try? NVRTC.version()) != nil, "NVRTC (libnvrtc.so.13/.12) is not installed; `make test` installs it with pip"))
struct NVRTCTests {
  @Test func everyKernelCompilesToPTX() throws {
    let ptx = try KernelSources.compileAll(architecture: "compute_80")
    #expect(!ptx.isEmpty)
    let all = ptx.values.joined()
    for kernel in ["im2row", "row2im", "pool_forward", "pool_backward", "relu_forward", "relu_backward", "sigmoid_forward", "sigmoid_backward", "channel_bias"] {
      for suffix in ["f32", "f64"] { #expect(all.contains(".entry \(kernel)_\(suffix)"), "\(kernel)_\(suffix) missing from the PTX") }
    }
  }

  @Test func aCompileErrorReturnsTheLog() throws {
    #expect {
      _ = try NVRTC.compile("__global__ void broken() { undefined_symbol(); }", name: "broken.cu", architecture: "compute_80")
    } throws: { error in
      "\(error)".contains("broken.cu") && "\(error)".contains("undefined")
    }
  }
}
