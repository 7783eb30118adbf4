import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Murugan, "Implementation of deep convolutional neural network…": the one-conv-layer network
/// (conv → ReLU → 2×2 max pool → dense ReLU → dense sigmoid, binary cross-entropy) stepped
/// through Murugan (3.1)–(3.80) on a seeded instance. Every gradient is checked against central
/// differences of the loss; the forms that are wrong as printed are evaluated and shown failing.
enum MuruganDerivations {
  static let all: [(id: String, title: String, reference: String, build: Derivations.Builder)] = [
    ("murugan-forward", "Forward pass: correlation, ReLU, max pool, flatten, dense layers", "Murugan (3.1)–(3.23)", forward),
    ("murugan-loss", "Cross-entropy and the sigmoid: ∂L/∂ŷ and σ′", "Murugan (3.23)–(3.27), (3.34)–(3.36), Table 1", loss),
    ("murugan-dense", "Dense-layer gradients: output (sigmoid) and hidden (ReLU) layers", "Murugan (3.28)–(3.59)", dense),
    ("murugan-kernel", "Back through pooling to the kernel: the rot180 form", "Murugan (3.60)–(3.74)", kernel),
    ("murugan-update", "Gradient-descent updates", "Murugan (3.75)–(3.80)", update),
  ]

  /// The network's parameters and input.
  struct Net {
    var image: Matrix<Double>
    var k: Matrix<Double>
    var bc: Double
    var w1: Matrix<Double>  // inputs × hidden: z¹ = (W¹)ᵀ a⁰ + b¹ (Murugan (3.15))
    var b1: Matrix<Double>
    var w2: Matrix<Double>  // hidden × outputs
    var b2: Matrix<Double>
    var y: Matrix<Double>  // targets in {0, 1}
    /// The conv layer as Murugan (3.3) writes it, a true convolution (I_{m−u, n−v}), instead of
    /// Murugan (3.2)'s correlation (I_{i+m, j+n}): the paper defines it both ways.
    var trueConvolution = false

    init(side: Int, seed: UInt64) throws {
      // Above 16 the random instance saturates (ReLU and softmax leave exact zeros), so a wrong
      // printed form can coincide with the right one; the range is where every check was seen to hold.
      guard (4...16).contains(side), (side - 2) % 2 == 0 else {
        throw ConvLabError.outOfRange(subject: "each Murugan derivation", setting: "size", value: "\(side)", allowed: "even, between 4 and 16 (the conv output, size − 2, is max-pooled 2×2)")
      }
      // A draw whose hidden ReLUs are all dead passes no gradient back, so every backward check
      // would compare zeros with zeros (seeds 14, 16 and 18 drew one): draw again from an
      // independent stream (the seed mixed with the attempt, not the same stream shifted). The
      // first draw is kept whenever one hidden unit lives, so existing instances are unchanged.
      let inputs = ((side - 2) / 2) * ((side - 2) / 2)
      var attempt: UInt64 = 0
      repeat {
        var rng = SeededGenerator(seed: attempt == 0 ? seed : seed ^ (attempt &* 0x9E37_79B9_7F4A_7C15))
        image = Matrix.uniform(side, side, using: &rng)
        k = Matrix.uniform(3, 3, using: &rng)
        bc = 0.1
        w1 = Matrix.uniform(inputs, 3, using: &rng)
        b1 = Matrix.uniform(3, 1, in: -0.1...0.1, using: &rng)
        w2 = Matrix.uniform(3, 2, using: &rng)
        b2 = Matrix.uniform(2, 1, in: -0.1...0.1, using: &rng)
        y = Matrix(rows: 2, cols: 1, storage: [1, 0])
        attempt += 1
      } while attempt < 64 && !pass().z1.storage.contains { $0 > 0 }
    }

    struct Pass {
      var s: Matrix<Double>, c: Matrix<Double>, p: Matrix<Double>, a0: Matrix<Double>
      var z1: Matrix<Double>, a1: Matrix<Double>, z2: Matrix<Double>, yhat: Matrix<Double>, loss: Double
    }

    /// Murugan (3.2), (3.4)–(3.6), (3.12)–(3.22), (3.23) with t outputs.
    func pass() -> Pass {
      let s = Support.map(trueConvolution ? conv2(image, k, shape: .valid) : xcorr2(image, k)) { $0 + bc }
      let c = Support.map(s, Support.relu)
      let p = Support.maxPool(c, 2)
      let a0 = vec(p)
      let z1 = w1.transposed * a0 + b1
      let a1 = Support.map(z1, Support.relu)
      let z2 = w2.transposed * a1 + b2
      let yhat = Support.map(z2, Support.sigmoid)
      return Pass(s: s, c: c, p: p, a0: a0, z1: z1, a1: a1, z2: z2, yhat: yhat, loss: loss(prediction: yhat))
    }

    var loss: Double { pass().loss }

    /// L of a prediction ŷ (Murugan (3.23), the mean over the t outputs).
    func loss(prediction yhat: Matrix<Double>) -> Double { Support.crossEntropy(y, yhat) / Double(y.count) }
    /// L from the output layer's pre-activation z².
    func loss(outputPreActivation z2: Matrix<Double>) -> Double { loss(prediction: Support.map(z2, Support.sigmoid)) }
    /// L from the hidden layer's pre-activation z¹.
    func loss(hiddenPreActivation z1: Matrix<Double>) -> Double { loss(outputPreActivation: w2.transposed * Support.map(z1, Support.relu) + b2) }
    /// L from the flattened pooled map a⁰.
    func loss(flattened a0: Matrix<Double>) -> Double { loss(hiddenPreActivation: w1.transposed * a0 + b1) }

    /// The analytic backward pass (the corrected forms).
    struct Back {
      var dyhat: Matrix<Double>, delta2: Matrix<Double>, dw2: Matrix<Double>, db2: Matrix<Double>
      var delta1: Matrix<Double>, dw1: Matrix<Double>, db1: Matrix<Double>
      var da0: Matrix<Double>, dp: Matrix<Double>, dc: Matrix<Double>, ds: Matrix<Double>, dk: Matrix<Double>, dbc: Double
    }

    func backward(_ f: Pass) throws -> Back {
      let t = Double(y.count)
      let dyhat = Matrix(rows: y.rows, cols: 1) { i, _ in (-y[i, 0] / f.yhat[i, 0] + (1 - y[i, 0]) / (1 - f.yhat[i, 0])) / t }
      let delta2 = Matrix(rows: y.rows, cols: 1) { i, _ in (f.yhat[i, 0] - y[i, 0]) / t }
      let dw2 = f.a1 * delta2.transposed
      let delta1 = try hadamard(w2 * delta2, Support.map(f.z1, Support.reluSlope))
      let dw1 = f.a0 * delta1.transposed
      let da0 = w1 * delta1
      let dp = try unvec(da0, f.p.rows, f.p.cols)
      var dc = Matrix<Double>(rows: f.c.rows, cols: f.c.cols)
      for r in 0..<dp.rows {
        for cc in 0..<dp.cols {
          // The winning unit; ties (windows of ReLU zeros) go to the first in column-major order, as in MatConvNet.
          var best = (value: -Double.infinity, row: 0, col: 0)
          for b in 0..<2 { for a in 0..<2 where f.c[2 * r + a, 2 * cc + b] > best.value { best = (f.c[2 * r + a, 2 * cc + b], 2 * r + a, 2 * cc + b) } }
          dc[best.row, best.col] = dp[r, cc]
        }
      }
      let ds = try hadamard(dc, Support.map(f.s, Support.reluSlope))
      return Back(
        dyhat: dyhat, delta2: delta2, dw2: dw2, db2: delta2, delta1: delta1, dw1: dw1, db1: delta1,
        da0: da0, dp: dp, dc: dc, ds: ds, dk: xcorr2(image, ds), dbc: Support.sum(ds))
    }
  }

  static let fd = "central differences of L"

  /// Murugan (3.69) evaluated literally, Σ_m Σ_n δ_mn I_{m−u, n−v}, with Murugan (3.3)'s indices: output
  /// (m, n) of a valid K×K convolution runs over m, n = K+1 … N+1 (1-based), so that every
  /// I_{m−u, n−v} with u, v = 1 … K lies inside the N×N image.
  static func eq369(_ image: Matrix<Double>, _ delta: Matrix<Double>) -> Matrix<Double> {
    let k = image.rows - delta.rows + 1
    return Matrix(rows: k, cols: image.cols - delta.cols + 1) { u0, v0 in
      var sum = 0.0
      for m in (k + 1)...(image.rows + 1) {
        for n in (k + 1)...(image.cols + 1) {
          // 1-based m, n, u, v as printed; δ is stored from (K+1, K+1), the image from (1, 1).
          sum += delta[m - k - 1, n - k - 1] * image[m - (u0 + 1) - 1, n - (v0 + 1) - 1]
        }
      }
      return sum
    }
  }

  // MARK: Murugan (3.1)–(3.23)

  static func forward(_ instance: Derivations.Instance) throws -> Derivation {
    let net = try Net(side: instance.size ?? 6, seed: instance.seed)
    let f = net.pass()
    let block = try Conv().forward(Support.tensor(net.image), Parameters(w: Support.tensor(net.k), b: Tensor(shape: Shape(1, 1), storage: [net.bc])))
    let pooled = try Pool(method: .max, size: (2, 2), stride: (2, 2)).forward(Support.tensor(f.c), Parameters())
    let dense = try Dense().forward(Tensor(shape: Shape(1, 1, f.a0.count), storage: f.a0.storage), Parameters(w: net.w1.transposed.tensor, b: net.b1.tensor))
    let hidden = try ReLU().forward(dense, Parameters())
    let outputBlocks = try Sigmoid().forward(try Dense().forward(hidden, Parameters(w: net.w2.transposed.tensor, b: net.b2.tensor)), Parameters())
    let bce = try RegressionLoss(kind: .bce).forward(f.yhat.tensor, Parameters(target: net.y.tensor))
    return Derivation(
      id: "murugan-forward",
      steps: [
        DerivationStep("I (\(net.image.rows)×\(net.image.cols)),  K (3×3),  b = \(MatrixFormat.number(net.bc))", "A grey-scale image and one kernel.", matrices: [("I", net.image), ("K", net.k)]),
        DerivationStep(
          "(I ⊗ K)_ij = Σ_m Σ_n K_mn I_{i+m, j+n}   (Murugan (3.2); ⊗ here is a correlation, not a Kronecker product)",
          "The kernel slides over the image without flipping; MatConvNet's conv computes exactly this.",
          matrices: [("I⋆K + b", f.s)], check: .holds(f.s, block.channel(0), against: "the conv block (MatConvNet §4.1)")),
        DerivationStep(
          "C = σ(I ⋆ K + b),  σ = ReLU   (Murugan (3.4))", "The conv layer's output after its activation.", matrices: [("C", f.c)],
          check: .holds(f.c, try ReLU().forward(block, Parameters()).channel(0), against: "the ReLU block on the conv block's output")),
        DerivationStep(
          "P = max over each 2×2 window of C   (Murugan (3.5) corrected: it names no window)", "Max pooling keeps the winning unit of each window.",
          matrices: [("P", f.p)], check: .holds(f.p, pooled.channel(0), against: "the pool block")),
        DerivationStep(
          "a⁰ = vec P   (Murugan (3.6), column-major flatten)", "The pooled map becomes the long vector the dense layers read.", matrices: [("a0", f.a0)],
          check: .holds(f.a0, Support.column(try pooled.reshaped(Shape(pooled.count, 1)).storage), against: "reshaping the pool block's output to a column")),
        DerivationStep(
          "z¹ = (W¹)ᵀ a⁰ + b¹,  a¹ = ReLU(z¹)   (Murugan (3.15)–(3.17))", "Each hidden unit j sums w_ij a_i over the inputs i: W¹ is inputs × units, hence the transpose.",
          matrices: [("W1", net.w1), ("z1", f.z1), ("a1", f.a1)],
          check: .holds(f.z1, Matrix(rows: 3, cols: 1, storage: dense.storage), against: "the dense block with weights (W¹)ᵀ")),
        DerivationStep(
          "ŷ = σ((W²)ᵀ a¹ + b²),  σ the sigmoid   (Murugan (3.19)–(3.21))", "The output layer: one sigmoid per class.", matrices: [("W2", net.w2), ("yhat", f.yhat)],
          check: .holds(f.yhat, Support.column(outputBlocks.storage), against: "the dense and sigmoid blocks")),
        DerivationStep(
          "L = −(1/t) Σᵢ [yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ)] = \(MatrixFormat.number(f.loss))   (Murugan (3.23), t = \(net.y.count) outputs)",
          "Binary cross-entropy averaged over the outputs.", matrices: [("y", net.y)],
          check: .holds(Support.column([f.loss]), Support.column(bce.storage), against: "the bce loss block")),
      ])
  }

  // MARK: Murugan (3.23)–(3.27), (3.34)–(3.36)

  static func loss(_ instance: Derivations.Instance) throws -> Derivation {
    let net = try Net(side: instance.size ?? 6, seed: instance.seed)
    let f = net.pass()
    let back = try net.backward(f)
    let numeric = Support.gradient(at: f.yhat) { net.loss(prediction: $0) }
    let z = f.z2
    let sigma = Support.map(z, Support.sigmoid)
    let printedSigma = Support.map(z) { 1 / (1 + exp($0)) }
    let sigmaBlock = Matrix(rows: z.rows, cols: 1, storage: try Sigmoid().forward(z.tensor, Parameters()).storage)
    let slope = Support.map(z) { Support.sigmoid($0) * (1 - Support.sigmoid($0)) }
    let numericSlope = Matrix(rows: z.rows, cols: 1) { i, _ in FiniteDifferences.derivative(at: z[i, 0], Support.sigmoid) }
    let table = Support.map(z) {
      let s = Support.sigmoid($0)
      return s * (1 - s) * (1 - s)
    }
    return Derivation(
      id: "murugan-loss",
      steps: [
        DerivationStep(
          "ŷ = (\(f.yhat.storage.map { MatrixFormat.number($0) }.joined(separator: ", "))),  y = (\(net.y.storage.map { MatrixFormat.number($0) }.joined(separator: ", ")))",
          "The prediction and the target of the forward pass (murugan-forward)."),
        DerivationStep(
          "∂L/∂ŷᵢ = (1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ))   (Murugan (3.26))", "Each output's derivative depends only on its own prediction.",
          matrices: [("dL/dyhat", back.dyhat)], check: .holds(back.dyhat, numeric, against: fd, tolerance: 1e-6)),
        DerivationStep(
          "σ(z) = 1/(1 + exp^{z})   (Murugan (3.34) as printed)", "The printed sigmoid has lost the minus sign of Table 1's 1/(1 + e^{−x}).",
          matrices: [("printed sigma(z2)", printedSigma)],
          check: .printedFormFails(
            printedSigma, sigmaBlock, claim: .murugan334, against: "the sigmoid block (Table 1's 1/(1 + e^{−x}), MatConvNet §4.4)",
            intended: "σ(z) = 1/(1 + e^{−z})", intendedValue: sigma,
            note: "Murugan (3.34) says it is Table 1's sigmoid, and Table 1 prints e^{−x}")),
        DerivationStep(
          "σ′(z) = σ(z)(1 − σ(z))   (Murugan (3.36))", "The sigmoid's slope, entry by entry.",
          matrices: [("sigma'(z2)", slope)], check: .holds(slope, numericSlope, against: "central differences of σ", tolerance: 1e-6)),
        DerivationStep(
          "f′(x) = f(x)(1 − f(x))²   (Table 1 (sigmoid) as printed)", "The table squares the second factor; Murugan (3.36) has it right.",
          matrices: [("Table 1 sigma'", table)],
          check: .printedFormFails(table, numericSlope, claim: .muruganTable1Sigmoid, against: "central differences of σ", tolerance: 1e-6, intended: "f′(x) = f(x)(1 − f(x))", intendedValue: slope)),
      ])
  }

  // MARK: Murugan (3.28)–(3.59)

  static func dense(_ instance: Derivations.Instance) throws -> Derivation {
    let net = try Net(side: instance.size ?? 6, seed: instance.seed)
    let f = net.pass()
    let b = try net.backward(f)
    let t = Double(net.y.count)
    let original = net
    func lossWith(_ change: (inout Net) -> Void) -> Double {
      var n = original
      change(&n)
      return n.loss
    }
    let dz2 = Support.gradient(at: f.z2) { net.loss(outputPreActivation: $0) }
    let dw2 = Support.gradient(at: net.w2) { w in lossWith { $0.w2 = w } }
    let db2 = Support.gradient(at: net.b2) { v in lossWith { $0.b2 = v } }
    let dw1 = Support.gradient(at: net.w1) { w in lossWith { $0.w1 = w } }
    let db1 = Support.gradient(at: net.b1) { v in lossWith { $0.b1 = v } }
    let dz1 = Support.gradient(at: f.z1) { net.loss(hiddenPreActivation: $0) }
    // Murugan (3.55)–(3.58) as printed: σ(z^{l−1}ᵢ) − yᵢ with σ = ReLU (y read as the output of the same index).
    let printed357 = Matrix(rows: 3, cols: 1) { i, _ in Support.relu(f.z1[i, 0]) - net.y[i % 2, 0] }
    // Murugan (3.39) as printed: (1/t) ŷᵢ(σ(zᵢ) − yᵢ) for every weight into output i.
    let printed339 = Matrix(rows: net.w2.rows, cols: net.w2.cols) { _, i in f.yhat[i, 0] * (f.yhat[i, 0] - net.y[i, 0]) / t }
    let printed343 = Matrix(rows: 2, cols: 1) { i, _ in f.yhat[i, 0] - net.y[i, 0] }
    // Murugan (3.53) as printed: (yᵢ − zᵢ)/(zᵢ(1 − zᵢ)) for hidden unit i (y read as the output of the same index).
    let printed353 = Matrix(rows: net.w1.rows, cols: net.w1.cols) { _, i in (net.y[i % 2, 0] - f.z1[i, 0]) / (f.z1[i, 0] * (1 - f.z1[i, 0])) }
    return Derivation(
      id: "murugan-dense",
      steps: [
        DerivationStep(
          "δ² = ∂L/∂z² = ∂L/∂ŷ ∘ σ′(z²) = (1/t)(ŷ − y)   (corrected: Murugan (3.28)–(3.38) simplified)",
          "With the sigmoid and cross-entropy together, the ratio terms cancel to the prediction error.",
          matrices: [("delta2", b.delta2)], check: .holds(b.delta2, dz2, against: "central differences of L in z²", tolerance: 1e-6)),
        DerivationStep(
          "∂L/∂W² = a¹ (δ²)ᵀ   (corrected)", "Weight w_ji into output i gets the input a¹_j times that output's error.",
          matrices: [("dL/dW2", b.dw2)], check: .holds(b.dw2, dw2, against: fd, tolerance: 1e-6)),
        DerivationStep(
          "∂L/∂w = (1/t) Σ ŷᵢ(σ(zᵢ) − yᵢ)   (Murugan (3.39)–(3.40) as printed)", "The printed form multiplies by ŷᵢ where the input a¹_j belongs.",
          matrices: [("printed dL/dW2", printed339)],
          check: .printedFormFails(printed339, dw2, claim: .murugan339To340, against: fd, tolerance: 1e-6, intended: "∂L/∂W² = a¹ (δ²)ᵀ, δ² = (ŷ − y)/t", intendedValue: b.dw2)),
        DerivationStep(
          "∂L/∂bᵢ = σ(zᵢ) − yᵢ   (Murugan (3.43)–(3.44) as printed)", "The printed bias gradient drops the 1/t of the loss's average.",
          matrices: [("printed dL/db2", printed343)],
          check: .printedFormFails(printed343, db2, claim: .murugan343To344, against: fd, tolerance: 1e-6, intended: "∂L/∂b² = δ² = (ŷ − y)/t", intendedValue: b.db2)),
        DerivationStep(
          "δ¹ = (W² δ²) ∘ ReLU′(z¹)   (corrected)", "The hidden error: the output errors sent back through W², gated by the ReLU.",
          matrices: [("z1", f.z1), ("delta1", b.delta1)], check: .holds(b.delta1, dz1, against: "central differences of L in z¹", tolerance: 1e-6)),
        DerivationStep(
          "∂L/∂W¹ = a⁰ (δ¹)ᵀ   (corrected)", "The same outer-product form one layer down.",
          matrices: [("dL/dW1", b.dw1)], check: .holds(b.dw1, dw1, against: fd, tolerance: 1e-6)),
        DerivationStep("∂L/∂b¹ = δ¹   (corrected)", "The hidden biases.", matrices: [("dL/db1", b.db1)], check: .holds(b.db1, db1, against: fd, tolerance: 1e-6)),
        DerivationStep(
          "∂L/∂w = (yᵢ − zᵢ)/(zᵢ(1 − zᵢ))   (Murugan (3.53)–(3.54) as printed)", "The printed hidden-layer gradient has no input factor and mixes in the sigmoid's slope of a ReLU layer.",
          matrices: [("printed dL/dW1", printed353)],
          check: .printedFormFails(printed353, dw1, claim: .murugan353To354, against: fd, tolerance: 1e-6, intended: "∂L/∂W¹ = a⁰ (δ¹)ᵀ, δ¹ = (W² δ²) ∘ ReLU′(z¹)", intendedValue: b.dw1)),
        DerivationStep(
          "∂L/∂bᵢ = σ(z_i^{l−1}) − yᵢ   (Murugan (3.57)–(3.59) as printed)", "The printed hidden-bias gradient is the output layer's form copied down a layer.",
          matrices: [("printed dL/db1", printed357)],
          check: .printedFormFails(printed357, db1, claim: .murugan357To359, against: fd, tolerance: 1e-6, intended: "∂L/∂b¹ = δ¹", intendedValue: b.db1)),
      ])
  }

  // MARK: Murugan (3.60)–(3.74)

  static func kernel(_ instance: Derivations.Instance) throws -> Derivation {
    let net = try Net(side: instance.size ?? 6, seed: instance.seed)
    let f = net.pass()
    let b = try net.backward(f)
    let da0 = Support.gradient(at: f.a0) { net.loss(flattened: $0) }
    let dP = Support.gradient(at: f.p) { net.loss(flattened: vec($0)) }
    let poolBack = try Pool(method: .max, size: (2, 2), stride: (2, 2)).backward(Support.tensor(f.c), Parameters(), Support.tensor(b.dp)).dzdx.channel(0)
    let dk = Support.gradient(at: net.k) { k in
      var n = net
      n.k = k
      return n.loss
    }
    let dbc = FiniteDifferences.derivative(at: net.bc) { v in
      var n = net
      n.bc = v
      return n.loss
    }
    let convBack = try Conv().backward(Support.tensor(net.image), Parameters(w: Support.tensor(net.k)), Support.tensor(b.ds)).dzdw
    // Murugan (3.69) and (3.71) under each of the paper's two definitions of the conv layer:
    // Murugan (3.2), a correlation (the network above), and Murugan (3.3), a true convolution.
    var convNet = net
    convNet.trueConvolution = true
    let convBackward = try convNet.backward(convNet.pass())
    let dkConvolution = Support.gradient(at: net.k) { k in
      var n = convNet
      n.k = k
      return n.loss
    }
    let eq369Correlation = eq369(net.image, b.ds)
    let eq369Convolution = eq369(net.image, convBackward.ds)
    let eq371Correlation = conv2(rot180(net.image), b.ds, shape: .valid)
    let eq371Convolution = conv2(rot180(net.image), convBackward.ds, shape: .valid)
    let corrected = conv2(net.image, rot180(b.ds), shape: .valid)
    return Derivation(
      id: "murugan-kernel",
      steps: [
        DerivationStep(
          "∂L/∂a⁰ = W¹ δ¹   (Murugan (3.60)–(3.64), corrected)", "The dense layer sends its error back to the flattened pooled map.",
          matrices: [("dL/da0", b.da0)], check: .holds(b.da0, da0, against: fd + " in a⁰", tolerance: 1e-6)),
        DerivationStep(
          "∂L/∂P = unvec(∂L/∂a⁰)   (Murugan (3.65) read with P^{p,q} for ∂L/∂P)", "Reshaping undoes Murugan (3.6); the paper reuses P^{p,q}, the pooled map of Murugan (3.5), for its error.",
          matrices: [("dL/dP", b.dp)],
          check: .holds(b.dp, dP, against: fd + " in P", tolerance: 1e-6)),
        DerivationStep(
          "∂L/∂C = the switches of the max pool applied to ∂L/∂P   (Murugan (3.66) corrected: the printed ∂L/∂C = P^{p,q} leaves out this up-sampling)",
          "Each window's error goes to its winning unit; the rest get zero.",
          matrices: [("dL/dC", b.dc)], check: .holds(b.dc, poolBack, against: "the pool block's backward pass")),
        DerivationStep("δ = ∂L/∂C ∘ ReLU′(I ⋆ K + b)", "Through the conv layer's activation (the printed derivation folds this into σ).", matrices: [("delta", b.ds)]),
        DerivationStep(
          "∂L/∂K_uv = Σ_m Σ_n δ_mn I_{m+u−1, n+v−1} = (I ⋆ δ)_uv   (corrected: the gradient for Murugan (3.2)'s correlation)",
          "Each kernel weight collects the image samples it multiplied, weighted by the error there.",
          matrices: [("dL/dK", b.dk)], check: .holds(b.dk, dk, against: fd + " in K", tolerance: 1e-6)),
        DerivationStep(
          "∂L/∂K through the conv block's dz/dw   (MatConvNet §4.1)", "An independent implementation agrees.",
          check: .holds(b.dk, convBack?.channel(0) ?? Matrix(rows: 0, cols: 0), against: "the conv block")),
        DerivationStep(
          "∂L/∂K_uv = Σ_m Σ_n ∂L/∂C_mn I_{m−u, j−v}   (Murugan (3.67)–(3.69), j read as n)",
          "The derivative of Murugan (3.3)'s true convolution, term by term: it holds for the network Murugan (3.3) defines and fails for Murugan (3.2)'s correlation, where it gives the gradient rotated by 180°.",
          matrices: [("Murugan (3.69) (correlation net)", eq369Correlation), ("Murugan (3.69) (convolution net)", eq369Convolution)],
          check: .printedFormFails(
            eq369Correlation, dk, claim: .murugan367To369, against: fd + " in K", tolerance: 1e-6, printedReading: "under Murugan (3.2): the forward pass a correlation",
            intended: "Σ_m Σ_n ∂L/∂C_mn I_{m−u, n−v} (the same formula)",
            intendedValue: eq369Convolution, truthForIntended: dkConvolution, intendedReading: "under Murugan (3.3): the forward pass a true convolution",
            note: "the paper defines the conv layer twice — Murugan (3.2) correlates, Murugan (3.3) convolves — and Murugan (3.69) differentiates Murugan (3.3)")),
        DerivationStep(
          "∂L/∂k = rot180°(I) * ∂L/∂C   (Murugan (3.70)–(3.71), * the paper's valid convolution)",
          "Rotating the image and convolving: the gradient of Murugan (3.3)'s convolution, the 180° rotation of Murugan (3.2)'s.",
          matrices: [("conv2(rot180 I, delta)", eq371Correlation)],
          check: .printedFormFails(
            eq371Correlation, dk, claim: .murugan370To371, against: fd + " in K", tolerance: 1e-6, printedReading: "under Murugan (3.2): the forward pass a correlation",
            intended: "rot180°(I) * ∂L/∂C (the same formula)",
            intendedValue: eq371Convolution, truthForIntended: dkConvolution, intendedReading: "under Murugan (3.3): the forward pass a true convolution",
            note: "as Murugan (3.69); for Murugan (3.2)'s correlation the gradient is I ⋆ δ = conv2(I, rot180 δ)")),
        DerivationStep(
          "∂L/∂K = conv2(I, rot180(δ), 'valid')   (corrected: the same gradient for Murugan (3.2)'s correlation)", "Convolution with the rotated error is the correlation of the first step.",
          check: .holds(corrected, dk, against: fd, tolerance: 1e-6)),
        DerivationStep(
          "∂L/∂b = Σ_m Σ_n δ_mn = \(MatrixFormat.number(b.dbc))   (Murugan (3.72)–(3.74))", "The shared bias collects every position's error.",
          check: .holds(Support.column([b.dbc]), Support.column([dbc]), against: fd + " in b", tolerance: 1e-6)),
      ])
  }

  // MARK: Murugan (3.75)–(3.80)

  static func update(_ instance: Derivations.Instance) throws -> Derivation {
    let net = try Net(side: instance.size ?? 6, seed: instance.seed)
    let f = net.pass()
    let g = try net.backward(f)
    let alpha = 1e-4
    var next = net
    next.w2 = next.w2 - alpha * g.dw2
    next.b2 = next.b2 - alpha * g.db2
    next.w1 = next.w1 - alpha * g.dw1
    next.b1 = next.b1 - alpha * g.db1
    next.k = next.k - alpha * g.dk
    next.bc -= alpha * g.dbc
    let squared = [g.dw2, g.db2, g.dw1, g.db1, g.dk].reduce(g.dbc * g.dbc) { $0 + Support.inner($1, $1) }
    let decrease = (net.loss - next.loss) / (alpha * squared)
    let printedBias = Support.column([alpha * g.dbc])
    let correctBias = Support.column([net.bc - alpha * g.dbc])
    return Derivation(
      id: "murugan-update",
      steps: [
        DerivationStep(
          "W ← W − α ∂L/∂W,  b ← b − α ∂L/∂b,  k ← k − α ∂L/∂k   (Murugan (3.77)–(3.79), α = \(alpha))",
          "Every parameter moves against its gradient.", matrices: [("W2 after", next.w2), ("K after", next.k)]),
        DerivationStep("L before = \(MatrixFormat.number(net.loss)),  L after = \(MatrixFormat.number(next.loss))", "One small step lowers the loss."),
        DerivationStep(
          "(L − L_new) / (α ‖∇L‖²) → 1 as α → 0   (Murugan (3.77)–(3.79))", "To first order the decrease is α times the squared gradient norm: the gradients are the loss's.",
          check: .holds(Support.column([decrease]), Support.column([1]), against: "first-order Taylor expansion", tolerance: 1e-3)),
        DerivationStep(
          "b^{p,q} = α ∂L/∂b^{p,q}   (Murugan (3.80) as printed)", "The printed update drops the old bias.",
          check: .printedFormFails(
            printedBias, correctBias, claim: .murugan380, against: "gradient descent b − α ∂L/∂b (Murugan (3.77)–(3.79)'s form)", tolerance: 1e-3,
            intended: "b^{p,q} = b^{p,q} − α ∂L/∂b^{p,q}", intendedValue: correctBias)),
      ])
  }
}
