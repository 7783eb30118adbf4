import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Vardhan's stated sizes and shared-Jacobian claims in §3.1.3–§3.1.5, and App. B's size formula.
extension VardhanClaims {
  static func sizes(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    // §3.1.3: average pooling as I * P with P = 1/(h_l w_l); dᵥA/dᵥI is h_a w_a × h_z w_z.
    let i2 = Tensor<Double>.uniform(Shape(4, 6), using: &rng)
    let pool = Pool(method: .avg, size: (2, 2), stride: (2, 2))
    let pooled = try pool.forward(i2, Parameters())
    let viaP = VardhanClaims.correlate(Matrix(rows: 4, cols: 6, storage: i2.storage), Matrix(rows: 2, cols: 2, repeating: 0.25), pad: (0, 0), stride: (2, 2))
    let poolJacobian = try pool.jacobian(at: i2, Parameters(), wrt: .x)
    // §3.1.5: dᵥZⱼ/dᵥK_{j,i} is h_z w_z × h_k w_k and the same for every kernel j, so
    // dJ/dᵥK_{:,i} = dJ/dᵥZ · dᵥZⱼ/dᵥK_{j,i} gives every kernel's gradient at once.
    let a1 = Tensor<Double>.uniform(Shape(5, 5), using: &rng)
    let k = Tensor<Double>.uniform(Shape(3, 3, 1, 2), using: &rng)
    let g = Tensor<Double>.uniform(Shape(3, 3, 2), using: &rng)
    let single = try Conv().jacobian(at: a1, Parameters(w: Tensor<Double>.uniform(Shape(3, 3), using: &rng)), wrt: .w)
    let dJdZ = Matrix<Double>(rows: 2, cols: 9) { j, p in g.storage[j * 9 + p] }
    let shared = dJdZ * single
    let fdK = try FiniteDifferences.vjp(at: k.storage, cotangent: [1]) { w in
      [zip(g.storage, try Conv().forward(a1, Parameters(w: Tensor(shape: k.shape, storage: w))).storage).reduce(0) { $0 + $1.0 * $1.1 }]
    }
    // Kernel j's gradient is row j of the product: vec order (p, q) within a kernel, kernels last.
    let fdRows = Matrix<Double>(rows: 2, cols: 9) { j, p in fdK[j * 9 + p] }
    // §3.1.5: "depends only on the entries of i-th channel of A^{[2]}": with K⁽²⁾ = 0 every A⁽¹⁾ gives the same
    // Z⁽²⁾ = b, hence the same A⁽²⁾, yet dᵥZ/dᵥK is φ(A⁽¹⁾) and changes with A⁽¹⁾.
    let zeroK = Tensor<Double>(shape: Shape(3, 3))
    let otherK = Tensor<Double>.uniform(Shape(3, 3), using: &rng)
    let a1b = Tensor<Double>.uniform(Shape(5, 5), using: &rng)
    let jAtA1 = try Conv().jacobian(at: a1, Parameters(w: zeroK), wrt: .w)
    let jAtA1b = try Conv().jacobian(at: a1b, Parameters(w: zeroK), wrt: .w)
    let jAtA1OtherK = try Conv().jacobian(at: a1, Parameters(w: otherK), wrt: .w)
    let a2First = try Pool(method: .avg, size: (3, 3)).forward(try Sigmoid().forward(try Conv().forward(a1, Parameters(w: zeroK)), Parameters()), Parameters())
    let a2Second = try Pool(method: .avg, size: (3, 3)).forward(try Sigmoid().forward(try Conv().forward(a1b, Parameters(w: zeroK)), Parameters()), Parameters())
    // App. B's size formula, |·| as converted.
    var absolute: [Double] = []
    var floored: [Double] = []
    var blockSizes: [Double] = []
    for (hi, hl, hp, hs) in [(3, 3, 1, 1), (4, 2, 1, 2), (7, 2, 0, 2), (8, 3, 1, 3)] {
      absolute.append(abs(Double(hi + 2 * hp - hl) / Double(hs) + 1))
      floored.append(Double((hi + 2 * hp - hl) / hs + 1))
      blockSizes.append(Double(try Pool(size: (hl, hl), pad: [hp, hp, hp, hp], stride: (hs, hs)).outputShape(Shape(hi, hi), Parameters<Double>()).h))
    }
    return [
      .holds(
        .vardhan, "§3.1.3", "§3.1.3 (average pooling)", kind: .display, "A_j = I_j * P, P an h_l × w_l matrix with all entries 1/(h_l w_l), with the pooling's padding and stride",
        against: "the avg pool block (2×2, stride 2)", value: viaP.storage, truth: pooled.storage),
      .holds(
        .vardhan, "§3.1.3", "§3.1.3 (size of dᵥA/dᵥI)", kind: .size, "dᵥA_j/dᵥI_j is an h_a w_a × h_z w_z dimensional matrix",
        against: "the avg pool block's explicit Jacobian (I 4×6 → A 2×3)", value: [6, 24], truth: [Double(poolJacobian.rows), Double(poolJacobian.cols)]),
      .holds(
        .vardhan, "§3.1.5", "§3.1.5 (size of dᵥZⱼ/dᵥK)", kind: .size, "dᵥZ_j/dᵥK_{j,i} is an h_z w_z × h_k w_k dimensional matrix, the same for every kernel j",
        against: "the conv block's explicit Jacobian in the filter (A 5×5, K 3×3)", value: [9, 9], truth: [Double(single.rows), Double(single.cols)]),
      .holds(
        .vardhan, "§3.1.5", "§3.1.5 (all kernels at once)", kind: .display, "dJ/dᵥK_{:,i} = dJ/dᵥZ · dᵥZ/dᵥK_{j,i} for any 1 ≤ j ≤ c",
        against: "central differences of J = ⟨G, Z⟩ in both kernels (row j = kernel j)", value: shared.storage, truth: fdRows.storage, tolerance: 1e-6),
      Claim(
        .vardhan, section: "§3.1.5", location: "§3.1.5 (what dᵥZ/dᵥK depends on)", kind: .prose,
        printed: "the derivative is independent of the values of the entries of K_{j,i}^{[2]} and depends only on the entries of i-th channel of A^{[2]}",
        verdict: .wrong, intended: "… depends only on the entries of the i-th channel of A^{[1]}, the layer-2 convolution's input (it is φ(A_i^{[1]}))",
        note: "with K⁽²⁾ = 0 two different A⁽¹⁾ give the same A⁽²⁾ but different Jacobians; the independence of K holds",
        readings: [
          Reading(
            "as printed: a function of A^{[2]}", "dᵥZ/dᵥK at two A⁽¹⁾ with equal A⁽²⁾", against: "the conv block's explicit Jacobians",
            Comparison(jAtA1.storage + a2First.storage, jAtA1b.storage + a2Second.storage)),
          Reading(
            "corrected: a function of A^{[1]} (not of K)", "dᵥZ/dᵥK at one A⁽¹⁾ with two kernels", against: "the conv block's explicit Jacobians",
            Comparison(jAtA1.storage, jAtA1OtherK.storage)),
        ]),
      .fails(
        .vardhan, "App. B", "App. B (size formula)", kind: .display, .garbled, "h_a = |(h_i + 2 × ˡh_p − h_l)/ˡh_s + 1|;  w_a = |(w_i + 2 × ˡw_p − w_l)/ˡw_s + 1|",
        printedReading: "|·| read as the absolute value", intended: "h_a = ⌊(h_i + 2 ˡh_p − h_l)/ˡh_s⌋ + 1", intendedReading: "|·| read as the floor ⌊·⌋",
        against: "the max pool block's output height (padding counted as in rep.1)", printedValue: absolute, intendedValue: floored, truth: blockSizes,
        note: "as in §2: the example's (3, 3) is a floor; the bars are the conversion's"),
    ]
  }
}
