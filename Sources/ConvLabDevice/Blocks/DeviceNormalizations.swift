import CConvLabKernels
import ConvLabBlocks
import ConvLabCore

/// Cross-channel normalization (LRN, MatConvNet §6.5.1): one thread per pixel walks the channels.
extension Normalize: DeviceBlock {
  func config(_ s: Shape) -> cl_norm {
    cl_norm(area: s.h * s.w, d: Int32(s.d), depth: Int32(depth), flag: 0, kappa: kappa, alpha: alpha, beta: beta)
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    _ = try outputShape(x.shape, try p.shapes())
    let k = Kernels<S>(engine)
    let y = try k.empty(x.shape)
    try k.run("normalize_forward", x.shape.h * x.shape.w * x.shape.n, .tensor(x), .tensor(y), .value(config(x.shape)))
    return y
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    _ = try outputShape(x.shape, try p.shapes())
    try requireDeviceDzdy(dzdy, x.shape)
    let k = Kernels<S>(engine)
    let dx = try k.empty(x.shape)
    try k.run("normalize_backward", x.shape.h * x.shape.w * x.shape.n, .tensor(x), .tensor(dzdy), .tensor(dx), .value(config(x.shape)))
    return DeviceGradients(dzdx: dx)
  }
}

/// Spatial normalization (MatConvNet §6.5.3): n² is the average pool of x² over the
/// neighbourhood (the pooling kernels), then element-wise kernels.
extension SpatialNorm: DeviceBlock {
  var config: cl_norm { cl_norm(area: 0, d: 0, depth: 0, flag: 0, kappa: 0, alpha: alpha, beta: beta) }

  /// x² and n² = A x² on the device.
  func energy<S: Scalar>(_ k: Kernels<S>, _ x: DeviceTensor<S>) throws -> (squares: DeviceTensor<S>, n2: DeviceTensor<S>) {
    let squares = try k.empty(x.shape)
    try k.run("square", x.count, .tensor(x), .tensor(squares))
    return (squares, try energyPool.forward(on: k.engine, squares, DeviceParameters()))
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    _ = try outputShape(x.shape, try p.shapes())
    let k = Kernels<S>(engine)
    let (_, n2) = try energy(k, x)
    let y = try k.empty(x.shape)
    try k.run("spnorm_forward", x.count, .tensor(x), .tensor(n2), .tensor(y), .value(config))
    return y
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    _ = try outputShape(x.shape, try p.shapes())
    try requireDeviceDzdy(dzdy, x.shape)
    let k = Kernels<S>(engine)
    let (squares, n2) = try energy(k, x)
    let eta = try k.empty(x.shape)
    let dx = try k.empty(x.shape)
    try k.run("spnorm_eta", x.count, .tensor(x), .tensor(dzdy), .tensor(n2), .tensor(eta), .value(config))
    let routed = try energyPool.backward(on: engine, squares, DeviceParameters(), eta, inputGradient: true).dzdx
    try k.run("spnorm_backward", x.count, .tensor(x), .tensor(dzdy), .tensor(n2), .tensor(routed), .tensor(dx), .value(config))
    return DeviceGradients(dzdx: dx)
  }
}

/// The p-distance (MatConvNet §6.6.3), one thread per pixel forward and per entry backward.
extension PDist: DeviceBlock {
  func config(_ s: Shape) -> cl_norm {
    cl_norm(area: s.h * s.w, d: Int32(s.d), depth: 0, flag: noRoot ? 1 : 0, kappa: 0, alpha: p, beta: 0)
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ q: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let yShape = try outputShape(x.shape, try q.shapes())
    let k = Kernels<S>(engine)
    let y = try k.empty(yShape)
    try k.run("pdist_forward", yShape.count, .tensor(x), .tensor(q.target), .tensor(y), .value(config(x.shape)))
    return y
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ q: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    let y = try forward(on: engine, x, q)
    try requireDeviceDzdy(dzdy, y.shape)
    let k = Kernels<S>(engine)
    let dx = try k.empty(x.shape)
    try k.run("pdist_backward", x.count, .tensor(x), .tensor(q.target), .tensor(y), .tensor(dzdy), .tensor(dx), .value(config(x.shape)))
    return DeviceGradients(dzdx: dx)
  }
}

/// Murugan's regression losses: per-entry loss and derivative, then a sum (Murugan (2.4)–(2.9)).
extension RegressionLoss: DeviceBlock {
  func pieces<S: Scalar>(_ k: Kernels<S>, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> (values: DeviceTensor<S>, grad: DeviceTensor<S>) {
    _ = try outputShape(x.shape, try p.shapes())
    let scale = [.l2, .l1].contains(kind) ? 1 : 1 / Double(x.count)
    let config = cl_norm(area: 0, d: 0, depth: Int32(Kind.allCases.firstIndex(of: kind) ?? 0), flag: 0, kappa: 0, alpha: scale, beta: 0)
    let values = try k.empty(Shape(x.count, 1))
    let grad = try k.empty(x.shape)
    try k.run("regression_entries", x.count, .tensor(x), .tensor(p.target), .tensor(values), .tensor(grad), .value(config))
    return (values, grad)
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let k = Kernels<S>(engine)
    let (values, _) = try pieces(k, x, p)
    let z = try k.empty(Shape(1, 1))
    try k.reduce("sum_all", 1, .tensor(values), .tensor(z), .long(values.count))
    return z
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    try requireDeviceDzdy(dzdy, Shape(1, 1))
    let k = Kernels<S>(engine)
    let (_, grad) = try pieces(k, x, p)
    let dx = try k.empty(x.shape)
    try k.run("scale_by", x.count, .tensor(grad), .tensor(dzdy), .tensor(dx))
    return DeviceGradients(dzdx: dx)
  }
}
