import ConvLabCore

/// A matrix of exact polynomials, stored column-major like `Matrix` (so `vec` is a relabelling).
///
/// The symbolic twin of `Matrix<Double>`: the papers' operators on it (`SymbolicNotation`) build
/// the same matrices the literal layer builds, with the entries written in symbols.
public struct SymbolicMatrix: Hashable, Sendable, CustomStringConvertible {
  /// Number of rows.
  public let rows: Int
  /// Number of columns.
  public let cols: Int
  /// The entries in column-major order (vec order).
  public private(set) var entries: [Polynomial]

  /// A matrix from its entries in column-major order.
  public init(rows: Int, cols: Int, entries: [Polynomial]) {
    precondition(entries.count == rows * cols, "\(entries.count) entries for a \(rows)×\(cols) matrix")
    self.rows = rows
    self.cols = cols
    self.entries = entries
  }

  /// The matrix whose 0-based entry (r, c) is `f(r, c)`.
  public init(rows: Int, cols: Int, _ f: (Int, Int) throws -> Polynomial) rethrows {
    var e: [Polynomial] = []
    e.reserveCapacity(rows * cols)
    for c in 0..<cols { for r in 0..<rows { e.append(try f(r, c)) } }
    self.init(rows: rows, cols: cols, entries: e)
  }

  /// The zero matrix.
  public static func zeros(_ rows: Int, _ cols: Int) -> SymbolicMatrix {
    SymbolicMatrix(rows: rows, cols: cols, entries: Array(repeating: .zero, count: rows * cols))
  }

  /// The matrix of symbols name_{ij}: `symbols("a", 3, 4)` is Vardhan's A = [a₁₁ … a₃₄].
  public static func symbols(_ name: String, _ rows: Int, _ cols: Int) -> SymbolicMatrix {
    SymbolicMatrix(rows: rows, cols: cols) { r, c in Polynomial(Symbol(name, [r + 1, c + 1])) }
  }

  /// The column of symbols name₁ … nameₙ (softmax's y₁ … y_D, a dense layer's x⃗).
  public static func vectorSymbols(_ name: String, _ n: Int) -> SymbolicMatrix {
    SymbolicMatrix(rows: n, cols: 1) { r, _ in Polynomial(Symbol(name, [r + 1])) }
  }

  /// A numeric matrix, exactly: entries must be integers (0/1 matrices such as J, H, selectors).
  public init(integers m: Matrix<Double>) throws {
    self.init(
      rows: m.rows, cols: m.cols,
      entries: try m.storage.map { v in
        guard v.rounded() == v, abs(v) < 1e15 else { throw ConvLabError("the entry \(v) is not an integer, so it has no exact symbolic form here.") }
        return Polynomial(Int(v))
      })
  }

  /// rows · cols.
  public var count: Int { entries.count }

  /// The 0-based entry (r, c).
  public subscript(r: Int, c: Int) -> Polynomial {
    get { entries[r + rows * c] }
    set { entries[r + rows * c] = newValue }
  }

  /// Aᵀ.
  public var transposed: SymbolicMatrix { SymbolicMatrix(rows: cols, cols: rows) { r, c in self[c, r] } }

  /// Number of entries that are not the zero polynomial (the sparsity pattern's count).
  public var nonzeroCount: Int { entries.filter { !$0.isZero }.count }

  /// Every symbol in any entry.
  public var symbols: [Symbol] { Array(Set(entries.flatMap(\.symbols))).sorted() }

  /// The numeric matrix obtained by substituting numbers for the symbols.
  public func evaluate(_ values: [Symbol: Double]) throws -> Matrix<Double> {
    Matrix(rows: rows, cols: cols, storage: try entries.map { try $0.evaluate(values) })
  }

  /// A + B entry by entry; throws a sentence when the sizes differ.
  public static func + (a: SymbolicMatrix, b: SymbolicMatrix) throws -> SymbolicMatrix {
    try a.requireSameSize(b, "+")
    return SymbolicMatrix(rows: a.rows, cols: a.cols, entries: try zip(a.entries, b.entries).map { try $0 + $1 })
  }

  /// A − B entry by entry; throws a sentence when the sizes differ.
  public static func - (a: SymbolicMatrix, b: SymbolicMatrix) throws -> SymbolicMatrix {
    try a.requireSameSize(b, "−")
    return SymbolicMatrix(rows: a.rows, cols: a.cols, entries: try zip(a.entries, b.entries).map { try $0 - $1 })
  }

  /// The matrix product, entry by entry Σₖ aᵢₖ bₖⱼ.
  public static func * (a: SymbolicMatrix, b: SymbolicMatrix) throws -> SymbolicMatrix {
    guard a.cols == b.rows else {
      throw ConvLabError("a matrix product needs matching inner sizes, got \(a.rows)×\(a.cols) times \(b.rows)×\(b.cols).")
    }
    return try SymbolicMatrix(rows: a.rows, cols: b.cols) { i, j in
      var sum = Polynomial.zero
      for k in 0..<a.cols where !a[i, k].isZero && !b[k, j].isZero { sum = try sum + (try a[i, k] * b[k, j]) }
      return sum
    }
  }

  /// c·A.
  public func scaled(by c: Rational) throws -> SymbolicMatrix {
    SymbolicMatrix(rows: rows, cols: cols, entries: try entries.map { try $0.scaled(by: c) })
  }

  func requireSameSize(_ b: SymbolicMatrix, _ op: String) throws {
    guard rows == b.rows, cols == b.cols else {
      throw ConvLabError("'\(op)' needs two matrices of the same size, got \(rows)×\(cols) and \(b.rows)×\(b.cols).")
    }
  }

  /// Rows in brackets, entries in Unicode (for debugging and test messages).
  public var description: String {
    (0..<rows).map { r in "[" + (0..<cols).map { self[r, $0].unicode }.joined(separator: ", ") + "]" }.joined(separator: "\n")
  }
}

/// Numbers for symbols: the substitution that connects a symbolic identity with the numeric
/// path it describes.
public struct Valuation: Sendable {
  /// The number of every assigned symbol.
  public private(set) var values: [Symbol: Double] = [:]

  /// No symbols assigned.
  public init() {}

  /// Assigns name_{ij} = m[i, j] for every entry (1-based indices), the inverse of
  /// `SymbolicMatrix.symbols(name, …)`.
  public mutating func assign(_ name: String, _ m: Matrix<Double>) {
    for c in 0..<m.cols { for r in 0..<m.rows { values[Symbol(name, [r + 1, c + 1])] = m[r, c] } }
  }

  /// Assigns name_i = v[i] (1-based), the inverse of `vectorSymbols`.
  public mutating func assignVector(_ name: String, _ v: [Double]) {
    for (i, x) in v.enumerated() { values[Symbol(name, [i + 1])] = x }
  }

  /// Assigns one symbol.
  public mutating func assign(_ s: Symbol, _ v: Double) { values[s] = v }

  /// The number assigned to `s`, if any.
  public subscript(_ s: Symbol) -> Double? { values[s] }
}

extension SymbolicMatrix {
  /// Substitutes `valuation` for every symbol.
  public func evaluate(_ valuation: Valuation) throws -> Matrix<Double> { try evaluate(valuation.values) }
}
