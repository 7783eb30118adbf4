/// A real array in MatConvNet layout, x ∈ R^{H×W×D×N}, stored column-major.
///
/// Because storage is column-major, `storage` *is* vec x (MatConvNet §2.1, Xu §3.1.3): H varies
/// fastest, then W, D and N. Plain matrices are tensors with D = N = 1 and vectors have W = 1.
/// Value semantics (copy on write) make backward passes free of hidden shared state.
public struct Tensor<S: Scalar>: Equatable, Sendable {
  public private(set) var shape: Shape
  public var storage: [S]

  /// A tensor filled with `value`.
  public init(shape: Shape, repeating value: S = 0) {
    self.shape = shape
    self.storage = Array(repeating: value, count: shape.count)
  }

  /// A tensor whose storage `fill` writes in full, without zero-filling it first: for kernels
  /// that write every element (a memory-bound block pays for each pass over its output).
  public init(shape: Shape, filling fill: (UnsafeMutableBufferPointer<S>) throws -> Void) rethrows {
    self.shape = shape
    self.storage = try Array(unsafeUninitializedCapacity: shape.count) { buffer, initialized in
      try fill(buffer)
      initialized = buffer.count
    }
  }

  /// A tensor over existing column-major storage; `storage.count` must equal `shape.count`.
  public init(shape: Shape, storage: [S]) {
    precondition(storage.count == shape.count, "storage has \(storage.count) elements, shape \(shape) needs \(shape.count)")
    self.shape = shape
    self.storage = storage
  }

  /// A tensor whose 0-based element (i, j, d, n) is `f(i, j, d, n)`.
  public init(shape: Shape, _ f: (Int, Int, Int, Int) throws -> S) rethrows {
    var storage = [S]()
    storage.reserveCapacity(shape.count)
    for n in 0..<shape.n {
      for d in 0..<shape.d {
        for j in 0..<shape.w {
          for i in 0..<shape.h { storage.append(try f(i, j, d, n)) }
        }
      }
    }
    self.shape = shape
    self.storage = storage
  }

  public var count: Int { storage.count }

  /// Element (i, j, d, n), 0-based.
  @inlinable
  public subscript(i: Int, j: Int, d: Int = 0, n: Int = 0) -> S {
    get { storage[shape.index(i, j, d, n)] }
    set { storage[shape.index(i, j, d, n)] = newValue }
  }

  /// Element x_{ijdn} with the papers' 1-based indices: `x[paper: 1, 2]` is x₁₂.
  public subscript(paper i: Int, _ j: Int, _ d: Int = 1, _ n: Int = 1) -> S {
    get { self[i - 1, j - 1, d - 1, n - 1] }
    set { self[i - 1, j - 1, d - 1, n - 1] = newValue }
  }

  /// The label of the entry at a linear vec index, with 1-based paper indices (x₁₂, x₁₂₃,
  /// x₁₂₃₂), dropping trailing singleton dimensions of the shape.
  public func label(_ name: String, at linear: Int) -> String {
    Self.label(name, shape: shape, at: linear)
  }

  /// `label(name:at:)` for any shape.
  public static func label(_ name: String, shape: Shape, at linear: Int) -> String {
    let s = shape.subscripts(linear)
    let all = [s.i + 1, s.j + 1, s.d + 1, s.n + 1]
    let rank = shape.n > 1 ? 4 : (shape.d > 1 ? 3 : 2)
    return paperLabel(name, Array(all.prefix(rank)))
  }

  /// The same values viewed with a different shape of equal size (MATLAB `reshape`).
  public func reshaped(_ newShape: Shape) throws -> Tensor {
    guard newShape.count == shape.count else {
      throw ConvLabError("cannot reshape \(shape) (\(shape.count) elements) to \(newShape) (\(newShape.count) elements).")
    }
    return Tensor(shape: newShape, storage: storage)
  }

  /// Channel d of image n as an H×W matrix.
  public func channel(_ d: Int, image n: Int = 0) -> Matrix<S> {
    let start = shape.index(0, 0, d, n)
    return Matrix(rows: shape.h, cols: shape.w, storage: Array(storage[start..<start + shape.h * shape.w]))
  }

  /// Replaces channel d of image n with an H×W matrix.
  public mutating func setChannel(_ d: Int, image n: Int = 0, _ m: Matrix<S>) {
    precondition(m.rows == shape.h && m.cols == shape.w, "channel must be \(shape.h)×\(shape.w)")
    let start = shape.index(0, 0, d, n)
    storage.replaceSubrange(start..<start + m.count, with: m.storage)
  }

  /// Image n as an H×W×D×1 tensor.
  public func image(_ n: Int) -> Tensor {
    let size = shape.h * shape.w * shape.d
    return Tensor(shape: Shape(shape.h, shape.w, shape.d, 1), storage: Array(storage[n * size..<(n + 1) * size]))
  }

  /// The same tensor in another precision.
  public func converted<T: Scalar>(to _: T.Type = T.self) -> Tensor<T> {
    if let same = self as? Tensor<T> { return same }  // same precision: share the storage (copy on write)
    return Tensor<T>(shape: shape, storage: storage.map { T($0) })
  }

  /// Elementwise map.
  public func map(_ f: (S) throws -> S) rethrows -> Tensor {
    Tensor(shape: shape, storage: try storage.map(f))
  }

  /// Elementwise combination of two tensors of the same shape.
  public func zipWith(_ other: Tensor, _ f: (S, S) -> S) -> Tensor {
    precondition(shape == other.shape, "shapes \(shape) and \(other.shape) differ")
    return Tensor(shape: shape, storage: zip(storage, other.storage).map(f))
  }

  /// The largest absolute value (∞-norm of vec x); 0 for an empty tensor.
  public var maxMagnitude: S { storage.reduce(0) { Swift.max($0, Swift.abs($1)) } }
}
