import CConvLabKernels
import ConvLabBlocks
import ConvLabCore

/// MatConvNet's losses on the device: one thread per pixel (multi-class) or per entry (binary)
/// writes its loss and gradient, then a sum gives z. The labels are checked on the host by the
/// block's own `labels` (range, ±1, shape) and sent as 0-based classes.
extension Loss: DeviceBlock {
  var kindCode: Int32 { Int32(Kind.allCases.firstIndex(of: kind) ?? 0) }

  /// Per-pixel (or per-entry) losses and dz/dx for z = Σ ℓ.
  func devicePieces<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> (values: DeviceTensor<S>, grad: DeviceTensor<S>) {
    let host = try p.shapes()
    _ = try outputShape(x.shape, host)
    let labels = try DeviceMemory(try self.labels(x.shape, host).map { Int32($0) }, on: engine)
    let area = x.shape.h * x.shape.w
    let k = Kernels<S>(engine)
    let config = cl_loss(area: area, d: Int32(x.shape.d), kind: kindCode, topk: Int32(topK))
    let count = kind.isBinary ? x.count : area * x.shape.n
    let values = try k.empty(Shape(count, 1))
    let grad = try k.empty(x.shape)
    try k.run(kind.isBinary ? "loss_entries" : "loss_pixels", count, .tensor(x), .memory(labels), .tensor(values), .tensor(grad), .value(config))
    return (values, grad)
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let (values, _) = try devicePieces(on: engine, x, p)
    let k = Kernels<S>(engine)
    let z = try k.empty(Shape(1, 1))
    try k.reduce("sum_all", 1, .tensor(values), .tensor(z), .long(values.count))
    return z
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    guard !kind.isForwardOnly else { throw ConvLabError("\(kind.rawValue) counts mistakes and has no derivative; it is forward only.") }
    try requireDeviceDzdy(dzdy, Shape(1, 1))
    let (_, grad) = try devicePieces(on: engine, x, p)
    let k = Kernels<S>(engine)
    let dx = try k.empty(x.shape)
    try k.run("scale_by", x.count, .tensor(grad), .tensor(dzdy), .tensor(dx))
    return DeviceGradients(dzdx: dx)
  }
}

/// Batch normalization (MatConvNet §6.5.2): per-channel moments, then y = w x̂ + b; backward
/// first sums dz/dy and dz/dy ∘ x̂ per channel (dz/db, dz/dw), then forms dz/dx from them.
extension BatchNorm: DeviceBlock {
  /// (μ, σ̂) of every channel, 2·D values.
  func deviceMoments<S: Scalar>(_ k: Kernels<S>, _ x: DeviceTensor<S>) throws -> DeviceTensor<S> {
    let s = x.shape
    let stats = try k.empty(Shape(2 * s.d, 1))
    try k.reduce(
      "bnorm_moments", s.d, .tensor(x), .tensor(stats), .tensor(stats.from(s.d)), .long(s.h * s.w), .int(s.d), .int(s.n),
      .scalar(S(epsilon)))
    return stats
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    _ = try outputShape(x.shape, try p.shapes())
    let k = Kernels<S>(engine)
    let s = x.shape
    let stats = try deviceMoments(k, x)
    let y = try k.empty(s)
    try k.run("bnorm_forward", y.count, .tensor(x), .tensor(stats), .tensor(p.w), .tensor(p.b), .tensor(y), .long(s.h * s.w), .int(s.d))
    return y
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    _ = try outputShape(x.shape, try p.shapes())
    try requireDeviceDzdy(dzdy, x.shape)
    let (w, b) = try inputs(p).pair
    let k = Kernels<S>(engine)
    let s = x.shape
    let stats = try deviceMoments(k, x)
    let layout = cl_slab_layout(area: s.h * s.w, k: Int32(s.d), offset: 0, channels: Int32(s.d), n: Int32(s.n))
    // sums = (dz/dw, dz/db), one allocation so that the dz/dx kernel reads both.
    let sums = try k.empty(Shape(2 * s.d, 1))
    let dx = try k.empty(s)
    try k.reduce("bnorm_parameters", s.d, .tensor(x), .tensor(dzdy), .tensor(stats), .tensor(sums), .tensor(sums.from(s.d)), .value(layout))
    try k.run("bnorm_backward", dx.count, .tensor(x), .tensor(dzdy), .tensor(stats), .tensor(w), .tensor(sums), .tensor(dx), .value(layout))
    return DeviceGradients(dzdx: dx, dzdw: sums.view(offset: 0, w.shape), dzdb: sums.view(offset: s.d, b.shape))
  }
}
