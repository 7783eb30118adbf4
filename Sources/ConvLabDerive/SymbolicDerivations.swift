import ConvLabBlocks
import ConvLabCore
import ConvLabNotation

extension DerivationStep {
  /// A printed (or constructed) symbolic matrix compared exactly with the computed one.
  public struct ExactCheck: Sendable {
    /// What the printed side is compared with.
    public let against: String
    /// The term-by-term comparison.
    public let comparison: SymbolicComparison
    /// False for a printed form with a known erratum: it is expected to differ.
    public let expectedToMatch: Bool
    /// What is wrong with the printed form, when something is.
    public let erratum: String?

    /// Whether the outcome is the expected one.
    public var asExpected: Bool { comparison.matches == expectedToMatch }

    /// The check of a worked example of the catalogue.
    public init(_ example: WorkedExample) throws {
      self.init(
        against: "the computed \(example.claim)", comparison: try example.comparison(),
        expectedToMatch: example.expectedToMatch, erratum: example.erratum)
    }

    /// A check from its parts.
    public init(against: String, comparison: SymbolicComparison, expectedToMatch: Bool = true, erratum: String? = nil) {
      self.against = against
      self.comparison = comparison
      self.expectedToMatch = expectedToMatch
      self.erratum = erratum
    }
  }

  /// This step with symbolic matrices and an exact check attached.
  func with(symbolic: [(String, SymbolicMatrix)], exact: ExactCheck? = nil) -> DerivationStep {
    var s = self
    s.symbolic = symbolic.map { (name: $0.0, value: $0.1) }
    s.exact = exact
    return s
  }
}

/// The worked examples in symbols: Vardhan App. A and B, Xu Fig. 4 with Xu (11)–(16), and
/// MatConvNet §6.1–6.2, each printed matrix compared term by term with the computed one and
/// each symbolic result substituted with the seeded numbers and checked against the numeric path.
enum SymbolicDerivations {
  static let all: [(id: String, title: String, reference: String, build: Derivations.Builder)] = [
    ("vardhan-appendix-a", "App. A in symbols: Z = A ∗ β, dᵥZ/dᵥβ and dᵥZ/dᵥA column by column", "Vardhan App. A", appendixA),
    ("vardhan-appendix-b", "App. B in symbols: the max-pool windows, the switch i₂₁ and the mask dᵥA/dᵥI", "Vardhan App. B", appendixB),
    ("xu-symbolic", "Xu Fig. 4 in symbols: ∂E/∂k and ∂E/∂x entry by entry, Xu (13) and (16)", "Xu (11)–(16), Fig. 4", xu),
    ("matconvnet-symbolic", "φ(x), the Kronecker forms and the index sum of convolution transpose in symbols", "MatConvNet §6.1–6.2", matConvNet),
  ]

  static func example(_ id: String, _ list: [WorkedExample]) throws -> WorkedExample {
    guard let e = list.first(where: { $0.id == id }) else { throw ConvLabError("internal: no worked example '\(id)'.") }
    return e
  }

  static func scalar(_ p: Polynomial) -> SymbolicMatrix { SymbolicMatrix(rows: 1, cols: 1, entries: [p]) }

  static func unit(_ rows: Int, _ cols: Int, _ r: Int, _ c: Int) -> SymbolicMatrix {
    SymbolicMatrix(rows: rows, cols: cols) { i, j in i == r && j == c ? 1 : 0 }
  }

  // MARK: Vardhan App. A

  static func appendixA(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let aNum = Matrix<Double>.uniform(3, 4, using: &rng)
    let bNum = Matrix<Double>.uniform(2, 2, using: &rng)
    var values = Valuation()
    values.assign("a", aNum)
    values.assign("β", bNum)
    let a = SymbolicMatrix.symbols("a", 3, 4)
    let beta = SymbolicMatrix.symbols("β", 2, 2)
    let g = WorkedExamples.vardhanGeometry
    let conv = Conv(pad: [1, 1, 1, 1], stride: (1, 2))
    let x = Support.tensor(aNum)
    let p = Parameters<Double>(w: Support.tensor(bNum))
    let examples = try WorkedExamples.vardhanAppendixA()

    let z = try WorkedExamples.vardhanZ()
    let zNum = try conv.forward(x, p)
    let zMatrix = Matrix(rows: zNum.shape.h, cols: zNum.shape.w, storage: zNum.storage)
    // The paper's construction, column by column: vec(A ∗ dβ/dβ_rs) and vec(dA/dA_rs ∗ β).
    let kernelColumns = try (0..<4).map { k in vec(try SymbolicLayers.convolve(a, unit(2, 2, k % 2, k / 2), geometry: g)) }
    let byColumnsBeta = SymbolicMatrix(rows: 12, cols: 4) { r, c in kernelColumns[c][r, 0] }
    let inputColumns = try (0..<12).map { k in vec(try SymbolicLayers.convolve(unit(3, 4, k % 3, k / 3), beta, geometry: g)) }
    let byColumnsA = SymbolicMatrix(rows: 12, cols: 12) { r, c in inputColumns[c][r, 0] }
    let dZdBeta = try WorkedExamples.vardhanJacobianWrtKernel()
    let dZdA = try WorkedExamples.vardhanJacobianWrtInput()
    let dZdBeta21 = try SymbolicLayers.convolve(a, unit(2, 2, 1, 0), geometry: g)
    let dZdA23 = try SymbolicLayers.convolve(unit(3, 4, 1, 2), beta, geometry: g)

    return Derivation(
      id: "vardhan-appendix-a",
      steps: [
        DerivationStep(
          "A ∈ R³ˣ⁴, β ∈ R²ˣ², padding (1,1), stride (1,2) ⇒ Z ∈ R⁴ˣ³",
          "Vardhan §2: h_z = ⌊(3 + 2 − 2)/1 + 1⌋ = 4, w_z = ⌊(4 + 2 − 2)/2 + 1⌋ = 3; A is surrounded by one row and column of zeros.",
          matrices: [("A", aNum), ("β", bNum)]
        )
        .with(symbolic: [("A", a), ("β", beta), ("A padded", try zeroPad(a, top: 1, bottom: 1, left: 1, right: 1))]),
        DerivationStep(
          "Z = A ∗ β   (rep.3; ∗ is MatConvNet's correlation: no flip)",
          "Each z_pq is the padded window at rows p…p+1, columns 2q−1…2q times β, entry by entry.",
          matrices: [("Z (numbers)", zMatrix)],
          check: .holds(try z.evaluate(values), zMatrix, against: "the conv block's forward pass (numbers substituted)")
        )
        .with(symbolic: [("Z", z)], exact: try .init(example("vardhan-a-z", examples))),
        DerivationStep("z₃₂ = a₂₂β₁₁ + a₂₃β₁₂ + a₃₂β₂₁ + a₃₃β₂₂   (rep.2)", "The window of z₃₂ is [a₂₂ a₂₃; a₃₂ a₃₃].")
          .with(symbolic: [("z₃₂", scalar(z[2, 1]))], exact: try .init(example("vardhan-a-z32", examples))),
        DerivationStep("∂z₃₂/∂β₂₁ = a₃₂   (Vardhan (a1-2))", "Only the term a₃₂β₂₁ contains β₂₁.")
          .with(symbolic: [], exact: try .init(example("vardhan-a-dz32-dbeta21", examples))),
        DerivationStep(
          "dZ/dβ₂₁ = A ∗ [0 0; 1 0]   (Vardhan (a1-3), same padding and stride)",
          "Convolving A with the unit kernel at (2,1) gives every ∂z_pq/∂β₂₁ at once."
        )
        .with(
          symbolic: [("A ∗ dβ/dβ₂₁", dZdBeta21)],
          exact: .init(
            against: "the column β₂₁ of dᵥZ/dᵥβ (∂ of every z_pq), unvec'd",
            comparison: try SymbolicComparison(printed: dZdBeta21, computed: try unvec(SymbolicMatrix(rows: 12, cols: 1) { r, _ in dZdBeta[r, 1] }, 4, 3)))),
        DerivationStep(
          "dᵥZ/dᵥβ = [vec(A ∗ dβ/dβ₁₁)  vec(A ∗ dβ/dβ₂₁)  vec(A ∗ dβ/dβ₁₂)  vec(A ∗ dβ/dβ₂₂)]   (Vardhan (a1-3))",
          "Column by column; every entry is an a_ij or 0, and the sparsity is that of the conv block's Jacobian.",
          matrices: [("dᵥZ/dᵥβ (numbers)", try conv.jacobian(at: x, p, wrt: .w))],
          check: .holds(try byColumnsBeta.evaluate(values), try conv.jacobian(at: x, p, wrt: .w), against: "the conv block's literal Jacobian wrt w (numbers substituted)")
        )
        .with(
          symbolic: [("dᵥZ/dᵥβ", byColumnsBeta)],
          exact: .init(against: "∂(ᵥZ)ᵢ/∂β_rs entry by entry", comparison: try SymbolicComparison(printed: byColumnsBeta, computed: dZdBeta))),
        DerivationStep("∂z₃₂/∂A₂₃ = β₁₂   (Vardhan (a2-2))", "a₂₃ sits at the top right of z₃₂'s window, where β₁₂ is.")
          .with(symbolic: [], exact: try .init(example("vardhan-a-dz32-dA23", examples))),
        DerivationStep("z₃₂ restated in Vardhan (a2-2) as a₂₂β₁₁ + a₂₃A₁₂ + a₃₂β₂₁ + a₃₃β₂₂", "The first line of Vardhan (a2-2) as printed.")
          .with(symbolic: [], exact: try .init(example("vardhan-a-z32-in-a2-2", examples))),
        DerivationStep("dZ/dA₂₃ = dA/dA₂₃ ∗ β   (Vardhan (a2-3))", "A single 1 at (2,3), convolved with β: it reaches z₂₂ through β₂₂ and z₃₂ through β₁₂.")
          .with(
            symbolic: [("dA/dA₂₃", unit(3, 4, 1, 2)), ("dA/dA₂₃ ∗ β", dZdA23)],
            exact: .init(
              against: "the column A₂₃ of dᵥZ/dᵥA, unvec'd", comparison: try SymbolicComparison(printed: dZdA23, computed: try unvec(SymbolicMatrix(rows: 12, cols: 1) { r, _ in dZdA[r, 7] }, 4, 3)))),
        DerivationStep(
          "dᵥZ/dᵥA = [vec(dA/dA₁₁ ∗ β)  …  vec(dA/dA₃₄ ∗ β)]   (Vardhan (a2-3))",
          "Column by column; every entry is a β_ij or 0.",
          matrices: [("dᵥZ/dᵥA (numbers)", try conv.jacobian(at: x, p, wrt: .x))],
          check: .holds(try byColumnsA.evaluate(values), try conv.jacobian(at: x, p, wrt: .x), against: "the conv block's literal Jacobian wrt x (numbers substituted)")
        )
        .with(
          symbolic: [("dᵥZ/dᵥA", byColumnsA)],
          exact: .init(against: "∂(ᵥZ)ᵢ/∂A_rs entry by entry", comparison: try SymbolicComparison(printed: byColumnsA, computed: dZdA))),
        DerivationStep("ᵥA as printed", "The vectorised input.").with(symbolic: [], exact: try .init(example("vardhan-a-vec-a", examples))),
        DerivationStep("ᵥβ as printed", "The vectorised kernel.").with(symbolic: [], exact: try .init(example("vardhan-a-vec-beta", examples))),
        DerivationStep("ᵥZ as printed", "The vectorised output.").with(symbolic: [], exact: try .init(example("vardhan-a-vec-z", examples))),
      ])
  }

  // MARK: Vardhan App. B

  /// Max pooling of one channel with zero padding (Vardhan App. B), by brute force over windows.
  static func zeroPaddedMaxPool(_ x: [Double], rows: Int, cols: Int, geometry g: FilterGeometry) throws -> [Double] {
    let (oh, ow) = try g.outputSize(h: rows, w: cols)
    var out: [Double] = []
    for j2 in 0..<ow {
      for i2 in 0..<oh {
        var best = -Double.infinity
        for j1 in 0..<g.cols.size {
          for i1 in 0..<g.rows.size {
            let i = g.rows.inputIndex(output: i2, tap: i1)
            let j = g.cols.inputIndex(output: j2, tap: j1)
            best = max(best, i >= 0 && i < rows && j >= 0 && j < cols ? x[i + rows * j] : 0)
          }
        }
        out.append(best)
      }
    }
    return out
  }

  static func appendixB(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let iNum = Support.distinct(3, 4, &rng)
    var values = Valuation()
    values.assign("I", iNum)
    let input = SymbolicMatrix.symbols("I", 3, 4)
    let g = WorkedExamples.vardhanPoolGeometry
    let examples = try WorkedExamples.vardhanAppendixB()
    let winners = try SymbolicLayers.maxPoolWinners(input, geometry: g, padding: .zeros, values: values)
    let selector = try SymbolicLayers.maxPoolSelector(input, geometry: g, padding: .zeros, winners: winners)
    let pooled = try SymbolicLayers.maxPoolWindows(input, geometry: g, padding: .zeros)
    let won = zip(pooled.windows, winners).enumerated().map { k, pair in
      "A\(subscriptDigits(k % 3 + 1))\(subscriptDigits(k / 3 + 1)) = \(pair.0.entries[pair.1].value.unicode)"
    }
    let fd = FiniteDifferences.jacobian(at: iNum.storage) { v in (try? zeroPaddedMaxPool(v, rows: 3, cols: 4, geometry: g)) ?? [] }
    return Derivation(
      id: "vardhan-appendix-b",
      steps: [
        DerivationStep(
          "I ∈ R³ˣ⁴, window 3×2, padding (1,1), stride (1,2) ⇒ A ∈ R³ˣ³",
          "h_a = ⌊(3 + 2 − 3)/1 + 1⌋ = 3, w_a = ⌊(4 + 2 − 2)/2 + 1⌋ = 3. Vardhan pads with zeros, so a padding 0 competes for the maximum; MatConvNet pads with −∞.",
          matrices: [("I", iNum)]
        )
        .with(symbolic: [("I", input)]),
        DerivationStep("A_pq = max of its window   (rep.3)", "Each window written as the formal sum of its distinct entries; the term 0 marks the zero padding.")
          .with(symbolic: [("windows", try WorkedExamples.vardhanPoolWindowSets())], exact: try .init(example("vardhan-b-windows", examples))),
        DerivationStep("ᵥΩ of A₂₁ = [0, 0, 0, I₁₁, I₂₁, I₃₁]ᵀ", "The window of A₂₁ stacked by columns.")
          .with(symbolic: [], exact: try .init(example("vardhan-b-omega21", examples))),
        DerivationStep(
          "A₂₁ = I₂₁ ⇒ i₂₁ = 5, ᵖᑫc_b = ⌈5/3⌉ = 2, ᵖᑫr_b = 5 − 3 = 2, top-left (1, 0), so (r_i, c_i) = (2, 1) and j = (1 − 1)·3 + 2 = 2   (Vardhan (b-2.1)–(b-2.3))",
          "The switch, turned into the column of the 1 in row A₂₁ of dᵥA/dᵥI."
        )
        .with(symbolic: [], exact: try .init(example("vardhan-b-i21", examples))),
        DerivationStep(
          "dᵥA/dᵥI at this I: one 1 per row, at the winner   (Vardhan (b-1))",
          "Winners at the seeded I: " + won.joined(separator: ", ") + ". A row is all zero where the padding 0 wins.",
          check: .holds(try selector.evaluate(values), fd, against: "central differences of zero-padded max pooling", tolerance: 1e-8)
        )
        .with(symbolic: [("dᵥA/dᵥI", selector)]),
      ])
  }

  // MARK: Xu Fig. 4

  static func xu(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let xNum = Matrix<Double>.uniform(3, 3, using: &rng)
    let kNum = Matrix<Double>.uniform(2, 2, using: &rng)
    let dNum = Matrix<Double>.uniform(2, 2, using: &rng)
    var values = Valuation()
    values.assign("x", xNum)
    values.assign("k", kNum)
    values.assign("δ", dNum)
    let examples = try WorkedExamples.xu()
    let x = SymbolicMatrix.symbols("x", 3, 3)
    let k = SymbolicMatrix.symbols("k", 2, 2)
    let delta = SymbolicMatrix.symbols("δ", 2, 2)
    let e = try WorkedExamples.xuLinearizedError()
    let dk = try SymbolicMatrix(rows: 2, cols: 2) { i, j in try e.derivative(Symbol("k", [i + 1, j + 1])) }
    let dx = try WorkedExamples.xuInputGradient()
    let eq13 = try xcorr2(x, delta)
    let eq16 = try WorkedExamples.xuEquation16()
    // Numbers: the conv block's backward pass with dz/dy = δ (an independent numeric path).
    let conv = Conv()
    let grads = try conv.backward(Support.tensor(xNum), Parameters(w: Support.tensor(kNum)), Support.tensor(dNum))
    let dxNum = grads.dzdx.channel(0)
    let dkNum = (grads.dzdw ?? Tensor(shape: Shape(2, 2))).channel(0)
    return Derivation(
      id: "xu-symbolic",
      steps: [
        DerivationStep(
          "z = x ⋆ k with x ∈ R³ˣ³, k ∈ R²ˣ², δ = ∂E/∂z ∈ R²ˣ²", "Fig. 4: x₁₁ meets k₁₁ (a correlation), so E changes as Σ δ_pq z_pq.",
          matrices: [("x", xNum), ("k", kNum), ("δ", dNum)]
        )
        .with(symbolic: [("z", try xcorr2(x, k))]),
        DerivationStep(
          "∂E/∂[k]₁,₁ = δ₁₁x₁₁ + δ₁₂x₁₂ + δ₂₁x₂₁ + δ₂₂x₂₂   (text after Xu (13), its intended reading)",
          "The blue pixels of Fig. 4; the paper prints the left side as the whole gradient dE/dk_ij, wrong in the source (`convlab audit --paper xu`)."
        )
        .with(symbolic: [], exact: try .init(example("xu-dk11", examples))),
        DerivationStep("[c]₁,₁ = [x₁₁ x₁₂; x₂₁ x₂₂]   (Xu (12))", "The entries of x that met k₁₁.")
          .with(symbolic: [], exact: try .init(example("xu-c11", examples))),
        DerivationStep(
          "∂E/∂k = x ⋆ δ   (Xu (13), ⋆ the correlation of Fig. 4)", "All four kernel derivatives at once.",
          matrices: [("∂E/∂k (numbers)", dkNum)],
          check: .holds(try eq13.evaluate(values), dkNum, against: "the conv block's backward dz/dw (numbers substituted)")
        )
        .with(symbolic: [("x ⋆ δ", eq13)], exact: .init(against: "∂E/∂k_ij entry by entry", comparison: try SymbolicComparison(printed: eq13, computed: dk))),
        DerivationStep("∂E/∂[x]₁,₁ = δ₁₁k₁₁   (after Xu (15))", "x₁₁ is only in z₁₁'s window.")
          .with(symbolic: [], exact: try .init(example("xu-dx11", examples))),
        DerivationStep("∂E/∂[x]₁,₂ = δ₁₁k₁₂ + δ₁₂k₁₁   (after Xu (15))", "x₁₂ is in the windows of z₁₁ and z₁₂.")
          .with(symbolic: [], exact: try .init(example("xu-dx12", examples))),
        DerivationStep("∂E/∂[x]₂,₂ = δ₁₁k₁₂ + δ₁₂k₂₁ + δ₂₁k₁₂ + δ₂₂k₁₁   (after Xu (15), as printed)", "x₂₂ is in all four windows.")
          .with(symbolic: [], exact: try .init(example("xu-dx22", examples))),
        DerivationStep(
          "∂E/∂x = δ̃ ⋆ (J k J)   (Xu (16))", "The padded error correlated with the flipped kernel: a full convolution of δ with k.",
          matrices: [("∂E/∂x (numbers)", dxNum)],
          check: .holds(try eq16.evaluate(values), dxNum, against: "the conv block's backward dz/dx (numbers substituted)")
        )
        .with(symbolic: [("δ̃ ⋆ (J k J)", eq16)], exact: .init(against: "∂E/∂x_ij entry by entry", comparison: try SymbolicComparison(printed: eq16, computed: dx))),
        DerivationStep("δ^l = f′(z^l) ∘ δ̃ ⋆ (J k J)   (Xu (18), one connected map)", "The pooling layer's error: each entry of ∂E/∂x times the activation's derivative at that pixel.")
          .with(symbolic: [("f′(z) ∘ ∂E/∂x", try hadamard(try SymbolicJacobians.elementwiseDiagonal("z", rows: 3, cols: 3), eq16))]),
      ])
  }

  // MARK: MatConvNet §6.1–6.2

  static func matConvNet(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let xNum = Matrix<Double>.uniform(3, 3, using: &rng)
    let fNum = Matrix<Double>.uniform(4, 2, using: &rng)
    var values = Valuation()
    values.assign("x", xNum)
    values.assign("f", fNum)
    let g = FilterGeometry(kh: 2, kw: 2)
    let x = SymbolicMatrix.symbols("x", 3, 3)
    let f = SymbolicMatrix.symbols("f", 4, 2)
    let phi = try SymbolicLayers.im2row(x, geometry: g)
    let phiNum = try Im2Row(geometry: g, h: 3, w: 3, d: 1).phi(Support.tensor(xNum))
    let direct = vec(try phi * f)
    let viaF = try kron(symbolicIdentity(2), phi) * vec(f)
    let viaPhi = try kron(f.transposed, symbolicIdentity(phi.rows)) * vec(phi)
    let transpose = try WorkedExamples.matConvNetTranspose()
    return Derivation(
      id: "matconvnet-symbolic",
      steps: [
        DerivationStep(
          "[φ(x)]_pq = x_{t(p,q)}, p = i″ + H″(j″ − 1), q = i′ + H′(j′ − 1)   (§6.1)", "x ∈ R³ˣ³, 2×2 patches: one patch per row.",
          matrices: [("φ(x) (numbers)", phiNum)], check: .holds(try phi.evaluate(values), phiNum, against: "the numeric im2row (numbers substituted)")
        )
        .with(symbolic: [("φ(x)", phi)]),
        DerivationStep("vec y = vec(φ(x) F) = (I ⊗ φ(x)) vec F   (§6.1)", "F holds two filters, one per column.")
          .with(symbolic: [("F", f), ("(I ⊗ φ(x)) vec F", viaF)], exact: .init(against: "vec(φ(x) F)", comparison: try SymbolicComparison(printed: viaF, computed: direct))),
        DerivationStep("vec y = (Fᵀ ⊗ I) vec φ(x)   (§6.1)", "The other Kronecker form, used for dz/dx.")
          .with(symbolic: [("(Fᵀ ⊗ I) vec φ(x)", viaPhi)], exact: .init(against: "vec(φ(x) F)", comparison: try SymbolicComparison(printed: viaPhi, computed: direct))),
        DerivationStep(
          "x_k = Σ_q y_{⌊(k−1+P⁻)/S⌋+2−q} f_{(k−1+P⁻) mod S+S(q−1)+1}, 1 ≤ q ≤ 1 + ⌊(H′−1)/S⌋   (§6.2, MatConvNet (6.1))",
          "Convolution transpose by its index sum, against Mᵀ y built from the convolution matrix (\(transpose[0].claim))."
        )
        .with(symbolic: [("Mᵀ y", transpose[0].computed)], exact: try .init(transpose[0])),
        DerivationStep("the same sum with the text's bound q ≤ ⌊(H′−1)/2⌋ + 1   (§6.2)", "The sentence before MatConvNet (6.1) bounds q with 2 where (6.1) has S.")
          .with(symbolic: [], exact: try .init(transpose[1])),
      ])
  }
}
