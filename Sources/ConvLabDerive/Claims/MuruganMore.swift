import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Murugan's unnumbered statements and the equations between the derivation's checked steps,
/// on the derivations' network (conv 3×3 → ReLU → 2×2 max pool → dense ReLU → dense sigmoid,
/// cross-entropy averaged over the t = 2 outputs).
extension MuruganClaims {
  static func more(seed: UInt64) throws -> [Claim] {
    let net = try MuruganDerivations.Net(side: 6, seed: seed)
    let f = net.pass()
    let back = try net.backward(f)
    let t = Double(net.y.count)
    let dyhat = Support.gradient(at: f.yhat) { net.loss(prediction: $0) }
    let dw2 = Support.gradient(at: net.w2) { w in
      var n = net
      n.w2 = w
      return n.loss
    }
    let db2 = Support.gradient(at: net.b2) { v in
      var n = net
      n.b2 = v
      return n.loss
    }
    func bracket(_ i: Int) -> Double { -net.y[i, 0] / f.yhat[i, 0] + (1 - net.y[i, 0]) / (1 - f.yhat[i, 0]) }
    func slope(_ i: Int) -> Double { f.yhat[i, 0] * (1 - f.yhat[i, 0]) }
    // Murugan (3.27): row i carries 1/i where Murugan (3.26) has 1/t.
    let printed327 = (0..<2).map { i in bracket(i) / Double(i + 1) }
    let intended327 = (0..<2).map { i in bracket(i) / t }
    // Murugan (3.32)–(3.33): (1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) σ′(zᵢ) for every weight into output i.
    let printed332 = Matrix<Double>(rows: net.w2.rows, cols: net.w2.cols) { _, i in bracket(i) * slope(i) / t }
    // Murugan (3.42): the second numerator printed 1 for 1 − yᵢ.
    let printed342 = (0..<2).map { i in (-net.y[i, 0] / f.yhat[i, 0] + 1 / (1 - f.yhat[i, 0])) * slope(i) / t }
    let intended342 = (0..<2).map { i in bracket(i) * slope(i) / t }
    // §2.5.3: "L2 loss function is square root of L2 norm of the difference", Murugan (2.6) = Σ (yᵢ − ŷᵢ)².
    var rng = SeededGenerator(seed: seed)
    let y = (0..<6).map { _ in Double.random(in: 0.05...0.95, using: &rng) }
    let yhat = (0..<6).map { _ in Double.random(in: 0.05...0.95, using: &rng) }
    let squares = zip(y, yhat).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    let l2Block = try RegressionLoss(kind: .l2).forward(Tensor(shape: Shape(6, 1), storage: yhat), Parameters(target: Tensor(shape: Shape(6, 1), storage: y))).storage[0]
    let numbered = Set((1...15).map { "2.\($0)" } + (1...80).map { "3.\($0)" })
    // Murugan (3.28)–(3.31) and (3.41): (1/t) Σ ∂L/∂ŷᵢ ∂ŷᵢ/∂w, with ∂ŷᵢ/∂w by central differences of the network.
    let dyhatdw = Support.jacobian(at: net.w2) { w in
      var n = net
      n.w2 = w
      return n.pass().yhat
    }
    let dyhatdb = Support.jacobian(at: net.b2) { v in
      var n = net
      n.b2 = v
      return n.pass().yhat
    }
    let hidden = net.w2.rows
    let chainPerSample = Matrix<Double>(rows: hidden, cols: 2) { j, i in bracket(i) * dyhatdw[i, j + hidden * i] / t }
    let chainWith326 = Matrix<Double>(rows: hidden, cols: 2) { j, i in dyhat[i, 0] * dyhatdw[i, j + hidden * i] / t }
    let biasPerSample = (0..<2).map { i in bracket(i) * dyhatdb[i, i] / t }
    let biasWith326 = (0..<2).map { i in dyhat[i, 0] * dyhatdb[i, i] / t }
    // Murugan (3.37)–(3.38): Murugan (3.33) with σ′ = σ(1 − σ) substituted, still without the input aⱼ.
    let printed337 = Matrix<Double>(rows: hidden, cols: 2) { _, i in bracket(i) * f.yhat[i, 0] * (1 - f.yhat[i, 0]) / t }
    // Murugan (3.49)–(3.51): the hidden-layer weight gradient (1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) σ′(zᵢˡ), yᵢ of the same index (i mod 2).
    let dw1 = Support.gradient(at: net.w1) { w in
      var n = net
      n.w1 = w
      return n.loss
    }
    let printed350 = Matrix<Double>(rows: net.w1.rows, cols: net.w1.cols) { _, i in bracket(i % 2) * Support.reluSlope(f.z1[i, 0]) / t }
    // Murugan (3.56): the bracket with −yᵢ/(ŷᵢᴸ + 1), as converted.
    let converted356 = (0..<2).map { i in -net.y[i, 0] / (f.yhat[i, 0] + 1) + (1 - net.y[i, 0]) / (1 - f.yhat[i, 0]) }
    // Murugan (3.63)–(3.64): ∂L/∂a^{l−1} = (1/t) Σ (bracket) wˡ, summed over the hidden units i (yᵢ of index i mod 2).
    let da0 = Support.gradient(at: f.a0) { net.loss(flattened: $0) }
    let printed363 = Matrix<Double>(rows: f.a0.rows, cols: 1) { j, _ in (0..<hidden).reduce(0) { $0 + bracket($1 % 2) * net.w1[j, $1] } / t }
    // Murugan (3.25), (3.55), (3.60): the chain rule for one output's loss Lᵢ = −(yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ))/t,
    // against central differences of Lᵢ through the network.
    func outputLoss(_ n: MuruganDerivations.Net, _ i: Int) -> Double {
      let yh = n.pass().yhat[i, 0]
      return -(n.y[i, 0] * Double.log(yh) + (1 - n.y[i, 0]) * Double.log(1 - yh)) / t
    }
    let perSampleDerivative = (0..<2).map { i in
      FiniteDifferences.derivative(at: f.yhat[i, 0]) { v in -(net.y[i, 0] * Double.log(v) + (1 - net.y[i, 0]) * Double.log(1 - v)) / t }
    }
    let dyhatdb1 = Support.jacobian(at: net.b1) { v in
      var n = net
      n.b1 = v
      return n.pass().yhat
    }
    let dyhatda0 = Support.jacobian(at: f.a0) { a in
      let z1 = net.w1.transposed * a + net.b1
      return Support.map(net.w2.transposed * Support.map(z1, Support.relu) + net.b2, Support.sigmoid)
    }
    var chain355: [Double] = []
    var fd355: [Double] = []
    var chain360: [Double] = []
    var fd360: [Double] = []
    for i in 0..<2 {
      for j in 0..<net.b1.rows {
        chain355.append(dyhat[i, 0] * dyhatdb1[i, j])
        fd355.append(
          FiniteDifferences.derivative(at: net.b1[j, 0]) { v in
            var n = net
            n.b1[j, 0] = v
            return outputLoss(n, i)
          })
      }
      for j in 0..<f.a0.rows {
        chain360.append(dyhat[i, 0] * dyhatda0[i, j])
        fd360.append(
          FiniteDifferences.derivative(at: f.a0[j, 0]) { v in
            var a = f.a0
            a[j, 0] = v
            let yh = Support.sigmoid((net.w2.transposed * Support.map(net.w1.transposed * a + net.b1, Support.relu) + net.b2)[i, 0])
            return -(net.y[i, 0] * Double.log(yh) + (1 - net.y[i, 0]) * Double.log(1 - yh)) / t
          })
      }
    }
    // Murugan (3.52): σ′(z) = 0 if x < 0, 1 if x ≥ 0 for the ReLU, at the hidden pre-activations.
    let z1 = f.z1.storage.filter { abs($0) > 1e-3 }
    return [
      .fails(
        .murugan, "§2.5.3", "§2.5.3 (text before Murugan (2.6))", kind: .prose, .wrong, "L₂ loss function is square root of L₂ norm of the difference between actual labeled value and computed value",
        printedReading: "the square root of the L₂ norm, (Σ (yᵢ − ŷᵢ)²)^{1/4}", intended: "the square of the L₂ norm, Σ (yᵢ − ŷᵢ)², as Murugan (2.6) says",
        intendedReading: "the square of the L₂ norm", against: "the l2 loss block (Murugan (2.6))", printedValue: [Double.pow(squares, 0.25)], intendedValue: [squares], truth: [l2Block]),
      Claim(
        .murugan, section: "§3.1", location: "§3.1 (text before Murugan (3.6))", kind: .size,
        printed: "The pooling layer P^{p,q} is concatenated to form a long vector with the length of p × q",
        verdict: .wrong, intended: "length H₂ × W₂ × D₂, every pooled value (Murugan (2.2)'s Dim_p); p × q counts kernels times conv layers (Nomenclature)",
        note: "with one conv layer (q = 1) and one kernel (p = 1) on a 6×6 image the pooled map is 2×2: four values, not one",
        readings: [
          Reading("as printed: p × q", "length of a⁰ for p = 1 kernel, q = 1 conv layer", against: "the flattened pooled map of the network", value: [1], truth: [Double(f.a0.count)]),
          Reading("corrected: H₂ × W₂ × D₂", "length of a⁰", against: "the flattened pooled map of the network", value: [Double(f.p.rows * f.p.cols)], truth: [Double(f.a0.count)]),
        ]),
      .fails(
        .murugan, "§3.2", "Murugan (3.27)", .wrong, "[∂L/∂ŷᵢ]ᵢ = [(1/i) Σ₁ᵗ (−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ))]ᵢ",
        printedReading: "row i scaled by 1/i as printed", intended: "(1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)), Murugan (3.26) row by row",
        against: "central differences of L in ŷ (t = 2 outputs)", printedValue: printed327, intendedValue: intended327, truth: dyhat.storage, tolerance: 1e-6,
        note: "Murugan (3.26), the line before, has 1/t"),
      .fails(
        .murugan, "§3.2", "Murugan (3.32)–(3.33)", .wrong, "∂L/∂w_{i,i−1} = (1/t) Σ (−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) σ′(zᵢ^{L+1})",
        intended: "∂L/∂w_{ji} = (1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) σ′(zᵢ) aⱼ: ∂zᵢ/∂w_{ji} = aⱼ is missing",
        against: "central differences of L in W²", printedValue: printed332.storage, intendedValue: back.dw2.storage, truth: dw2.storage, tolerance: 1e-6,
        note: "Murugan (3.31) → (3.32) replaces ∂σ(z)/∂w by σ′(z), dropping the input the weight multiplies; Murugan (3.39) inherits it"),
      .fails(
        .murugan, "§3.2", "Murugan (3.42)", .wrong, "∂L/∂bᵢ = (1/t) Σ −yᵢ/ŷᵢ + 1/(1 − ŷᵢ) ∂ŷᵢ/∂bᵢ",
        intended: "(1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) ∂ŷᵢ/∂bᵢ (Murugan (3.26)'s bracket)",
        against: "central differences of L in b² (targets y = (1, 0))", printedValue: printed342, intendedValue: intended342, truth: db2.storage, tolerance: 1e-6,
        note: "the second numerator lost its yᵢ; it matters only where yᵢ = 1"),
      .holds(
        .murugan, "§3.2", "Murugan (3.25)", "∂L/∂y_i^{L+1} = (1/t) Σ ∂(−1((y_t log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ)))/∂ŷᵢ",
        against: "central differences of L in ŷ (y_t read as yᵢ; the sum has one term in ŷᵢ)", value: perSampleDerivative, truth: dyhat.storage, tolerance: 1e-6),
      .holds(
        .murugan, "§3.2", "Murugan (3.55)", "∂L(ŷᵢ, yᵢ)/∂bˡ = ∂L(ŷᵢ, yᵢ)/∂ŷᵢ · ∂ŷᵢ/∂bˡ (one output's loss)",
        against: "central differences of output i's loss term in the hidden biases", value: chain355, truth: fd355, tolerance: 1e-6),
      .holds(
        .murugan, "§3.2", "Murugan (3.60)", "∂L/∂a^{l−1} = ∂L/∂ŷ · ∂ŷ/∂a^{l−1} (one output's loss)",
        against: "central differences of output i's loss term in a⁰", value: chain360, truth: fd360, tolerance: 1e-6),
      Claim(
        .murugan, section: "§3.1", location: "Murugan (3.22)", printed: "ŷᵢᴸ⁺¹ = σ(Wᴸ … σ(W²(σ(W¹a¹ + b¹) + b² … + bᴸ))",
        verdict: .wrong, intended: "ŷ = σ((Wᴸ)ᵀ … σ((W²)ᵀ σ((W¹)ᵀ a⁰ + b¹) + b²) … + bᴸ), as Murugan (3.15) and (3.19) write each layer",
        note: "Murugan (3.15) stores Wˡ as inputs × units and multiplies by its transpose; without it the first product does not exist (and the input is a⁰, the flattened pooled map, not a¹)",
        readings: [
          Reading(
            "as printed: W¹ a", "columns of W¹ = length of the input", against: "the network's W¹ (inputs × units, Murugan (3.15)) and a⁰",
            value: [Double(net.w1.cols)], truth: [Double(f.a0.count)]),
          Reading(
            "corrected: (W¹)ᵀ a⁰", "rows of W¹ = length of the input", against: "the network's W¹ and a⁰",
            value: [Double(net.w1.rows)], truth: [Double(f.a0.count)]),
        ]),
      Claim(
        .murugan, section: "§3.2", location: "Murugan (3.28)–(3.31)", printed: "∂L/∂w_{i,i−1} = (1/t) Σ₁ᵗ ∂L/∂ŷᵢ ∂ŷᵢ/∂w_{i,i−1} = (1/t) Σ (−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) (∂ŷᵢ/∂w) = … ∂σ(zᵢ)/∂w",
        verdict: .ambiguous, intended: "∂L/∂w = (1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) ∂ŷᵢ/∂w, the L inside being one sample's loss (as Murugan (3.29) writes it out)",
        note: "Murugan (3.26) defines ∂L/∂ŷᵢ with the 1/t already in it; with that meaning Murugan (3.28) divides by t twice",
        readings: [
          Reading(
            "∂L/∂ŷᵢ as Murugan (3.26), with its 1/t", "(1/t) · ∂L/∂ŷᵢ · ∂ŷᵢ/∂w", against: "central differences of L in W²",
            value: chainWith326.storage, truth: dw2.storage, tolerance: 1e-6),
          Reading(
            "∂L/∂ŷᵢ of one sample's loss (Murugan (3.29))", "(1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) ∂ŷᵢ/∂w", against: "central differences of L in W²",
            value: chainPerSample.storage, truth: dw2.storage, tolerance: 1e-6),
        ]),
      Claim(
        .murugan, section: "§3.2", location: "Murugan (3.41)", printed: "∂L/∂bᵢᴸ = (1/t) Σ₁ᵗ ∂L/∂ŷᵢ ∂ŷᵢ/∂bᵢᴸ", verdict: .ambiguous,
        intended: "(1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) ∂ŷᵢ/∂bᵢ, one sample's ∂L/∂ŷ", note: "as Murugan (3.28): Murugan (3.26)'s ∂L/∂ŷᵢ already carries the 1/t",
        readings: [
          Reading("∂L/∂ŷᵢ as Murugan (3.26), with its 1/t", "(1/t) · ∂L/∂ŷᵢ · ∂ŷᵢ/∂bᵢ", against: "central differences of L in b²", value: biasWith326, truth: db2.storage, tolerance: 1e-6),
          Reading("∂L/∂ŷᵢ of one sample's loss", "(1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) ∂ŷᵢ/∂bᵢ", against: "central differences of L in b²", value: biasPerSample, truth: db2.storage, tolerance: 1e-6),
        ]),
      .fails(
        .murugan, "§3.2", "Murugan (3.37)–(3.38)", .wrong, "∂L/∂w = (1/t) Σ (−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − σ(Σ w a + b))) (σ(Σ w a + b)(1 − σ(Σ w a + b)))",
        intended: "the same times the input aⱼ the weight multiplies (a¹ (δ²)ᵀ)", against: "central differences of L in W²",
        printedValue: printed337.storage, intendedValue: back.dw2.storage, truth: dw2.storage, tolerance: 1e-6,
        note: "Murugan (3.36) substituted into Murugan (3.33), whose missing input factor it keeps"),
      .fails(
        .murugan, "§3.2", "Murugan (3.45)–(3.51)", .wrong, "∂L/∂w_{i,i−1}ˡ = (1/t) Σ (−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) σ′(zᵢˡ)",
        intended: "∂L/∂W¹ = a⁰ (δ¹)ᵀ with δ¹ = (W² δ²) ∘ ReLU′(z¹): the path through W² and the output's σ′ and the input a⁰ are missing",
        against: "central differences of L in W¹ (yᵢ of the same index, i mod 2)", printedValue: printed350.storage, intendedValue: back.dw1.storage, truth: dw1.storage, tolerance: 1e-6,
        note: "∂ŷᵢ/∂wˡ (Murugan (3.48)) becomes σ′(zᵢˡ) (Murugan (3.49)), skipping the output layer"),
      Claim(
        .murugan, section: "§3.2", location: "Murugan (3.52)", printed: "σ′(z) = 0 if x < 0, 1 if x ≥ 0",
        note: "the conditions name x for z (Table 1's row copied); read with z, it is Table 1's ReLU derivative",
        readings: [
          Reading(
            "x read as z, z ≠ 0", "σ′(z) = 1 if z > 0 else 0", against: "central differences of max(0, z) at the hidden pre-activations",
            value: z1.map { $0 >= 0 ? 1 : 0 }, truth: z1.map { FiniteDifferences.derivative(at: $0) { max(0, $0) } }, tolerance: 1e-6)
        ]),
      .fails(
        .murugan, "§3.2", "Murugan (3.56)", .garbled, "(1/t) Σ −yᵢ/(ŷᵢᴸ + 1) + (1 − yᵢ)/(1 − ŷᵢᴸ⁺¹) (∂ŷᵢᴸ⁺¹/∂bᵢˡ)",
        printedReading: "as converted: −yᵢ/(ŷᵢ + 1)", intended: "−yᵢ/ŷᵢᴸ⁺¹ + (1 − yᵢ)/(1 − ŷᵢᴸ⁺¹), Murugan (3.26)'s bracket",
        intendedReading: "the superscript L + 1 restored", against: "t · ∂L/∂ŷ by central differences",
        printedValue: converted356, intendedValue: (0..<2).map(bracket), truth: dyhat.storage.map { $0 * t }, tolerance: 1e-6,
        note: "judged by the paper's consistency: every other line writes ŷᵢᴸ⁺¹, and 'ŷᵢᴸ + 1' is that superscript dropped to the baseline"),
      .fails(
        .murugan, "§3.2", "Murugan (3.62)–(3.64)", .wrong,
        "∂ŷ/∂a^{l−1} = ∂(w^{L−1} a^{L−1} + b^{L−1})/∂a^{l−1}  ⇒  ∂L/∂a^{l−1} = (1/t) Σ (−y_{t+1}/(y_{t+1}ᴸ + 1) + (1 − y_{t+1})/(1 − y_{t+1}ᴸ⁺¹)) Wˡ",
        printedReading: "the output bracket times Wˡ, summed over the hidden units", intended: "∂L/∂a⁰ = W¹ δ¹ with δ¹ = (W² δ²) ∘ ReLU′(z¹)",
        against: "central differences of L in a⁰", printedValue: printed363.storage, intendedValue: back.da0.storage, truth: da0.storage, tolerance: 1e-6,
        note: "the step from Murugan (3.62)–(3.63) drops the output layer's weights and both activations' slopes"),
      Claim(
        .murugan, section: "§3.2", location: "text before Murugan (3.61)", kind: .crossReference, printed: "from the (Murugan (1.31)),",
        verdict: .wrong, intended: "Murugan (3.26)/(3.31), whose bracket (−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) Murugan (3.61) repeats",
        note: "the paper numbers its Murugan (2.1)–(2.15) and 3.1–3.80; there is no chapter-1 equation",
        readings: [
          Reading("as printed: Murugan (1.31)", "the cited equation exists", against: "the paper's equation numbers", value: [1], truth: [numbered.contains("1.31") ? 1 : 0]),
          Reading("corrected: Murugan (3.31)", "the cited equation exists", against: "the paper's equation numbers", value: [1], truth: [numbered.contains("3.31") ? 1 : 0]),
        ]),
    ]
  }
}
