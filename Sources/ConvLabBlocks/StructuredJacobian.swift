import ConvLabCore

/// An explicit Jacobian d vec y / d (vec v)ᵀ kept in the form its structure allows, so that
/// element-wise blocks of LeNet size (a 28×28×6 sigmoid: 4704 × 4704 dense, 177 MiB) cost only
/// their diagonal.
///
/// - `dense`: every entry (conv, pool, dense, … as the papers build them);
/// - `diagonal`: diag(d) of an element-wise block, y = f(x) ⇒ J = diag(f′(x)) (MatConvNet §6.4).
public enum StructuredJacobian: Sendable {
  case dense(Matrix<Double>)
  case diagonal([Double])

  /// numel(y): the number of rows of d vec y / d (vec v)ᵀ.
  public var rows: Int {
    switch self {
    case .dense(let m): return m.rows
    case .diagonal(let d): return d.count
    }
  }

  /// numel(v): the number of columns.
  public var cols: Int {
    switch self {
    case .dense(let m): return m.cols
    case .diagonal(let d): return d.count
    }
  }

  /// The number of stored entries (rows·cols, or the diagonal's length).
  public var storedCount: Int {
    switch self {
    case .dense(let m): return m.count
    case .diagonal(let d): return d.count
    }
  }

  /// `dense 4704×784` or `diagonal 4704`.
  public var form: String {
    switch self {
    case .dense(let m): return "dense \(m.rows)×\(m.cols)"
    case .diagonal(let d): return "diagonal \(d.count)"
    }
  }

  /// The row vector vᵀ J (a vector–Jacobian product with the explicit matrix).
  public func leftMultiply(_ v: [Double]) -> [Double] {
    precondition(v.count == rows, "vᵀJ needs \(rows) entries, got \(v.count)")
    switch self {
    case .dense(let m): return (Matrix(rows: 1, cols: v.count, storage: v) * m).storage
    case .diagonal(let d): return zip(v, d).map { $0 * $1 }
    }
  }

  /// The full matrix (for display and small comparisons).
  public var matrix: Matrix<Double> {
    switch self {
    case .dense(let m): return m
    case .diagonal(let d):
      var m = Matrix<Double>(rows: d.count, cols: d.count)
      for k in d.indices { m[k, k] = d[k] }
      return m
    }
  }
}

/// A block whose literal Jacobian has a structure cheaper than the dense matrix.
public protocol StructuredJacobianBlock: Block {
  /// The explicit Jacobian d vec y / d (vec v)ᵀ in its structured form.
  func structuredJacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> StructuredJacobian
}

extension Block {
  /// The explicit Jacobian in the cheapest form the block offers: structured where it has one,
  /// else the dense `jacobian(at:_:wrt:)`.
  public func explicitJacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> StructuredJacobian {
    if let s = self as? any StructuredJacobianBlock { return try s.structuredJacobian(at: x, p, wrt: v) }
    return .dense(try jacobian(at: x, p, wrt: v))
  }

  /// Bytes of a dense Double Jacobian for x (per image when `perImage`), overflow-checked, for
  /// memory gates; elementwise blocks report their diagonal.
  public func explicitJacobianBytes(x: Shape, _ p: Parameters<Double>, wrt v: Variable) throws -> Int {
    let y = try outputShape(x, p)
    let cols: Int
    switch v {
    case .x: cols = x.count
    case .w: cols = p.w?.count ?? 0
    case .b: cols = p.b?.count ?? 0
    }
    if self is any StructuredJacobianBlock, v == .x { return try Size.product([x.count, 8], "the diagonal Jacobian of \(name)") }
    return try Size.product([y.count, cols, 8], "the explicit Jacobian of \(name)")
  }
}
