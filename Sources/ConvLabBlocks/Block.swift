import ConvLabCore
import Foundation

/// What a derivative is taken with respect to: the input x, the filters/weights w, or the
/// biases b (MatConvNet ch. 4: y = f(x, w), (dz/dx, dz/dw) = f(x, w, dz/dy)).
public enum Variable: String, CaseIterable, Sendable {
  case x, w, b
}

/// Which implementation computes a block.
public enum ComputePath: Sendable {
  /// The papers' construction with explicit matrices (selectors, φ, Kronecker forms);
  /// Double precision; backward is (dz/dy)ᵀ J.
  case literal
  /// im2row + BLAS GEMM and vectorised loops, Float or Double.
  case fast
  /// On a device, through the accelerator the caller made: the block layer has no device of
  /// its own, so a program that offers one constructs it (the CLI's `--path cuda` builds
  /// ConvLabDevice's `DeviceAccelerator` over ConvLabCUDA's `CUDAEngine`) and passes it here.
  case device(any BlockAccelerator)
}

/// A block's inputs besides x: parameters and auxiliary arrays, all in MatConvNet layout.
public struct Parameters<S: Scalar>: Sendable {
  /// Filters f ∈ R^{H′×W′×D′×D″} (conv), gains (bnorm), β (Xu's average layer), …
  public var w: Tensor<S>?
  /// Biases, one per output channel.
  public var b: Tensor<S>?
  /// Class labels, 1-based (losses).
  public var labels: Tensor<S>?
  /// A second input (pdist's x̄, the regression losses' target y).
  public var target: Tensor<S>?
  /// Dropout's keep mask (1 = kept, 0 = dropped), shaped like x.
  public var mask: Tensor<S>?

  public init(w: Tensor<S>? = nil, b: Tensor<S>? = nil, labels: Tensor<S>? = nil, target: Tensor<S>? = nil, mask: Tensor<S>? = nil) {
    self.w = w
    self.b = b
    self.labels = labels
    self.target = target
    self.mask = mask
  }

  /// The same parameters in another precision.
  public func converted<T: Scalar>(to _: T.Type = T.self) -> Parameters<T> {
    Parameters<T>(w: w?.converted(), b: b?.converted(), labels: labels?.converted(), target: target?.converted(), mask: mask?.converted())
  }
}

/// What carries a block's parameters: `Parameters` (tensors in memory) or a device's own set
/// (ConvLabDevice's `DeviceParameters`). The typed views below open either the same way.
public protocol ParameterSet {
  /// The array type (`Tensor<S>`, a device tensor).
  associatedtype Array: Sendable
  /// Filters, weights or gains.
  var w: Array? { get }
  /// Biases.
  var b: Array? { get }
}

extension Parameters: ParameterSet {}

/// The inputs of a block with weights, typed: conv, flipped conv and convt (filters F,
/// MatConvNet §4.1, §4.2) and dense (W, Murugan (3.28)) read `w`, required, and the bias `b`,
/// optional. `Parameters` is the bag that crosses the `any Block` boundary (a network holds
/// blocks of every kind in one array); each block opens it once, through its `inputs(_:)`, so a
/// missing weight is one typed error naming the block and the block's code handles arrays.
public struct WeightInputs<Array: Sendable>: Sendable {
  /// The filters or weight matrix.
  public let w: Array
  /// The biases, one per output channel, if the block has them.
  public let b: Array?

  /// `p`'s weights, or `.missingInput` naming `block` and describing the weights it needs.
  public init<P: ParameterSet>(_ p: P, block: String, what: String) throws where P.Array == Array {
    guard let w = p.w else { throw ConvLabError.missingInput(block: block, inputs: ["w"], what: what) }
    (self.w, self.b) = (w, p.b)
  }
}

/// Per-channel gains and biases, both required, typed: subsample's β and b (Xu (2)) and bnorm's
/// gains w and biases b (MatConvNet §4.5.2). See `WeightInputs` for why blocks open `Parameters`
/// through a typed view.
public struct ChannelInputs<Array: Sendable>: Sendable {
  /// One gain per channel (Xu's β, bnorm's w).
  public let gains: Array
  /// One bias per channel.
  public let biases: Array

  /// `p`'s gains and biases, or `.missingInput` naming `block` and both inputs.
  public init<P: ParameterSet>(_ p: P, block: String, what: String) throws where P.Array == Array {
    guard let w = p.w, let b = p.b else { throw ConvLabError.missingInput(block: block, inputs: ["w", "b"], what: what) }
    (self.gains, self.biases) = (w, b)
  }

  /// (gains, biases), for destructuring.
  public var pair: (gains: Array, biases: Array) { (gains, biases) }
}

/// The derivatives a backward pass returns, each shaped like the variable it belongs to.
public struct Gradients<S: Scalar>: Sendable {
  public var dzdx: Tensor<S>
  public var dzdw: Tensor<S>?
  public var dzdb: Tensor<S>?

  public init(dzdx: Tensor<S>, dzdw: Tensor<S>? = nil, dzdb: Tensor<S>? = nil) {
    self.dzdx = dzdx
    self.dzdw = dzdw
    self.dzdb = dzdb
  }

  public subscript(_ v: Variable) -> Tensor<S>? {
    switch v {
    case .x: return dzdx
    case .w: return dzdw
    case .b: return dzdb
    }
  }
}

/// A computational block (MatConvNet ch. 4), computed two independent ways.
///
/// - The fast path (`forward`, `backward`) is generic over Float and Double.
/// - The literal path (`literalForward`, `jacobian`) builds the papers' matrices in Double;
///   its backward pass is (dz/dy)ᵀ J (`literalBackward`).
/// A third implementation (a device, e.g. CUDA) is a `BlockAccelerator` passed in
/// `ComputePath.device`; the wrong-variant catalogue of the exercises derives its variants from the
/// same blocks by changing options or transforming inputs, never by editing a block.
public protocol Block: Sendable {
  /// MatConvNet's name (`conv`, `pool`, …).
  var name: String { get }

  /// Checks the configuration against the inputs and returns the output shape; every invalid
  /// combination is a one-sentence `ConvLabError`.
  func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape

  /// The variables this block has derivatives for, given its parameters.
  func variables<S: Scalar>(_ p: Parameters<S>) -> [Variable]

  /// y = f(x, w) on the fast path.
  func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S>

  /// (dz/dx, dz/dw, dz/db) given dz/dy, on the fast path.
  func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S>

  /// The backward pass when dz/dx is not needed (the first layer of a network): a block that
  /// can skip that work does, and returns zeros for dz/dx; the others compute everything.
  func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>, inputGradient: Bool) throws -> Gradients<S>

  /// y = f(x, w) as the papers construct it.
  func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double>

  /// The explicit Jacobian d vec y / d (vec v)ᵀ, numel(y) × numel(v), built as the papers build it.
  func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double>

  /// The name of the Jacobian's structure (block-Toeplitz, selector, diagonal, …) and the
  /// paper reference, for display.
  func structure(wrt v: Variable) -> String
}

extension Block {
  public func variables<S: Scalar>(_ p: Parameters<S>) -> [Variable] { [.x] }

  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>, inputGradient: Bool) throws -> Gradients<S> {
    try backward(x, p, dzdy)
  }

  /// (dz/dy)ᵀ J for every variable: backprop on the literal path.
  public func literalBackward(_ x: Tensor<Double>, _ p: Parameters<Double>, _ dzdy: Tensor<Double>) throws -> Gradients<Double> {
    func vjp(_ v: Variable, shape: Shape) throws -> Tensor<Double> {
      // Structured where the block has a structure (a diagonal for element-wise blocks).
      Tensor(shape: shape, storage: try explicitJacobian(at: x, p, wrt: v).leftMultiply(dzdy.storage))
    }
    let vars = variables(p)
    return Gradients(
      dzdx: try vjp(.x, shape: x.shape),
      dzdw: try vars.contains(.w) ? p.w.map { try vjp(.w, shape: $0.shape) } : nil,
      dzdb: try vars.contains(.b) ? p.b.map { try vjp(.b, shape: $0.shape) } : nil)
  }

  /// Forward on the chosen path (Double for literal; Float or Double for fast).
  public func evaluate<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, path: ComputePath) throws -> Tensor<S> {
    switch path {
    case .fast: return try forward(x, p)
    case .literal: return try literalForward(x.converted(), p.converted()).converted()
    case .device(let accelerator): return try accelerator.forward(self, x, p)
    }
  }

  /// Backward on the chosen path.
  public func gradients<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>, path: ComputePath) throws -> Gradients<S> {
    switch path {
    case .fast: return try backward(x, p, dzdy)
    case .literal:
      let g = try literalBackward(x.converted(), p.converted(), dzdy.converted())
      return Gradients(dzdx: g.dzdx.converted(), dzdw: g.dzdw?.converted(), dzdb: g.dzdb?.converted())
    case .device(let accelerator): return try accelerator.backward(self, x, p, dzdy)
    }
  }

  /// The variable's tensor (x itself, or a parameter).
  public func tensor<S: Scalar>(_ v: Variable, x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    switch v {
    case .x: return x
    case .w:
      guard let w = p.w else { throw ConvLabError.missingInput(block: name, inputs: ["w"], what: "the variable to differentiate with respect to") }
      return w
    case .b:
      guard let b = p.b else { throw ConvLabError.missingInput(block: name, inputs: ["b"], what: "the variable to differentiate with respect to") }
      return b
    }
  }

  /// y as a function of one variable, the others held fixed (for finite differences).
  public func function(of v: Variable, x: Tensor<Double>, _ p: Parameters<Double>) throws -> ([Double]) throws -> [Double] {
    let shape = try tensor(v, x: x, p).shape
    return { values in
      let t = Tensor(shape: shape, storage: values)
      switch v {
      case .x: return try self.forward(t, p).storage
      case .w:
        var q = p
        q.w = t
        return try self.forward(x, q).storage
      case .b:
        var q = p
        q.b = t
        return try self.forward(x, q).storage
      }
    }
  }
}

/// The third implementation of the blocks, computing on a device. ConvLabBlocks knows only this
/// interface, and takes an implementation as a value (`ComputePath.device`) from whoever made
/// it, so the block layer depends on no device and no registration can be forgotten.
public protocol BlockAccelerator: Sendable {
  /// y = f(x, w), copying x and the parameters to the device and y back.
  func forward<S: Scalar>(_ block: any Block, _ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S>
  /// (dz/dx, dz/dw, dz/db) on the device.
  func backward<S: Scalar>(_ block: any Block, _ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S>
}

extension Block {
  /// The output shape, after checking that what a call allocates fits the memory limit: y,
  /// and for a backward pass dz/dy and dz/dx too (sizes from options or files can ask for far
  /// more than the machine has: `conv --pad 100000`).
  public func checkedOutputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>, backward: Bool = false) throws -> Shape {
    let y = try outputShape(x, p)
    let what = "\(name) on a \(x) input (output \(y))"
    let ny = try y.checkedCount(what)
    let nx = try x.checkedCount(what)
    let elements = backward ? try Size.sum([ny, ny, nx], what) : ny
    try MemoryLimit.check(elements: [elements], bytesPerElement: MemoryLayout<S>.stride, what)
    return y
  }
}

/// Refuses a dz/dy whose shape is not y's: every backward pass starts with this check.
@inline(__always)
func requireDzdy<S: Scalar>(_ dzdy: Tensor<S>, _ y: Shape) throws {
  guard dzdy.shape == y else { throw ConvLabError.shape("dz/dy", expected: "y's shape \(y)", got: "\(dzdy.shape)") }
}

/// Refuses sizes whose explicit Jacobian would not fit comfortably in memory.
public enum JacobianBudget {
  /// Default limit on a dense Double Jacobian: 1 GiB.
  public static let defaultBytes = 1 << 30

  public static func check(rows: Int, cols: Int, limit: Int = defaultBytes) throws {
    let bytes = Double(rows) * Double(cols) * 8
    guard bytes <= Double(limit) else {
      throw ConvLabError("the explicit Jacobian would be \(rows)×\(cols) doubles = \(formatBytes(bytes)), more than the \(formatBytes(Double(limit))) limit; use a smaller input.")
    }
  }

  public static func formatBytes(_ b: Double) -> String {
    if b >= Double(1 << 30) { return String(format: "%.1f GiB", b / Double(1 << 30)) }
    if b >= Double(1 << 20) { return String(format: "%.1f MiB", b / Double(1 << 20)) }
    if b >= 1024 { return String(format: "%.0f KiB", b / 1024) }
    return String(format: "%.0f B", b)
  }
}
