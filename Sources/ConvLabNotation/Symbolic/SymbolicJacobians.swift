import ConvLabCore

/// The symbolic form of the non-linear blocks' Jacobians (evaluated at a point, they are
/// matrices whose entries are symbols of that point).
public enum SymbolicJacobians {
  /// diag(f′(x₁₁), f′(x₂₁), …) for an element-wise block y = f(x): the derivative of each entry
  /// as an opaque symbol, in vec order (Murugan Table 1; Xu (4): dx/dz = f′(z)).
  public static func elementwise(_ name: String, rows: Int, cols: Int, derivative f: String = "f′") throws -> SymbolicMatrix {
    let n = try Size.product([rows, cols], "the input")
    try SymbolicLayers.checkSize(n, n, "Jacobian")
    var j = SymbolicMatrix.zeros(n, n)
    for c in 0..<cols { for r in 0..<rows { j[r + rows * c, r + rows * c] = Polynomial(Symbol(name, [r + 1, c + 1], function: f)) } }
    return j
  }

  /// The matrix of derivatives f′(name_ij) itself, shaped like the input (Xu (4)–(8), 18:
  /// the f′(z) of δ = f′(z) ∘ …).
  public static func elementwiseDiagonal(_ name: String, rows: Int, cols: Int, derivative f: String = "f′") throws -> SymbolicMatrix {
    try SymbolicLayers.checkSize(rows, cols, "matrix of derivatives")
    return SymbolicMatrix(rows: rows, cols: cols) { r, c in Polynomial(Symbol(name, [r + 1, c + 1], function: f)) }
  }

  /// The diagonal Jacobian written in the outputs y: σ′ = y(1 − y) for the sigmoid, 1 − y² for
  /// tanh (Murugan Table 1, where the printed sigmoid derivative has an erratum noted in the audit).
  public enum Activation: String, Sendable, CaseIterable {
    case sigmoid, tanh

    /// f′ as a polynomial in y = f(x).
    public func derivative(_ y: Polynomial) throws -> Polynomial {
      switch self {
      case .sigmoid: return try y * (try Polynomial.one - y)
      case .tanh: return try Polynomial.one - (try y * y)
      }
    }
  }

  /// diag(f′) in the outputs: diag(y₁₁(1 − y₁₁), …) for the sigmoid, diag(1 − y₁₁², …) for tanh.
  public static func elementwise(_ activation: Activation, outputs y: SymbolicMatrix) throws -> SymbolicMatrix {
    try SymbolicLayers.checkSize(y.count, y.count, "Jacobian")
    var j = SymbolicMatrix.zeros(y.count, y.count)
    for k in 0..<y.count { j[k, k] = try activation.derivative(y.entries[k]) }
    return j
  }

  /// ReLU's Jacobian given the signs of the inputs: diag(1{x > 0} + leak·1{x ≤ 0}), exact for a
  /// rational leak (MatConvNet §6.4.1; Murugan Table 1).
  public static func relu(positive: [Bool], leak: Rational = .zero) throws -> SymbolicMatrix {
    try SymbolicLayers.checkSize(positive.count, positive.count, "Jacobian")
    var j = SymbolicMatrix.zeros(positive.count, positive.count)
    for (k, p) in positive.enumerated() { j[k, k] = p ? 1 : Polynomial(leak) }
    return j
  }

  /// Softmax across channels, at every spatial position: dyᵢ/dxⱼ = yᵢ(δᵢⱼ − yⱼ), i.e. the block
  /// diag(y) − y yᵀ (MatConvNet §6.4; Murugan (3.8)) — entries in the outputs y_{ijd}.
  public static func softmax(h: Int, w: Int, d: Int, name: String = "y") throws -> SymbolicMatrix {
    let n = try Size.product([h, w, d], "the input")
    try SymbolicLayers.checkSize(n, n, "Jacobian")
    func y(_ i: Int, _ j: Int, _ k: Int) -> Polynomial {
      Polynomial(Symbol(name, h == 1 && w == 1 ? [k + 1] : [i + 1, j + 1, k + 1]))
    }
    var jac = SymbolicMatrix.zeros(n, n)
    for j in 0..<w {
      for i in 0..<h {
        for a in 0..<d {
          for b in 0..<d {
            let row = i + h * (j + w * a)
            let col = i + h * (j + w * b)
            let diagonal: Polynomial = a == b ? y(i, j, a) : .zero
            jac[row, col] = try diagonal - (try y(i, j, a) * y(i, j, b))
          }
        }
      }
    }
    return jac
  }
}
