import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Xu read line by line as a referee: the sizes, index ranges, prose and cross-references
/// the other claims files and the derivations do not check (Table 1's counts, the size of the
/// bias in Xu (2), the index range of Xu (8), J vec(δ) before Xu (14), the limits of
/// Xu (19)–(21), the layout of Xu (19)).
extension XuClaims {
  /// Table 1 exactly as the converted text prints it: one string per input map (S2), an X in
  /// column j where output map j (C3) takes it. Transcribed here from the paper, independently
  /// of `LeNetTable` (which transcribes LeCun et al. 1998).
  static let printedTable = [
    "X...XXX..XXXX.XX", "XX...XXX..XXXX.X", "XXX...XXX..X.XXX", ".XXX..XXXX..X.XX", "..XXX..XXXX.XX.X", "...XXX..XXXX.XXX",
  ]

  /// The claims. Tolerances: 0 where the numbers are counts, sizes, index limits or 0/1 flags
  /// (exact); 1e-6 against central differences (O(1) values, the differences' error is far
  /// below it); 1e-12 or 1e-15 where two computations form the same products in another order
  /// or only move entries (rounding only).
  static func refereeClaims(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    let n = 2
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }

    // §2.1: i = 6 rows, j = 16 columns, 60 X's, at most i × j templates (the 1516 parameters are checked with Table 1 in XuDerivations).
    let rows = printedTable.count
    let cols = printedTable.map(\.count).max() ?? 0
    let crosses = printedTable.reduce(0) { $0 + $1.filter { $0 == "X" }.count }
    let usedOutputs = (0..<cols).filter { j in printedTable.contains { Array($0)[j] == "X" } }.count

    // §2.2.1, (2): the bias must have the size of β down(x^{l−1}), i.e. of x_jˡ ∈ R^{M_l×M_l}.
    var biasPrinted: [Double] = []
    var biasCorrected: [Double] = []
    var pooledSides: [Double] = []
    var inputSides: [Double] = []
    for side in [2, 3, 4] {
      let input = Matrix<Double>.uniform(n * side, n * side, using: &rng)
      let pooled = try down(input, n)
      pooledSides.append(Double(pooled.rows))
      inputSides.append(Double(input.rows))
      biasPrinted.append(Double(pooled.rows) / Double(n))  // M_l/n with M_l = the side of x_jˡ
      biasCorrected.append(Double(pooled.rows))
    }

    // §3.1.1, text after (6): up(x) copies every unit n times in both directions; the Kronecker product's definition.
    let small = Matrix<Double>.uniform(3, 2, using: &rng)
    let copied = Matrix<Double>(rows: 3 * n, cols: 2 * n) { r, c in small[r / n, c / n] }
    let b = Matrix<Double>.uniform(2, 3, using: &rng)
    let blocks = Matrix<Double>(rows: small.rows * b.rows, cols: small.cols * b.cols) { r, c in small[r / b.rows, c / b.cols] * b[r % b.rows, c % b.cols] }
    // Text after (5): up(δ^{l+1}) ∘ f′(zˡ) has the size of f′(zˡ).
    let deltaNext = Matrix<Double>.uniform(3, 3, using: &rng)
    let zl = Matrix<Double>.uniform(6, 6, using: &rng)
    let routed = try hadamard(up(deltaNext, n), Support.map(zl) { Support.sigmoid($0) * (1 - Support.sigmoid($0)) })

    // §3.1.2: dz^{l+1}/dxˡ = 1{xˡ = max xˡ} per n×n area, of the size of xˡ; the error reaches only the maxima.
    let x = Support.distinct(6, 6, &rng)
    let onesUp = Support.gradient(at: x) { v in Support.sum(Support.maxPool(v, n)) }
    let indicator = Matrix<Double>(rows: 6, cols: 6) { r, c in
      let window = Matrix<Double>(rows: n, cols: n) { p, q in x[(r / n) * n + p, (c / n) * n + q] }
      return indicatorOfMax(window)[r % n, c % n]
    }
    let dPool = Matrix<Double>.uniform(3, 3, using: &rng)
    let routedMax = Support.gradient(at: x) { v in Support.inner(dPool, Support.maxPool(v, n)) }
    let reached = Support.map(routedMax) { abs($0) > 1e-9 ? 1 : 0 }
    // (8)'s index range: z^{l+1} of a conv output of side M_l = 8 pooled 2×2 has side M_{l+1} = 4.
    let pooledSide = Support.maxPool(Support.distinct(8, 8, &rng), n).rows

    // §3.1.3, text after (12): unvec_{K,K} fills K rows and K columns by columns.
    let k3 = Matrix<Double>.uniform(3, 3, using: &rng)
    let refilled = try unvec(vec(k3), 3, 3)
    // Fig. 4: x 3×3, k 2×2 give δ 2×2, four areas of four colour blocks each.
    let fig4 = xcorr2(Matrix<Double>.uniform(3, 3, using: &rng), Matrix<Double>.uniform(2, 2, using: &rng))
    // Text before (14): J vec(δ) reverses vec(δ).
    let d2 = Matrix<Double>.uniform(2, 2, using: &rng)
    let v = vec(d2)
    let jv = exchange(v.rows, Double.self) * v
    let reversed = Array(v.storage.reversed())
    let reversedJv = Array(jv.storage.reversed())
    // The display before (14): (J vec δ)ᵀ C with Fig. 4's C = [vec [c]₁,₁ ⋯ vec [c]_K,K] (x 4×4, k 2×2, δ 3×3),
    // against the kernel gradients of both forward passes the paper names: Fig. 4's correlation and MATLAB's convn (14).
    let x4 = Matrix<Double>.uniform(4, 4, using: &rng)
    let k4 = Matrix<Double>.uniform(2, 2, using: &rng)
    let d3 = Matrix<Double>.uniform(3, 3, using: &rng)
    let patches = (0..<2).flatMap { q in (0..<2).map { p in Matrix<Double>(rows: 3, cols: 3) { i, j in x4[i + p, j + q] } } }
    let cMatrix = Matrix<Double>(rows: 9, cols: 4) { r, col in patches[col].storage[r] }
    let displayPrinted = try unvec((exchange(9, Double.self) * vec(d3)).transposed * cMatrix, 2, 2)
    let displayColumns = try unvec(vec(d3).transposed * cMatrix * exchange(4, Double.self), 2, 2)
    let gradientCorrelation = Support.gradient(at: k4) { k in Support.inner(d3, xcorr2(x4, k)) }
    let gradientConvolution = Support.gradient(at: k4) { k in Support.inner(d3, conv2(x4, k, shape: .valid)) }
    // Text after (14): convn(A, B) rotates B and then multiplies and sums; A * JBJ turns B twice.
    let a = Matrix<Double>.uniform(5, 4, using: &rng)
    let kb = Matrix<Double>.uniform(3, 2, using: &rng)
    let jbj = exchange(3, Double.self) * kb * exchange(2, Double.self)

    // §3.2, the system before (15): the bias 1 has the size of xˡ ∗ k, (M_l − K_{l+1} + 1)².
    var statedSides: [Double] = []
    var convSides: [Double] = []
    for (m, k) in [(14, 5), (10, 3), (7, 7)] {
      let y = xcorr2(Matrix<Double>.uniform(m, m, using: &rng), Matrix<Double>.uniform(k, k, using: &rng))
      convSides += [Double(y.rows), Double(y.cols)]
      statedSides += [Double(m - k + 1), Double(m - k + 1)]
    }
    // Text after (18): with max pooling there is no activation (§2.2.2), xˡ = zˡ, so f′ = 1.
    let zMax = Matrix<Double>.uniform(2, 3, using: &rng)
    let identitySlope = Support.gradient(at: zMax) { z in Support.sum(z) }

    // §3.2.1.1: max pooling has no parameter (Xu (3) has none): the pool block returns no dz/dw.
    let poolGradients = try Pool(method: .max, size: (2, 2), stride: (2, 2)).backward(
      Support.distinct(4, 4, &rng).tensor, Parameters<Double>(), Tensor<Double>.uniform(Shape(2, 2), using: &rng))

    // §3.2.1.2: z_jˡ = β down(x^{l−1}) + b 1 with x_jˡ ∈ R^{M_l×M_l}, M_l = 4, n = 2; E = ⟨δ, z⟩.
    let xPrev = Matrix<Double>.uniform(8, 8, using: &rng)
    let pooledPrev = try down(xPrev, n)
    let delta = Matrix<Double>.uniform(4, 4, using: &rng)
    let beta = Double.random(in: 0.5...1.5, using: &rng)
    let bias = Double.random(in: -1...1, using: &rng)
    func energy(_ be: Double, _ bi: Double) -> Double { Support.inner(delta, be * pooledPrev + bi * Matrix<Double>.ones(4, 4)) }
    let h = 1e-5
    let dbFD = (energy(beta, bias + h) - energy(beta, bias - h)) / (2 * h)
    let dbetaFD = (energy(beta + h, bias) - energy(beta - h, bias)) / (2 * h)
    let limit = 4 / n  // M_l/n as printed
    var dbPrinted = 0.0
    var dbetaPrinted = 0.0
    for p in 0..<limit {
      for q in 0..<limit {
        dbPrinted += delta[p, q]
        dbetaPrinted += delta[p, q] * pooledPrev[p, q]
      }
    }
    let dbFull = Support.sum(delta)
    let dbetaFull = Support.inner(delta, pooledPrev)
    // (19)'s middle step dE/dvec(z) · dvec(z)/db: the shapes under (9)'s layout (a column, transposed in (9)) and as a row.
    let cells = Double(delta.rows * delta.cols)

    return [
      Claim(
        .xu, section: "§2.1", location: "§2.1 (Table 1's counts)", kind: .table,
        printed: "S2 has i=6 feature graphs, and C3 has j=16 feature graphs … there are 60 Xs in the table 1, thus there are 60 convolutional templates … at most i × j",
        note: "counted on Table 1 as the converted text prints it (6 rows, 16 columns); it agrees with LeCun et al. 1998, Table I",
        readings: [
          Reading(
            "as printed", "i = 6, j = 16, 60 X's, 60 ≤ i × j = 96, every output map has an input", against: "the rows, columns and X's of Table 1 as printed",
            value: [6, 16, 60, 1, 16], truth: [Double(rows), Double(cols), Double(crosses), flag(crosses <= rows * cols), Double(usedOutputs)], tolerance: 0)
        ]),
      Claim(
        .xu, section: "§2.2.1", location: "(2), the size of the bias 1", kind: .size,
        printed: "x_jˡ = f(β_jˡ down(x_j^{l−1}) + b_jˡ 1_{(M_l/n)×(M_l/n)})  (2), with x_jˡ ∈ R^{M_l×M_l} (text after (2))", verdict: .wrong,
        intended: "b_jˡ 1_{M_l×M_l}: the bias matrix has the size of β down(x^{l−1}), which is x_jˡ's",
        note: "with §2.1's and the next sentence's definition (x_jˡ ∈ R^{M_l×M_l}) the all-ones matrix is n times too small on each side; "
          + "1_{(M_l/n)×(M_l/n)} would fit only if M_l were the side of the input x^{l−1}, which the paper never says (the sentence after (2) makes x^{l−1} smaller still)",
        readings: [
          Reading(
            "as printed, x_jˡ ∈ R^{M_l×M_l}", "side of 1 = M_l/n", against: "the side of down(x^{l−1}) for outputs of side 2, 3, 4 (n = 2)",
            value: biasPrinted, truth: pooledSides, tolerance: 0),
          Reading("corrected", "side of 1 = M_l", against: "the side of down(x^{l−1}) for outputs of side 2, 3, 4 (n = 2)", value: biasCorrected, truth: pooledSides, tolerance: 0),
        ]),
      .holds(
        .xu, "§2.2.1", "§2.2.1 (n times smaller)", kind: .prose, "the size of output feature graph x_jˡ is n times smaller than the size of x_j^{l−1}",
        against: "down(·) (sum of each n×n area, n = 2) on inputs of side 4, 6, 8", value: inputSides.map { $0 / Double(n) }, truth: pooledSides, tolerance: 0),
      .holds(
        .xu, "§3.1.1", "text after (5)", kind: .size, "The obtained matrix is in the same size as matrix f′(z_jˡ)",
        against: "up(δ^{l+1}) ∘ f′(zˡ) for a 3×3 δ^{l+1}, n = 2, and a 6×6 zˡ", value: [Double(routed.rows), Double(routed.cols)], truth: [Double(zl.rows), Double(zl.cols)], tolerance: 0),
      .holds(
        .xu, "§3.1.1", "text after (6)", kind: .prose, "up(·) … copies every original input units n times in both horizontal and vertical directions",
        against: "a 3×2 matrix copied into n×n blocks by index arithmetic (n = 2), against up(·) = kron(x, 1ₙₓₙ)", value: up(small, n).storage, truth: copied.storage, tolerance: 0,
        note: "the printed formula x ⊗ Iₙₓₙ is judged at (6); this sentence is what fixes its meaning"),
      .holds(
        .xu, "§3.1.1", "§3.1.1 (definition of A ⊗ B)", kind: .display, "A ⊗ B = (a₁₁B ⋯ a₁ₙB; ⋮ ⋱ ⋮; a_{m1}B ⋯ a_{mn}B)",
        against: "the blocks a_ij B written entry by entry for a 3×2 A and a 2×3 B", value: kron(small, b).storage, truth: blocks.storage, tolerance: 1e-15),
      .holds(
        .xu, "§3.1.2", "§3.1.2 (dz^{l+1}/dxˡ = 1{xˡ = max xˡ})", kind: .display,
        "dz^{l+1}/dxˡ = l{xˡ = max xˡ}, and the size of l{•} is similar as the size of xˡ. The value of it is 1 when judged to be true, and 0 otherwise",
        against: "central differences of Σ down(xˡ) (max of each 2×2 area, distinct values) in xˡ, 6×6", value: indicator.storage, truth: onesUp.storage, tolerance: 1e-6,
        note: "the max is over each unit's n×n area, as (8) writes it (x_{p,q}); l{•} is the paper's own name for the indicator, defined in the sentence"),
      Claim(
        .xu, section: "§3.1.2", location: "(8), the index range", kind: .indexRange,
        printed: "[δ_j^{l+1}]_{p,q} … 1{x_{p,q}ˡ = max x_{p,q}ˡ} ∘ f′(z_{p,q}ˡ), p, q = 1 … M_{l+1}/n  (the last row and column of (8))", verdict: .wrong,
        intended: "p, q = 1 … M_{l+1}: δ^{l+1} has the side M_{l+1} of layer l+1",
        note: "the same slip as (5)'s indices (§3.1.1): with §2.2.1's convention (M_l the side of layer l's map) the side of z^{l+1} is M_{l+1} = M_l/n; M_{l+1}/n divides by n twice",
        readings: [
          Reading(
            "M_{l+1} the side of layer l+1 (§2.2.1)", "last index of (8) = M_{l+1}/n", against: "the side of max-pooled 8×8 conv output, n = 2",
            value: [Double(pooledSide) / Double(n)], truth: [Double(pooledSide)], tolerance: 0),
          Reading("corrected", "last index = M_{l+1} = M_l/n", against: "the side of max-pooled 8×8 conv output, n = 2", value: [Double(8 / n)], truth: [Double(pooledSide)], tolerance: 0),
        ]),
      .holds(
        .xu, "§3.1.2", "text after (8)", kind: .prose,
        "the error will only be propagated through the pixel that reached its maximum value, and there will be no error in other positions",
        against: "where central differences of ⟨δ^{l+1}, down(xˡ)⟩ in xˡ are non-zero (1) or zero (0), 6×6, distinct values", value: indicator.storage, truth: reached.storage, tolerance: 0),
      .holds(
        .xu, "§3.1.3", "text after (12), unvec_{K,K}", kind: .size,
        "unvec_{K_l,K_l}(•) … transform the vector by columns into a matrix which has K_l columns and K_l rows",
        against: "a 3×3 kernel k, vec then unvec_{3,3} (column-major, Magnus–Neudecker)", value: refilled.storage + [Double(refilled.rows), Double(refilled.cols)],
        truth: k3.storage + [3, 3], tolerance: 0),
      .holds(
        .xu, "§3.1.3", "text after (13), Fig. 4's sizes", kind: .size,
        "x_i^{l−1} ∈ R^{3×3}, k_ijˡ ∈ R^{2×2}, δ_jˡ ∈ R^{2×2}, and every area x^{l−1} which contains four color-blocks corresponds to a pixel δˡ in δ_jˡ",
        against: "the valid correlation of a 3×3 x with a 2×2 k: its size, and K² = 4 blocks per area", value: [2, 2, 4], truth: [Double(fig4.rows), Double(fig4.cols), 4], tolerance: 0),
      Claim(
        .xu, section: "§3.1.3", location: "text before (14)", kind: .prose,
        printed: "The J in this equation is the permutation matrix, and Jvec(δ_jˡ) will inverse the original column's order of Jvec(δ_jˡ)", verdict: .wrong,
        intended: "J vec(δ_jˡ) reverses the order of vec(δ_jˡ)",
        note: "as printed the sentence says J vec(δ) is its own reversal, which holds only for palindromic vectors; the J in the second Jvec is one too many",
        readings: [
          Reading("as printed", "J vec(δ) = reverse(J vec(δ))", against: "J (the 4×4 exchange matrix) times vec(δ) of a 2×2 δ", value: jv.storage, truth: reversedJv, tolerance: 1e-12),
          Reading("corrected", "J vec(δ) = reverse(vec(δ))", against: "J (the 4×4 exchange matrix) times vec(δ) of a 2×2 δ", value: jv.storage, truth: reversed, tolerance: 1e-12),
        ]),
      Claim(
        .xu, section: "§3.1.3", location: "display before (14)", kind: .display,
        printed: "(Jvec(δ_jˡ))ᵀ (vec([c_i^{l−1}]_{1,1}) ⋯ vec([c_i^{l−1}]_{K_l,1}) vec([c_i^{l−1}]_{1,2}) ⋯ vec([c_i^{l−1}]_{K_l,K_l}))", verdict: .wrong,
        intended: "(vec δ)ᵀ C J, J reversing the order of C's columns (the kernel index): unvec of it is J (x ⋆ δ) J, which (14) writes J(x * JδJ)J",
        note:
          "the text calls this the form Xu (12) changes to for the other forward pass; reversing vec δ instead of C's columns gives conv2(x, δ, 'valid'), the gradient of neither Fig. 4's correlation nor MATLAB's convolution. "
          + "The sentence after it (“will inverse the original column's order”) fits J acting on the columns",
        readings: [
          Reading(
            "as printed, forward pass MATLAB's convn (14)", "unvec_{K,K}((J vec δ)ᵀ C)", against: "central differences of ⟨δ, conv2(x, k, 'valid')⟩ in k (x 4×4, k 2×2)",
            value: displayPrinted.storage, truth: gradientConvolution.storage, tolerance: 1e-6),
          Reading(
            "as printed, forward pass Fig. 4's correlation", "unvec_{K,K}((J vec δ)ᵀ C)", against: "central differences of ⟨δ, x ⋆ k⟩ in k (x 4×4, k 2×2)",
            value: displayPrinted.storage, truth: gradientCorrelation.storage, tolerance: 1e-6),
          Reading(
            "corrected: J on C's columns, forward pass MATLAB's convn", "unvec_{K,K}((vec δ)ᵀ C J)", against: "central differences of ⟨δ, conv2(x, k, 'valid')⟩ in k (x 4×4, k 2×2)",
            value: displayColumns.storage, truth: gradientConvolution.storage, tolerance: 1e-6),
        ]),
      .holds(
        .xu, "§3.1.3", "text after (14)", kind: .prose,
        "in convn(A,B), B will be rotated in all dimension, and B will be multiplied and summed up in corresponding positions afterwards. This operation will be A*JBJ",
        against: "MATLAB's conv2(A, B, 'valid') (true convolution, loops), 5×4 A, 3×2 B", value: xcorr2(a, jbj).storage, truth: conv2(a, kb, shape: .valid).storage, tolerance: 1e-12,
        note: "here * is the multiply-and-sum of corresponding positions (a correlation) and JBJ = rot180(B), so A*JBJ is convn(A, B)"),
      .holds(
        .xu, "§3.2", "§3.2 (system before (15))", kind: .size,
        "z_j^{l+1} = Σ_{i ∈ M_j} x_iˡ * k_ij^{l+1} + b_j^{l+1} l_{(M_l − K_{l+1} + 1) × (M_l − K_{l+1} + 1)}",
        against: "the size of xˡ ∗ k for (M_l, K_{l+1}) = (14, 5), (10, 3), (7, 7)", value: statedSides, truth: convSides, tolerance: 0,
        note: "the l of the bias is the all-ones 1 of (1), as in (9); the claim checked is its size"),
      .holds(
        .xu, "§2.2.2, §3.2", "text after (18)", kind: .prose,
        "No active function is required here (§2.2.2) … If maximum polymerization is adopted in the polymerization layer, we can get f′(z_iˡ) = 1",
        against: "central differences of xˡ = zˡ (no activation) in zˡ", value: Array(repeating: 1, count: zMax.rows * zMax.cols), truth: identitySlope.storage, tolerance: 1e-9),
      .holds(
        .xu, "§3.2.1.1", "§3.2.1.1 (no parameter)", kind: .prose, "From (3), we know there is no parameter.",
        against: "the number of parameter derivatives the max pool block returns", value: [0], truth: [Double(poolGradients.dzdw?.count ?? 0) + Double(poolGradients.dzdb?.count ?? 0)],
        tolerance: 0, note: "the paper writes the word equation before the 3; quoted here in the audit's citation form"),
      Claim(
        .xu, section: "§3.2.1.2", location: "§3.2.1.2 (the size of zˡ's bias and the limits of (19)–(21))", kind: .indexRange,
        printed:
          "z_jˡ = β_jˡ down(x_j^{l−1}) + b_jˡ I_{(M_l/n)×(M_l/n)};  dE/db_jˡ = Σ_{p,q}^{M_l/n, M_l/n} [δ_jˡ]_{p,q}  (19);  dE/dβ_jˡ = Σ_{p,q}^{M_l/n, M_l/n} [δ_jˡ]_{p,q} [down(x_j^{l−1})]_{p,q}  (21)",
        verdict: .wrong, intended: "sums over p, q = 1 … M_l (and 1_{M_l×M_l}): δ_jˡ = dE/dz_jˡ has the size of x_jˡ ∈ R^{M_l×M_l}",
        note: "the same size slip as (2) (§2.2.1 defines x_jˡ ∈ R^{M_l×M_l}): summing to M_l/n leaves out all but (1/n²) of δ's entries; the sums are right once the limits are M_l",
        readings: [
          Reading(
            "as printed, x_jˡ ∈ R^{M_l×M_l} (M_l = 4, n = 2)", "Σ_{p,q ≤ M_l/n} [δ]_{p,q}, Σ_{p,q ≤ M_l/n} [δ]_{p,q}[down(x)]_{p,q}",
            against: "central differences of E = ⟨δ, β down(x) + b 1⟩ in b and β", value: [dbPrinted, dbetaPrinted], truth: [dbFD, dbetaFD], tolerance: 1e-6),
          Reading(
            "corrected: limits M_l", "Σ_{p,q ≤ M_l} [δ]_{p,q}, Σ_{p,q ≤ M_l} [δ]_{p,q}[down(x)]_{p,q}", against: "central differences of E = ⟨δ, β down(x) + b 1⟩ in b and β",
            value: [dbFull, dbetaFull], truth: [dbFD, dbetaFD], tolerance: 1e-6),
        ]),
      Claim(
        .xu, section: "§3.1.3, §3.2.1.2", location: "(19), dE/dvec(z) · dvec(z)/db", kind: .display,
        printed: "dE/db_jˡ = dE/dz_jˡ dz_jˡ/db_jˡ = dE/dvec(z_jˡ) dvec(z_jˡ)/db_jˡ = (vec(δ_jˡ))ᵀ vec(I)  (19), where (9) writes (dE/dvec(z_jˡ))ᵀ dvec(z_jˡ)/db_jˡ",
        verdict: .ambiguous,
        note: "(9) transposes dE/dvec(z), so it takes the gradient as a column; (19) drops the transpose, which is right only if the gradient is a row (numerator layout, as (19)'s own (vec δ)ᵀ says)",
        readings: [
          Reading(
            "dE/dvec(z) a column, as (9) takes it", "columns of dE/dvec(z) = rows of dvec(z)/db", against: "a 4×4 δ: the product needs inner sizes that agree",
            value: [1], truth: [cells], tolerance: 0),
          Reading(
            "dE/dvec(z) a row (numerator layout)", "columns of dE/dvec(z) = rows of dvec(z)/db", against: "a 4×4 δ: the product needs inner sizes that agree",
            value: [cells], truth: [cells], tolerance: 0),
        ]),
    ]
  }
}
