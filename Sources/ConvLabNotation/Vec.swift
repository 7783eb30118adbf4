import ConvLabCore

/// Column stacking: vec(A) = [a₁₁, a₂₁, …, a_{m1}, a₁₂, …]ᵀ, an mn × 1 column.
///
/// Xu §3.1.3 ("unfolding the matrix by column"), MatConvNet §6.1, Vardhan §2. Column-major
/// storage makes this a relabelling of the same numbers.
public func vec<S: Scalar>(_ a: Matrix<S>) -> Matrix<S> {
  Matrix(rows: a.count, cols: 1, storage: a.storage)
}

/// vec of a tensor: H fastest, then W, D, N (MatConvNet's vec).
public func vec<S: Scalar>(_ x: Tensor<S>) -> Matrix<S> {
  Matrix(rows: x.count, cols: 1, storage: x.storage)
}

/// The inverse of vec: unvec_{m,n}(v) refills an m × n matrix column by column.
///
/// Xu (12) uses unvec_{K,K} to turn the kernel gradient row back into a K × K kernel.
public func unvec<S: Scalar>(_ v: Matrix<S>, _ rows: Int, _ cols: Int) throws -> Matrix<S> {
  guard v.count == rows * cols else {
    throw ConvLabError("unvec needs \(rows * cols) entries for a \(rows)×\(cols) matrix, but the vector has \(v.count).")
  }
  return Matrix(rows: rows, cols: cols, storage: v.storage)
}

/// The Kronecker product A ⊗ B = [aᵢⱼ B], an (mp) × (nq) block matrix.
///
/// Xu §3.1.1 (definition after Xu (6)); MatConvNet §6.1 uses it in (I ⊗ φ(x)) vec F.
/// Identity used throughout: vec(AXB) = (Bᵀ ⊗ A) vec X (Magnus & Neudecker, cited by Xu).
public func kron<S: Scalar>(_ a: Matrix<S>, _ b: Matrix<S>) -> Matrix<S> {
  Matrix(rows: a.rows * b.rows, cols: a.cols * b.cols) { r, c in
    a[r / b.rows, c / b.cols] * b[r % b.rows, c % b.cols]
  }
}

/// The Hadamard (entry-wise) product A ∘ B.
///
/// Xu (4)–(8), (18): δˡ = β up(δˡ⁺¹) ∘ f′(zˡ).
public func hadamard<S: Scalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Matrix<S> {
  guard a.rows == b.rows, a.cols == b.cols else {
    throw ConvLabError("the Hadamard product needs equal sizes, got \(a.rows)×\(a.cols) and \(b.rows)×\(b.cols).")
  }
  return Matrix(rows: a.rows, cols: a.cols, storage: zip(a.storage, b.storage).map(*))
}

/// The identity matrix Iₙ.
public func identity<S: Scalar>(_ n: Int, _: S.Type = S.self) -> Matrix<S> { .identity(n) }

/// The all-ones matrix 1_{m×n}.
public func ones<S: Scalar>(_ m: Int, _ n: Int, _: S.Type = S.self) -> Matrix<S> { .ones(m, n) }
