import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Vardhan's appendices and stated sizes, read line by line: App. A's worked convolution
/// (A 3×4, β 2×2, padding (1, 1), stride (1, 2)), App. B's max-pooling mask (I 3×4, window
/// 3×2, padding (1, 1), stride (1, 2)), and the sizes and gradients of §3.1.5 and §3.2.
extension VardhanClaims {
  /// Vardhan's * in App. A (rep.2: z₁₁ = a₁₁β₂₂): a correlation over the zero-padded input,
  /// written with loops so that it is independent of the conv block.
  static func correlate(_ a: Matrix<Double>, _ beta: Matrix<Double>, pad: (Int, Int), stride: (Int, Int)) -> Matrix<Double> {
    let rows = (a.rows + 2 * pad.0 - beta.rows) / stride.0 + 1
    let cols = (a.cols + 2 * pad.1 - beta.cols) / stride.1 + 1
    return Matrix(rows: rows, cols: cols) { p, q in
      var sum = 0.0
      for r in 0..<beta.rows {
        for s in 0..<beta.cols {
          let i = p * stride.0 + r - pad.0
          let j = q * stride.1 + s - pad.1
          if i >= 0, i < a.rows, j >= 0, j < a.cols { sum += a[i, j] * beta[r, s] }
        }
      }
      return sum
    }
  }

  /// App. B's max pooling over the zero-padded input (rep.1 pads with 0): the value and the
  /// window position (column-major within the window, 1-based) of each maximum.
  static func maxPool(_ x: Matrix<Double>, window: (Int, Int), pad: (Int, Int), stride: (Int, Int)) -> [(value: Double, index: Int, row: Int, col: Int)] {
    let rows = (x.rows + 2 * pad.0 - window.0) / stride.0 + 1
    let cols = (x.cols + 2 * pad.1 - window.1) / stride.1 + 1
    var out: [(value: Double, index: Int, row: Int, col: Int)] = []
    for q in 0..<cols {
      for p in 0..<rows {
        var best = (value: -Double.infinity, index: 0, row: -1, col: -1)
        for c in 0..<window.1 {
          for r in 0..<window.0 {
            let i = p * stride.0 + r - pad.0
            let j = q * stride.1 + c - pad.1
            let v = (i >= 0 && i < x.rows && j >= 0 && j < x.cols) ? x[i, j] : 0
            if v > best.value { best = (v, c * window.0 + r + 1, i, j) }
          }
        }
        out.append(best)
      }
    }
    return out
  }

  static func appendices(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    // App. A.
    let a = Matrix<Double>.uniform(3, 4, using: &rng)
    let beta = Matrix<Double>.uniform(2, 2, using: &rng)
    let z = correlate(a, beta, pad: (1, 1), stride: (1, 2))
    // rep.2 as converted: three rows, [z₁₁ z₂₂ z₂₃; z₃₁ z₃₂ z₃₃; z₄₁ z₄₂ z₄₂ z₄₃] in the true z's names (row 2 lost, row 3 one entry too many).
    let a1 = { (i: Int, j: Int) in a[i - 1, j - 1] }
    let b1 = { (i: Int, j: Int) in beta[i - 1, j - 1] }
    let rep2Printed: [Double] = [
      a1(1, 1) * b1(2, 2), a1(1, 2) * b1(1, 1) + a1(1, 3) * b1(1, 2) + a1(2, 2) * b1(2, 1) + a1(2, 3) * b1(2, 2), a1(1, 4) * b1(1, 1) + a1(2, 4) * b1(2, 1),
      a1(2, 1) * b1(1, 2) + a1(3, 1) * b1(2, 2), a1(2, 2) * b1(1, 1) + a1(2, 3) * b1(1, 2) + a1(3, 2) * b1(2, 1) + a1(3, 3) * b1(2, 2), a1(2, 4) * b1(1, 1) + a1(3, 4) * b1(2, 1),
    ]
    let zFirstRows = [z[0, 0], z[0, 1], z[0, 2], z[1, 0], z[1, 1], z[1, 2]]
    // The same entries where they belong: row 1 of rep.2 holds z₁₁ and row 2's z₂₂, z₂₃; its row 2 is z's row 3.
    let rep2Positions = [z[0, 0], z[1, 1], z[1, 2], z[2, 0], z[2, 1], z[2, 2]]
    let z32 = a1(2, 2) * b1(1, 1) + a1(2, 3) * b1(1, 2) + a1(3, 2) * b1(2, 1) + a1(3, 3) * b1(2, 2)
    let dz32dbeta21 = FiniteDifferences.derivative(at: beta[1, 0]) { v in
      var bb = beta
      bb[1, 0] = v
      return correlate(a, bb, pad: (1, 1), stride: (1, 2))[2, 1]
    }
    let dz32dA23 = FiniteDifferences.derivative(at: a[1, 2]) { v in
      var aa = a
      aa[1, 2] = v
      return correlate(aa, beta, pad: (1, 1), stride: (1, 2))[2, 1]
    }
    var unit = Matrix<Double>(rows: 3, cols: 4)
    unit[1, 2] = 1
    let maskA23 = correlate(unit, beta, pad: (1, 1), stride: (1, 2))
    let fdA23 = FiniteDifferences.jacobian(at: a.storage) { v in correlate(Matrix(rows: 3, cols: 4, storage: v), beta, pad: (1, 1), stride: (1, 2)).storage }
    let columnA23 = (0..<fdA23.rows).map { fdA23[$0, 2 * 3 + 1] }  // vec index of A₂₃ (column-major, 1-based 8)
    // vec A as printed: a₁₁ a₂₁ a₃₁ a₁₂ a₂₂ a₁₃ a₂₃ a₂₃ a₃₃ a₁₄ a₂₄ a₃₄ (a₃₂ missing, a₂₃ twice).
    let vecAPrinted = [a1(1, 1), a1(2, 1), a1(3, 1), a1(1, 2), a1(2, 2), a1(1, 3), a1(2, 3), a1(2, 3), a1(3, 3), a1(1, 4), a1(2, 4), a1(3, 4)]
    let vecAIntended = [a1(1, 1), a1(2, 1), a1(3, 1), a1(1, 2), a1(2, 2), a1(3, 2), a1(1, 3), a1(2, 3), a1(3, 3), a1(1, 4), a1(2, 4), a1(3, 4)]
    let columnsStacked = (0..<4).flatMap { c in (0..<3).map { r in a[r, c] } }
    // App. B.
    let negativeCorner = -0.5
    var image = Matrix<Double>.uniform(3, 4, in: 0.1...1, using: &rng)
    image[0, 0] = negativeCorner - 0.2  // A₁₁'s window {0, I₁₁, I₂₁}: all inputs negative, so its max is a padded 0
    image[1, 0] = negativeCorner
    let pooled = maxPool(image, window: (3, 2), pad: (1, 1), stride: (1, 2))
    let poolJacobian = FiniteDifferences.jacobian(at: image.storage) { v in maxPool(Matrix(rows: 3, cols: 4, storage: v), window: (3, 2), pad: (1, 1), stride: (1, 2)).map(\.value) }
    let rowSums = (0..<poolJacobian.rows).map { r in (0..<poolJacobian.cols).reduce(0) { $0 + poolJacobian[r, $1] } }
    let rowsHaveAtMostOne = rowSums.map { $0 < 0.5 ? 0 : 1.0 }
    // b-2.1 on every window index of a 3×2 window: c_b = ⌈i/h_l⌉, r_b = i − (c_b − 1) h_l against the column-major position.
    let hl = 3
    var truthRC: [Double] = []
    var ceilRC: [Double] = []
    var floorRC: [Double] = []
    for i in 1...6 {
      truthRC += [Double((i - 1) % hl + 1), Double((i - 1) / hl + 1)]
      let cc = (i + hl - 1) / hl
      let cf = i / hl
      ceilRC += [Double(i - (cc - 1) * hl), Double(cc)]
      floorRC += [Double(i - (cf - 1) * hl), Double(cf)]
    }
    // b-2.2 and the column j = (c_i − 1) h_i + r_i of the 1 in each row, against the Jacobian.
    var jPrinted: [Double] = []
    var jTruth: [Double] = []
    var windowColumns: [Double] = []
    for (n, m) in pooled.enumerated() where (0..<3).contains(m.row) && (0..<4).contains(m.col) {
      let p = n % 3 + 1
      let q = n / 3 + 1
      let topRow = 1 + 1 * (p - 1) - 1
      let topCol = 1 + 2 * (q - 1) - 1
      let rb = (m.index - 1) % hl + 1
      let cb = (m.index - 1) / hl + 1
      let ri = topRow + rb - 1
      let ci = topCol + cb - 1
      jPrinted.append(Double((ci - 1) * 3 + ri))
      jTruth.append(Double((0..<poolJacobian.cols).first { poolJacobian[n, $0] > 0.5 }.map { $0 + 1 } ?? 0))
      windowColumns.append(Double(m.col + 1))
    }
    // The example's A₂₁ = max{0, I₁₁, I₂₁, I₃₁} at window index 5 of vΩ = [0, 0, 0, I₁₁, I₂₁, I₃₁] when I₂₁ is the largest.
    let example = Matrix<Double>(rows: 3, cols: 4, storage: [0.2, 0.9, 0.4, 0.1, 0.3, 0.5, 0.6, 0.7, 0.2, 0.1, 0.3, 0.4])
    let exampleIndex = maxPool(example, window: (3, 2), pad: (1, 1), stride: (1, 2))[1].index
    // §3.1.5: dᵥZⱼ⁽²⁾/dᵥAᵢ⁽¹⁾ in the paper's network: A⁽¹⁾ 6×6 → conv 3×3 → Z⁽²⁾ 4×4 → 2×2 average pool → A⁽²⁾ 2×2.
    let a1Map = Tensor<Double>.uniform(Shape(6, 6), using: &rng)
    let k2 = Tensor<Double>.uniform(Shape(3, 3), using: &rng)
    let conv2Layer = Conv()
    let jacobianZA = try conv2Layer.jacobian(at: a1Map, Parameters(w: k2), wrt: .x)
    let a2 = try Pool(method: .avg, size: (2, 2), stride: (2, 2)).forward(try conv2Layer.forward(a1Map, Parameters(w: k2)), Parameters())
    // §3.2: ∇_b J printed as (dᵥZ⁽²⁾/dᵥb)ᵀ — for one channel the ones column 1_{(h_z w_z, 1)}ᵀ, against dJ/db of J = ⟨G, Z⟩.
    let g = Tensor<Double>.uniform(Shape(4, 4), using: &rng)
    let dJdb = FiniteDifferences.derivative(at: 0.3) { bias in
      let zz = try? conv2Layer.forward(a1Map, Parameters(w: k2, b: Tensor(shape: Shape(1, 1), storage: [bias])))
      return zip(g.storage, zz?.storage ?? []).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let printedGradient = Array(repeating: 1.0, count: 16)  // (dᵥZ/db)ᵀ = 1ᵀ, one entry per output pixel
    return [
      .fails(
        .vardhan, "App. A", "App. A (rep.2)", kind: .example, .garbled,
        "Z = A * β = [a₁₁β₂₂, a₁₂β₁₁ + a₁₃β₁₂ + a₂₂β₂₁ + a₂₃β₂₂, a₁₄β₁₁ + a₂₄β₂₁; a₂₁β₁₂ + a₃₁β₂₂, …; a₃₁β₁₂, a₃₂β₁₁ + a₃₃β₁₂, a₃₂β₁₁ + a₃₃β₁₂, a₃₄β₁₁]",
        printedReading: "the first two rows read as z's rows 1 and 2",
        intended: "the printed entries are z₁₁, z₂₂, z₂₃ and z's row 3; z₁₂ = a₁₂β₂₁ + a₁₃β₂₂, z₁₃ = a₁₄β₂₁, z₂₁ = a₁₁β₁₂ + a₂₁β₂₂ were lost",
        intendedReading: "the printed entries at their own positions in a 4×3 Z", against: "the padded correlation with loops (rep.1's windows)",
        printedValue: rep2Printed, intendedValue: rep2Printed, truth: zFirstRows, intendedTruth: rep2Positions,
        note:
          "a 4×3 Z printed with three rows, the last with four entries, and the next display repeating rows: the conversion's pattern. Its own z₃₂ (Vardhan (a1-2)) is right, so the source had the rows"
      ),
      .holds(
        .vardhan, "App. A", "App. A (Vardhan (a1-2))", kind: .example, "∂z₃₂/∂β₂₁ = ∂(a₂₂β₁₁ + a₂₃β₁₂ + a₃₂β₂₁ + a₃₃β₂₂)/∂β₂₁ = a₃₂",
        against: "central differences of the padded correlation, and the expansion of z₃₂", value: [a1(3, 2), z32], truth: [dz32dbeta21, z[2, 1]], tolerance: 1e-7),
      .holds(
        .vardhan, "App. A", "App. A (Vardhan (a2-2))", kind: .example, "∂z₃₂/∂A₂₃ = β₁₂", against: "central differences of the padded correlation",
        value: [b1(1, 2)], truth: [dz32dA23], tolerance: 1e-7, note: "the result; the expansion above it, printed with a₂₃A₁₂ for a₂₃β₁₂, is the claim App. A (Vardhan (a2-2), first line)"),
      .holds(
        .vardhan, "App. A", "App. A (Vardhan (a2-3))", kind: .example, "dZ/dA₂₃ = dA/dA₂₃ * β = [0 0 0 0; 0 0 1 0; 0 0 0 0] * β, with the same padding and stride",
        against: "column 8 of the central-difference Jacobian dᵥZ/dᵥA", value: maskA23.storage, truth: columnA23, tolerance: 1e-7),
      .fails(
        .vardhan, "App. A", "App. A (vec A)", kind: .example, .garbled, "ᵥA = [a₁₁ a₂₁ a₃₁ a₁₂ a₂₂ a₁₃ a₂₃ a₂₃ a₃₃ a₁₄ a₂₄ a₃₄]ᵀ",
        intended: "ᵥA = [a₁₁ a₂₁ a₃₁ a₁₂ a₂₂ a₃₂ a₁₃ a₂₃ a₃₃ a₁₄ a₂₄ a₃₄]ᵀ (columns stacked, §3.1)", against: "vec A, columns stacked (the paper's own definition in §3.1)",
        printedValue: vecAPrinted, intendedValue: vecAIntended, truth: columnsStacked,
        note: "a₃₂ is missing and a₂₃ doubled; ᵥZ beside it has 13 entries for a 4×3 Z with z₂₃ five times — the conversion's repeated-row pattern"),
      .holds(
        .vardhan, "App. B", "App. B (example size)", kind: .size, "(h_i, w_i) = (3, 4), (h_l, w_l) = (3, 2), padding (1, 1), stride (1, 2) → (h_a, w_a) = (3, 3)",
        against: "the number of windows of the padded 5×6 input", value: [3, 3], truth: [3, Double(pooled.count / 3)]),
      .holds(
        .vardhan, "App. B", "App. B (rep.3)", kind: .example,
        "A = [max{0, I₁₁, I₂₁}, max{0, I₁₂, I₂₂, I₁₃, I₂₃}, max{0, I₁₄, I₂₄}; max{0, I₁₁, I₂₁, I₃₁}, max{I₁₂, I₂₂, I₃₂, I₁₃, I₂₃, I₃₃}, …; max{0, I₂₁, I₃₁}, …]",
        against: "max pooling of the zero-padded input with loops", value: rep3(image), truth: pooled.map(\.value)),
      Claim(
        .vardhan, section: "App. B", location: "App. B (text after Vardhan (b-1))", kind: .prose,
        printed: "since A_pq = I_kl (for some k, l), each row of the matrix (in Vardhan (b-1)) has all of its entries equal to 0 except for one entry … which will be equal to 1",
        verdict: .wrong,
        intended: "a row has one 1 where the window's maximum is an input and none where it is a padded 0 (rep.1 pads with zeros); padding with −∞ (MatConvNet §4.3) makes the claim true",
        note: "with the paper's zero padding, a window whose inputs are all negative has the padded 0 as its maximum: A_pq is not any I_kl and its row of dᵥA/dᵥI is zero",
        readings: [
          Reading(
            "as printed: every row sums to 1", "Σ_j (dᵥA/dᵥI)_{row, j} = 1", against: "the row sums of the central-difference Jacobian (I₁₁, I₂₁ < 0)",
            value: Array(repeating: 1, count: rowSums.count), truth: rowSums, tolerance: 1e-6),
          Reading(
            "corrected: at most one 1 per row", "Σ_j (dᵥA/dᵥI)_{row, j} ∈ {0, 1}", against: "the row sums of the central-difference Jacobian",
            value: rowsHaveAtMostOne, truth: rowSums, tolerance: 1e-6),
        ]),
      .holds(
        .vardhan, "App. B", "App. B (example index)", kind: .example, "A₂₁ = max{0, a₁₁, a₂₁, a₃₁} = a₂₁ ⇒ i₂₁ = 5, the 5th entry of ᵥΩ = [0, 0, 0, a₁₁, a₂₁, a₃₁]ᵀ",
        against: "the column-major window index of the maximum (I₂₁ the largest)", value: [5], truth: [Double(exampleIndex)],
        note: "the index, 5, is right; the example writes a for App. B's I, a slip of the source judged at Vardhan App. B (ᵥΩ of A₂₁)"),
      .fails(
        .vardhan, "App. B", "App. B (Vardhan (b-2.1))", kind: .display, .garbled, "^{pq}c_b = [i_pq / h_l];  ^{pq}r_b = i_pq − (^{pq}c_b − 1) h_l",
        printedReading: "[·] read as the floor", intended: "^{pq}c_b = ⌈i_pq / h_l⌉", intendedReading: "[·] read as the ceiling ⌈·⌉",
        against: "(row, column) of window index i = 1 … 6 in a 3×2 window, columns stacked", printedValue: floorRC, intendedValue: ceilRC, truth: truthRC,
        note: "the paper's own example (i₂₁ = 5 → row 2, column 2 of a 3-row window) needs the ceiling; the converted brackets lost it"),
      .holds(
        .vardhan, "App. B", "App. B (Vardhan (b-2.2))", kind: .display, "top-left of A_pq's block: r = 1 + h_s(p − 1) − h_p, c = 1 + w_s(q − 1) − w_p; the 1 of row A_pq at j = (c_i − 1) h_i + r_i",
        against: "the column of the 1 in each row of the central-difference Jacobian", value: jPrinted, truth: jTruth, tolerance: 1e-9),
      Claim(
        .vardhan, section: "App. B", location: "App. B (index range after Vardhan (b-1))", kind: .indexRange, printed: "A_pq = I_kl for some 1 ≤ k ≤ h_i & 1 ≤ l ≤ w_l",
        verdict: .wrong, intended: "1 ≤ l ≤ w_i (a column of I, not of the window)",
        note: "w_l is the window's width (2 in the example), but A₁₃'s maximum can sit in I's column 4",
        readings: [
          Reading(
            "as printed: l ≤ w_l = 2", "column of each maximum ≤ 2", against: "the column in I of each window's maximum (capped at the bound)",
            value: windowColumns.map { min($0, 2) }, truth: windowColumns),
          Reading(
            "corrected: l ≤ w_i = 4", "column of each maximum ≤ 4", against: "the column in I of each window's maximum (capped at the bound)",
            value: windowColumns.map { min($0, 4) }, truth: windowColumns),
        ]),
      Claim(
        .vardhan, section: "App. B", location: "App. B (Ω)", kind: .size, printed: "Ω be a (h_l, w_l) dimensional pooling-window … Ω = [Ω₁₁ … Ω_{1w_a}; … ; Ω_{h_a 1} … Ω_{h_a w_a}]",
        verdict: .wrong, intended: "Ω = [Ω₁₁ … Ω_{1w_l}; … ; Ω_{h_l 1} … Ω_{h_l w_l}] (h_l × w_l, as the text after rep.3 says)",
        note: "the displayed matrix has A's size h_a × w_a; in the example that is 3×3 for a 3×2 window",
        readings: [
          Reading("the display: h_a × w_a", "size of Ω", against: "the window of the example, 3 × 2", value: [3, 3], truth: [3, 2]),
          Reading("the sentence: h_l × w_l", "size of Ω", against: "the window of the example, 3 × 2", value: [3, 2], truth: [3, 2]),
        ]),
      Claim(
        .vardhan, section: "§3.1.5", location: "§3.1.5 (size of dᵥZⱼ/dᵥAᵢ)", kind: .size,
        printed: "Extending the above derivative w.r.t. all the entries of A_i^{[1]} results in a h_z^{[2]}w_z^{[2]} × h_a^{[2]}w_a^{[2]} dimensional matrix … dᵥZ_j^{[2]}/dᵥA_i^{[2]}",
        verdict: .wrong, intended: "h_z^{[2]}w_z^{[2]} × h_a^{[1]}w_a^{[1]}: the derivative is with respect to A^{[1]}, the layer-2 convolution's input",
        note: "A^{[2]} is layer 2's pooled output; in a network with A⁽¹⁾ 6×6, a 3×3 kernel and 2×2 pooling it is 2×2 while A⁽¹⁾ is 6×6",
        readings: [
          Reading(
            "as printed: columns h_a^{[2]} w_a^{[2]}", "rows × columns", against: "the conv block's explicit Jacobian dᵥZ⁽²⁾/dᵥA⁽¹⁾",
            value: [16, Double(a2.count)], truth: [Double(jacobianZA.rows), Double(jacobianZA.cols)]),
          Reading(
            "corrected: columns h_a^{[1]} w_a^{[1]}", "rows × columns", against: "the conv block's explicit Jacobian dᵥZ⁽²⁾/dᵥA⁽¹⁾",
            value: [16, 36], truth: [Double(jacobianZA.rows), Double(jacobianZA.cols)]),
        ]),
      .fails(
        .vardhan, "§3.2", "§3.2 (∇_b J)", kind: .display, .wrong, "∇_{b^{[l]}} J = (dᵥZ^{[2]}/dᵥb^{[l]})ᵀ",
        printedReading: "as printed: the transposed Jacobian of Z in b", intended: "∇_{b^{[l]}} J = (dJ/db^{[l]})ᵀ = (dJ/dᵥZ 1)ᵀ (§3.1.5)",
        against: "central differences of J = ⟨G, Z⟩ in b (one channel, 16 output pixels)",
        printedValue: printedGradient, intendedValue: [zip(g.storage, Array(repeating: 1.0, count: 16)).reduce(0) { $0 + $1.0 * $1.1 }],
        truth: Array(repeating: dJdb, count: 16), intendedTruth: [dJdb], tolerance: 1e-6,
        note: "the printed form is the Jacobian of Z, not of J: a 0/1 matrix the size of Z, where ∇_b J has one entry per channel; its line above has ∇_K J = (dJ/dK)ᵀ right"),
    ]
  }

  /// rep.3 of App. B as printed: the nine maxima over the listed sets (with the zeros of the padding).
  static func rep3(_ i: Matrix<Double>) -> [Double] {
    let x = { (r: Int, c: Int) in i[r - 1, c - 1] }
    // Column-major, as the pooled values: A₁₁, A₂₁, A₃₁, A₁₂, …
    return [
      [0, x(1, 1), x(2, 1)].max() ?? 0, [0, x(1, 1), x(2, 1), x(3, 1)].max() ?? 0, [0, x(2, 1), x(3, 1)].max() ?? 0,
      [0, x(1, 2), x(2, 2), x(1, 3), x(2, 3)].max() ?? 0, [x(1, 2), x(2, 2), x(3, 2), x(1, 3), x(2, 3), x(3, 3)].max() ?? 0,
      [0, x(2, 2), x(2, 3), x(3, 2), x(3, 3), x(3, 3)].max() ?? 0,
      [0, x(1, 4), x(2, 4)].max() ?? 0, [0, x(1, 4), x(2, 4), x(3, 4)].max() ?? 0, [0, x(2, 4), x(3, 4)].max() ?? 0,
    ]
  }
}
