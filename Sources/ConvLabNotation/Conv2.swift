import ConvLabCore

/// The output region of a 2-D convolution or correlation, with MATLAB's meaning.
public enum ConvShape: String, CaseIterable, Sendable {
  /// Only positions where the kernel lies inside A: (m−p+1) × (n−q+1).
  case valid
  /// Every position where the kernel overlaps A: (m+p−1) × (n+q−1).
  case full
  /// The central part of `full`, the size of A (MATLAB `conv2(…, 'same')`).
  case same
}

/// True 2-D convolution with MATLAB `conv2` semantics (the kernel is flipped):
/// C(i, j) = Σₚ Σ_q A(p, q) K(i − p + 1, j − q + 1) over in-range indices (1-based).
///
/// Xu (1), (13), (16)–(18) and Murugan (3.70)–(3.74) write * for this operation.
/// ConvLab's `conv` block is MatConvNet's cross-correlation instead (MatConvNet §4.1); the
/// two are related by rot180: conv2(A, K, valid) = xcorr2(A, rot180(K), valid).
public func conv2<S: Scalar>(_ a: Matrix<S>, _ k: Matrix<S>, shape: ConvShape = .full) -> Matrix<S> {
  let fullRows = a.rows + k.rows - 1
  let fullCols = a.cols + k.cols - 1
  // Offsets of the requested window inside the full result (MATLAB: 'same' starts at
  // floor(size(K)/2) + 1, 'valid' at size(K)).
  let (rows, cols, r0, c0): (Int, Int, Int, Int)
  switch shape {
  case .full: (rows, cols, r0, c0) = (fullRows, fullCols, 0, 0)
  case .same: (rows, cols, r0, c0) = (a.rows, a.cols, k.rows / 2, k.cols / 2)
  case .valid: (rows, cols, r0, c0) = (max(0, a.rows - k.rows + 1), max(0, a.cols - k.cols + 1), k.rows - 1, k.cols - 1)
  }
  return Matrix(rows: rows, cols: cols) { i, j in
    let fi = i + r0
    let fj = j + c0
    var sum: S = 0
    for p in 0..<a.rows {
      let ki = fi - p
      guard ki >= 0, ki < k.rows else { continue }
      for q in 0..<a.cols {
        let kj = fj - q
        guard kj >= 0, kj < k.cols else { continue }
        sum += a[p, q] * k[ki, kj]
      }
    }
    return sum
  }
}

/// 2-D cross-correlation (no flip): C(i, j) = Σₚ Σ_q A(i + p − 1, j + q − 1) K(p, q).
///
/// `valid` is MatConvNet's convolution of one channel (§4.1); `full` first pads A with
/// (p−1, q−1) zeros on every side, as in Xu (16)'s zero-margined δ̃.
/// xcorr2(A, K) = conv2(A, rot180(K)) in every mode (Xu (14)).
public func xcorr2<S: Scalar>(_ a: Matrix<S>, _ k: Matrix<S>, shape: ConvShape = .valid) -> Matrix<S> {
  let (rows, cols, offR, offC): (Int, Int, Int, Int)
  switch shape {
  case .valid: (rows, cols, offR, offC) = (max(0, a.rows - k.rows + 1), max(0, a.cols - k.cols + 1), 0, 0)
  case .full: (rows, cols, offR, offC) = (a.rows + k.rows - 1, a.cols + k.cols - 1, k.rows - 1, k.cols - 1)
  case .same: (rows, cols, offR, offC) = (a.rows, a.cols, (k.rows - 1) - k.rows / 2, (k.cols - 1) - k.cols / 2)
  }
  return Matrix(rows: rows, cols: cols) { i, j in
    var sum: S = 0
    for p in 0..<k.rows {
      let ai = i + p - offR
      guard ai >= 0, ai < a.rows else { continue }
      for q in 0..<k.cols {
        let aj = j + q - offC
        guard aj >= 0, aj < a.cols else { continue }
        sum += a[ai, aj] * k[p, q]
      }
    }
    return sum
  }
}

/// Surrounds A with zeros: `top`, `bottom`, `left`, `right` rows/columns (Xu's δ̃, Xu (16)).
public func zeroPad<S: Scalar>(_ a: Matrix<S>, top: Int, bottom: Int, left: Int, right: Int) -> Matrix<S> {
  Matrix(rows: a.rows + top + bottom, cols: a.cols + left + right) { i, j in
    let (ai, aj) = (i - top, j - left)
    return ai >= 0 && ai < a.rows && aj >= 0 && aj < a.cols ? a[ai, aj] : 0
  }
}
