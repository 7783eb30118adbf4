import ConvLabCore

/// The im2row operator φ and its transpose row2im φ* (MatConvNet §6.1), built literally.
///
/// φ(x) ∈ R^{(H″W″) × (H′W′D)} holds one patch per row: [φ(x)]_{pq} = x_{t(p,q)} with the index
/// map (1-based) i = i″ + i′ − 1, j = j″ + j′ − 1, p = i″ + H″(j″ − 1), q = i′ + H′(j′ − 1) +
/// H′W′(d − 1). With stride, padding and dilation (which MatConvNet's code supports and §6.1
/// leaves implicit) the row index becomes i = S(i″ − 1) + D(i′ − 1) + 1 − P⁻; taps that fall in
/// the zero padding read 0, so their entry of H is an all-zero row.
public struct Im2Row: Sendable {
  public let geometry: FilterGeometry
  /// Input height, width and depth.
  public let h: Int, w: Int, d: Int
  /// Output height and width H″ × W″.
  public let outH: Int, outW: Int

  public init(geometry: FilterGeometry, h: Int, w: Int, d: Int) throws {
    self.geometry = geometry
    self.h = h
    self.w = w
    self.d = d
    (outH, outW) = try geometry.outputSize(h: h, w: w)
  }

  /// Rows of φ(x): H″W″.
  public var patchCount: Int { outH * outW }
  /// Columns of φ(x): H′W′D.
  public var patchSize: Int { geometry.rows.size * geometry.cols.size * d }

  /// The index map t(p, q) → (i, j, d), 0-based, or nil when the tap lies in the padding.
  public func t(_ p: Int, _ q: Int) -> (i: Int, j: Int, d: Int)? {
    let (i2, j2) = (p % outH, p / outH)
    let kh = geometry.rows.size
    let kw = geometry.cols.size
    let (i1, j1, dd) = (q % kh, (q / kh) % kw, q / (kh * kw))
    let i = geometry.rows.inputIndex(output: i2, tap: i1)
    let j = geometry.cols.inputIndex(output: j2, tap: j1)
    guard i >= 0, i < h, j >= 0, j < w else { return nil }
    return (i, j, dd)
  }

  /// φ(x) for one image x ∈ R^{H×W×D}: [φ(x)]_{pq} = x_{t(p,q)}.
  public func phi<S: Scalar>(_ x: Tensor<S>, image n: Int = 0) -> Matrix<S> {
    Matrix(rows: patchCount, cols: patchSize) { p, q in
      guard let (i, j, dd) = t(p, q) else { return 0 }
      return x[i, j, dd, n]
    }
  }

  /// φ*(M): [φ*(M)]_{ijd} = Σ_{(p,q) ∈ t⁻¹(i,j,d)} M_{pq} — every patch entry added back to the
  /// pixel it was copied from.
  public func phiStar<S: Scalar>(_ m: Matrix<S>) -> Tensor<S> {
    var x = Tensor<S>(shape: Shape(h, w, d))
    for q in 0..<patchSize {
      for p in 0..<patchCount {
        if let (i, j, dd) = t(p, q) { x[i, j, dd] += m[p, q] }
      }
    }
    return x
  }

  /// The 0/1 matrix H ∈ R^{(H″W″H′W′D) × (HWD)} with vec φ(x) = H vec x and
  /// vec φ*(M) = Hᵀ vec M (MatConvNet §6.1).
  public func matrixH<S: Scalar>(_: S.Type = S.self) -> Matrix<S> {
    let shape = Shape(h, w, d)
    var m = Matrix<S>(rows: patchCount * patchSize, cols: shape.count)
    for q in 0..<patchSize {
      for p in 0..<patchCount {
        if let (i, j, dd) = t(p, q) { m[p + patchCount * q, shape.index(i, j, dd)] = 1 }
      }
    }
    return m
  }
}

/// The two Kronecker forms of MatConvNet §6.1 for one image:
/// vec y = vec(φ(x) F) = (I ⊗ φ(x)) vec F = (Fᵀ ⊗ I) vec φ(x).
///
/// Returns the three vectors so a check can show they coincide.
public func convolutionKroneckerForms<S: Scalar>(phi: Matrix<S>, filters f: Matrix<S>) -> (direct: Matrix<S>, viaVecF: Matrix<S>, viaVecPhi: Matrix<S>) {
  let direct = vec(phi * f)
  let viaVecF = kron(identity(f.cols), phi) * vec(f)
  let viaVecPhi = kron(f.transposed, identity(phi.rows)) * vec(phi)
  return (direct, viaVecF, viaVecPhi)
}
