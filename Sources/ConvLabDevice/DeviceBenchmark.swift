import ConvLabBlocks
import ConvLabChecks
import ConvLabCore

/// `convlab bench --device cuda` and `bench conv --path cuda`: the same records as the CPU
/// bench (`Benchmark.Record`), timed on the device with its own clock (CUDA events), the
/// median of repeats after warm-up, inputs already in device memory.
public enum DeviceBenchmark {
  /// The median of `repeats` device timings of `body` after `warmup` untimed runs.
  public static func median(_ engine: any ComputeEngine, repeats: Int, warmup: Int = 5, _ body: () throws -> Void) throws -> Double {
    for _ in 0..<warmup { try body() }
    try engine.synchronize()
    var times: [Double] = []
    for _ in 0..<max(1, repeats) { times.append(try engine.elapsed(body)) }
    return times.sorted()[times.count / 2]
  }

  /// sgemm GFLOP/s at n³ on the device: the compute ceiling of the device rows.
  public static func sgemmCeiling(_ engine: any ComputeEngine, n: Int = 4096, repeats: Int = 5) throws -> Double {
    var rng = SeededGenerator(seed: 1)
    let k = Kernels<Float>(engine)
    let a = try DeviceTensor(Tensor<Float>.uniform(Shape(n, n), using: &rng), on: engine)
    let b = try DeviceTensor(Tensor<Float>.uniform(Shape(n, n), using: &rng), on: engine)
    let c = try k.empty(Shape(n, n))
    let seconds = try median(engine, repeats: repeats) { try k.gemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n) }
    return 2 * Double(n) * Double(n) * Double(n) / seconds / 1e9
  }

  /// One convolution shape in Float32: forward, or forward + backward (dz/dx and dz/dw). The
  /// timed results are then compared with the CPU's fast path on the same inputs (`verify`):
  /// the small shapes of `convlab check` do not exercise what only large launches do (grid-stride
  /// loops, 32-bit index arithmetic near its limits), so the benchmark checks its own answer.
  public static func conv(
    _ s: Benchmark.ConvShape, engine: any ComputeEngine, path: String, backward: Bool, sgemm: Double?,
    repeats: Int = 7, verify: Bool = true, tolerance: Double = 1e-4
  ) throws -> Benchmark.Record {
    var rng = SeededGenerator(seed: 2)
    let block = Conv(pad: [s.pad, s.pad, s.pad, s.pad], stride: (s.stride, s.stride))
    let hx = Tensor<Float>.uniform(Shape(s.h, s.w, s.d, s.n), using: &rng)
    let hw = Tensor<Float>.uniform(Shape(s.fh, s.fw, s.d, s.k), using: &rng)
    let hdzdy = Tensor<Float>.uniform(Shape(s.outH, s.outW, s.k, s.n), using: &rng)
    let x = try DeviceTensor(hx, on: engine)
    let p = DeviceParameters(w: try DeviceTensor(hw, on: engine))
    let dzdy = try DeviceTensor(hdzdy, on: engine)
    var y: DeviceTensor<Float>?
    var g: DeviceGradients<Float>?
    let seconds = try median(engine, repeats: repeats) {
      y = try block.forward(on: engine, x, p)
      if backward { g = try block.backward(on: engine, x, p, dzdy, inputGradient: true) }
    }
    if verify, let y {
      let cpu = Parameters(w: hw)
      try agree(try y.host(), try block.forward(hx, cpu), "y", s, tolerance: tolerance)
      if let g {
        let reference = try block.backward(hx, cpu, hdzdy)
        try agree(try g.dzdx.host(), reference.dzdx, "dz/dx", s, tolerance: tolerance)
        if let dw = g.dzdw, let expected = reference.dzdw { try agree(try dw.host(), expected, "dz/dw", s, tolerance: tolerance) }
      }
    }
    return s.record(op: backward ? "conv-fwd-bwd" : "conv-fwd", path: path, seconds: seconds, flops: (backward ? 3 : 1) * s.forwardFlops, ceiling: sgemm)
  }

  /// Float32 sums of up to K·kh·kw·d (or N·H″W″ for dz/dw) terms in different orders: 1e-4 relative
  /// (‖·‖∞) is far above their rounding (~1e-6 measured) and far below any indexing error. TF32
  /// rounds the GEMM's operands to 10-bit mantissas (2.2e-4 measured on LeNet C1's dz/dw), so
  /// `tf32Tolerance` is used there.
  public static let tf32Tolerance = 5e-3

  public static func agree(
    _ device: Tensor<Float>, _ cpu: Tensor<Float>, _ what: String, _ s: Benchmark.ConvShape,
    tolerance: Double = 1e-4
  ) throws {
    let error = Comparison(device.storage.map(Double.init), cpu.storage.map(Double.init)).relativeError
    guard error <= tolerance else {
      throw ConvLabError("the device's \(what) for conv \(s.name) differs from the CPU's by \(error) (relative): the benchmarked kernels are wrong at this size.")
    }
  }
}
