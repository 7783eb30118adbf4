/// A dense matrix stored column-major, like MATLAB's and like `vec`.
///
/// The literal layer builds the papers' matrices (Kronecker products, selectors, Jacobians)
/// as `Matrix` values; products go through BLAS `?gemm`.
public struct Matrix<S: Scalar>: Equatable, Sendable {
  public let rows: Int
  public let cols: Int
  public var storage: [S]

  public init(rows: Int, cols: Int, repeating value: S = 0) {
    precondition(rows >= 0 && cols >= 0)
    self.rows = rows
    self.cols = cols
    self.storage = Array(repeating: value, count: rows * cols)
  }

  public init(rows: Int, cols: Int, storage: [S]) {
    precondition(storage.count == rows * cols, "storage has \(storage.count) elements, \(rows)×\(cols) needs \(rows * cols)")
    self.rows = rows
    self.cols = cols
    self.storage = storage
  }

  /// A matrix whose 0-based entry (r, c) is `f(r, c)`.
  public init(rows: Int, cols: Int, _ f: (Int, Int) throws -> S) rethrows {
    var storage = [S]()
    storage.reserveCapacity(rows * cols)
    for c in 0..<cols {
      for r in 0..<rows { storage.append(try f(r, c)) }
    }
    self.init(rows: rows, cols: cols, storage: storage)
  }

  /// A matrix from rows written as in a paper: `Matrix([[1, 2], [3, 4]])`.
  public init(_ rowsOfValues: [[S]]) {
    let r = rowsOfValues.count
    let c = rowsOfValues.first?.count ?? 0
    precondition(rowsOfValues.allSatisfy { $0.count == c }, "ragged rows")
    self.init(rows: r, cols: c) { i, j in rowsOfValues[i][j] }
  }

  public var count: Int { storage.count }

  @inlinable
  public subscript(r: Int, c: Int) -> S {
    get { storage[r + rows * c] }
    set { storage[r + rows * c] = newValue }
  }

  /// Column c as an array.
  public func column(_ c: Int) -> [S] { Array(storage[c * rows..<(c + 1) * rows]) }

  /// Aᵀ.
  public var transposed: Matrix {
    Matrix(rows: cols, cols: rows) { r, c in self[c, r] }
  }

  /// The n×n identity Iₙ.
  public static func identity(_ n: Int) -> Matrix {
    Matrix(rows: n, cols: n) { r, c in r == c ? 1 : 0 }
  }

  /// The all-ones matrix 1_{r×c}.
  public static func ones(_ r: Int, _ c: Int) -> Matrix { Matrix(rows: r, cols: c, repeating: 1) }

  /// The zero matrix.
  public static func zeros(_ r: Int, _ c: Int) -> Matrix { Matrix(rows: r, cols: c, repeating: 0) }

  /// As an H×W×1×1 tensor (same storage, since both are column-major).
  public var tensor: Tensor<S> { Tensor(shape: Shape(rows, cols), storage: storage) }

  /// The same matrix in another precision.
  public func converted<T: Scalar>(to _: T.Type = T.self) -> Matrix<T> {
    Matrix<T>(rows: rows, cols: cols, storage: storage.map { T($0) })
  }

  /// The largest absolute entry.
  public var maxMagnitude: S { storage.reduce(0) { Swift.max($0, Swift.abs($1)) } }

  /// Number of non-zero entries.
  public var nonzeroCount: Int { storage.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

  /// Matrix product A·B through BLAS `?gemm`.
  public static func * (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.cols == b.rows, "inner dimensions \(a.rows)×\(a.cols) · \(b.rows)×\(b.cols) differ")
    var c = Matrix(rows: a.rows, cols: b.cols)
    if a.rows == 0 || b.cols == 0 { return c }
    if a.cols == 0 { return c }
    a.storage.withUnsafeBufferPointer { pa in
      b.storage.withUnsafeBufferPointer { pb in
        c.storage.withUnsafeMutableBufferPointer { pc in
          S.gemm(
            transA: false, transB: false, m: a.rows, n: b.cols, k: a.cols,
            alpha: 1, a: pa.baseAddress!, lda: max(1, a.rows), b: pb.baseAddress!, ldb: max(1, b.rows),
            beta: 0, c: pc.baseAddress!, ldc: max(1, a.rows))
        }
      }
    }
    return c
  }

  public static func + (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.rows == b.rows && a.cols == b.cols, "sizes differ")
    return Matrix(rows: a.rows, cols: a.cols, storage: zip(a.storage, b.storage).map(+))
  }

  public static func - (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.rows == b.rows && a.cols == b.cols, "sizes differ")
    return Matrix(rows: a.rows, cols: a.cols, storage: zip(a.storage, b.storage).map(-))
  }

  public static func * (s: S, a: Matrix) -> Matrix {
    Matrix(rows: a.rows, cols: a.cols, storage: a.storage.map { s * $0 })
  }
}
