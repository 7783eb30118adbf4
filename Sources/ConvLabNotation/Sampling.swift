import ConvLabCore

/// Up-sampling by a Kronecker product: up(x) = x ⊗ 1ₙₓₙ.
///
/// Xu (6). Computed as `kron(x, ones(n, n))` on purpose: this is the paper's construction,
/// which copies every entry into an n × n block. Xu prints x ⊗ I_{n×n} (identity); that would
/// put the entry on the block's diagonal only — see `upAsPrinted` and the audit.
public func up<S: Scalar>(_ x: Matrix<S>, _ n: Int) -> Matrix<S> {
  kron(x, ones(n, n))
}

/// Xu (6) exactly as printed, x ⊗ Iₙₓₙ, kept so that the audit can show it failing.
public func upAsPrinted<S: Scalar>(_ x: Matrix<S>, _ n: Int) -> Matrix<S> {
  kron(x, identity(n))
}

/// Xu's down(·): the sum over every non-overlapping n × n block (Xu §2.2.1, Xu (2)).
///
/// Its adjoint is `up` with the same n: ⟨down(x), y⟩ = ⟨x, up(y)⟩, which is why Xu (6)
/// routes the error with up(·). Requires n to divide both sides.
public func down<S: Scalar>(_ x: Matrix<S>, _ n: Int) throws -> Matrix<S> {
  guard n > 0, x.rows % n == 0, x.cols % n == 0 else {
    throw ConvLabError("down(·) with n = \(n) needs a size divisible by n, got \(x.rows)×\(x.cols).")
  }
  return Matrix(rows: x.rows / n, cols: x.cols / n) { r, c in
    var sum: S = 0
    for p in 0..<n {
      for q in 0..<n { sum += x[r * n + p, c * n + q] }
    }
    return sum
  }
}

/// MatConvNet's average pooling on non-overlapping n × n blocks: down(x) / n²
/// (MatConvNet §4.3, "sum-pooling computes the average").
public func average<S: Scalar>(_ x: Matrix<S>, _ n: Int) throws -> Matrix<S> {
  let sums = try down(x, n)
  return S(1) / S(n * n) * sums
}

/// The indicator 1{x = max x} of one pooling window: 1 where the entry equals the window's
/// maximum, 0 elsewhere (Xu (7)–(8)).
///
/// With ties every maximum gets a 1, as the formula says; the blocks route the gradient to
/// the first maximum only (MatConvNet's selector S(x), §6.3), and inputs for checks are drawn
/// without ties.
public func indicatorOfMax<S: Scalar>(_ window: Matrix<S>) -> Matrix<S> {
  let m = window.storage.max() ?? 0
  return Matrix(rows: window.rows, cols: window.cols, storage: window.storage.map { $0 == m ? 1 : 0 })
}
