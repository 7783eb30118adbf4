import ConvLabBlocks
import ConvLabCore
import Foundation

/// Timing for `convlab bench`: warm-up, then the median of repeats (robust to a shared, noisy
/// machine), with FLOP and byte counts so every time can be set against its ceiling.
public enum Benchmark {
  /// One measured operation; the JSON field names are the contract other tools read.
  public struct Record: Codable, Sendable {
    public var op: String
    public var path: String
    public var n = 0, h = 0, w = 0, d = 0, k = 0, fh = 0, fw = 0, stride = 1, pad = 0
    public var medianMs: Double
    public var gflops: Double?
    public var gbps: Double?
    /// Percent of the ceiling measured in the same run (sgemm for GEMM-bound work, memcpy for
    /// bandwidth-bound work).
    public var percentOfCeiling: Double?

    /// The JSON field names (snake case: read by scripts and by the figures).
    enum CodingKeys: String, CodingKey {
      case op, path, n, h, w, d, k, fh, fw, stride, pad, gflops, gbps
      case medianMs = "median_ms"
      case percentOfCeiling = "percent_of_ceiling"
    }

    public init(
      op: String, path: String, n: Int = 0, h: Int = 0, w: Int = 0, d: Int = 0, k: Int = 0, fh: Int = 0, fw: Int = 0,
      stride: Int = 1, pad: Int = 0, medianMs: Double, gflops: Double? = nil, gbps: Double? = nil, percentOfCeiling: Double? = nil
    ) {
      (self.op, self.path, self.n, self.h, self.w, self.d, self.k, self.fh, self.fw) = (op, path, n, h, w, d, k, fh, fw)
      (self.stride, self.pad, self.medianMs, self.gflops, self.gbps, self.percentOfCeiling) = (stride, pad, medianMs, gflops, gbps, percentOfCeiling)
    }
  }

  /// A convolution shape: N images of H×W×D, K filters of FH×FW, stride and symmetric padding.
  public struct ConvShape: Sendable {
    public var n, h, w, d, k, fh, fw, stride, pad: Int
    public var name: String

    public init(_ name: String = "", n: Int, h: Int, w: Int, d: Int, k: Int, fh: Int, fw: Int, stride: Int = 1, pad: Int = 0) {
      (self.n, self.h, self.w, self.d, self.k, self.fh, self.fw, self.stride, self.pad) = (n, h, w, d, k, fh, fw, stride, pad)
      self.name = name
    }

    /// Parses `N,H,W,D,K,FH,FW,STRIDE,PAD`.
    public init(parsing text: String) throws {
      let parts = text.split(separator: ",", omittingEmptySubsequences: false)
      let v = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard parts.count == 9, v.count == 9, v.allSatisfy({ $0 >= 0 && $0 <= Size.maxExtent }), v[0...7].allSatisfy({ $0 >= 1 }) else {
        throw ConvLabError.invalidValue("shape", value: text, expected: "nine integers N,H,W,D,K,FH,FW,STRIDE,PAD, each at most \(Size.maxExtent) (e.g. 64,32,32,1,6,5,5,1,0)")
      }
      self.init(n: v[0], h: v[1], w: v[2], d: v[3], k: v[4], fh: v[5], fw: v[6], stride: v[7], pad: v[8])
      guard h + 2 * pad >= fh, w + 2 * pad >= fw else {
        throw ConvLabError.worded("\(setting: "shape") '\(text)': the \(fh)×\(fw) filter is larger than the padded \(h + 2 * pad)×\(w + 2 * pad) input.")
      }
      // Input, filters, output and their gradients, in Float (the bench's precision), plus φ.
      let name = "a convolution of shape \(text)"
      let input = try Size.product([n, h, w, d], name)
      let filters = try Size.product([fh, fw, d, k], name)
      let output = try Size.product([n, outH, outW, k], name)
      let patches = try Size.product([n, outH, outW, fh, fw, d], name)
      try MemoryLimit.check(elements: [try Size.sum([input, filters, output, patches], name), 2], bytesPerElement: 4, name)
    }

    public var outH: Int { (h + 2 * pad - fh) / stride + 1 }
    public var outW: Int { (w + 2 * pad - fw) / stride + 1 }

    /// Multiply–adds ×2 of the forward pass: 2·N·H″·W″·K·FH·FW·D.
    public var forwardFlops: Double { 2 * Double(n * outH * outW * k) * Double(fh * fw * d) }

    /// The performance issue's shapes.
    public static let standard: [ConvShape] = [
      ConvShape("LeNet C1", n: 64, h: 32, w: 32, d: 1, k: 6, fh: 5, fw: 5),
      ConvShape("LeNet C3", n: 64, h: 14, w: 14, d: 6, k: 16, fh: 5, fw: 5),
      ConvShape("Milisavljevic", n: 100, h: 14, w: 14, d: 64, k: 64, fh: 3, fw: 3, pad: 1),
      ConvShape("VGG-like", n: 8, h: 56, w: 56, d: 64, k: 128, fh: 3, fw: 3, pad: 1),
      ConvShape("mid 3×3", n: 32, h: 28, w: 28, d: 128, k: 128, fh: 3, fw: 3, pad: 1),
      ConvShape("stem 7×7 s2", n: 16, h: 112, w: 112, d: 3, k: 64, fh: 7, fw: 7, stride: 2, pad: 3),
    ]

    public func record(op: String, path: String, seconds: Double, flops: Double, ceiling: Double?) -> Record {
      let gflops = flops / seconds / 1e9
      return Record(
        op: op, path: path, n: n, h: h, w: w, d: d, k: k, fh: fh, fw: fw, stride: stride, pad: pad,
        medianMs: seconds * 1e3, gflops: gflops, gbps: nil, percentOfCeiling: ceiling.map { 100 * gflops / $0 })
    }
  }

  /// Median wall time of `body` over `repeats` runs after `warmup` runs, in seconds.
  public static func median(repeats: Int = 7, warmup: Int = 2, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmup { try body() }
    var times: [Double] = []
    for _ in 0..<max(1, repeats) {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
  }

  /// sgemm GFLOP/s at n × n × n: the compute ceiling.
  public static func sgemmCeiling(n: Int = 2048) -> Double {
    var rng = SeededGenerator(seed: 1)
    let a = Matrix<Float>.uniform(n, n, using: &rng)
    let b = Matrix<Float>.uniform(n, n, using: &rng)
    let seconds = median(repeats: 5, warmup: 1) { _ = a * b }
    return 2 * Double(n) * Double(n) * Double(n) / seconds / 1e9
  }

  /// Copy bandwidth (read + write bytes per second, GB/s) of a large buffer: the memory ceiling.
  public static func memcpyBandwidth(bytes: Int = 256 << 20) -> Double {
    let count = bytes / MemoryLayout<Float>.size
    let source = [Float](repeating: 1, count: count)
    var target = [Float](repeating: 0, count: count)
    let seconds = median(repeats: 5, warmup: 1) {
      source.withUnsafeBytes { s in
        target.withUnsafeMutableBytes { t in
          guard let from = s.baseAddress, let to = t.baseAddress else { return }
          _ = memcpy(to, from, bytes)
        }
      }
    }
    return 2 * Double(bytes) / seconds / 1e9
  }

  /// Times a convolution in Float32: forward, or forward + backward (dz/dx and dz/dw).
  public static func conv(_ s: ConvShape, path: String, backward: Bool, sgemm: Double?, repeats: Int = 7) throws -> Record {
    var rng = SeededGenerator(seed: 2)
    let x = Tensor<Float>.uniform(Shape(s.h, s.w, s.d, s.n), using: &rng)
    let f = Tensor<Float>.uniform(Shape(s.fh, s.fw, s.d, s.k), using: &rng)
    // fast: the kernels Conv chooses; gemm, direct and blocked: that fast kernel, forced.
    let kernel = Conv.Kernel(rawValue: path) ?? .automatic
    let block = Conv(pad: [s.pad, s.pad, s.pad, s.pad], stride: (s.stride, s.stride), kernel: kernel)
    if kernel == .direct, !block.usesDirectKernel(x: x.shape, filters: f.shape) {
      throw ConvLabError.pathUnavailable(
        reason: "the direct kernel does not handle this shape (it needs stride 1, at least 8 output rows and padding below the filter size)", alternatives: ["gemm", "fast"])
    }
    if kernel == .blocked, block.forwardKernel(x: x.shape, filters: f.shape, scalar: Float.self) != .blocked {
      throw ConvLabError.pathUnavailable(reason: "the blocked kernel needs a CPU with AVX2 and FMA", alternatives: ["gemm", "fast"])
    }
    let p = Parameters(w: f)
    let seconds: Double
    switch (path, backward) {
    case ("naive", false):
      seconds = try median(repeats: 1, warmup: 0) { _ = try DirectConvolution.forward(x, f, stride: s.stride, pad: s.pad) }
    case ("fast", false), ("gemm", false), ("direct", false), ("blocked", false):
      seconds = try median(repeats: repeats) { _ = try block.forward(x, p) }
    case ("fast", true), ("gemm", true), ("direct", true), ("blocked", true):
      let dzdy = Tensor<Float>.uniform(Shape(s.outH, s.outW, s.k, s.n), using: &rng)
      seconds = try median(repeats: repeats) {
        _ = try block.forward(x, p)
        _ = try block.backward(x, p, dzdy)
      }
    default:
      throw ConvLabError("the \(path) path cannot be benchmarked\(backward ? " forward+backward" : ""); use fast, gemm, direct, blocked\(backward ? "" : " or naive").")
    }
    return s.record(
      op: backward ? "conv-fwd-bwd" : "conv-fwd", path: path, seconds: seconds,
      flops: (backward ? 3 : 1) * s.forwardFlops, ceiling: sgemm)
  }

  /// The literal explicit Jacobian of a conv (built as MatConvNet §6.1 builds it) and its
  /// central-difference Jacobian, in Double: (literal seconds, finite-difference seconds).
  public static func jacobians(x: Shape = Shape(28, 28), filters: Shape = Shape(5, 5, 1, 6)) throws -> (literal: Double, finiteDifferences: Double) {
    var rng = SeededGenerator(seed: 5)
    let input = Tensor<Double>.uniform(x, using: &rng)
    let w = Tensor<Double>.uniform(filters, using: &rng)
    let conv = Conv()
    let p = Parameters(w: w)
    let literal = try median(repeats: 3, warmup: 1) { _ = try conv.jacobian(at: input, p, wrt: .x) }
    let fd = try median(repeats: 3, warmup: 1) {
      _ = try FiniteDifferences.jacobian(at: input.storage) { try conv.forward(Tensor(shape: x, storage: $0), p).storage }
    }
    return (literal, fd)
  }

  /// The process's peak resident memory in MiB (getrusage's ru_maxrss, KiB on Linux).
  public static var peakResidentMiB: Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
  }

  /// Times a bandwidth-bound block on a large Float32 tensor; bytes = what it must read and write.
  public static func memoryBound(
    _ name: String, _ block: any Block, shape: Shape, parameters: Parameters<Float> = Parameters(),
    backward: Bool = false, bytes: (Shape, Shape) -> Int, bandwidth: Double?, repeats: Int = 7
  ) throws -> Record {
    var rng = SeededGenerator(seed: 3)
    let x = Tensor<Float>.uniform(shape, using: &rng)
    let yShape = try block.outputShape(shape, parameters)
    let seconds: Double
    if backward {
      let y = try block.forward(x, parameters)
      let dzdy = Tensor<Float>.uniform(y.shape, using: &rng)
      seconds = try median(repeats: repeats) { _ = try block.backward(x, parameters, dzdy) }
    } else {
      seconds = try median(repeats: repeats) { _ = try block.forward(x, parameters) }
    }
    let moved = Double(bytes(shape, yShape))
    let gbps = moved / seconds / 1e9
    return Record(
      op: name, path: "fast", n: shape.n, h: shape.h, w: shape.w, d: shape.d, medianMs: seconds * 1e3,
      gflops: nil, gbps: gbps, percentOfCeiling: bandwidth.map { 100 * gbps / $0 })
  }
}
