import ConvLabCore

// The papers' linear operators on symbolic matrices. Each one builds what its numeric twin in
// Vec.swift, Sampling.swift, Flip.swift and Conv2.swift builds, in the same way, so that
// substituting numbers for the symbols gives the numeric result (SymbolicNotationTests).

/// Column stacking over symbols: vec(A) = [a₁₁, a₂₁, …, a_{m1}, a₁₂, …]ᵀ.
///
/// Xu §3.1.3, MatConvNet §6.1, Vardhan §2 (ᵥA in App. A).
public func vec(_ a: SymbolicMatrix) -> SymbolicMatrix {
  SymbolicMatrix(rows: a.count, cols: 1, entries: a.entries)
}

/// unvec_{m,n}(v): refills an m × n matrix column by column (Xu (12)).
public func unvec(_ v: SymbolicMatrix, _ rows: Int, _ cols: Int) throws -> SymbolicMatrix {
  guard rows >= 0, cols >= 0, v.count == rows * cols else {
    throw ConvLabError("unvec needs \(max(0, rows) * max(0, cols)) entries for a \(rows)×\(cols) matrix, but the vector has \(v.count).")
  }
  return SymbolicMatrix(rows: rows, cols: cols, entries: v.entries)
}

/// The Kronecker product A ⊗ B = [aᵢⱼ B] over symbols (Xu §3.1.1; MatConvNet §6.1).
public func kron(_ a: SymbolicMatrix, _ b: SymbolicMatrix) throws -> SymbolicMatrix {
  try SymbolicMatrix(rows: a.rows * b.rows, cols: a.cols * b.cols) { r, c in
    try a[r / b.rows, c / b.cols] * b[r % b.rows, c % b.cols]
  }
}

/// Iₙ with exact entries.
public func symbolicIdentity(_ n: Int) -> SymbolicMatrix {
  SymbolicMatrix(rows: n, cols: n) { r, c in r == c ? 1 : 0 }
}

/// 1_{m×n} with exact entries.
public func symbolicOnes(_ m: Int, _ n: Int) -> SymbolicMatrix {
  SymbolicMatrix(rows: m, cols: n) { _, _ in 1 }
}

/// Up-sampling over symbols: up(x) = x ⊗ 1ₙₓₙ (Xu (6), with 1ₙₓₙ where Xu prints Iₙₓₙ —
/// see `up(_:_:)` on numbers).
public func up(_ x: SymbolicMatrix, _ n: Int) throws -> SymbolicMatrix {
  guard n >= 1 else { throw ConvLabError("up(·) needs a block size n ≥ 1, got \(n).") }
  return try kron(x, symbolicOnes(n, n))
}

/// down(x): the sum over every non-overlapping n × n block (Xu (2), §2.2.1).
public func down(_ x: SymbolicMatrix, _ n: Int) throws -> SymbolicMatrix {
  guard n > 0, x.rows % n == 0, x.cols % n == 0 else {
    throw ConvLabError("down(·) with n = \(n) needs a size divisible by n, got \(x.rows)×\(x.cols).")
  }
  return try SymbolicMatrix(rows: x.rows / n, cols: x.cols / n) { r, c in
    var sum = Polynomial.zero
    for p in 0..<n { for q in 0..<n { sum = try sum + x[r * n + p, c * n + q] } }
    return sum
  }
}

/// Average pooling on non-overlapping n × n blocks: down(x)/n², coefficient 1/n² exact
/// (MatConvNet §4.3).
public func average(_ x: SymbolicMatrix, _ n: Int) throws -> SymbolicMatrix {
  try down(x, n).scaled(by: try Rational(1, try Size.product([n, n], "the pooling window")))
}

/// Jₙ with exact entries (Xu (14)).
public func symbolicExchange(_ n: Int) -> SymbolicMatrix {
  SymbolicMatrix(rows: n, cols: n) { r, c in r + c == n - 1 ? 1 : 0 }
}

/// rot180(K) = J K J, computed as the two matrix products Xu (14) writes.
public func rot180(_ k: SymbolicMatrix) throws -> SymbolicMatrix {
  try symbolicExchange(k.rows) * k * symbolicExchange(k.cols)
}

/// The Hadamard product A ∘ B (Xu (4)–(8), 18).
public func hadamard(_ a: SymbolicMatrix, _ b: SymbolicMatrix) throws -> SymbolicMatrix {
  try a.requireSameSize(b, "∘")
  return SymbolicMatrix(rows: a.rows, cols: a.cols, entries: try zip(a.entries, b.entries).map { try $0 * $1 })
}

/// Zero margins around A (Xu's δ̃, Xu (16); Vardhan App. A's padded A).
public func zeroPad(_ a: SymbolicMatrix, top: Int, bottom: Int, left: Int, right: Int) throws -> SymbolicMatrix {
  guard min(top, bottom, left, right) >= 0 else { throw ConvLabError("padding must be ≥ 0, got \(top),\(bottom),\(left),\(right).") }
  return SymbolicMatrix(rows: a.rows + top + bottom, cols: a.cols + left + right) { i, j in
    let (ai, aj) = (i - top, j - left)
    return ai >= 0 && ai < a.rows && aj >= 0 && aj < a.cols ? a[ai, aj] : .zero
  }
}

/// True 2-D convolution over symbols (MATLAB `conv2`, kernel flipped):
/// C(i, j) = Σₚ Σ_q A(p, q) K(i − p + 1, j − q + 1) (Xu (13), 16–18; Murugan (3.70)–(3.74)).
public func conv2(_ a: SymbolicMatrix, _ k: SymbolicMatrix, shape: ConvShape = .full) throws -> SymbolicMatrix {
  let (rows, cols, r0, c0): (Int, Int, Int, Int)
  switch shape {
  case .full: (rows, cols, r0, c0) = (a.rows + k.rows - 1, a.cols + k.cols - 1, 0, 0)
  case .same: (rows, cols, r0, c0) = (a.rows, a.cols, k.rows / 2, k.cols / 2)
  case .valid: (rows, cols, r0, c0) = (max(0, a.rows - k.rows + 1), max(0, a.cols - k.cols + 1), k.rows - 1, k.cols - 1)
  }
  return try SymbolicMatrix(rows: max(0, rows), cols: max(0, cols)) { i, j in
    var sum = Polynomial.zero
    for p in 0..<a.rows {
      let ki = i + r0 - p
      guard ki >= 0, ki < k.rows else { continue }
      for q in 0..<a.cols {
        let kj = j + c0 - q
        guard kj >= 0, kj < k.cols else { continue }
        sum = try sum + (try a[p, q] * k[ki, kj])
      }
    }
    return sum
  }
}

/// 2-D cross-correlation over symbols: C(i, j) = Σₚ Σ_q A(i + p − 1, j + q − 1) K(p, q)
/// (MatConvNet §4.1 for one channel; Vardhan App. A's ∗; Xu Fig. 4).
public func xcorr2(_ a: SymbolicMatrix, _ k: SymbolicMatrix, shape: ConvShape = .valid) throws -> SymbolicMatrix {
  let (rows, cols, offR, offC): (Int, Int, Int, Int)
  switch shape {
  case .valid: (rows, cols, offR, offC) = (max(0, a.rows - k.rows + 1), max(0, a.cols - k.cols + 1), 0, 0)
  case .full: (rows, cols, offR, offC) = (a.rows + k.rows - 1, a.cols + k.cols - 1, k.rows - 1, k.cols - 1)
  case .same: (rows, cols, offR, offC) = (a.rows, a.cols, (k.rows - 1) - k.rows / 2, (k.cols - 1) - k.cols / 2)
  }
  return try SymbolicMatrix(rows: max(0, rows), cols: max(0, cols)) { i, j in
    var sum = Polynomial.zero
    for p in 0..<k.rows {
      let ai = i + p - offR
      guard ai >= 0, ai < a.rows else { continue }
      for q in 0..<k.cols {
        let aj = j + q - offC
        guard aj >= 0, aj < a.cols else { continue }
        sum = try sum + (try a[ai, aj] * k[p, q])
      }
    }
    return sum
  }
}
