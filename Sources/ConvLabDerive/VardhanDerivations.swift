import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Vardhan, "Matrix calculus for a 3-layer CNN": numerator layout, the trace trick, the
/// dense-layer and pooling Jacobians, the conv Jacobians of Appendix A and the max-pool mask
/// of Appendix B, each built as the paper builds it and checked numerically.
enum VardhanDerivations {
  static let all: [(id: String, title: String, reference: String, build: Derivations.Builder)] = [
    ("vardhan-trace", "The trace trick: dJ = tr(A dX) ⇒ dJ/dX = A", "Vardhan §3.1", trace),
    ("vardhan-dense", "dJ/dW³, dJ/db³, dJ/dB² and the reshape to dJ/dᵥA²", "Vardhan §3.1.1–3.1.2", dense),
    ("vardhan-pooling", "Average- and max-pool Jacobians (the App. B mask)", "Vardhan §3.1.3, App. B", pooling),
    ("vardhan-conv", "Conv Jacobians dᵥZ/dᵥK and dᵥZ/dᵥA, column by column (App. A)", "Vardhan §3.1.5, App. A", conv),
    ("vardhan-layout", "Jacobian or gradient? Numerator layout", "Vardhan §3.2", layout),
  ]

  // MARK: §3.1

  static func trace(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let n = instance.size ?? 3
    guard n >= 1, n <= 12 else { throw ConvLabError.outOfRange(subject: "vardhan-trace", setting: "size", value: "\(n)", allowed: "between 1 and 12") }
    let c = Matrix<Double>.uniform(2, n, using: &rng)
    let b = Matrix<Double>.uniform(n, 2, using: &rng)
    let x = Matrix<Double>.uniform(n, n, using: &rng)
    let dx = Matrix<Double>.uniform(n, n, using: &rng)
    func j(_ x: Matrix<Double>) -> Double { Audit.trace(c * x * b) }
    let a = b * c
    let predicted = Audit.trace(a * dx)
    let directional = FiniteDifferences.derivative(at: 0) { t in j(x + t * dx) }
    let gradient = Support.gradient(at: x, j)
    return Derivation(
      id: "vardhan-trace", title: "The trace trick", reference: "Vardhan §3.1",
      steps: [
        DerivationStep(
          "J = tr(C X B) = \(MatrixFormat.number(j(x)))   (C 2×\(n), X \(n)×\(n), B \(n)×2)", "A scalar equals its own trace, so J may be written as one.",
          matrices: [("C", c), ("X", x), ("B", b)]),
        DerivationStep("dJ = tr(C dX B) = tr(B C dX)   (cyclic property)", "Rotating the factors moves dX to the end: the form tr(A dX) with A = B C.", matrices: [("A = BC", a)]),
        DerivationStep(
          "tr(A dX) for a random direction dX", "The differential predicts the change of J along dX.",
          check: .holds(Support.column([predicted]), Support.column([directional]), against: "central differences of J along dX", tolerance: 1e-8)),
        DerivationStep("dJ/dX = A   (numerator layout: the shape of Xᵀ)", "In numerator layout the derivative of a scalar by a matrix is A itself."),
        DerivationStep(
          "∇_X J = Aᵀ", "The gradient (shaped like X) is its transpose.",
          check: .holds(a.transposed, gradient, against: "central differences of J", tolerance: 1e-8)),
      ])
  }

  // MARK: §3.1.1–3.1.2

  static func dense(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 2
    let channels = 2
    let outputs = 3
    guard side >= 1, side <= 6 else { throw ConvLabError.outOfRange(subject: "vardhan-dense", setting: "size", value: "\(side)", allowed: "between 1 and 6") }
    let a2 = (0..<channels).map { _ in Matrix<Double>.uniform(side, side, using: &rng) }
    let bVec = Matrix(rows: side * side * channels, cols: 1, storage: a2.flatMap(\.storage))  // B² = [vec A₁; vec A₂]
    let w3 = Matrix<Double>.uniform(bVec.rows, outputs, using: &rng)
    let b3 = Matrix<Double>.uniform(outputs, 1, using: &rng)
    let y = Matrix(rows: outputs, cols: 1, storage: (0..<outputs).map { Double($0 % 2) })
    func cost(w: Matrix<Double>, bias: Matrix<Double>, input: Matrix<Double>) -> Double {
      Support.crossEntropy(y, Support.map(w.transposed * input + bias, Support.sigmoid))
    }
    let z3 = w3.transposed * bVec + b3
    let a3 = Support.map(z3, Support.sigmoid)
    let dJdZ = (a3 - y).transposed  // 1 × n, a row (numerator layout)
    let dJdW = dJdZ.transposed * bVec.transposed
    let dJdB = dJdZ * w3.transposed
    let reshaped = Matrix(rows: channels, cols: side * side) { ch, k in dJdB[0, ch * side * side + k] }
    let gradW = Support.gradient(at: w3) { cost(w: $0, bias: b3, input: bVec) }
    let gradb = Support.gradient(at: b3) { cost(w: w3, bias: $0, input: bVec) }
    let gradB = Support.gradient(at: bVec) { cost(w: w3, bias: b3, input: $0) }
    let gradZ = Support.gradient(at: z3) { Support.crossEntropy(y, Support.map($0, Support.sigmoid)) }
    let perChannel = Matrix(rows: channels, cols: side * side) { ch, k in gradB[ch * side * side + k, 0] }
    return Derivation(
      id: "vardhan-dense", title: "The fully-connected layer", reference: "Vardhan §3.1.1–3.1.2",
      steps: [
        DerivationStep(
          "B² = [vec A₁²; vec A₂²],  Z³ = (W³)ᵀ B² + b³,  A³ = σ(Z³)", "Layer 2's \(channels) pooled maps are flattened channel after channel and fed to the dense layer.",
          matrices: [("B2", bVec), ("A3", a3)]),
        DerivationStep(
          "dJ/dZ³ = (A³ − y)ᵀ   (cross-entropy with a sigmoid; a 1 × \(outputs) row)", "Numerator layout makes the derivative of a scalar by a column vector a row.",
          matrices: [("dJ/dZ3", dJdZ)], check: .holds(dJdZ, gradZ.transposed, against: "central differences of J", tolerance: 1e-6)),
        DerivationStep(
          "dJ = tr(dJ/dZ³ d(W³)ᵀ B²) = tr((dJ/dZ³)ᵀ (B²)ᵀ dW³)  ⇒  dJ/dW³ = (dJ/dZ³)ᵀ (B²)ᵀ", "The trace trick, with the transpose and the cycle moving dW³ last.",
          matrices: [("dJ/dW3", dJdW)], check: .holds(dJdW.transposed, gradW, against: "central differences of J (transposed: numerator layout)", tolerance: 1e-6)),
        DerivationStep("dJ/db³ = dJ/dZ³", "The bias enters Z³ with the identity.", check: .holds(dJdZ, gradb.transposed, against: "central differences of J", tolerance: 1e-6)),
        DerivationStep(
          "dJ/dB² = dJ/dZ³ (W³)ᵀ", "The error sent back to the flattened maps.", matrices: [("dJ/dB2", dJdB)],
          check: .holds(dJdB, gradB.transposed, against: "central differences of J", tolerance: 1e-6)),
        DerivationStep(
          "dJ/dᵥA² = reshape(dJ/dB²) to \(channels) × \(side * side): row j = dJ/d vec A_j²   (§3.1.2, Fig. 2)", "Each row holds one channel's derivatives in vec order.",
          matrices: [("dJ/d_vA2", reshaped)], check: .holds(reshaped, perChannel, against: "central differences of J, channel by channel", tolerance: 1e-6)),
      ])
  }

  // MARK: §3.1.3 and App. B

  static func pooling(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 4
    guard side >= 2, side <= 8, side % 2 == 0 else { throw ConvLabError.outOfRange(subject: "vardhan-pooling", setting: "size", value: "\(side)", allowed: "even, between 2 and 8") }
    let input = Support.distinct(side, side, &rng)
    let x = Support.tensor(input)
    let out = side / 2
    // Average: column (p,q) of dᵥA/dᵥI is vec(dI/dI_pq * P) with P = 1/4 everywhere, stride 2.
    let p = Matrix<Double>(rows: 2, cols: 2, repeating: 0.25)
    var averaging = Matrix<Double>(rows: out * out, cols: side * side)
    for col in 0..<side * side {
      var unit = Matrix<Double>(rows: side, cols: side)
      unit.storage[col] = 1
      let full = xcorr2(unit, p)
      for c in 0..<out { for r in 0..<out { averaging[c * out + r, col] = full[2 * r, 2 * c] } }
    }
    // App. B: the row of output A_pq has a single 1, at the switch of its window.
    var mask = Matrix<Double>(rows: out * out, cols: side * side)
    for c in 0..<out {
      for r in 0..<out {
        var best = (value: -Double.infinity, index: 0)
        for b in 0..<2 { for a in 0..<2 where input[2 * r + a, 2 * c + b] > best.value { best = (input[2 * r + a, 2 * c + b], (2 * c + b) * side + 2 * r + a) } }
        mask[c * out + r, best.index] = 1
      }
    }
    let avgBlock = try Pool(method: .avg, size: (2, 2), stride: (2, 2)).jacobian(at: x, Parameters(), wrt: .x)
    let maxBlock = try Pool(method: .max, size: (2, 2), stride: (2, 2)).jacobian(at: x, Parameters(), wrt: .x)
    let avgFD = try Support.jacobian(at: input) { m in vec(try average(m, 2)) }
    let maxFD = Support.jacobian(at: input) { m in vec(Support.maxPool(m, 2)) }
    return Derivation(
      id: "vardhan-pooling", title: "Pooling Jacobians", reference: "Vardhan §3.1.3, App. B",
      steps: [
        DerivationStep("I (\(side)×\(side), distinct values), 2×2 windows, stride 2", "The input of a pooling layer; no ties, so every window has one maximum.", matrices: [("I", input)]),
        DerivationStep(
          "A = I * P,  P = ¼ 1₂ₓ₂ (stride 2): dᵥA/dI_pq = vec(dI/dI_pq * P)   (§3.1.3)",
          "Average pooling is a convolution with a constant kernel; each column of its Jacobian convolves a unit matrix.",
          matrices: [("d_vA/d_vI (average)", averaging)], check: .holds(averaging, avgBlock, against: "the pool block's Jacobian (MatConvNet §6.3)")),
        DerivationStep(
          "the same against central differences", "Average pooling is linear: the differences are exact up to rounding.",
          check: .holds(averaging, avgFD, against: "central differences", tolerance: 1e-8)),
        DerivationStep(
          "mask: row A_pq has one 1, at the switch (argmax) of its window   (App. B, Vardhan (b-1)–(b-2.3))", "Max pooling's Jacobian selects: the derivative flows only to each window's winner.",
          matrices: [("d_vA/d_vI (max)", mask)], check: .holds(mask, maxBlock, against: "the pool block's Jacobian")),
        DerivationStep(
          "the mask against central differences", "Away from ties max pooling is locally linear, so the differences recover the mask.",
          check: .holds(mask, maxFD, against: "central differences", tolerance: 1e-8)),
      ])
  }

  // MARK: §3.1.5 and App. A

  static func conv(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let a = Matrix<Double>.uniform(3, 4, using: &rng)
    let k = Matrix<Double>.uniform(2, 2, using: &rng)
    let block = Conv(pad: [1, 1, 1, 1], stride: (1, 2))
    let forward = { (a: Matrix<Double>, k: Matrix<Double>) throws -> Matrix<Double> in
      try block.forward(Support.tensor(a), Parameters(w: Support.tensor(k))).channel(0)
    }
    let z = try forward(a, k)
    // Column pq of a Jacobian of a linear map: the map applied to the unit matrix E_pq (App. A).
    func columns(_ count: Int, rows: Int, cols: Int, _ apply: (Matrix<Double>) throws -> Matrix<Double>) rethrows -> Matrix<Double> {
      var jacobian = Matrix<Double>(rows: z.count, cols: count)
      for col in 0..<count {
        var unit = Matrix<Double>(rows: rows, cols: cols)
        unit.storage[col] = 1
        let column = try apply(unit)
        for r in 0..<z.count { jacobian[r, col] = column.storage[r] }
      }
      return jacobian
    }
    let dzdk = try columns(k.count, rows: 2, cols: 2) { try forward(a, $0) }  // vec(A * E_pq)
    let dzda = try columns(a.count, rows: 3, cols: 4) { try forward($0, k) }  // vec(E_pq * K)
    let fdK = try Support.jacobian(at: k) { try vec(forward(a, $0)) }
    let fdA = try Support.jacobian(at: a) { try vec(forward($0, k)) }
    let blockK = try block.jacobian(at: Support.tensor(a), Parameters(w: Support.tensor(k)), wrt: .w)
    let dJdZ = Matrix<Double>.uniform(1, z.count, using: &rng)
    let chained = dJdZ * dzdk
    let backprop = try block.backward(Support.tensor(a), Parameters(w: Support.tensor(k)), Tensor(shape: Shape(z.rows, z.cols), storage: dJdZ.storage)).dzdw
    return Derivation(
      id: "vardhan-conv", title: "Conv Jacobians, column by column", reference: "Vardhan §3.1.5, App. A",
      steps: [
        DerivationStep(
          "A (3×4), K (2×2), padding (1,1), stride (1,2)  ⇒  Z = A * K is \(z.rows)×\(z.cols)   (App. A)", "The appendix's example with random numbers.",
          matrices: [("A", a), ("K", k), ("Z", z)]),
        DerivationStep(
          "dZ/dK_pq = A * dK/dK_pq  ⇒  column pq of dᵥZ/dᵥK = vec(A * E_pq)", "Differentiating a linear map in K: convolve A with the unit kernel E_pq.",
          matrices: [("d_vZ/d_vK", dzdk)], check: .holds(dzdk, fdK, against: "central differences", tolerance: 1e-8)),
        DerivationStep("the same against the conv block's literal Jacobian (MatConvNet §6.1: (I ⊗ φ(x)))", "Two constructions agree.", check: .holds(dzdk, blockK, against: "the conv block")),
        DerivationStep(
          "dZ/dA_pq = dA/dA_pq * K  ⇒  column pq of dᵥZ/dᵥA = vec(E_pq * K)", "Likewise in A: a unit image convolved with K shows where A_pq lands.",
          matrices: [("d_vZ/d_vA", dzda)], check: .holds(dzda, fdA, against: "central differences", tolerance: 1e-8)),
        DerivationStep(
          "dJ/dᵥK = dJ/dᵥZ · dᵥZ/dᵥK   (a row times the Jacobian)", "The chain rule in numerator layout is a product from the left.",
          matrices: [("dJ/d_vK", chained)],
          check: .holds(chained, Matrix(rows: 1, cols: k.count, storage: backprop?.storage ?? []), against: "the conv block's backward pass")),
      ])
  }

  // MARK: §3.2

  static func layout(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let n = instance.size ?? 3
    guard n >= 2, n <= 10 else { throw ConvLabError.outOfRange(subject: "vardhan-layout", setting: "size", value: "\(n)", allowed: "between 2 and 10") }
    let w = Matrix<Double>.uniform(2, n, using: &rng)
    let x = Matrix<Double>.uniform(n, 1, using: &rng)
    let f = { (x: Matrix<Double>) in Support.map(w * x, tanh) }
    let jac = try hadamard(Matrix(rows: 2, cols: n) { r, _ in 1 - pow(tanh((w * x)[r, 0]), 2) }, w)
    let fdJ = Support.jacobian(at: x, f)
    let g = Matrix<Double>.uniform(2, 1, using: &rng)
    let scalar = { (x: Matrix<Double>) in Support.inner(g, f(x)) }
    let gradient = Support.gradient(at: x, scalar)
    return Derivation(
      id: "vardhan-layout", title: "Jacobian or gradient?", reference: "Vardhan §3.2",
      steps: [
        DerivationStep("y = tanh(W x),  W 2×\(n),  x ∈ R^\(n)", "A vector function of a vector.", matrices: [("W", w), ("x", x)]),
        DerivationStep(
          "dy/dx = diag(1 − y²) W   (2 × \(n): rows follow y, columns follow x — numerator layout)", "The Jacobian has one row per output.",
          matrices: [("dy/dx", jac)], check: .holds(jac, fdJ, against: "central differences", tolerance: 1e-8)),
        DerivationStep(
          "J = gᵀ y:  dJ/dx = gᵀ dy/dx (1 × \(n) row),  ∇ₓJ = (dJ/dx)ᵀ (\(n) × 1, shaped like x)",
          "The derivative of a scalar is a row; the gradient used by gradient descent is its transpose.",
          check: .holds((g.transposed * jac).transposed, gradient, against: "central differences of J", tolerance: 1e-8)),
      ])
  }
}
