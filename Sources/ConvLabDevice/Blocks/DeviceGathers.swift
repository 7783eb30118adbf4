import CConvLabKernels
import ConvLabBlocks
import ConvLabCore

/// Pooling on the device: one thread per output (forward) or per input (backward, gathering
/// from the windows that hold it: Xu (8)'s max routing, the 1/|window| share of averaging).
extension Pool: DeviceBlock {
  func kernelGeometry(_ x: Shape, _ y: Shape) -> cl_pool_geometry {
    cl_pool_geometry(
      h: Int32(x.h), w: Int32(x.w), slabs: Int32(x.d * x.n), kh: Int32(size.0), kw: Int32(size.1),
      sh: Int32(stride.0), sw: Int32(stride.1), pt: Int32(pad[0]), pl: Int32(pad[2]), oh: Int32(y.h), ow: Int32(y.w))
  }

  var methodCode: Int {
    switch method {
    case .max: 0
    case .avg: 1
    case .maxavg: 2
    }
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let yShape = try outputShape(x.shape, try p.shapes())
    let k = Kernels<S>(engine)
    let y = try k.empty(yShape)
    try k.run("pool_forward", y.count, .tensor(x), .tensor(y), .value(kernelGeometry(x.shape, yShape)), .int(methodCode))
    return y
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    let yShape = try outputShape(x.shape, try p.shapes())
    let k = Kernels<S>(engine)
    try requireDeviceDzdy(dzdy, yShape)
    let dx = try k.empty(x.shape)
    try k.run("pool_backward", dx.count, .tensor(x), .tensor(dzdy), .tensor(dx), .value(kernelGeometry(x.shape, yShape)), .int(methodCode))
    return DeviceGradients(dzdx: dx)
  }
}

/// Xu's trainable average layer z = β down(x) + b: down(·) is an n × n, stride-n window sum.
extension Subsample: DeviceBlock {
  func kernelGeometry(_ x: Shape, _ y: Shape) -> cl_pool_geometry {
    cl_pool_geometry(
      h: Int32(x.h), w: Int32(x.w), slabs: Int32(x.d * x.n), kh: Int32(n), kw: Int32(n), sh: Int32(n), sw: Int32(n),
      pt: 0, pl: 0, oh: Int32(y.h), ow: Int32(y.w))
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let yShape = try outputShape(x.shape, try p.shapes())
    let k = Kernels<S>(engine)
    let y = try k.empty(yShape)
    try k.run("subsample_forward", y.count, .tensor(x), .tensor(p.w), .tensor(p.b), .tensor(y), .value(kernelGeometry(x.shape, yShape)), .int(x.shape.d))
    return y
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    let yShape = try outputShape(x.shape, try p.shapes())
    let k = Kernels<S>(engine)
    try requireDeviceDzdy(dzdy, yShape)
    let (beta, b) = try inputs(p).pair
    let g = kernelGeometry(x.shape, yShape)
    let dx = try k.empty(x.shape)
    let dbeta = try k.empty(beta.shape)
    let db = try k.empty(b.shape)
    try k.run("subsample_backward", dx.count, .tensor(beta), .tensor(dzdy), .tensor(dx), .value(g), .int(x.shape.d))
    try k.reduce("subsample_parameters", x.shape.d, .tensor(x), .tensor(dzdy), .tensor(dbeta), .tensor(db), .value(g), .int(x.shape.d))
    return DeviceGradients(dzdx: dx, dzdw: dbeta, dzdb: db)
  }
}

/// Element-wise blocks on the device: kernels `<kernel>_forward(x, y, extra…)` and
/// `<kernel>_backward(x, dz/dy, dz/dx, extra…)`, one thread per entry; a block names its kernel
/// and any extra scalar arguments.
public protocol DeviceElementwise: ElementwiseBlock, DeviceBlock {
  var kernel: String { get }
  func kernelArguments<S: Scalar>(_: S.Type) -> [KernelArgument]
}

extension DeviceElementwise {
  public func kernelArguments<S: Scalar>(_: S.Type) -> [KernelArgument] { [] }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let y = try DeviceTensor<S>(shape: x.shape, on: engine)
    try engine.launch("\(kernel)_forward_\(Precision(S.self).rawValue)", total: x.count, [.tensor(x), .tensor(y)] + kernelArguments(S.self))
    return y
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    try requireDeviceDzdy(dzdy, x.shape)
    let dx = try DeviceTensor<S>(shape: x.shape, on: engine)
    try engine.launch(
      "\(kernel)_backward_\(Precision(S.self).rawValue)", total: x.count,
      [.tensor(x), .tensor(dzdy), .tensor(dx)] + kernelArguments(S.self))
    return DeviceGradients(dzdx: dx)
  }
}

extension ReLU: DeviceElementwise {
  public var kernel: String { "relu" }
  public func kernelArguments<S: Scalar>(_: S.Type) -> [KernelArgument] { [.scalar(S(leak))] }
}

extension Sigmoid: DeviceElementwise {
  public var kernel: String { "sigmoid" }
}

extension Tanh: DeviceElementwise {
  public var kernel: String { "tanh" }
}

/// Dropout: y = x ∘ m /(1 − rate) with the block's mask (given, or drawn from its seed on the
/// host so that the CPU and the GPU drop the same units); backward applies the same mask.
extension Dropout: DeviceBlock {
  func deviceMask<S: Scalar>(_ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let host = try p.shapes()
    _ = try outputShape(x.shape, host)
    return try p.mask ?? DeviceTensor(mask(x.shape, host), on: x.engine)
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let m = try deviceMask(x, p)
    let k = Kernels<S>(engine)
    let y = try k.empty(x.shape)
    try k.run("mask_scale", x.count, .tensor(x), .tensor(m), .tensor(y), .scalar(1 / (1 - S(rate))))
    return y
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    try requireDeviceDzdy(dzdy, x.shape)
    return DeviceGradients(dzdx: try forward(on: engine, dzdy, p))
  }
}

/// Softmax across channels, one thread per pixel (MatConvNet §6.5.4).
extension Softmax: DeviceBlock {
  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let k = Kernels<S>(engine)
    let y = try k.empty(x.shape)
    let area = x.shape.h * x.shape.w
    try k.run("softmax_forward", area * x.shape.n, .tensor(x), .tensor(y), .long(area), .int(x.shape.d))
    return y
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    try requireDeviceDzdy(dzdy, x.shape)
    let y = try forward(on: engine, x, p)
    let k = Kernels<S>(engine)
    let dx = try k.empty(x.shape)
    let area = x.shape.h * x.shape.w
    try k.run("softmax_backward", area * x.shape.n, .tensor(y), .tensor(dzdy), .tensor(dx), .long(area), .int(x.shape.d))
    return DeviceGradients(dzdx: dx)
  }
}
