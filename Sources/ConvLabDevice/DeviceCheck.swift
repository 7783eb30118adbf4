import ConvLabBlocks
import ConvLabCore

/// `convlab check --path cuda` (or `--path host`): the device path against the CPU paths on one
/// random configuration — Double within 1e-9 (normwise relative) of the literal path, Float32
/// within 1e-4 of it — forward and every gradient, with the engine synchronized after each
/// block so that an asynchronous kernel error is caught where it happens.
public struct DeviceCheck: Sendable {
  /// Double: the device sums in another order than the literal matrices, so a few hundred ulps.
  public static let doubleTolerance = 1e-9
  /// Float32: ε ≈ 6e-8 per operation, amplified by sums of up to a few hundred terms and by
  /// exp/log; 1e-4 leaves a margin of about 100×. Where the result itself is ill-conditioned
  /// (batch norm over two samples: dz/dx is a difference of nearly equal terms) the CPU's own
  /// Float32 fast path misses by as much, so the bound is max(1e-4, 4 × the CPU's Float32 error).
  public static let floatTolerance = 1e-4

  public let block: String
  public let configuration: String
  /// Worst normwise error over y and every gradient: device (Double) vs literal, device (Double)
  /// vs fast, device (Float32) vs literal.
  public let doubleVsLiteral: Double
  public let doubleVsFast: Double
  public let floatVsLiteral: Double
  /// The CPU fast path's Float32 error against the literal path, for the Float32 bound.
  public let fastFloatVsLiteral: Double

  public var floatBound: Double { max(Self.floatTolerance, 4 * fastFloatVsLiteral) }

  public var passed: Bool {
    doubleVsLiteral <= Self.doubleTolerance && doubleVsFast <= Self.doubleTolerance && floatVsLiteral <= floatBound
  }

  public init(_ block: any Block, x: Tensor<Double>, _ p: Parameters<Double>, configuration: String, seed: UInt64, engine: any ComputeEngine) throws {
    self.block = block.name
    self.configuration = configuration
    let device = try DeviceAccelerator.implementation(of: block)
    let variables = block.variables(p)
    let literal = try block.literalForward(x, p)
    var rng = SeededGenerator(seed: seed)
    let dzdy = Tensor<Double>.uniform(literal.shape, using: &rng)

    /// y and the gradients of every variable, flattened in one order.
    func outputs<S: Scalar>(_ y: Tensor<S>, _ g: Gradients<S>?) -> [[Double]] {
      [y.storage.map(Double.init)] + variables.map { v in g?[v]?.storage.map(Double.init) ?? [] }
    }
    func onDevice<S: Scalar>(_: S.Type) throws -> [[Double]] {
      let xs: Tensor<S> = x.converted()
      let ps: Parameters<S> = p.converted()
      let dx = try DeviceTensor(xs, on: engine)
      let dp = try DeviceParameters(ps, on: engine)
      let y = try device.forward(on: engine, dx, dp)
      try engine.synchronize()
      var g: Gradients<S>? = nil
      if !variables.isEmpty {
        g = try device.backward(on: engine, dx, dp, DeviceTensor(dzdy.converted(), on: engine), inputGradient: true).host()
        try engine.synchronize()
      }
      return outputs(try y.host(), g)
    }
    let reference = outputs(literal, variables.isEmpty ? nil : try block.literalBackward(x, p, dzdy))
    let fast = outputs(try block.forward(x, p), variables.isEmpty ? nil : try block.backward(x, p, dzdy))
    let xf: Tensor<Float> = x.converted()
    let pf: Parameters<Float> = p.converted()
    let fastFloat = outputs(try block.forward(xf, pf), variables.isEmpty ? nil : try block.backward(xf, pf, dzdy.converted()))
    let double = try onDevice(Double.self)
    let float = try onDevice(Float.self)
    func worst(_ a: [[Double]], _ b: [[Double]]) -> Double {
      zip(a, b).map { $0.count == $1.count ? Comparison($0, $1).relativeError : .infinity }.reduce(0) { max($0, $1.isNaN ? .infinity : $1) }
    }
    doubleVsLiteral = worst(double, reference)
    doubleVsFast = worst(double, fast)
    floatVsLiteral = worst(float, reference)
    fastFloatVsLiteral = worst(fastFloat, reference)
  }
}
