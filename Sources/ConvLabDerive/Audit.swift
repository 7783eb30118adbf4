import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// One computable claim of a paper, checked on numbers: the claim as printed against an
/// independent ground truth, and (where the printed form is wrong) the corrected form too.
public struct AuditEntry: Sendable {
  public enum Verdict: String, Sendable, CaseIterable {
    case correct
    case wrong = "wrong in the source"
    case garbled = "garbled in conversion, intended form correct"
    case ambiguous
  }

  public let paper: String
  public let location: String
  /// The claim as printed (Unicode transcription).
  public let claim: String
  public let verdict: Verdict
  /// The corrected (or intended) form, where the printed one does not hold.
  public let corrected: String?
  /// What the claim is compared with.
  public let against: String
  /// Printed form vs ground truth.
  public let printed: Comparison
  /// Corrected form vs ground truth.
  public let correctedEvidence: Comparison?
  public let tolerance: Double

  /// Whether the numbers still support the verdict: a correct claim holds; a wrong, garbled
  /// or ambiguous one fails as printed (in the reading shown) and its corrected form holds.
  public var verdictHolds: Bool {
    switch verdict {
    case .correct: return printed.passes(tolerance)
    case .wrong, .garbled, .ambiguous: return !printed.passes(tolerance) && (correctedEvidence?.passes(tolerance) ?? true)
    }
  }
}

/// The audit of the five papers (`convlab audit`, Notes/ERRATA.md).
public enum Audit {
  /// Every check, on the seeded instance `seed`.
  public static func entries(seed: UInt64 = 1) throws -> [AuditEntry] {
    try fromDerivations("xu", paper: "Xu", seed: seed)
      + murugan(seed: seed) + fromDerivations("murugan", paper: "Murugan", seed: seed)
      + vardhan(seed: seed) + fromDerivations("vardhan", paper: "Vardhan", seed: seed)
      + milisavljevic(seed: seed) + fromDerivations("milisavljevic", paper: "Milisavljevic", seed: seed)
      + matConvNet(seed: seed) + fromDerivations("matconvnet", paper: "MatConvNet", seed: seed)
  }

  /// φ(x) of one image for an FH×FW filter, stride 1, no padding.
  static func im2row(_ x: Tensor<Double>, kh: Int, kw: Int) throws -> Matrix<Double> {
    try Im2Row(geometry: FilterGeometry(kh: kh, kw: kw), h: x.shape.h, w: x.shape.w, d: x.shape.d).phi(x)
  }

  static func trace(_ m: Matrix<Double>) -> Double { (0..<min(m.rows, m.cols)).reduce(0) { $0 + m[$1, $1] } }

  static func entry(_ paper: String, _ location: String, _ claim: String, _ verdict: AuditEntry.Verdict = .correct, corrected: String? = nil,
                    against: String, printed: ([Double], [Double]), correctedValues: [Double]? = nil, tolerance: Double = 1e-9) -> AuditEntry {
    AuditEntry(paper: paper, location: location, claim: claim, verdict: verdict, corrected: corrected, against: against,
               printed: Comparison(printed.0, printed.1), correctedEvidence: correctedValues.map { Comparison($0, printed.1) }, tolerance: tolerance)
  }

  // MARK: Every checked step of the derivations

  /// Each paper's derivations (`convlab derive …`) are audit entries too: each checked step is
  /// an entry; a printed form that fails takes the nearest earlier holding step as its correction.
  static func fromDerivations(_ prefix: String, paper: String, seed: UInt64) throws -> [AuditEntry] {
    var out: [AuditEntry] = []
    for d in Derivations.all where d.id.hasPrefix(prefix + "-") {
      let derivation = try d.build(Derivations.Instance(seed: seed))
      var lastHolding: (String, Comparison)? = nil
      for step in derivation.steps {
        guard let check = step.check else { continue }
        // A formula may mention another paper's section ("MatConvNet §6.1"): only this paper's numbers locate it.
        let own = paper == "MatConvNet" ? step.formula : step.formula.replacingOccurrences(of: "MatConvNet §[0-9.]+", with: "", options: .regularExpression)
        let location = Self.reference(in: own) ?? d.reference.replacingOccurrences(of: paper + " ", with: "")
        if check.expectedToHold {
          out.append(AuditEntry(paper: paper, location: location, claim: step.formula, verdict: .correct, corrected: nil, against: check.against,
                                printed: check.comparison, correctedEvidence: nil, tolerance: check.tolerance))
          lastHolding = (step.formula, check.comparison)
        } else {
          let verdict: AuditEntry.Verdict = check.verdict.hasPrefix("ambiguous") ? .ambiguous : .wrong
          out.append(AuditEntry(paper: paper, location: location, claim: step.formula, verdict: verdict, corrected: lastHolding?.0 ?? check.against,
                                against: check.against, printed: check.comparison, correctedEvidence: lastHolding?.1, tolerance: check.tolerance))
        }
      }
    }
    return out
  }

  /// "eq. (6)" or "eq. 6" or "Table 1" inside a formula's reference.
  static func reference(in text: String) -> String? {
    for pattern in ["eq\\. ?\\([0-9]+\\)([–-]\\([0-9]+\\))?", "eq\\. ?\\([0-9]+[–-]?[0-9]*\\)", "eqs?\\. [a-z]?-?[0-9.]+([–-][a-z]?-?[0-9.]+)?", "Table [0-9]+", "App\\. [AB]", "§[0-9.]+([–-][0-9.]+)?"] {
      if let r = text.range(of: pattern, options: .regularExpression) { return String(text[r]) }
    }
    return nil
  }

  // MARK: Murugan

  static func murugan(seed: UInt64) throws -> [AuditEntry] {
    var rng = SeededGenerator(seed: seed)
    let xs = (0..<12).map { _ in Double.random(in: -3...3, using: &rng) }
    let x = Tensor<Double>(shape: Shape(xs.count, 1), storage: xs)
    let ones = Tensor<Double>(shape: x.shape, repeating: 1)
    func fd(_ f: (Double) -> Double) -> [Double] { xs.map { FiniteDifferences.derivative(at: $0, f) } }
    let sigma = { (v: Double) in Sigmoid().value(v) }
    let s = xs.map(sigma)
    let tanh = { (v: Double) in Double.tanh(v) }
    let relu = try ReLU().backward(x, Parameters(), ones).dzdx.storage
    // Losses: targets in (0, 1), predictions in (0, 1).
    let y = (0..<6).map { _ in Double.random(in: 0.05...0.95, using: &rng) }
    let yhat = (0..<6).map { _ in Double.random(in: 0.05...0.95, using: &rng) }
    let t = Double(y.count)
    func mean(_ term: (Double, Double) -> Double) -> Double {
      var total = 0.0
      for i in y.indices { total += term(y[i], yhat[i]) }
      return total / t
    }
    let msleCorrected = mean { a, b in let d = Double.log(a + 1) - Double.log(b + 1); return d * d }
    let msleBlock = try RegressionLoss(kind: .msle).forward(Tensor(shape: Shape(6, 1), storage: yhat), Parameters(target: Tensor(shape: Shape(6, 1), storage: y))).storage[0]
    let mslePrinted = mean { a, b in let d = Double.log(a + 1) - Double.log(b - 1); return d * d }  // log of a negative number: NaN
    let bce = -mean { a, b in a * Double.log(b) + (1 - a) * Double.log(1 - b) }
    let bceBlock = try RegressionLoss(kind: .bce).forward(Tensor(shape: Shape(6, 1), storage: yhat), Parameters(target: Tensor(shape: Shape(6, 1), storage: y))).storage[0]
    // Eq. 2.10 as converted: P = ŷ·y·(1 − ŷ)^{1−y}; intended: ŷ^y (1 − ŷ)^{1−y} (Bernoulli).
    let bernoulli: [Double] = y.indices.map { i in Double.pow(yhat[i], y[i]) * Double.pow(1 - yhat[i], 1 - y[i]) }
    let eq210: [Double] = y.indices.map { i in yhat[i] * y[i] * Double.pow(1 - yhat[i], 1 - y[i]) }
    // Eq. 2.12, the expanded log-likelihood, is the independent ground truth for eq. 2.10–2.13.
    let eq212: [Double] = y.indices.map { i in y[i] * Double.log(yhat[i]) + (1 - y[i]) * Double.log(1 - yhat[i]) }
    // Eq. 3.25–3.27 with a sigmoid output: ∂L/∂z = (ŷ − y)/t.
    let z = yhat.map { Double.log($0 / (1 - $0)) }
    let dLdz = zip(z, y).map { zv, yv in
      FiniteDifferences.derivative(at: zv) { v in -(yv * Double.log(sigma(v)) + (1 - yv) * Double.log(1 - sigma(v))) / t }
    }
    // §2: output sizes (eq. 2.1–2.2) against the blocks, on sizes where the division is not exact.
    var printedSizes: [Double] = [], blockSizes: [Double] = [], flooredSizes: [Double] = []
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
    let yT = Tensor(shape: Shape(6, 1), storage: y), yhatT = Tensor(shape: Shape(6, 1), storage: yhat)
    func block(_ kind: RegressionLoss.Kind) throws -> Double { try RegressionLoss(kind: kind).forward(yhatT, Parameters(target: yT)).storage[0] }
    let mse = mean { a, b in (a - b) * (a - b) }, mae = mean { a, b in abs(a - b) }, mape = mean { a, b in abs((a - b) / a) } * 100
    let l2 = mse * t, l1 = mae * t
    // §3.1: the forward pass written with indices (eq. 3.1, 3.3, 3.7–3.10).
    let image = Tensor<Double>.uniform(Shape(5, 5, 2), using: &rng), kernel = Tensor<Double>.uniform(Shape(3, 3, 2, 1), using: &rng)
    let conv = try Conv().forward(image, Parameters(w: kernel))
    var eq31: [Double] = []
    for j in 0..<3 { for i in 0..<3 {
      var sum = 0.0
      for c in 0..<2 { for n in 0..<3 { for m in 0..<3 { sum += kernel[m, n, c] * image[i + m, j + n, c] } } }
      eq31.append(sum)
    } }
    let single = image.channel(0), k0 = kernel.channel(0)
    let eq33 = conv2(single, k0, shape: .valid).storage, eq32 = xcorr2(single, k0).storage
    let a = Matrix<Double>.uniform(4, 1, using: &rng), w = Matrix<Double>.uniform(3, 4, using: &rng), bias = Matrix<Double>.uniform(3, 1, using: &rng)
    let zTrue = (w * a + bias).storage
    let eq37: [Double] = (0..<3).map { i in w[i, 0] * a[0, 0] + w[i, 1] * a[1, 0] + (2..<4).reduce(0) { $0 + w[i, $1] * a[0, 0] } + bias[2, 0] }
    let denseBlock = try Dense().forward(Tensor(shape: Shape(1, 1, 4), storage: a.storage), Parameters(w: w.tensor, b: bias.tensor)).storage
    return [
      entry("Murugan", "Table 1", "sigmoid: f′(x) = f(x)(1 − f(x))²", .wrong, corrected: "f′(x) = f(x)(1 − f(x))",
            against: "central differences of σ", printed: (s.map { $0 * (1 - $0) * (1 - $0) }, fd(sigma)), correctedValues: s.map { $0 * (1 - $0) }, tolerance: 1e-6),
      entry("Murugan", "Table 1", "tanh: f′(x) = 1 − f(x)²", against: "central differences of tanh", printed: (xs.map { 1 - Double.tanh($0) * Double.tanh($0) }, fd(tanh)), tolerance: 1e-6),
      entry("Murugan", "Table 1", "ReLU: f′(x) = 1 for x > 0, 0 otherwise", against: "central differences of max(0, x) (away from 0)",
            printed: (relu, fd { max(0, $0) }), tolerance: 1e-6),
      entry("Murugan", "Table 1", "leaky ReLU: f′(x) = 1 for x > 0, a otherwise", against: "central differences (a = 0.01)",
            printed: (try ReLU(leak: 0.01).backward(x, Parameters(), ones).dzdx.storage, fd { $0 > 0 ? $0 : 0.01 * $0 }), tolerance: 1e-6),
      entry("Murugan", "eq. 2.5", "MSLE = (1/t) Σ (log(yᵢ + 1) − log(ŷᵢ − 1))²", .wrong, corrected: "(1/t) Σ (log(yᵢ + 1) − log(ŷᵢ + 1))²",
            against: "the msle loss block", printed: ([mslePrinted], [msleBlock]), correctedValues: [msleCorrected]),
      entry("Murugan", "eq. 2.10", "P(yᵢ | z) = ŷᵢ yᵢ (1 − ŷᵢ)^{1−yᵢ}", .garbled, corrected: "P(yᵢ | z) = ŷᵢ^{yᵢ} (1 − ŷᵢ)^{1−yᵢ} (Bernoulli)",
            against: "exp of eq. 2.12's log-likelihood", printed: (eq210, eq212.map { Double.exp($0) }), correctedValues: bernoulli),
      entry("Murugan", "eq. 2.13", "log P(yᵢ | z) = −log(ŷ^{y}(1 − ŷ)^{1−y})", .wrong, corrected: "−log P(yᵢ | z) = −log(ŷ^{y}(1 − ŷ)^{1−y})",
            against: "eq. 2.12 (log P expanded)", printed: (bernoulli.map { -Double.log($0) }, eq212), correctedValues: bernoulli.map { Double.log($0) }),
      entry("Murugan", "eq. 2.1–2.2", "Dim = (H + 2Z_P − k)/Z_S + 1 (conv), (H₁ − k)/Z_S + 1 (pool)", .ambiguous, corrected: "⌊(H + 2P − k)/S⌋ + 1 (MatConvNet eq. 5.3)",
            against: "the conv and pool blocks' output sizes", printed: (printedSizes, blockSizes), correctedValues: flooredSizes),
      entry("Murugan", "eq. 2.4", "MSE = (1/t) Σ (yᵢ − ŷᵢ)²", against: "the mse loss block", printed: ([mse], [try block(.mse)])),
      entry("Murugan", "eq. 2.6", "L2 = Σ (yᵢ − ŷᵢ)²", against: "the l2 loss block", printed: ([l2], [try block(.l2)])),
      entry("Murugan", "eq. 2.7", "L1 = Σ |yᵢ − ŷᵢ|", against: "the l1 loss block", printed: ([l1], [try block(.l1)])),
      entry("Murugan", "eq. 2.8", "MAE = (1/t) Σ |yᵢ − ŷᵢ|", against: "the mae loss block", printed: ([mae], [try block(.mae)])),
      entry("Murugan", "eq. 2.9", "MAPE = (1/t) Σ |(yᵢ − ŷᵢ)/yᵢ| × 100", against: "the mape loss block", printed: ([mape], [try block(.mape)])),
      entry("Murugan", "eq. 2.11–2.12", "log P = log(ŷ^{y}(1 − ŷ)^{1−y}) = y log ŷ + (1 − y) log(1 − ŷ)", against: "the log of the Bernoulli probability",
            printed: (eq212, bernoulli.map { Double.log($0) })),
      entry("Murugan", "eq. 3.1", "(I ⊗ K)_ij = Σ_m Σ_n Σ_c K_mnc I_{i+m, j+n, c} (i, j counted from 0)", against: "the conv block on a 2-channel image", printed: (eq31, conv.storage)),
      entry("Murugan", "eq. 3.3", "C_mn = Σ I_{m−u, n−v} K_uv + b", .ambiguous, corrected: "C = I ⋆ K + b, the correlation of eq. 3.1–3.2 (minus signs make it a true convolution)",
            against: "the correlation of eq. 3.2 used by the forward pass", printed: (eq33, eq32), correctedValues: eq32),
      entry("Murugan", "eq. 3.7–3.9", "zᵢ = wᵢ₁a₁ + wᵢ₂a₂ + … + w_{ij}^{l−1} a₁^{l−1} + … + b_j", .garbled, corrected: "zᵢ = Σⱼ wᵢⱼ aⱼ + bᵢ (eq. 3.10–3.12)",
            against: "the dense block", printed: (eq37, denseBlock), correctedValues: zTrue),
      entry("Murugan", "eq. 3.10", "z = W a + b with wᵢⱼ in row i (one row per unit)", against: "the dense block", printed: (zTrue, denseBlock)),
      entry("Murugan", "eq. 2.14 (3.23)", "L = −(1/t) Σ (y log ŷ + (1 − y) log(1 − ŷ))", against: "the bce loss block", printed: ([bce], [bceBlock])),
      entry("Murugan", "eq. 3.25–3.27", "∂L/∂z = (ŷ − y)/t for a sigmoid output with cross-entropy", against: "central differences of L(σ(z))",
            printed: (y.indices.map { (yhat[$0] - y[$0]) / t }, dLdz), tolerance: 1e-6),
    ]
  }

  // MARK: Vardhan

  static func vardhan(seed: UInt64) throws -> [AuditEntry] {
    var rng = SeededGenerator(seed: seed)
    // App. A: a 3×4 input, a 2×2 kernel, padding (1, 1), stride (1, 2).
    let a = Tensor<Double>.uniform(Shape(3, 4), using: &rng)
    let k = Tensor<Double>.uniform(Shape(2, 2), using: &rng)
    let conv = Conv(pad: [1, 1, 1, 1], stride: (1, 2))
    let z = try conv.forward(a, Parameters(w: k))
    // The size formula: h_z = ⌊(h_a + 2h_p − h_k)/h_s + 1⌋.
    let size = [Double((3 + 2 - 2) / 1 + 1), Double((4 + 2 - 2) / 2 + 1)]
    // dᵥZ/dᵥK column by column: column (p, q) is vec of Z for the kernel with a single 1 at (p, q).
    var columns: [Double] = []
    for e in 0..<4 {
      var unit = Tensor<Double>(shape: k.shape)
      unit.storage[e] = 1
      columns += try conv.forward(a, Parameters(w: unit)).storage
    }
    let jk = try conv.jacobian(at: a, Parameters(w: k), wrt: .w)
    let fdK = FiniteDifferences.jacobian(at: k.storage) { try! conv.forward(a, Parameters(w: Tensor(shape: k.shape, storage: $0))).storage }
    var colsA: [Double] = []
    for e in 0..<12 {
      var unit = Tensor<Double>(shape: a.shape)
      unit.storage[e] = 1
      colsA += try conv.forward(unit, Parameters(w: k)).storage
    }
    let fdA = FiniteDifferences.jacobian(at: a.storage) { try! conv.forward(Tensor(shape: a.shape, storage: $0), Parameters(w: k)).storage }
    // The trace trick: for J = tr(A X), dJ = tr(A dX), so dJ/dX = A in numerator layout (the
    // gradient, shaped like X, is Aᵀ).
    let am = Matrix<Double>.uniform(3, 2, using: &rng), xm = Matrix<Double>.uniform(2, 3, using: &rng)
    let trace = { (x: [Double]) in Self.trace(Matrix(rows: 3, cols: 2, storage: am.storage) * Matrix(rows: 2, cols: 3, storage: x)) }
    let grad = FiniteDifferences.jacobian(at: xm.storage) { [trace($0)] }
    // §3.1.4: dJ/dᵥZ = dJ/dᵥI · dᵥI/dᵥZ, the activation's Jacobian diagonal (sigmoid), one channel.
    let zMap = Tensor<Double>.uniform(Shape(3, 3), using: &rng), g = Matrix<Double>.uniform(1, 9, using: &rng)
    let activation = try Sigmoid().jacobian(at: zMap, Parameters(), wrt: .x)
    let viaJacobian = (g * activation).storage
    let fdZ = try FiniteDifferences.vjp(at: zMap.storage, cotangent: g.storage) { try Sigmoid().forward(Tensor(shape: zMap.shape, storage: $0), Parameters()).storage }
    // §3.1.6: layer 1 repeats §3.1.3–3.1.5: dJ/dᵥK¹ = dJ/dᵥA¹ · dᵥA¹/dᵥI¹ · dᵥI¹/dᵥZ¹ · dᵥZ¹/dᵥK¹ (conv → sigmoid → 2×2 average pool).
    let a0 = Tensor<Double>.uniform(Shape(5, 5), using: &rng), k1 = Tensor<Double>.uniform(Shape(2, 2), using: &rng)
    let conv1 = Conv(), pool1 = Pool(method: .avg, size: (2, 2), stride: (2, 2))
    let z1 = try conv1.forward(a0, Parameters(w: k1)), i1 = try Sigmoid().forward(z1, Parameters())
    let a1 = try pool1.forward(i1, Parameters())
    let gA = Matrix<Double>.uniform(1, a1.count, using: &rng)
    let chainK = gA * (try pool1.jacobian(at: i1, Parameters(), wrt: .x)) * (try Sigmoid().jacobian(at: z1, Parameters(), wrt: .x)) * (try conv1.jacobian(at: a0, Parameters(w: k1), wrt: .w))
    let fdK1 = try FiniteDifferences.vjp(at: k1.storage, cotangent: [1]) { k in
      let out = try pool1.forward(try Sigmoid().forward(try conv1.forward(a0, Parameters(w: Tensor(shape: k1.shape, storage: k))), Parameters()), Parameters())
      return [zip(gA.storage, out.storage).reduce(0) { $0 + $1.0 * $1.1 }]
    }
    return [
      entry("Vardhan", "§2 (output size)", "h_z = ⌊(h_a + 2h_p − h_k)/h_s + 1⌋ (App. A: 3×4, 2×2, pad (1,1), stride (1,2) → 4×3)",
            against: "the conv block's output", printed: (size, [Double(z.shape.h), Double(z.shape.w)])),
      entry("Vardhan", "§3.1.5, App. A", "dᵥZ/dᵥK: column (p,q) = vec(A * K with a 1 at (p,q))", against: "central differences",
            printed: (columns, fdK.storage), tolerance: 1e-6),
      entry("Vardhan", "§3.1.5, App. A", "dᵥZ/dᵥA: column (p,q) = vec(dA/dA_pq * K)", against: "central differences",
            printed: (colsA, fdA.storage), tolerance: 1e-6),
      entry("Vardhan", "§3.1.5", "the column-by-column dᵥZ/dᵥK equals the im2row form (I ⊗ φ(A)) (MatConvNet §6.1)", against: "the conv block's explicit Jacobian",
            printed: (columns, jk.storage)),
      entry("Vardhan", "§3.1.4", "dJ/dᵥZ_j = dJ/dᵥI_j · dᵥI_j/dᵥZ_j with dᵥI/dᵥZ = diag(f′(ᵥZ)) (sigmoid)", against: "central differences",
            printed: (viaJacobian, fdZ), tolerance: 1e-6),
      entry("Vardhan", "§3.1.6", "dJ/dᵥK¹ = dJ/dᵥA¹ · dᵥA¹/dᵥI¹ · dᵥI¹/dᵥZ¹ · dᵥZ¹/dᵥK¹ (layer 1: average pool, sigmoid, conv)", against: "central differences of J",
            printed: (chainK.storage, fdK1), tolerance: 1e-6),
      entry("Vardhan", "§3.1 (trace trick)", "J = tr(A X) ⇒ dJ = tr(A dX) ⇒ dJ/dX = A (numerator layout; the gradient shaped like X is Aᵀ)",
            against: "central differences of tr(A X)", printed: (am.transposed.storage, grad.storage), tolerance: 1e-6),
    ]
  }

  // MARK: Milisavljevic

  static func milisavljevic(seed: UInt64) throws -> [AuditEntry] {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor<Double>.uniform(Shape(7, 6, 3), using: &rng)
    let f = Tensor<Double>.uniform(Shape(3, 3, 3, 4), using: &rng)
    // Eq. 1: the im2col matrix has one row per output pixel and one column per filter tap.
    let phi = try im2row(x, kh: 3, kw: 3)
    let direct = try DirectConvolution.forward(x, f, stride: 1, pad: 0)
    let gemm = phi * Matrix(rows: 27, cols: 4, storage: f.storage)
    // Memory: φ holds H″W″·FH·FW·D numbers for H·W·D inputs — about FH·FW times more.
    let blowUp = Double(phi.rows * phi.cols) / Double(x.count)
    let maxavg = try Pool(method: .maxavg, size: (2, 2), stride: (2, 2)).forward(x, Parameters())
    let sum = try Pool(method: .max, size: (2, 2), stride: (2, 2)).forward(x, Parameters()).zipWith(try Pool(method: .avg, size: (2, 2), stride: (2, 2)).forward(x, Parameters()), +)
    return [
      entry("Milisavljevic", "eq. 1", "im2col: x (H×W×D) → a (H″W″) × (FH·FW·D) matrix of patches", against: "H″W″ = 5·4 rows, 3·3·3 columns",
            printed: ([Double(phi.rows), Double(phi.cols)], [20, 27])),
      entry("Milisavljevic", "eq. 2", "conv = im2col(x) · [filters as columns] (one GEMM)", against: "naive convolution loops",
            printed: (gemm.storage, direct.storage)),
      entry("Milisavljevic", "§2 (memory)", "im2col stores ≈ FH·FW copies of the input (here 20·27/126 = 4.29; → 9 as H, W grow)", against: "the size of φ(x)",
            printed: ([blowUp], [Double(20 * 27) / 126])),
      entry("Milisavljevic", "§3 (Max+Average)", "max+average pooling = max pooling + average pooling (their sum)", against: "the two pooling blocks added",
            printed: (maxavg.storage, sum.storage)),
    ]
  }

  // MARK: MatConvNet

  static func matConvNet(seed: UInt64) throws -> [AuditEntry] {
    var rng = SeededGenerator(seed: seed)
    // §5.4 Example 1: the transposed convolution's β̂.
    var printedBeta: [Double] = [], correctedBeta: [Double] = [], truthBeta: [Double] = []
    for s in 1...3 { for h in 1...5 { for p in 0..<h {
      let rf = ReceptiveField.filter(FilterAxis(size: h, stride: s, padBefore: p, padAfter: p)).transposed
      truthBeta.append(rf.beta)
      printedBeta.append(Double(2 * p - h + 1) / Double(s) + 1)
      correctedBeta.append(Double(2 * p - h + 1) / Double(2 * s) + 1)
    } } }
    // §6.1: vec y = (I ⊗ φ(x)) vec F = (Fᵀ ⊗ I) vec φ(x)... checked on the conv block.
    let x = Tensor<Double>.uniform(Shape(5, 4, 2), using: &rng)
    let f = Tensor<Double>.uniform(Shape(2, 2, 2, 3), using: &rng)
    let y = try Conv().forward(x, Parameters(w: f))
    let phi = try im2row(x, kh: 2, kw: 2)
    let fm = Matrix(rows: 8, cols: 3, storage: f.storage)
    let form1 = kron(Matrix<Double>.identity(3), phi) * Matrix(rows: 24, cols: 1, storage: f.storage)
    let form2 = kron(fm.transposed, Matrix<Double>.identity(phi.rows)) * Matrix(rows: phi.count, cols: 1, storage: phi.storage)
    // §6.5.4: softmax Jacobian diag(y) − y yᵀ per pixel.
    let v = Tensor<Double>.uniform(Shape(1, 1, 4), using: &rng)
    let sm = try Softmax().forward(v, Parameters()).storage
    var analytic: [Double] = []
    for j in 0..<4 { for i in 0..<4 { analytic.append((i == j ? sm[i] : 0) - sm[i] * sm[j]) } }
    let fdSoftmax = try FiniteDifferences.jacobian(at: v.storage) { try Softmax().forward(Tensor(shape: v.shape, storage: $0), Parameters()).storage }
    // §5.5 composition against brute force on a stack: conv 3 stride 2 pad 1, then pool 2 stride 2.
    let a = FilterAxis(size: 3, stride: 2, padBefore: 1, padAfter: 1), b = FilterAxis(size: 2, stride: 2)
    let composed = ReceptiveField.filter(a).then(.filter(b))
    // Output i of the stack reads conv outputs 2i−1, 2i (1-based), which read inputs 2j − 2 … 2j.
    let brute = (1...4).map { i -> [Double] in
      let lo = (2 * (2 * i - 1) - 2), hi = 2 * (2 * i)
      return [Double(lo + hi) / 2, Double(hi - lo + 1)]
    }
    let composedFields = (1...4).map { i -> [Double] in [composed.alpha * Double(i - 1) + composed.beta, composed.delta] }
    // Chapter 4: every block's definition (the literal path, built from the chapter's formulas)
    // against the fast path on a random configuration.
    var definitions: [AuditEntry] = []
    let chapter4: [(String, String, String)] = [
      ("conv", "§4.1", "y_{i″j″d″} = b_{d″} + Σ_{i′j′d′} f_{i′j′d′d″} x_{S(i″−1)+i′−P⁻, S(j″−1)+j′−P⁻, d′}"),
      ("convt", "eq. 4.1", "convt: y = Σ f x with upsampling U and crop C (the transpose of conv)"),
      ("pool", "§4.3", "y_{i″j″d} = max (or mean of the in-bounds samples) over the window"),
      ("relu", "§4.4", "y = max(0, x) (leak ε below 0)"),
      ("sigmoid", "§4.4", "y = 1/(1 + e^{−x})"),
      ("normalize", "§4.5.1", "LRN: y_{ijk} = x_{ijk} (κ + α Σ_{t∈G(k)} x_{ijt}²)^{−β}"),
      ("bnorm", "§4.5.2", "y = w (x − μ)/√(σ² + ε) + b per channel"),
      ("spnorm", "§4.5.3", "y = x (1 + α n²)^{−β}, n² the mean of x² over a window"),
      ("softmax", "§4.5.4", "y_{ijk} = e^{x_{ijk}} / Σ_t e^{x_{ijt}}"),
      ("pdist", "§4.6.3", "y = (Σ_d |x_d − x̄_d|^p)^{1/p} per pixel"),
    ]
    for (name, location, claim) in chapter4 {
      let c = try CheckCase.random(name, seed: seed)
      let fast = try c.block.forward(c.x, c.parameters), literal = try c.block.literalForward(c.x, c.parameters)
      definitions.append(entry("MatConvNet", location, claim + " (\(c.configuration))", against: "the fast path (im2row/BLAS or loops)", printed: (literal.storage, fast.storage), tolerance: 1e-9))
    }
    for (kind, location, claim) in [(Loss.Kind.log, "§4.6.1", "log-loss ℓ = −Σ log x_c"), (.softmaxlog, "§4.6.2", "softmax log-loss ℓ = −Σ (x_c − log Σ_k e^{x_k})")] {
      let scores = Tensor<Double>.uniform(Shape(1, 1, 4, 3), in: 0.05...0.9, using: &rng)
      let labels = Tensor<Double>(shape: Shape(1, 1, 1, 3), storage: [1, 3, 4])
      let block = Loss(kind: kind)
      var direct = 0.0
      for n in 0..<3 {
        let c = Int(labels.storage[n]) - 1
        if kind == .log { direct -= Double.log(scores[0, 0, c, n]) } else {
          direct -= scores[0, 0, c, n] - Double.log((0..<4).reduce(0) { $0 + Double.exp(scores[0, 0, $1, n]) })
        }
      }
      definitions.append(entry("MatConvNet", location, claim, against: "the loss block", printed: ([direct], try block.forward(scores, Parameters(labels: labels)).storage)))
    }
    // Eq. (6.1): conv transpose in 1-D, written with the manual's indices.
    var eq61: [Double] = [], convtBlock: [Double] = []
    for (u, hf, crop) in [(2, 3, 1), (3, 4, 0), (2, 4, 2), (1, 3, 1)] {
      let yIn = Tensor<Double>.uniform(Shape(4, 1), using: &rng), f = Tensor<Double>.uniform(Shape(hf, 1), using: &rng)
      let out = try ConvTranspose(upsample: (u, 1), crop: [crop, 0, 0, 0]).forward(yIn, Parameters(w: f))
      convtBlock += out.storage
      for k in 1...out.shape.h {
        var sum = 0.0
        for q in 1...(1 + (hf - 1) / u) {
          let yi = (k - 1 + crop) / u + 2 - q, fi = (k - 1 + crop) % u + u * (q - 1) + 1
          if (1...4).contains(yi), (1...hf).contains(fi) { sum += yIn.storage[yi - 1] * f.storage[fi - 1] }
        }
        eq61.append(sum)
      }
    }
    // Eq. (5.4): S(H″ − 1) − P⁻ + 1 ≤ H ⇔ H″ ≤ (H − 1 + P⁻)/S + 1, over a grid of H, S, P⁻ and H″.
    var lhs54: [Double] = [], rhs54: [Double] = []
    for h in 3...9 { for st in 1...3 { for pd in 0...2 { for out in 1...8 {
      lhs54.append(st * (out - 1) - pd + 1 <= h ? 1 : 0)
      rhs54.append(Double(out) <= Double(h - 1 + pd) / Double(st) + 1 ? 1 : 0)
    } } } }
    // §5.2: a simple filter's α = S, β = (H′ + 1)/2 − P⁻, Δ = H′ against the input range of output i″.
    var simple: [Double] = [], ranges: [Double] = []
    for (hf, st, pd) in [(3, 1, 1), (5, 2, 2), (2, 2, 0), (4, 3, 1)] {
      let rf = ReceptiveField.filter(FilterAxis(size: hf, stride: st, padBefore: pd, padAfter: pd))
      for out in 1...3 {
        let first = st * (out - 1) + 1 - pd, last = first + hf - 1
        ranges += [Double(first + last) / 2, Double(last - first + 1)]
        simple += [rf.alpha * Double(out - 1) + rf.beta, rf.delta]
      }
    }
    // §5.3 against §5.4: conv transpose's field equals the transposed field of the matching conv.
    var convtField: [Double] = [], transposedField: [Double] = []
    for (hf, u, c) in [(3, 2, 1), (4, 2, 1), (5, 3, 2), (2, 1, 0)] {
      let direct = ReceptiveField.convTranspose(size: hf, upsample: u, cropBefore: c)
      let viaConv = ReceptiveField.filter(FilterAxis(size: hf, stride: u, padBefore: c, padAfter: c)).transposed
      convtField += [direct.alpha, direct.beta, direct.delta]
      transposedField += [viaConv.alpha, viaConv.beta, viaConv.delta]
    }
    // §5.6: overlaying two fields of equal stride encloses both windows.
    let fa = ReceptiveField.filter(FilterAxis(size: 3, stride: 2, padBefore: 1, padAfter: 1)), fb = ReceptiveField.filter(FilterAxis(size: 6, stride: 2, padBefore: 1, padAfter: 1))
    let overlay = try fa.overlaid(with: fb)
    var overlaid: [Double] = [], enclosing: [Double] = []
    for out in 1...3 {
      let ra = fa.inputRange(ofOutput: out), rb = fb.inputRange(ofOutput: out)
      let lo = min(ra.lowerBound, rb.lowerBound), hi = max(ra.upperBound, rb.upperBound)
      enclosing += [(lo + hi) / 2, hi - lo + 1]
      overlaid += [overlay.alpha * Double(out - 1) + overlay.beta, overlay.delta]
    }
    return [
      entry("MatConvNet", "§5.4 Example 1", "β̂ = (2P⁻ − H′ + 1)/S + 1", .wrong, corrected: "β̂ = (2P⁻ − H′ + 1)/(2S) + 1 (the step before it has (P⁻ − H′/2 + 1/2)/S)",
            against: "β̂ = (1 + α − β)/α with α = S, β = (H′ + 1)/2 − P⁻ (§5.4)", printed: (printedBeta, truthBeta), correctedValues: correctedBeta),
      entry("MatConvNet", "§6.1", "vec y = (I ⊗ φ(x)) vec F", against: "the conv block's forward", printed: (form1.storage, y.storage)),
      entry("MatConvNet", "§6.1", "vec y = (Fᵀ ⊗ I) vec φ(x)", against: "the conv block's forward", printed: (form2.storage, y.storage)),
      entry("MatConvNet", "§6.5.4", "softmax: dy/dx = diag(y) − y yᵀ (per pixel)", against: "central differences", printed: (analytic, fdSoftmax.storage), tolerance: 1e-6),
      entry("MatConvNet", "§5.5", "composition: α_h = α_f α_g, β_h = α_f(β_g − 1) + β_f, Δ_h = α_f(Δ_g − 1) + Δ_f", against: "the input range each output reads (brute force)",
            printed: (composedFields.flatMap { $0 }, brute.flatMap { $0 })),
      entry("MatConvNet", "eq. 6.1", "x_k = Σ_q y_{⌊(k−1+P⁻)/S⌋+2−q} f_{(k−1+P⁻) mod S + S(q−1) + 1}, q = 1 … 1 + ⌊(H′−1)/S⌋", against: "the convt block (1-D)",
            printed: (eq61, convtBlock)),
      entry("MatConvNet", "eq. 5.4 (§5.2.1)", "S(H″ − 1) − P⁻ + 1 ≤ H  ⇔  H″ ≤ (H − 1 + P⁻)/S + 1", against: "the left-hand side on a grid of H, S, P⁻, H″", printed: (rhs54, lhs54)),
      entry("MatConvNet", "§5.2", "simple filter: α = S, β = (H′ + 1)/2 − P⁻, Δ = H′", against: "the input range [S(i″−1) + 1 − P⁻, S(i″−1) + H′ − P⁻] of output i″", printed: (simple, ranges)),
      entry("MatConvNet", "§5.3", "convt: α = 1/U, β = (2C⁻ − H′ + 1)/(2U) + 1, Δ = (H′ − 1)/U + 1", against: "the transposed field of the matching conv (§5.4)",
            printed: (convtField, transposedField)),
      entry("MatConvNet", "§5.6", "overlay of equal-stride fields: the smallest window enclosing both", against: "the union of the two windows, output by output", printed: (overlaid, enclosing)),
    ] + definitions
  }
}
