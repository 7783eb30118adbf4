import ConvLabCore
import ConvLabNotation

/// An explicit Jacobian d vec y / d (vec v)ᵀ kept in the form its structure allows, so that
/// element-wise blocks of LeNet size (a 28×28×6 sigmoid: 4704 × 4704 dense, 177 MiB) cost only
/// their diagonal.
///
/// - `dense`: every entry (conv, dense, … as the papers build them);
/// - `diagonal`: diag(d) of an element-wise block, y = f(x) ⇒ J = diag(f′(x)) (MatConvNet §6.4);
/// - `sparse`: the non-zeros of a selector, by row: pooling's S(x) (MatConvNet (6.2)) and Xu's
///   subsampling β_j (B ⊗ A) per channel (Xu (2)).
public enum StructuredJacobian: Sendable {
  case dense(Matrix<Double>)
  case diagonal([Double])
  case sparse(rows: Int, cols: Int, entries: [(row: Int, col: Int, value: Double)])

  /// numel(y): the number of rows of d vec y / d (vec v)ᵀ.
  public var rows: Int {
    switch self {
    case .dense(let m): return m.rows
    case .diagonal(let d): return d.count
    case .sparse(let rows, _, _): return rows
    }
  }

  /// numel(v): the number of columns.
  public var cols: Int {
    switch self {
    case .dense(let m): return m.cols
    case .diagonal(let d): return d.count
    case .sparse(_, let cols, _): return cols
    }
  }

  /// The number of stored numbers (rows·cols, the diagonal's length, or three per non-zero).
  public var storedCount: Int {
    switch self {
    case .dense(let m): return m.count
    case .diagonal(let d): return d.count
    case .sparse(_, _, let e): return 3 * e.count
    }
  }

  /// `dense 4704×784` or `diagonal 4704`.
  public var form: String {
    switch self {
    case .dense(let m): return "dense \(m.rows)×\(m.cols)"
    case .diagonal(let d): return "diagonal \(d.count)"
    case .sparse(let r, let c, let e): return "sparse \(r)×\(c), \(e.count) non-zeros"
    }
  }

  /// The row vector vᵀ J (a vector–Jacobian product with the explicit matrix).
  public func leftMultiply(_ v: [Double]) -> [Double] {
    precondition(v.count == rows, "vᵀJ needs \(rows) entries, got \(v.count)")
    switch self {
    case .dense(let m): return (Matrix(rows: 1, cols: v.count, storage: v) * m).storage
    case .diagonal(let d): return zip(v, d).map { $0 * $1 }
    case .sparse(_, let cols, let entries):
      var out = [Double](repeating: 0, count: cols)
      for e in entries { out[e.col] += v[e.row] * e.value }
      return out
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
    case .sparse(let rows, let cols, let entries):
      var m = Matrix<Double>(rows: rows, cols: cols)
      for e in entries { m[e.row, e.col] += e.value }
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
    if self is any ElementwiseBlock, v == .x { return try Size.product([x.count, 8], "the diagonal Jacobian of \(name)") }
    // Three numbers per non-zero: one per input (subsample), at most window + 1 per output (pool).
    if self is Subsample, v == .x { return try Size.product([x.count, 24], "the sparse Jacobian of \(name)") }
    if let pool = self as? Pool, v == .x { return try Size.product([y.count, pool.size.0 * pool.size.1 + 1, 24], "the sparse Jacobian of \(name)") }
    return try Size.product([y.count, cols, 8], "the explicit Jacobian of \(name)")
  }
}

extension Pool: StructuredJacobianBlock {
  /// The pooling matrix S(x) of MatConvNet (6.2), vec y = S(x) vec x, kept as its non-zeros:
  /// per output, 1 at the window's first maximum (max), 1/count on the window's in-bounds
  /// samples (avg), both for max+average (Milisavljevic §3). The same rows as `poolingMatrix`.
  public func structuredJacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> StructuredJacobian {
    guard v == .x else { throw ConvLabError("pool has no parameters; differentiate with respect to x.") }
    let s = try poolingEntries(at: x)
    return .sparse(rows: s.rows, cols: s.cols, entries: s.entries)
  }
}

extension Subsample: StructuredJacobianBlock {
  /// wrt x: β_j (B ⊗ A) per channel, vec down(X) = (B ⊗ A) vec X with A = I_{H/n} ⊗ 1ₙᵀ and
  /// B = I_{W/n} ⊗ 1ₙᵀ (Xu (2)), kept as its non-zeros; wrt β and b: the dense columns.
  public func structuredJacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> StructuredJacobian {
    guard v == .x else { return .dense(try jacobian(at: x, p, wrt: v)) }
    let yShape = try outputShape(x.shape, p)
    guard let beta = p.w else { throw ConvLabError.missingInput(block: "subsample", inputs: ["w"], what: "") }
    let a = kron(Matrix<Double>.identity(yShape.h), Matrix<Double>.ones(1, n))
    let bm = kron(Matrix<Double>.identity(yShape.w), Matrix<Double>.ones(1, n))
    let block = kron(bm, a)
    let channelIn = x.shape.h * x.shape.w, channelOut = yShape.h * yShape.w
    var pattern: [(row: Int, col: Int)] = []
    for c in 0..<block.cols { for r in 0..<block.rows where block[r, c] != 0 { pattern.append((r, c)) } }
    var entries: [(row: Int, col: Int, value: Double)] = []
    entries.reserveCapacity(pattern.count * x.shape.d * x.shape.n)
    for m in 0..<x.shape.n {
      for d in 0..<x.shape.d {
        let (r0, c0) = ((m * x.shape.d + d) * channelOut, (m * x.shape.d + d) * channelIn)
        for e in pattern { entries.append((r0 + e.row, c0 + e.col, beta.storage[d])) }
      }
    }
    return .sparse(rows: yShape.count, cols: x.count, entries: entries)
  }
}
