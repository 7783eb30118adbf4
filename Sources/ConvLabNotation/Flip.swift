import ConvLabCore

/// The exchange matrix Jₙ: ones on the anti-diagonal, so J v reverses the order of v.
///
/// Xu (14) ("J is the permutation matrix"); Jₙ = Jₙᵀ = Jₙ⁻¹.
public func exchange<S: Scalar>(_ n: Int, _: S.Type = S.self) -> Matrix<S> {
  Matrix(rows: n, cols: n) { r, c in r + c == n - 1 ? 1 : 0 }
}

/// Rotation by 180°: rot180(K) = J K J.
///
/// Xu (14), Murugan (3.70)–(3.74). Computed as the matrix product with exchange
/// matrices, as the paper writes it.
public func rot180<S: Scalar>(_ k: Matrix<S>) -> Matrix<S> {
  exchange(k.rows, S.self) * k * exchange(k.cols, S.self)
}
