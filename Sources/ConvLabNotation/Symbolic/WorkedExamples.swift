import ConvLabCore

/// A symbolic worked example of a paper, typed from the page as data, beside the same matrix
/// computed by the symbolic layer; `comparison()` checks them term by term.
public struct WorkedExample: Sendable {
  /// A stable identifier (`vardhan-a-z32`).
  public let id: String
  /// Paper and place, in the citation format of the code (`Vardhan App. A, rep.2`).
  public let reference: String
  /// What the printed matrix claims to be.
  public let claim: String
  /// The entries exactly as printed (rows may be ragged where the source is garbled).
  public let printed: [[String]]
  /// The same object computed by the symbolic layer.
  public let computed: SymbolicMatrix
  /// nil when the printed form is right; otherwise what is wrong with it (and whose error it is).
  public let erratum: String?
  /// How the printed text is read: extra letter spellings (["b": "β"] …).
  public let aliases: [String: String]

  /// Whether the printed form is expected to agree with the computed one.
  public var expectedToMatch: Bool { erratum == nil }

  /// The printed entries as polynomials.
  public func printedPolynomials() throws -> [[Polynomial]] {
    let parser = SymbolicParser(aliases: aliases)
    return try printed.map { row in try row.map { try parser.parse($0) } }
  }

  /// Printed vs computed, term by term.
  public func comparison() throws -> SymbolicComparison {
    try SymbolicComparison(printed: try printedPolynomials(), computed: computed)
  }

  /// True when the outcome is the expected one (agreement for a correct print, disagreement
  /// for a documented erratum).
  public func asExpected() throws -> Bool { try comparison().matches == expectedToMatch }
}

/// The catalogue of symbolic worked examples: Vardhan App. A and B, Xu's examples around
/// Xu (11)–(16) and Fig. 4, MatConvNet §6.1's Kronecker forms and §6.2's index sum.
public enum WorkedExamples {
  // MARK: Vardhan App. A — Z = A ∗ β, A 3×4, β 2×2, padding (1,1), stride (1,2)

  /// App. A's geometry: a 2×2 window, padding 1 on every side, stride 1 down and 2 across.
  public static let vardhanGeometry = FilterGeometry(kh: 2, kw: 2, stride: (1, 2), pad: [1, 1, 1, 1])
  /// App. B's pooling geometry: a 3×2 window, padding (1,1), stride (1,2).
  public static let vardhanPoolGeometry = FilterGeometry(kh: 3, kw: 2, stride: (1, 2), pad: [1, 1, 1, 1])

  /// Z = A ∗ β of App. A (∗ is MatConvNet's correlation: z₃₂ = a₂₂β₁₁ + …, no flip).
  public static func vardhanZ() throws -> SymbolicMatrix {
    try SymbolicLayers.convolve(.symbols("a", 3, 4), .symbols("β", 2, 2), geometry: vardhanGeometry)
  }

  /// dᵥZ/dᵥβ of App. A (12×4), column by column ∂ᵥZ/∂β_rs (Vardhan (a1-1)–(a1-3)).
  public static func vardhanJacobianWrtKernel() throws -> SymbolicMatrix {
    try SymbolicLayers.jacobian(try vardhanZ(), wrt: try SymbolicLayers.variables(of: vec(.symbols("β", 2, 2))))
  }

  /// dᵥZ/dᵥA of App. A (12×12), column by column ∂ᵥZ/∂A_rs (Vardhan (a2-1)–(a2-3)).
  public static func vardhanJacobianWrtInput() throws -> SymbolicMatrix {
    try SymbolicLayers.jacobian(try vardhanZ(), wrt: try SymbolicLayers.variables(of: vec(.symbols("a", 3, 4))))
  }

  static func unit(_ rows: Int, _ cols: Int, _ r: Int, _ c: Int) -> SymbolicMatrix {
    SymbolicMatrix(rows: rows, cols: cols) { i, j in i == r && j == c ? 1 : 0 }
  }

  static func labels(_ name: String, _ rows: Int, _ cols: Int) -> SymbolicMatrix { .symbols(name, rows, cols) }

  /// Vardhan App. A: rep.2, rep.3, Vardhan (a1-2), Vardhan (a2-2), dA/dA₂₃ and the vectorised A, β, Z, as printed.
  public static func vardhanAppendixA() throws -> [WorkedExample] {
    let z = try vardhanZ()
    let dZdBeta = try vardhanJacobianWrtKernel()
    let dZdA = try vardhanJacobianWrtInput()
    let ref = "Vardhan App. A"
    return [
      WorkedExample(
        id: "vardhan-a-z32", reference: "\(ref), rep.2 and Vardhan (a1-2)", claim: "z₃₂ of Z = A ∗ β (padding (1,1), stride (1,2))",
        printed: [["a₂₂β₁₁ + a₂₃β₁₂ + a₃₂β₂₁ + a₃₃β₂₂"]], computed: SymbolicMatrix(rows: 1, cols: 1, entries: [z[2, 1]]),
        erratum: nil, aliases: [:]),
      WorkedExample(
        id: "vardhan-a-z", reference: "\(ref), rep.3", claim: "Z = A ∗ β entry by entry (Z is 4×3 by the paper's own size formula)",
        printed: [
          ["a₁₁β₂₂", "a₁₂β₁₁ + a₁₃β₁₂ + a₂₂β₂₁ + a₂₃β₂₂", "a₁₄β₁₁ + a₂₄β₂₁"],
          ["a₂₁β₁₂ + a₃₁β₂₂", "a₂₂β₁₁ + a₂₃β₁₂ + a₃₂β₂₁ + a₃₃β₂₂", "a₂₄β₁₁ + a₃₄β₂₁"],
          ["a₃₁β₁₂", "a₃₂β₁₁ + a₃₃β₁₂", "a₃₂β₁₁ + a₃₃β₁₂", "a₃₄β₁₁"],
        ],
        computed: z,
        erratum:
          "the matrix as printed (in the text conversion) has 3 rows, the last with 4 entries: z₂₁, z₁₂ and z₁₃ are missing, row 1 continues with z₂₂ and z₂₃, and z₄₂ is repeated; the 12 computed entries are z = A ∗ β with the stated padding and stride",
        aliases: [:]),
      WorkedExample(
        id: "vardhan-a-dz32-dbeta21", reference: "\(ref), Vardhan (a1-2)", claim: "∂z₃₂/∂β₂₁",
        printed: [["a₃₂"]], computed: SymbolicMatrix(rows: 1, cols: 1, entries: [dZdBeta[6, 1]]), erratum: nil, aliases: [:]),
      WorkedExample(
        id: "vardhan-a-dz32-dA23", reference: "\(ref), Vardhan (a2-2)", claim: "∂z₃₂/∂A₂₃",
        printed: [["β₁₂"]], computed: SymbolicMatrix(rows: 1, cols: 1, entries: [dZdA[6, 7]]), erratum: nil, aliases: [:]),
      WorkedExample(
        id: "vardhan-a-z32-in-a2-2", reference: "\(ref), Vardhan (a2-2)", claim: "z₃₂ as restated in the first line of Vardhan (a2-2)",
        printed: [["a₂₂β₁₁ + a₂₃A₁₂ + a₃₂β₂₁ + a₃₃β₂₂"]], computed: SymbolicMatrix(rows: 1, cols: 1, entries: [z[2, 1]]),
        erratum: "a typo in the source: the second term is printed a₂₃A₁₂ where rep.2 has a₂₃β₁₂ (the result ∂z₃₂/∂A₂₃ = β₁₂ is right)", aliases: [:]),
      WorkedExample(
        id: "vardhan-a-dA-dA23", reference: "\(ref), after Vardhan (a2-2)", claim: "dA/dA₂₃, the input of dZ/dA₂₃ = dA/dA₂₃ ∗ β",
        printed: [["0", "0", "0", "0"], ["0", "0", "1", "0"], ["0", "0", "0", "0"]],
        computed: try SymbolicMatrix(rows: 3, cols: 4) { i, j in try Polynomial(Symbol("a", [i + 1, j + 1])).derivative(Symbol("a", [2, 3])) },
        erratum: nil, aliases: [:]),
      WorkedExample(
        id: "vardhan-a-vec-a", reference: "\(ref), ᵥA", claim: "ᵥA, the columns of A stacked",
        printed: [["a₁₁"], ["a₂₁"], ["a₃₁"], ["a₁₂"], ["a₂₂"], ["a₁₃"], ["a₂₃"], ["a₂₃"], ["a₃₃"], ["a₁₄"], ["a₂₄"], ["a₃₄"]],
        computed: vec(.symbols("a", 3, 4)),
        erratum: "as printed (text conversion) ᵥA lists a₂₃ twice and drops a₃₂ (the 6th entry should be a₃₂, and a₁₃ follows it)", aliases: [:]),
      WorkedExample(
        id: "vardhan-a-vec-beta", reference: "\(ref), ᵥβ", claim: "ᵥβ", printed: [["β₁₁"], ["β₂₁"], ["β₁₂"], ["β₂₂"]],
        computed: vec(.symbols("β", 2, 2)), erratum: nil, aliases: [:]),
      WorkedExample(
        id: "vardhan-a-vec-z", reference: "\(ref), ᵥZ", claim: "ᵥZ of the 4×3 output, as labels z_pq",
        printed: [["z₁₁"], ["z₂₁"], ["z₃₁"], ["z₄₁"], ["z₁₂"], ["z₂₂"], ["z₃₂"], ["z₄₂"], ["z₂₃"], ["z₂₃"], ["z₂₃"], ["z₂₃"], ["z₂₃"]],
        computed: vec(labels("z", 4, 3)),
        erratum: "as printed (text conversion) ᵥZ has 13 entries ending in z₂₃ five times; the last four should be z₁₃, z₂₃, z₃₃, z₄₃", aliases: [:]),
    ]
  }

  // MARK: Vardhan App. B — max pooling of a 3×4 I with a 3×2 window, padding (1,1), stride (1,2)

  /// The windows of App. B with zero padding, written as formal sums of their distinct
  /// entries: the padding 0 becomes the term `0` so that it shows (it competes for the max).
  public static func vardhanPoolWindowSets() throws -> SymbolicMatrix {
    let pooled = try SymbolicLayers.maxPoolWindows(.symbols("I", 3, 4), geometry: vardhanPoolGeometry, padding: .zeros)
    let zero = Polynomial(Symbol("0", []))
    let sums = try pooled.windows.map { window -> Polynomial in
      var seen = Set<Polynomial>()
      var sum = Polynomial.zero
      for e in window.entries {
        let element = e.position == nil ? zero : e.value
        if seen.insert(element).inserted { sum = try sum + element }
      }
      return sum
    }
    return SymbolicMatrix(rows: pooled.rows, cols: pooled.cols, entries: sums)
  }

  /// Vardhan App. B: the windows of rep.3, ᵥΩ of A₂₁ and the switch i₂₁ with its column j (Vardhan (b-2)), as printed.
  public static func vardhanAppendixB() throws -> [WorkedExample] {
    let ref = "Vardhan App. B"
    // Printed sets typed in the order printed; the padding 0 is the term `zero` (see vardhanPoolWindowSets).
    func set(_ s: String) -> String {
      s.split(separator: ",").map { String($0).filter { $0 != " " } }.map { $0 == "0" ? "zero" : $0 }.joined(separator: " + ")
    }
    let printedSets = [
      [set("0, I₁₁, I₂₁"), set("0, I₁₂, I₂₂, I₁₃, I₂₃"), set("0, I₁₄, I₂₄")],
      [set("0, I₁₁, I₂₁, I₃₁"), set("I₁₂, I₂₂, I₃₂, I₁₃, I₂₃, I₃₃"), set("0, I₁₄, I₂₄, I₃₄")],
      [set("0, I₂₁, I₃₁"), set("0, I₂₂, I₂₃, I₃₂, I₃₃, I₃₃"), set("0, I₂₄, I₃₄")],
    ]
    let window21 = try SymbolicLayers.maxPoolWindows(.symbols("I", 3, 4), geometry: vardhanPoolGeometry, padding: .zeros).windows[1]
    let winner = window21.entries.firstIndex { $0.value == Polynomial(Symbol("I", [2, 1])) } ?? -1
    let selector = try SymbolicLayers.maxPoolSelector(
      .symbols("I", 3, 4), geometry: vardhanPoolGeometry, padding: .zeros,
      winners: Array(repeating: 0, count: 9).enumerated().map { $0.offset == 1 ? winner : 0 })
    let column = (0..<12).first { selector[1, $0] == 1 }.map { $0 + 1 } ?? 0
    return [
      WorkedExample(
        id: "vardhan-b-windows", reference: "\(ref), rep.3", claim: "A = max-pool of I: each A_pq the max of its window's set (0 = the zero padding)",
        printed: printedSets, computed: try vardhanPoolWindowSets(),
        erratum: "the set of A₃₂ is printed with I₃₃ twice (harmless for a max, but the printed list is not the window); every other window agrees, padding zeros included",
        aliases: ["zero": "0"]),
      WorkedExample(
        id: "vardhan-b-omega21", reference: "\(ref), after Vardhan (b-1)", claim: "ᵥΩ of A₂₁'s window, column-stacked",
        printed: [["0"], ["0"], ["0"], ["a₁₁"], ["a₂₁"], ["a₃₁"]],
        computed: SymbolicMatrix(rows: 6, cols: 1, entries: window21.entries.map(\.value)),
        erratum: "a slip of notation: the window's entries are printed a₁₁, a₂₁, a₃₁ (the letter of App. A) where App. B's input is I; the positions agree", aliases: [:]),
      WorkedExample(
        id: "vardhan-b-i21", reference: "\(ref), after Vardhan (b-1) and Vardhan (b-2)",
        claim: "i₂₁ (the 1-based index of I₂₁ in ᵥΩ) and the column j = (c_i − 1)h_i + r_i of the 1 in row A₂₁ of dᵥA/dᵥI",
        printed: [["5", "2"]], computed: SymbolicMatrix(rows: 1, cols: 2, entries: [Polynomial(winner + 1), Polynomial(column)]),
        erratum: nil, aliases: [:]),
    ]
  }

  // MARK: Xu Fig. 4 — x 3×3, k 2×2, δ 2×2, z = x ⋆ k (the correlation of Fig. 4)

  /// E's derivative structure in Xu Fig. 4: ∂E/∂z = δ, so E ≅ Σ δ_pq z_pq with z = x ⋆ k.
  public static func xuLinearizedError() throws -> Polynomial {
    let z = try xcorr2(.symbols("x", 3, 3), .symbols("k", 2, 2))
    var e = Polynomial.zero
    for q in 0..<2 { for p in 0..<2 { e = try e + (try Polynomial(Symbol("δ", [p + 1, q + 1])) * z[p, q]) } }
    return e
  }

  /// ∂E/∂x for Fig. 4 (3×3 entries in δ and k).
  public static func xuInputGradient() throws -> SymbolicMatrix {
    let e = try xuLinearizedError()
    return try SymbolicMatrix(rows: 3, cols: 3) { i, j in try e.derivative(Symbol("x", [i + 1, j + 1])) }
  }

  /// Xu's examples after Xu (11)–(15) for Fig. 4 (x 3×3, k 2×2, δ 2×2), as printed.
  public static func xu() throws -> [WorkedExample] {
    let e = try xuLinearizedError()
    let dx = try xuInputGradient()
    let dk = try SymbolicMatrix(rows: 2, cols: 2) { i, j in try e.derivative(Symbol("k", [i + 1, j + 1])) }
    let one = { (p: Polynomial) in SymbolicMatrix(rows: 1, cols: 1, entries: [p]) }
    let z = try xcorr2(.symbols("x", 3, 3), .symbols("k", 2, 2))
    let c11 = try SymbolicMatrix(rows: 2, cols: 2) { i, j in try z[i, j].derivative(Symbol("k", [1, 1])) }
    let aliases = ["d": "δ"]
    return [
      WorkedExample(
        id: "xu-dk11", reference: "Xu (11)–(12), Fig. 4", claim: "∂E/∂[k]₁,₁", printed: [["δ₁₁x₁₁ + δ₁₂x₁₂ + δ₂₁x₂₁ + δ₂₂x₂₂"]],
        computed: one(dk[0, 0]), erratum: nil, aliases: aliases),
      WorkedExample(
        id: "xu-c11", reference: "Xu (12), Fig. 4", claim: "[c]₁,₁: the entries of x multiplied by [k]₁,₁", printed: [["x₁₁", "x₁₂"], ["x₂₁", "x₂₂"]],
        computed: c11, erratum: nil, aliases: aliases),
      WorkedExample(id: "xu-dx11", reference: "Xu (15), Fig. 4", claim: "∂E/∂[x]₁,₁", printed: [["δ₁₁k₁₁"]], computed: one(dx[0, 0]), erratum: nil, aliases: aliases),
      WorkedExample(id: "xu-dx12", reference: "Xu (15), Fig. 4", claim: "∂E/∂[x]₁,₂", printed: [["δ₁₁k₁₂ + δ₁₂k₁₁"]], computed: one(dx[0, 1]), erratum: nil, aliases: aliases),
      WorkedExample(
        id: "xu-dx22", reference: "Xu (15), Fig. 4", claim: "∂E/∂[x]₂,₂", printed: [["δ₁₁k₁₂ + δ₁₂k₂₁ + δ₂₁k₁₂ + δ₂₂k₁₁"]], computed: one(dx[1, 1]),
        erratum: "wrong in the source: the first term is printed δ₁₁k₁₂; x₂₂ meets k₂₂ in z₁₁, so it is δ₁₁k₂₂ (and k₁₂ would then appear twice)", aliases: aliases),
    ]
  }

  /// Xu (16) computed literally: δ̃ ⋆ (J k J), for comparing with ∂E/∂x.
  public static func xuEquation16() throws -> SymbolicMatrix {
    let padded = try zeroPad(.symbols("δ", 2, 2), top: 1, bottom: 1, left: 1, right: 1)
    return try xcorr2(padded, try rot180(.symbols("k", 2, 2)))
  }

  // MARK: MatConvNet §6.2 — the index sum (6.1) for convolution transpose, in one dimension

  /// The 1-D convolution y_{i″} = Σ_{i′} f_{i′} x_{S(i″−1)+i′−P⁻} of MatConvNet §6.2 as the
  /// matrix M (vec y = M vec x), over the symbols f.
  public static func convolutionMatrix1D(h: Int, filter: Int, stride: Int, padBefore: Int, padAfter: Int) throws -> SymbolicMatrix {
    let axis = FilterAxis(size: filter, stride: stride, padBefore: padBefore, padAfter: padAfter)
    let out = try axis.outputLength(h)
    try SymbolicLayers.checkSize(out, h, "convolution matrix")
    return SymbolicMatrix(rows: out, cols: h) { i2, k in
      let tap = k + padBefore - stride * i2  // 0-based i′ with k = S·i″ + i′ − P⁻
      return tap >= 0 && tap < filter ? Polynomial(Symbol("f", [tap + 1])) : .zero
    }
  }

  /// x_k by MatConvNet (6.1): Σ_{q=1}^{Q} y_{⌊(k−1+P⁻)/S⌋+2−q} f_{(k−1+P⁻) mod S + S(q−1)+1},
  /// with out-of-range y and f read as 0, and Q the upper limit (`1 + ⌊(H′−1)/S⌋` in (6.1)).
  public static func transposeIndexSum(h: Int, outputs: Int, filter: Int, stride s: Int, padBefore p: Int, upper q: (Int) -> Int) throws -> SymbolicMatrix {
    try SymbolicMatrix(rows: h, cols: 1) { k0, _ in
      let k = k0 + 1
      var sum = Polynomial.zero
      let upper = q(k)
      guard upper >= 1 else { return sum }
      for q in 1...upper {
        let yi = (k - 1 + p) / s + 2 - q
        let fi = (k - 1 + p) % s + s * (q - 1) + 1
        guard yi >= 1, yi <= outputs, fi >= 1, fi <= filter else { continue }
        sum = try sum + (try Polynomial(Symbol("y", [yi])) * Polynomial(Symbol("f", [fi])))
      }
      return sum
    }
  }

  /// MatConvNet §6.2: Mᵀ vec y computed from the matrix, against MatConvNet (6.1) and against the
  /// text's bound q ≤ ⌊(H′−1)/2⌋ + 1 (printed with 2 where (6.1) has S).
  public static func matConvNetTranspose(h: Int = 6, filter: Int = 4, stride: Int = 1, pad: Int = 1) throws -> [WorkedExample] {
    let m = try convolutionMatrix1D(h: h, filter: filter, stride: stride, padBefore: pad, padAfter: pad)
    let y = SymbolicMatrix.vectorSymbols("y", m.rows)
    let truth = try m.transposed * y
    let formula = try transposeIndexSum(h: h, outputs: m.rows, filter: filter, stride: stride, padBefore: pad) { _ in 1 + (filter - 1) / stride }
    let textBound = try transposeIndexSum(h: h, outputs: m.rows, filter: filter, stride: stride, padBefore: pad) { _ in 1 + (filter - 1) / 2 }
    func rows(_ v: SymbolicMatrix) -> [[String]] { v.entries.map { [$0.ascii] } }
    let setting = "H = \(h), H′ = \(filter), S = \(stride), P⁻ = P⁺ = \(pad)"
    return [
      WorkedExample(
        id: "matconvnet-6.2-eq6.1", reference: "MatConvNet §6.2, MatConvNet (6.1)", claim: "x = Mᵀ y by the index sum (6.1), \(setting)",
        printed: rows(formula), computed: truth, erratum: nil, aliases: [:]),
      WorkedExample(
        id: "matconvnet-6.2-text-bound", reference: "MatConvNet §6.2 (text before MatConvNet (6.1))", claim: "the same sum with the text's bound q ≤ ⌊(H′−1)/2⌋ + 1, \(setting)",
        printed: rows(textBound), computed: truth,
        erratum: (filter - 1) / 2 == (filter - 1) / stride
          ? nil
          : "the text bounds q by ⌊(H′−1)/2⌋ + 1, with 2 where MatConvNet (6.1) has S; for S ≠ 2 it drops or adds terms (a typo in the source)",
        aliases: [:]),
    ]
  }

  /// Every example.
  public static func all() throws -> [WorkedExample] {
    try vardhanAppendixA() + vardhanAppendixB() + xu() + matConvNetTranspose()
  }
}
