import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Vardhan's claims outside the step-by-step derivations.
enum VardhanClaims {
  static func claims(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    // App. A: a 3×4 input, a 2×2 kernel, padding (1, 1), stride (1, 2).
    let a = Tensor<Double>.uniform(Shape(3, 4), using: &rng)
    let k = Tensor<Double>.uniform(Shape(2, 2), using: &rng)
    let conv = Conv(pad: [1, 1, 1, 1], stride: (1, 2))
    let z = try conv.forward(a, Parameters(w: k))
    // The size formula, §2 and App. B: h_z = ⌊(h_a + 2h_p − h_k)/h_s + 1⌋, on sizes where the stride does not divide.
    var sizeAbsolute: [Double] = []
    var sizeFloor: [Double] = []
    var sizeBlock: [Double] = []
    for (ha, hk, hp, hs) in [(3, 2, 1, 1), (4, 2, 1, 2), (5, 2, 1, 2), (7, 3, 0, 2), (6, 3, 1, 4)] {
      sizeAbsolute.append(abs(Double(ha + 2 * hp - hk) / Double(hs) + 1))
      sizeFloor.append(Double((ha + 2 * hp - hk) / hs + 1))
      let out = try Conv(pad: [hp, hp, hp, hp], stride: (hs, hs)).outputShape(Shape(ha, ha), Parameters(w: Tensor<Double>(shape: Shape(hk, hk))))
      sizeBlock.append(Double(out.h))
    }
    _ = z
    // dᵥZ/dᵥK column by column: column (p, q) is vec of Z for the kernel with a single 1 at (p, q).
    var columns: [Double] = []
    for e in 0..<4 {
      var unit = Tensor<Double>(shape: k.shape)
      unit.storage[e] = 1
      columns += try conv.forward(a, Parameters(w: unit)).storage
    }
    let jk = try conv.jacobian(at: a, Parameters(w: k), wrt: .w)
    let fdK = try FiniteDifferences.jacobian(at: k.storage) { try conv.forward(a, Parameters(w: Tensor(shape: k.shape, storage: $0))).storage }
    var colsA: [Double] = []
    for e in 0..<12 {
      var unit = Tensor<Double>(shape: a.shape)
      unit.storage[e] = 1
      colsA += try conv.forward(unit, Parameters(w: k)).storage
    }
    let fdA = try FiniteDifferences.jacobian(at: a.storage) { try conv.forward(Tensor(shape: a.shape, storage: $0), Parameters(w: k)).storage }
    // The trace trick: for J = tr(A X), dJ = tr(A dX), so dJ/dX = A in numerator layout (the
    // gradient, shaped like X, is Aᵀ).
    let am = Matrix<Double>.uniform(3, 2, using: &rng)
    let xm = Matrix<Double>.uniform(2, 3, using: &rng)
    let trace = { (x: [Double]) in Audit.trace(Matrix(rows: 3, cols: 2, storage: am.storage) * Matrix(rows: 2, cols: 3, storage: x)) }
    let grad = FiniteDifferences.jacobian(at: xm.storage) { [trace($0)] }
    // §3.1.4: dJ/dᵥZ = dJ/dᵥI · dᵥI/dᵥZ, the activation's Jacobian diagonal (sigmoid), one channel.
    let zMap = Tensor<Double>.uniform(Shape(3, 3), using: &rng)
    let g = Matrix<Double>.uniform(1, 9, using: &rng)
    let activation = try Sigmoid().jacobian(at: zMap, Parameters(), wrt: .x)
    let viaJacobian = (g * activation).storage
    let fdZ = try FiniteDifferences.vjp(at: zMap.storage, cotangent: g.storage) { try Sigmoid().forward(Tensor(shape: zMap.shape, storage: $0), Parameters()).storage }
    // §3.1.6: layer 1 repeats §3.1.3–3.1.5: dJ/dᵥK¹ = dJ/dᵥA¹ · dᵥA¹/dᵥI¹ · dᵥI¹/dᵥZ¹ · dᵥZ¹/dᵥK¹ (conv → sigmoid → 2×2 average pool).
    let a0 = Tensor<Double>.uniform(Shape(5, 5), using: &rng)
    let k1 = Tensor<Double>.uniform(Shape(2, 2), using: &rng)
    let conv1 = Conv()
    let pool1 = Pool(method: .avg, size: (2, 2), stride: (2, 2))
    let z1 = try conv1.forward(a0, Parameters(w: k1))
    let i1 = try Sigmoid().forward(z1, Parameters())
    let a1 = try pool1.forward(i1, Parameters())
    let gA = Matrix<Double>.uniform(1, a1.count, using: &rng)
    let chainK = gA * (try pool1.jacobian(at: i1, Parameters(), wrt: .x)) * (try Sigmoid().jacobian(at: z1, Parameters(), wrt: .x)) * (try conv1.jacobian(at: a0, Parameters(w: k1), wrt: .w))
    let fdK1 = try FiniteDifferences.vjp(at: k1.storage, cotangent: [1]) { k in
      let out = try pool1.forward(try Sigmoid().forward(try conv1.forward(a0, Parameters(w: Tensor(shape: k1.shape, storage: k))), Parameters()), Parameters())
      return [zip(gA.storage, out.storage).reduce(0) { $0 + $1.0 * $1.1 }]
    }
    let claims: [Claim] = [
      .fails(
        .vardhan, "§2", "§2, text after the forward equations", kind: .display, .garbled, "h_z = |(h_a + 2h_p − h_k)/h_s + 1|;  w_z = |(w_a + 2w_p − w_k)/w_s + 1|",
        printedReading: "|·| read as the absolute value", intended: "h_z = ⌊(h_a + 2h_p − h_k)/h_s + 1⌋ (App. A: 3×4, 2×2, pad (1,1), stride (1,2) → 4×3)",
        intendedReading: "|·| read as the floor ⌊·⌋", against: "the conv block's output size on sizes where h_s does not divide",
        printedValue: sizeAbsolute, intendedValue: sizeFloor, truth: sizeBlock,
        note: "an absolute value of a positive quantity changes nothing and gives sizes like 3.5; App. A's 4×3 and App. B's 3×3 are floors. The same bars stand in App. B"),
      Audit.entry(
        .vardhan, "§3.1.5, App. A", "dᵥZ/dᵥK: column (p,q) = vec(A * K with a 1 at (p,q))", against: "central differences",
        printed: (columns, fdK.storage), tolerance: 1e-6),
      Audit.entry(
        .vardhan, "§3.1.5, App. A", "dᵥZ/dᵥA: column (p,q) = vec(dA/dA_pq * K)", against: "central differences",
        printed: (colsA, fdA.storage), tolerance: 1e-6),
      Audit.entry(
        .vardhan, "§3.1.5", "the column-by-column dᵥZ/dᵥK equals the im2row form (I ⊗ φ(A)) (MatConvNet §6.1)", against: "the conv block's explicit Jacobian",
        printed: (columns, jk.storage)),
      Audit.entry(
        .vardhan, "§3.1.4", "dJ/dᵥZ_j = dJ/dᵥI_j · dᵥI_j/dᵥZ_j with dᵥI/dᵥZ = diag(f′(ᵥZ)) (sigmoid)", against: "central differences",
        printed: (viaJacobian, fdZ), tolerance: 1e-6),
      Audit.entry(
        .vardhan, "§3.1.6", "dJ/dᵥK¹ = dJ/dᵥA¹ · dᵥA¹/dᵥI¹ · dᵥI¹/dᵥZ¹ · dᵥZ¹/dᵥK¹ (layer 1: average pool, sigmoid, conv)", against: "central differences of J",
        printed: (chainK.storage, fdK1), tolerance: 1e-6),
      Audit.entry(
        .vardhan, "§3.1 (trace trick)", "J = tr(A X) ⇒ dJ = tr(A dX) ⇒ dJ/dX = A (numerator layout; the gradient shaped like X is Aᵀ)",
        against: "central differences of tr(A X)", printed: (am.transposed.storage, grad.storage), tolerance: 1e-6),
    ]
    return claims + (try appendices(seed: seed)) + (try sizes(seed: seed)) + (try sections(seed: seed)) + (try forward(seed: seed)) + (try referee(seed: seed))
  }
}
