import CConvLabKernels
import ConvLabBlocks
import ConvLabCore

/// A block's parameters in device memory. Labels stay on the host as well: the loss checks them
/// there (class range, ±1) before they are sent as 0-based integers.
public struct DeviceParameters<S: Scalar>: ParameterSet, Sendable {
  public var w: DeviceTensor<S>?
  public var b: DeviceTensor<S>?
  public var target: DeviceTensor<S>?
  public var mask: DeviceTensor<S>?
  public var labels: Tensor<S>?

  public init(w: DeviceTensor<S>? = nil, b: DeviceTensor<S>? = nil, target: DeviceTensor<S>? = nil, mask: DeviceTensor<S>? = nil, labels: Tensor<S>? = nil) {
    self.w = w
    self.b = b
    self.target = target
    self.mask = mask
    self.labels = labels
  }

  /// Host parameters uploaded.
  public init(_ p: Parameters<S>, on engine: any ComputeEngine) throws {
    self.init(
      w: try p.w.map { try DeviceTensor($0, on: engine) }, b: try p.b.map { try DeviceTensor($0, on: engine) },
      target: try p.target.map { try DeviceTensor($0, on: engine) }, mask: try p.mask.map { try DeviceTensor($0, on: engine) },
      labels: p.labels)
  }

  /// Zero host tensors of the same shapes (with the real labels, target and mask), so that the block's
  /// own `outputShape` validates a device call with exactly the checks and messages of the CPU.
  func shapes() throws -> Parameters<S> {
    Parameters(
      w: w.map { Tensor(shape: $0.shape) }, b: b.map { Tensor(shape: $0.shape) }, labels: labels,
      target: try target?.host(), mask: try mask?.host())
  }
}

/// Gradients in device memory.
public struct DeviceGradients<S: Scalar>: Sendable {
  public var dzdx: DeviceTensor<S>
  public var dzdw: DeviceTensor<S>?
  public var dzdb: DeviceTensor<S>?

  public init(dzdx: DeviceTensor<S>, dzdw: DeviceTensor<S>? = nil, dzdb: DeviceTensor<S>? = nil) {
    self.dzdx = dzdx
    self.dzdw = dzdw
    self.dzdb = dzdb
  }

  public func host() throws -> Gradients<S> {
    Gradients(dzdx: try dzdx.host(), dzdw: try dzdw?.host(), dzdb: try dzdb?.host())
  }
}

/// The third implementation of a block (after literal and fast): the same decomposition as the
/// fast path (im2row + GEMM for conv, MatConvNet §6.1; gathers for the rest), as kernels on a
/// `ComputeEngine`. Tensors stay in device memory between blocks.
public protocol DeviceBlock: Block {
  func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S>
  /// As the fast path's `backward(_:_:_:inputGradient:)`: without `inputGradient` dz/dx may be
  /// left as zeros.
  func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S>
}

/// Launches of one precision's kernels: `k.run("im2row", total, …)` runs `im2row_f32` or `_f64`.
public struct Kernels<S: Scalar> {
  public let engine: any ComputeEngine
  public var precision: Precision { Precision(S.self) }

  public init(_ engine: any ComputeEngine) { self.engine = engine }

  public func run(_ name: String, _ total: Int, _ arguments: KernelArgument...) throws {
    try engine.launch("\(name)_\(precision.rawValue)", total: total, arguments)
  }

  /// A CL_REDUCTIONn kernel: `outputs` sums, each by a block of threads on the GPU.
  public func reduce(_ name: String, _ outputs: Int, _ arguments: KernelArgument...) throws {
    try engine.reduce("\(name)_\(precision.rawValue)", outputs: outputs, arguments)
  }

  /// The tensors are parameters, so they (and their memory) stay alive for the whole call.
  public func gemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Double = 1, a: DeviceTensor<S>, lda: Int,
    b: DeviceTensor<S>, ldb: Int, beta: Double = 0, c: DeviceTensor<S>, ldc: Int
  ) throws {
    try engine.gemm(
      precision, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.address, lda: lda, b: b.address, ldb: ldb,
      beta: beta, c: c.address, ldc: ldc)
  }

  public func empty(_ shape: Shape) throws -> DeviceTensor<S> { try DeviceTensor(shape: shape, on: engine) }
  public func zeros(_ shape: Shape) throws -> DeviceTensor<S> { try DeviceTensor.zeros(shape, on: engine) }
}

extension Kernels {
  /// v ← μv − η(g + λw), w ← w + v in place (Murugan (3.75)–(3.80) with momentum and decay).
  public func sgdStep(_ w: DeviceTensor<S>, _ v: DeviceTensor<S>, _ g: DeviceTensor<S>, eta: S, mu: S, lambda: S) throws {
    let hyper = cl_sgd(rate: Double(eta), momentum: Double(mu), decay: Double(lambda))
    try run("sgd_step", w.count, .tensor(w), .tensor(v), .tensor(g), .value(hyper))
  }

  /// a ∘ m (a mask that pins weights, e.g. LeNet's S2→C3 table).
  public func product(_ a: DeviceTensor<S>, _ m: DeviceTensor<S>) throws -> DeviceTensor<S> {
    let out = try empty(a.shape)
    try run("mask_scale", a.count, .tensor(a), .tensor(m), .tensor(out), .scalar(S(1)))
    return out
  }
}

extension Block {
  /// dz/dy must have y's shape on the device path too.
  func requireDeviceDzdy<S: Scalar>(_ dzdy: DeviceTensor<S>, _ y: Shape) throws {
    guard dzdy.shape == y else { throw ConvLabError.shape("dz/dy", expected: "y's shape \(y)", got: "\(dzdy.shape)") }
  }
}
