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
    let beta = try inputs(p).gains
    let a = kron(Matrix<Double>.identity(yShape.h), Matrix<Double>.ones(1, n))
    let bm = kron(Matrix<Double>.identity(yShape.w), Matrix<Double>.ones(1, n))
    let block = kron(bm, a)
    let channelIn = x.shape.h * x.shape.w
    let channelOut = yShape.h * yShape.w
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

// MARK: J u above the memory gate, from the literal Jacobian in column blocks

/// A block whose literal Jacobian can be built a few columns at a time, so that J u is exact
/// (no differencing) even when the whole d vec y / d (vec v)ᵀ for one image does not fit in
/// memory: J u = Σ_blocks J[:, c₀..<c₁] u[c₀..<c₁], each block built as the papers build the
/// matrix and dropped before the next.
public protocol ColumnBlockJacobianBlock: Block {
  /// Column c of d vec y / d (vec v)ᵀ at one image x, as `column(c)` returns it, for every c;
  /// the closure is built once per call and may keep per-call factors (φ(x), a filter).
  func jacobianColumns(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> (rows: Int, cols: Int, column: (Int) throws -> [Double])
}

/// J u with J built in column blocks of at most `bytes` bytes (at least one column): the
/// product the dense matrix would give, Σ_k J[:, k] u_k, block by block.
public func columnBlockProduct(rows: Int, cols: Int, bytes: Int, _ u: [Double], column: (Int) throws -> [Double]) throws -> [Double] {
  precondition(u.count == cols, "J u needs \(cols) entries, got \(u.count)")
  let width = max(1, min(cols, bytes / max(1, rows * MemoryLayout<Double>.size)))
  var out = [Double](repeating: 0, count: rows)
  for c0 in stride(from: 0, to: cols, by: width) {
    let c1 = min(cols, c0 + width)
    var block = Matrix<Double>(rows: rows, cols: c1 - c0)
    for c in c0..<c1 {
      let values = try column(c)
      block.storage.replaceSubrange((c - c0) * rows..<(c - c0 + 1) * rows, with: values)
    }
    let product = block * Matrix(rows: c1 - c0, cols: 1, storage: Array(u[c0..<c1]))
    for r in 0..<rows { out[r] += product.storage[r] }
  }
  return out
}

extension Block {
  /// J u for one image x from the literal Jacobian d vec y / d (vec v)ᵀ, built in column blocks
  /// of at most `bytes` bytes; nil when the block has no column-by-column construction.
  /// Element-wise blocks: diag(f′(x)) u (MatConvNet §6.4), one entry per column.
  public func literalJacobianProduct(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable, _ u: [Double], bytes: Int) throws -> [Double]? {
    precondition(x.shape.n == 1, "one image at a time")
    if let b = self as? any ColumnBlockJacobianBlock {
      let j = try b.jacobianColumns(at: x, p, wrt: v)
      return try columnBlockProduct(rows: j.rows, cols: j.cols, bytes: bytes, u, column: j.column)
    }
    if let e = self as? any ElementwiseBlock, v == .x {
      precondition(u.count == x.count, "J u needs \(x.count) entries, got \(u.count)")
      return zip(x.storage, u).map { e.derivative($0) * $1 }
    }
    return nil
  }
}

extension Conv: ColumnBlockJacobianBlock {
  /// The columns of `jacobian(at:_:wrt:)`, one at a time:
  /// - wrt x: column (p, q, d) = vec(conv of the unit image E_pqd with f), no bias
  ///   (Vardhan §3.1.5, App. A);
  /// - wrt w: I ⊗ φ(x) per group (MatConvNet §6.1): the column of filter entry t of filter k
  ///   is column t of φ_g(x) in the rows of output channel k;
  /// - wrt b: I ⊗ 1_{H″W″}: column k is 1 on the pixels of channel k.
  public func jacobianColumns(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> (rows: Int, cols: Int, column: (Int) throws -> [Double]) {
    let yShape = try outputShape(x.shape, p)
    let f = try inputs(p).w
    let pixels = yShape.h * yShape.w
    let rows = yShape.count
    switch v {
    case .x:
      var noBias = p
      noBias.b = nil
      return (
        rows, x.count,
        { c in
          var unit = Tensor<Double>(shape: x.shape)
          unit.storage[c] = 1
          return try self.literalForward(unit, noBias).storage
        }
      )
    case .w:
      let g = try groups(inputDepth: x.shape.d, filters: f.shape)
      let perGroup = f.shape.n / g
      let q = f.shape.h * f.shape.w * f.shape.d
      let phis = try (0..<g).map { try phi(x, image: 0, group: $0, filters: f.shape) }
      return (
        rows, f.count,
        { c in
          let k = c / q
          let t = c % q
          var column = [Double](repeating: 0, count: rows)
          let phi = phis[k / perGroup]
          column.replaceSubrange(k * pixels..<(k + 1) * pixels, with: phi.storage[t * pixels..<(t + 1) * pixels])
          return column
        }
      )
    case .b:
      guard p.b != nil else { throw ConvLabError.missingInput(block: "conv", inputs: ["b"], what: "biases, to differentiate with respect to them") }
      return (
        rows, f.shape.n,
        { k in
          var column = [Double](repeating: 0, count: rows)
          for r in k * pixels..<(k + 1) * pixels { column[r] = 1 }
          return column
        }
      )
    }
  }
}

extension FlippedConv: ColumnBlockJacobianBlock {
  /// The correlation's columns at the rotated filters J f J (Xu (14)); wrt f the columns are
  /// reordered within each H′×W′ slice, column (i, j, d, k) being the correlation's column
  /// (H′−1−i, W′−1−j, d, k).
  public func jacobianColumns(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> (rows: Int, cols: Int, column: (Int) throws -> [Double]) {
    let f = try conv.inputs(p).w
    let j = try conv.jacobianColumns(at: x, try withRotatedFilters(p), wrt: v)
    guard v == .w else { return j }
    let s = f.shape
    return (
      j.rows, j.cols,
      { c in
        let i = c % s.h
        let jj = (c / s.h) % s.w
        let rest = c / (s.h * s.w)
        return try j.column(s.h - 1 - i + s.h * (s.w - 1 - jj + s.w * rest))
      }
    )
  }
}

extension Dense: ColumnBlockJacobianBlock {
  /// The columns of Murugan's Jacobians for one image, y = W vec x + b: wrt x, W's columns
  /// (Murugan (3.10)); wrt W, vec(x)ᵀ ⊗ I_K, whose column i·K + k is x_i e_k; wrt b, I_K.
  public func jacobianColumns(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> (rows: Int, cols: Int, column: (Int) throws -> [Double]) {
    let yShape = try outputShape(x.shape, p)
    let w = try inputs(p).w
    let k = yShape.d
    switch v {
    case .x: return (k, x.count, { c in Array(w.storage[c * k..<(c + 1) * k]) })
    case .w:
      return (
        k, w.count,
        { c in
          var column = [Double](repeating: 0, count: k)
          column[c % k] = x.storage[c / k]
          return column
        }
      )
    case .b:
      guard p.b != nil else { throw ConvLabError.missingInput(block: "dense", inputs: ["b"], what: "biases, to differentiate with respect to them") }
      return (
        k, k,
        { c in
          var column = [Double](repeating: 0, count: k)
          column[c] = 1
          return column
        }
      )
    }
  }
}

extension Subsample: ColumnBlockJacobianBlock {
  /// The columns of Xu (2) for one image: wrt x, column (i, j) of channel d is β_d times column
  /// (i, j) of B ⊗ A (A = I_{H/n} ⊗ 1ₙᵀ, B = I_{W/n} ⊗ 1ₙᵀ) in the rows of channel d; wrt β,
  /// column d is vec down(X_d) there; wrt b, it is 1 there.
  public func jacobianColumns(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> (rows: Int, cols: Int, column: (Int) throws -> [Double]) {
    let yShape = try outputShape(x.shape, p)
    let beta = try inputs(p).gains
    let channelIn = x.shape.h * x.shape.w
    let channelOut = yShape.h * yShape.w
    let rows = yShape.count
    switch v {
    case .x:
      let a = kron(Matrix<Double>.identity(yShape.h), Matrix<Double>.ones(1, n))
      let bm = kron(Matrix<Double>.identity(yShape.w), Matrix<Double>.ones(1, n))
      let selector = kron(bm, a)  // channelOut × channelIn (outputShape checked that n divides H and W)
      return (
        rows, x.count,
        { c in
          let d = c / channelIn
          let k = c % channelIn
          var column = [Double](repeating: 0, count: rows)
          for r in 0..<channelOut { column[d * channelOut + r] = beta.storage[d] * selector[r, k] }
          return column
        }
      )
    case .w, .b:
      let downs = try (0..<x.shape.d).map { d in v == .b ? [Double](repeating: 1, count: channelOut) : vec(try down(x.channel(d, image: 0), n)).storage }
      return (
        rows, x.shape.d,
        { d in
          var column = [Double](repeating: 0, count: rows)
          column.replaceSubrange(d * channelOut..<(d + 1) * channelOut, with: downs[d])
          return column
        }
      )
    }
  }
}
