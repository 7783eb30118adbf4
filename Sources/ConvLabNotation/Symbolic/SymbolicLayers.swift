import ConvLabCore

/// The papers' layers over symbols: convolution with padding, stride and dilation, φ/φ*,
/// pooling, the dense layer and Xu's β-subsample layer, and reading a Jacobian off a linear
/// map. Single-channel (H × W) inputs and one filter, as in the worked examples.
public enum SymbolicLayers {
  /// The largest number of entries a symbolic matrix may have: the symbolic mode prints small
  /// examples, and a Jacobian grows as numel(y) · numel(x).
  public static let maxEntries = 1 << 16

  /// Throws a sentence when an r × c symbolic matrix would be too large to build and print.
  public static func checkSize(_ r: Int, _ c: Int, _ what: String) throws {
    let n = try Size.product([r, c], what)
    guard n <= maxEntries else {
      throw ConvLabError("the symbolic \(what) would be \(r)×\(c) = \(n) entries; the symbolic mode is for small examples (at most \(maxEntries) entries), so use a smaller input.")
    }
  }

  /// MatConvNet's convolution (a cross-correlation) of one channel with padding, stride and
  /// dilation: y_{i″j″} = Σ_{i′,j′} k_{i′j′} x_{S(i″−1)+D(i′−1)+1−P⁻, …}, padding reading 0.
  ///
  /// MatConvNet §4.1 (and ch. 5 for dilation); Vardhan App. A's Z = A ∗ β with padding (1,1)
  /// and stride (1,2) is `convolve(a, β, FilterGeometry(kh: 2, kw: 2, stride: (1, 2), pad: [1, 1, 1, 1]))`.
  public static func convolve(_ x: SymbolicMatrix, _ k: SymbolicMatrix, geometry g: FilterGeometry) throws -> SymbolicMatrix {
    guard g.rows.size == k.rows, g.cols.size == k.cols else {
      throw ConvLabError("the geometry is for a \(g.rows.size)×\(g.cols.size) filter but the kernel is \(k.rows)×\(k.cols).")
    }
    let (oh, ow) = try g.outputSize(h: x.rows, w: x.cols)
    try checkSize(oh, ow, "convolution output")
    return try SymbolicMatrix(rows: oh, cols: ow) { i2, j2 in
      var sum = Polynomial.zero
      for j1 in 0..<k.cols {
        let j = g.cols.inputIndex(output: j2, tap: j1)
        guard j >= 0, j < x.cols else { continue }
        for i1 in 0..<k.rows {
          let i = g.rows.inputIndex(output: i2, tap: i1)
          guard i >= 0, i < x.rows else { continue }
          sum = try sum + (try x[i, j] * k[i1, j1])
        }
      }
      return sum
    }
  }

  /// φ(x) over symbols: one patch per row, [φ(x)]_{pq} = x_{t(p,q)}, 0 where the tap falls in
  /// the padding (MatConvNet §6.1, with stride, padding and dilation through `Im2Row.t`).
  public static func im2row(_ x: SymbolicMatrix, geometry: FilterGeometry) throws -> SymbolicMatrix {
    let op = try Im2Row(geometry: geometry, h: x.rows, w: x.cols, d: 1)
    try checkSize(op.patchCount, op.patchSize, "φ(x)")
    return SymbolicMatrix(rows: op.patchCount, cols: op.patchSize) { p, q in
      guard let (i, j, _) = op.t(p, q) else { return .zero }
      return x[i, j]
    }
  }

  /// φ*(M) over symbols: [φ*(M)]_{ij} = Σ_{(p,q) ∈ t⁻¹(i,j)} M_{pq} (MatConvNet §6.1, row2im).
  public static func row2im(_ m: SymbolicMatrix, geometry: FilterGeometry, h: Int, w: Int) throws -> SymbolicMatrix {
    let op = try Im2Row(geometry: geometry, h: h, w: w, d: 1)
    guard m.rows == op.patchCount, m.cols == op.patchSize else {
      throw ConvLabError("φ* of a \(h)×\(w) image needs a \(op.patchCount)×\(op.patchSize) matrix, got \(m.rows)×\(m.cols).")
    }
    var x = SymbolicMatrix.zeros(h, w)
    for q in 0..<op.patchSize {
      for p in 0..<op.patchCount {
        if let (i, j, _) = op.t(p, q) { x[i, j] = try x[i, j] + m[p, q] }
      }
    }
    return x
  }

  /// Average pooling with MatConvNet's geometry: the mean of the in-bounds samples of each
  /// window, with exact coefficients 1/(number of in-bounds samples) (MatConvNet §4.3; Vardhan §3.1.3).
  public static func averagePool(_ x: SymbolicMatrix, geometry g: FilterGeometry) throws -> SymbolicMatrix {
    let (oh, ow) = try g.outputSize(h: x.rows, w: x.cols, what: "pooling window")
    try checkSize(oh, ow, "pooling output")
    return try SymbolicMatrix(rows: oh, cols: ow) { i2, j2 in
      let window = inBounds(x, g, i2, j2)
      guard !window.isEmpty else { return .zero }
      var sum = Polynomial.zero
      for v in window { sum = try sum + v }
      return try sum.scaled(by: try Rational(1, window.count))
    }
  }

  static func inBounds(_ x: SymbolicMatrix, _ g: FilterGeometry, _ i2: Int, _ j2: Int) -> [Polynomial] {
    var out: [Polynomial] = []
    for j1 in 0..<g.cols.size {
      for i1 in 0..<g.rows.size {
        let i = g.rows.inputIndex(output: i2, tap: i1)
        let j = g.cols.inputIndex(output: j2, tap: j1)
        if i >= 0, i < x.rows, j >= 0, j < x.cols { out.append(x[i, j]) }
      }
    }
    return out
  }

  /// How a max-pooling window treats the padding.
  public enum PoolPadding: Sendable {
    /// Vardhan App. B pads I with zeros, so 0 competes for the maximum.
    case zeros
    /// MatConvNet §4.3 pads with −∞: padded taps never win and are left out of the window.
    case excluded
  }

  /// One max-pooling window: its entries in column-stacked order (Vardhan's ᵥΩ, App. B), each
  /// either a symbol of x (with its 0-based input position) or a padding zero.
  public struct Window: Sendable {
    /// The window's entries in ᵥΩ order; `position` is nil for a padding zero.
    public let entries: [(value: Polynomial, position: (i: Int, j: Int)?)]
  }

  /// The windows of max pooling, output by output in vec order:
  /// A_{pq} = max ᵥ^{pq}Ω (Vardhan App. B rep.3; MatConvNet §4.3).
  public static func maxPoolWindows(_ x: SymbolicMatrix, geometry g: FilterGeometry, padding: PoolPadding) throws -> (rows: Int, cols: Int, windows: [Window]) {
    let (oh, ow) = try g.outputSize(h: x.rows, w: x.cols, what: "pooling window")
    try checkSize(oh, ow, "pooling output")
    var windows: [Window] = []
    for j2 in 0..<ow {
      for i2 in 0..<oh {
        var entries: [(value: Polynomial, position: (i: Int, j: Int)?)] = []
        for j1 in 0..<g.cols.size {
          for i1 in 0..<g.rows.size {
            let i = g.rows.inputIndex(output: i2, tap: i1)
            let j = g.cols.inputIndex(output: j2, tap: j1)
            if i >= 0, i < x.rows, j >= 0, j < x.cols {
              entries.append((x[i, j], (i, j)))
            } else if padding == .zeros {
              entries.append((.zero, nil))
            }
          }
        }
        windows.append(Window(entries: entries))
      }
    }
    return (oh, ow, windows)
  }

  /// The max-pool selector d ᵥA / d ᵥI given which entry of each window wins: row (p, q) has a
  /// 1 in the column of the winning input entry, and is all zero when a padding zero wins.
  ///
  /// Vardhan App. B (b-1)–(b-2.3) (i_pq is `winners[k] + 1`); MatConvNet §6.3's S(x).
  public static func maxPoolSelector(_ x: SymbolicMatrix, geometry g: FilterGeometry, padding: PoolPadding, winners: [Int]) throws -> SymbolicMatrix {
    let pooled = try maxPoolWindows(x, geometry: g, padding: padding)
    guard winners.count == pooled.windows.count else {
      throw ConvLabError("max pooling here has \(pooled.windows.count) windows, but \(winners.count) winners were given.")
    }
    try checkSize(pooled.windows.count, x.count, "max-pool selector")
    var s = SymbolicMatrix.zeros(pooled.windows.count, x.count)
    for (row, (window, w)) in zip(pooled.windows, winners).enumerated() {
      guard w >= 0, w < window.entries.count else {
        throw ConvLabError("window \(row + 1) has \(window.entries.count) entries, so its winner must be between 1 and \(window.entries.count), got \(w + 1).")
      }
      if let (i, j) = window.entries[w].position { s[row, i + x.rows * j] = 1 }
    }
    return s
  }

  /// The winners (0-based index into each window, first maximum on ties) for numbers
  /// substituted into the symbols — the stored switches of Vardhan App. B.
  public static func maxPoolWinners(_ x: SymbolicMatrix, geometry g: FilterGeometry, padding: PoolPadding, values: Valuation) throws -> [Int] {
    try maxPoolWindows(x, geometry: g, padding: padding).windows.map { window in
      var best = 0
      var bestValue = -Double.infinity
      for (k, e) in window.entries.enumerated() {
        let v = try e.value.evaluate(values.values)
        if v > bestValue { (best, bestValue) = (k, v) }
      }
      return best
    }
  }

  /// The dense layer y = W x⃗ + b with x⃗ = vec x, W ∈ R^{K×HW} (Murugan (3.10); Vardhan
  /// §3.1.1 writes Z = Wᵀ B + b with the transpose folded into W here).
  public static func dense(_ x: SymbolicMatrix, weights w: SymbolicMatrix, bias b: SymbolicMatrix?) throws -> SymbolicMatrix {
    let y = try w * vec(x)
    guard let b else { return y }
    return try y + b
  }

  /// Xu's average "polymerization" layer without activation: z = β down(x) + b 1 (Xu (2)),
  /// with scalar symbols β and b.
  public static func subsample(_ x: SymbolicMatrix, n: Int, beta: Polynomial, bias: Polynomial) throws -> SymbolicMatrix {
    let d = try down(x, n)
    return SymbolicMatrix(rows: d.rows, cols: d.cols, entries: try d.entries.map { try (try beta * $0) + bias })
  }

  /// The Jacobian d vec y / d (vec s)ᵀ of a map written in symbols: entry (i, j) = ∂(vec y)ᵢ/∂sⱼ
  /// (Vardhan (a1-1): column j is ∂ ᵥZ/∂sⱼ, "column by column").
  public static func jacobian(_ y: SymbolicMatrix, wrt variables: [Symbol]) throws -> SymbolicMatrix {
    try checkSize(y.count, variables.count, "Jacobian")
    let v = vec(y)
    return try SymbolicMatrix(rows: v.count, cols: variables.count) { i, j in try v.entries[i].derivative(variables[j]) }
  }

  /// The symbols of a matrix of plain symbols, in vec order (the columns of a Jacobian).
  public static func variables(of m: SymbolicMatrix) throws -> [Symbol] {
    try m.entries.map { p in
      guard p.terms.count == 1, p.terms[0].coefficient == .one, p.terms[0].monomial.factors.count == 1,
        p.terms[0].monomial.factors[0].exponent == 1
      else {
        throw ConvLabError("a Jacobian is taken with respect to plain symbols, but an entry is \(p).")
      }
      return p.terms[0].monomial.factors[0].symbol
    }
  }
}
