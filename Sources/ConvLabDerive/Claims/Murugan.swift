import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Murugan's claims outside the step-by-step derivations (`murugan-*`): the activation table,
/// the losses of §2.5, the size formulas and the indexed forward pass of §3.1.
enum MuruganClaims {
  static func claims(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    let xs = (0..<12).map { _ in Double.random(in: -3...3, using: &rng) }
    func fd(_ f: (Double) -> Double) -> [Double] { xs.map { FiniteDifferences.derivative(at: $0, f) } }
    let tanh = { (v: Double) in Double.tanh(v) }
    // Losses: targets in (0, 1), predictions in (0, 1).
    let y = (0..<6).map { _ in Double.random(in: 0.05...0.95, using: &rng) }
    let yhat = (0..<6).map { _ in Double.random(in: 0.05...0.95, using: &rng) }
    let t = Double(y.count)
    func mean(_ term: (Double, Double) -> Double) -> Double {
      var total = 0.0
      for i in y.indices { total += term(y[i], yhat[i]) }
      return total / t
    }
    let msleCorrected = mean { a, b in
      let d = Double.log(a + 1) - Double.log(b + 1)
      return d * d
    }
    let msleBlock = try RegressionLoss(kind: .msle).forward(Tensor(shape: Shape(6, 1), storage: yhat), Parameters(target: Tensor(shape: Shape(6, 1), storage: y))).storage[0]
    let mslePrinted = mean { a, b in
      let d = Double.log(a + 1) - Double.log(b - 1)
      return d * d
    }  // log of a negative number: NaN
    let bce = -mean { a, b in a * Double.log(b) + (1 - a) * Double.log(1 - b) }
    let bceBlock = try RegressionLoss(kind: .bce).forward(Tensor(shape: Shape(6, 1), storage: yhat), Parameters(target: Tensor(shape: Shape(6, 1), storage: y))).storage[0]
    // Murugan (2.10) as converted: P = ŷ·y·(1 − ŷ)^{1−y}; intended: ŷ^y (1 − ŷ)^{1−y} (Bernoulli).
    let bernoulli: [Double] = y.indices.map { i in Double.pow(yhat[i], y[i]) * Double.pow(1 - yhat[i], 1 - y[i]) }
    let eq210: [Double] = y.indices.map { i in yhat[i] * y[i] * Double.pow(1 - yhat[i], 1 - y[i]) }
    // Murugan (2.12), the expanded log-likelihood, is the independent ground truth for Murugan (2.10)–(2.13).
    let eq212: [Double] = y.indices.map { i in y[i] * Double.log(yhat[i]) + (1 - y[i]) * Double.log(1 - yhat[i]) }
    // §2: output sizes (Murugan (2.1)–(2.2)) against the blocks, on sizes where the division is not exact.
    var printedSizes: [Double] = []
    var blockSizes: [Double] = []
    var flooredSizes: [Double] = []
    for h in 9...12 {
      for s in 2...3 {
        let conv = try Conv(pad: [1, 1, 1, 1], stride: (s, s)).outputShape(Shape(h, h), Parameters(w: Tensor<Double>(shape: Shape(3, 3))))
        printedSizes.append(Double(h + 2 - 3) / Double(s) + 1)
        flooredSizes.append(Double((h + 2 - 3) / s + 1))
        blockSizes.append(Double(conv.h))
        let pool = try Pool(size: (2, 2), stride: (s, s)).outputShape(Shape(h, h), Parameters<Double>())
        printedSizes.append(Double(h - 2) / Double(s) + 1)
        flooredSizes.append(Double((h - 2) / s + 1))
        blockSizes.append(Double(pool.h))
      }
    }
    // §2: the regression losses against the loss blocks.
    let yT = Tensor(shape: Shape(6, 1), storage: y)
    let yhatT = Tensor(shape: Shape(6, 1), storage: yhat)
    func block(_ kind: RegressionLoss.Kind) throws -> Double { try RegressionLoss(kind: kind).forward(yhatT, Parameters(target: yT)).storage[0] }
    let mse = mean { a, b in (a - b) * (a - b) }
    let mae = mean { a, b in abs(a - b) }
    let mape = mean { a, b in abs((a - b) / a) } * 100
    let l2 = mse * t
    let l1 = mae * t
    // §3.1: the forward pass written with indices (Murugan (3.1), 3.3, 3.7–3.10).
    let image = Tensor<Double>.uniform(Shape(5, 5, 2), using: &rng)
    let kernel = Tensor<Double>.uniform(Shape(3, 3, 2, 1), using: &rng)
    let conv = try Conv().forward(image, Parameters(w: kernel))
    var eq31: [Double] = []
    for j in 0..<3 {
      for i in 0..<3 {
        var sum = 0.0
        for c in 0..<2 { for n in 0..<3 { for m in 0..<3 { sum += kernel[m, n, c] * image[i + m, j + n, c] } } }
        eq31.append(sum)
      }
    }
    let single = image.channel(0)
    let k0 = kernel.channel(0)
    let eq33 = conv2(single, k0, shape: .valid).storage
    let eq32 = xcorr2(single, k0).storage
    let eq33Rotated = conv2(single, rot180(k0), shape: .valid).storage
    let a = Matrix<Double>.uniform(4, 1, using: &rng)
    let w = Matrix<Double>.uniform(3, 4, using: &rng)
    let bias = Matrix<Double>.uniform(3, 1, using: &rng)
    let zTrue = (w * a + bias).storage
    let eq37: [Double] = (0..<3).map { i in w[i, 0] * a[0, 0] + w[i, 1] * a[1, 0] + (2..<4).reduce(0) { $0 + w[i, $1] * a[0, 0] } + bias[2, 0] }
    let denseBlock = try Dense().forward(Tensor(shape: Shape(1, 1, 4), storage: a.storage), Parameters(w: w.tensor, b: bias.tensor)).storage
    // Table 1's ReLU rows as printed: f′(x) = 1 for x ≥ 0. Away from 0 the central difference is
    // the derivative; at 0 the derivative does not exist and x ≥ 0 picks the right-hand one.
    let away = xs.filter { abs($0) > 1e-3 }
    func printedSlope(_ v: Double, _ leak: Double) -> Double { v >= 0 ? 1 : leak }
    func rightDerivative(_ f: (Double) -> Double) -> Double {
      let h = 1e-6
      return (f(h) - f(0)) / h
    }
    let leaky = { (v: Double) in v >= 0 ? v : 0.01 * v }
    // Table 1's softmax row: f′(x) = e^x/Σe^x − (e^x)²/(Σe^x)², the diagonal of the softmax Jacobian.
    let logits = Array(xs.prefix(4))
    let total = logits.reduce(0) { $0 + Double.exp($1) }
    let softmaxPrinted = logits.map { Double.exp($0) / total - Double.exp($0) * Double.exp($0) / (total * total) }
    let softmaxDiagonal = logits.indices.map { i in
      FiniteDifferences.derivative(at: logits[i]) { v in
        var l = logits
        l[i] = v
        return Double.exp(v) / l.reduce(0) { $0 + Double.exp($1) }
      }
    }
    // Table 1's tanh row prints the function as σ(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ): that is tanh.
    let tanhPrinted = xs.map { (Double.exp($0) - Double.exp(-$0)) / (Double.exp($0) + Double.exp(-$0)) }
    let claims: [Claim] = [
      .holds(
        .murugan, "§2.2", "Table 1 (tanh)", kind: .table, "tanh: σ(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ),  f′(x) = 1 − f(x)²", against: "tanh and central differences of tanh",
        value: tanhPrinted + xs.map { 1 - Double.tanh($0) * Double.tanh($0) }, truth: xs.map(tanh) + fd(tanh), tolerance: 1e-6),
      Claim(
        .murugan, section: "§2.2", location: "Table 1 (ReLU)", kind: .table, printed: "ReLU: f′(x) = 0 if x < 0, 1 if x ≥ 0",
        note: "at x = 0 max(0, x) has no derivative; the printed x ≥ 0 takes the right-hand one, a valid subgradient. ConvLab's relu block returns 0 at 0 (x > 0), the same everywhere else",
        readings: [
          Reading(
            "x ≠ 0", "f′(x) = 0 if x < 0, 1 if x > 0", against: "central differences of max(0, x)", value: away.map { printedSlope($0, 0) },
            truth: away.map { FiniteDifferences.derivative(at: $0) { max(0, $0) } }, tolerance: 1e-6),
          Reading("x = 0", "f′(0) = 1", against: "the right-hand difference quotient at 0", value: [printedSlope(0, 0)], truth: [rightDerivative { max(0, $0) }], tolerance: 1e-6),
        ]),
      Claim(
        .murugan, section: "§2.2", location: "Table 1 (leaky ReLU)", kind: .table, printed: "leaky ReLU: f(x) = 0.01x if x < 0, x if x ≥ 0;  f′(x) = 0.01 if x < 0, 1 if x ≥ 0",
        note: "at x = 0 the one-sided derivatives are 0.01 and 1; the printed x ≥ 0 takes the right-hand one. ConvLab's relu --leak 0.01 block agrees away from 0",
        readings: [
          Reading(
            "x ≠ 0", "f′(x) = 0.01 if x < 0, 1 if x > 0", against: "central differences of the leaky ReLU", value: away.map { printedSlope($0, 0.01) },
            truth: away.map { FiniteDifferences.derivative(at: $0, leaky) }, tolerance: 1e-6),
          Reading("x = 0", "f′(0) = 1", against: "the right-hand difference quotient at 0", value: [printedSlope(0, 0.01)], truth: [rightDerivative(leaky)], tolerance: 1e-6),
        ]),
      Claim(
        .murugan, section: "§2.2", location: "Table 1 (softmax)", kind: .table, printed: "softmax: f′(x) = eˣ/Σ₁ʲ eˣ − (eˣ)²/(Σ₁ʲ eˣ)²", verdict: .ambiguous,
        intended: "∂fᵢ/∂xᵢ = e^{xᵢ}/Σⱼ e^{xⱼ} − (e^{xᵢ})²/(Σⱼ e^{xⱼ})² for a vector x of j scores",
        note: "as in the function beside it (Table 1 (softmax, function)), the sum has no index: with one number x it is j equal terms (1/j − 1/j²); with x the "
          + "vector of scores it is the diagonal ∂fᵢ/∂xᵢ = fᵢ(1 − fᵢ) only — the off-diagonal −fᵢfⱼ (MatConvNet §6.5.4) is not stated",
        readings: [
          Reading(
            "x one number, as in Table 1's other rows", "f′(x) = 1/j − 1/j²", against: "central differences of softmax output i in input i (the Jacobian's diagonal)",
            value: logits.map { _ in 1 / Double(logits.count) - 1 / Double(logits.count * logits.count) }, truth: softmaxDiagonal, tolerance: 1e-6),
          Reading(
            "x the vector of j scores, Σ₁ʲ over its entries", "∂fᵢ/∂xᵢ = fᵢ − fᵢ²", against: "central differences of softmax output i in input i (the Jacobian's diagonal)",
            value: softmaxPrinted, truth: softmaxDiagonal, tolerance: 1e-6),
        ]),
      .fails(
        .murugan, "§2.5.2", "Murugan (2.5)", .wrong, "MSLE = (1/t) Σ (log(yᵢ + 1) − log(ŷᵢ − 1))²", intended: "(1/t) Σ (log(yᵢ + 1) − log(ŷᵢ + 1))²",
        against: "the msle loss block", printedValue: [mslePrinted], intendedValue: [msleCorrected], truth: [msleBlock],
        note: "for ŷ ∈ (0, 1) the printed log(ŷ − 1) is the log of a negative number (NaN)"),
      .fails(
        .murugan, "§2.5.7", "Murugan (2.10)", .garbled, "P(yᵢ | z) = ŷᵢ yᵢ (1 − ŷᵢ)^{1−yᵢ}", intended: "P(yᵢ | z) = ŷᵢ^{yᵢ} (1 − ŷᵢ)^{1−yᵢ} (Bernoulli)",
        against: "exp of Murugan (2.12)'s log-likelihood", printedValue: eq210, intendedValue: bernoulli, truth: eq212.map { Double.exp($0) },
        note: "Murugan (2.11), the next line, takes the log of ŷ^{y}(1 − ŷ)^{1−y}: the exponent y was lost in the conversion"),
      .fails(
        .murugan, "§2.5.7", "Murugan (2.13)", .wrong, "log P(yᵢ | z) = −log(ŷ^{y}(1 − ŷ)^{1−y})", intended: "−log P(yᵢ | z) = −log(ŷ^{y}(1 − ŷ)^{1−y})",
        against: "Murugan (2.12) (log P expanded)", printedValue: bernoulli.map { -Double.log($0) }, intendedValue: bernoulli.map { Double.log($0) }, truth: eq212,
        note: "the sign flips on one side only; the intended reading compares −(−log P) with log P"),
      Claim(
        .murugan, section: "§2.1, §2.3", location: "Murugan (2.1)–(2.2)", printed: "Dim_c = (H + 2Z_P − k₁)/Z_S + 1, …;  Dim_p = (H₁ − k)/Z_S + 1, …", verdict: .ambiguous,
        intended: "⌊(H + 2Z_P − k)/Z_S⌋ + 1 (MatConvNet (5.3))",
        note: "the paper uses stride 1 and padding 0 (§4), where every reading agrees; with a stride that does not divide, the printed quotient is not an integer",
        readings: [
          Reading("/ read as real division", "(H + 2Z_P − k)/Z_S + 1", against: "the conv and pool blocks' output sizes", value: printedSizes, truth: blockSizes),
          Reading("/ read as floor division", "⌊(H + 2Z_P − k)/Z_S⌋ + 1", against: "the conv and pool blocks' output sizes", value: flooredSizes, truth: blockSizes),
        ]),
      .holds(.murugan, "§2.5.1", "Murugan (2.4)", "MSE = (1/t) Σ (yᵢ − ŷᵢ)²", against: "the mse loss block", value: [mse], truth: [try block(.mse)]),
      .holds(.murugan, "§2.5.3", "Murugan (2.6)", "L2 = Σ (yᵢ − ŷᵢ)²", against: "the l2 loss block", value: [l2], truth: [try block(.l2)]),
      .holds(.murugan, "§2.5.4", "Murugan (2.7)", "L1 = Σ |yᵢ − ŷᵢ|", against: "the l1 loss block", value: [l1], truth: [try block(.l1)]),
      .holds(.murugan, "§2.5.5", "Murugan (2.8)", "MAE = (1/t) Σ |yᵢ − ŷᵢ|", against: "the mae loss block", value: [mae], truth: [try block(.mae)]),
      .holds(.murugan, "§2.5.6", "Murugan (2.9)", "MAPE = (1/t) Σ |(yᵢ − ŷᵢ)/yᵢ| × 100", against: "the mape loss block", value: [mape], truth: [try block(.mape)]),
      .holds(
        .murugan, "§2.5.7", "Murugan (2.11)–(2.12)", "log P = log(ŷ^{y}(1 − ŷ)^{1−y}) = y log ŷ + (1 − y) log(1 − ŷ)", against: "the log of the Bernoulli probability",
        value: eq212, truth: bernoulli.map { Double.log($0) }),
      .holds(
        .murugan, "§3.1", "Murugan (3.1)", "(I ⊗ K)_ij = Σ_m Σ_n Σ_c K_mnc I_{i+m, j+n, c}", against: "the conv block on a 2-channel image", value: eq31, truth: conv.storage,
        note: "with i, j counted from 0 (m, n from 1 the first sample is I_{i+1, j+1}); ConvLab's conv is this correlation (MatConvNet §4.1)"),
      Claim(
        .murugan, section: "§3.1", location: "Murugan (3.3)", printed: "C_mn = Σ_m Σ_n I_{(m−u, n−v)} · K_uv + b", verdict: .ambiguous,
        intended: "the same feature map as Murugan (3.2) only if K is stored rotated by 180° (the label 'rotation 180 degree, valid convolution' after Murugan (3.1))",
        note: "Murugan (3.2) defines the conv layer as a correlation, Murugan (3.3) as a true convolution; the backward pass (3.69)–(3.71) follows Murugan (3.3)",
        readings: [
          Reading("the same K as Murugan (3.2)", "conv2(I, K, 'valid') + b", against: "Murugan (3.2)'s correlation I ⋆ K + b", value: eq33, truth: eq32),
          Reading("K stored rotated by 180°", "conv2(I, rot180 K, 'valid') + b", against: "Murugan (3.2)'s correlation I ⋆ K + b", value: eq33Rotated, truth: eq32),
        ]),
      .fails(
        .murugan, "§3.1", "Murugan (3.7)–(3.9)", .wrong, "zᵢ = wᵢ₁a₁ + wᵢ₂a₂ + … + w_{ij}^{l−1} a₁^{l−1} + … + b_j", intended: "zᵢ = Σⱼ wᵢⱼ aⱼ + bᵢ (Murugan (3.10))",
        against: "the dense block", printedValue: eq37, intendedValue: zTrue, truth: denseBlock,
        note:
          "the third term repeats a₁ with a weight of layer l − 1 and the bias carries the index j of a different unit; the three lines repeat the same pattern, so it is the source's, not the conversion's"
      ),
      .holds(.murugan, "§3.1", "Murugan (3.10)", "z = W a + b with wᵢⱼ in row i (one row per unit)", against: "the dense block", value: zTrue, truth: denseBlock),
      .holds(.murugan, "§2.5.7", "Murugan (2.14)", "L = −(1/t) Σ (y log ŷ + (1 − y) log(1 − ŷ))", against: "the bce loss block", value: [bce], truth: [bceBlock]),
    ]
    return claims + (try more(seed: seed)) + (try kernelSide(seed: seed)) + (try nomenclature()) + (try lossProse()) + (try referee(seed: seed))
  }
}
