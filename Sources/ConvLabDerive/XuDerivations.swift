import ConvLabBlocks
import ConvLabCore
import ConvLabNotation

/// Xu, "Derivation of Convolutional Neural Networks": every numbered step on a seeded
/// instance, each claim checked against central finite differences or an independent block.
enum XuDerivations {
  static let all: [(id: String, title: String, reference: String, build: Derivations.Builder)] = [
    ("xu-conv-forward", "Conv forward with the S2→C3 connection sets M_j", "Xu (1), Table 1", convForward),
    ("xu-avgpool", "Error through average pooling: Kronecker up-sampling", "Xu §3.1.1 (4)–(6)", averagePooling),
    ("xu-maxpool", "Error through max pooling: the indicator 1{x = max}", "Xu §3.1.2 (7)–(8)", maxPooling),
    ("xu-bias", "Bias gradient: the sum of the error", "Xu (9)–(10)", biasGradient),
    ("xu-kernel", "Kernel gradient via vec/unvec and the patch matrices [c]ₚ,q; J flips", "Xu (11)–(14)", kernelGradient),
    ("xu-input-error", "Pooling-layer error: full convolution with the flipped kernel over M_i", "Xu (15)–(18)", inputError),
    ("xu-beta", "Gradients of the trainable average layer: β and b", "Xu (19)–(22)", betaLayer),
    ("xu-count", "LeNet-5 S2→C3: 60 kernels, 1516 parameters", "Xu §2.1, Table 1", parameterCount),
  ]

  /// Gradient of a scalar function of a matrix by central differences (the independent check).
  static func numericGradient(at m: Matrix<Double>, _ f: (Matrix<Double>) throws -> Double) rethrows -> Matrix<Double> {
    let g = try FiniteDifferences.vjp(at: m.storage, cotangent: [1]) { v in [try f(Matrix(rows: m.rows, cols: m.cols, storage: v))] }
    return Matrix(rows: m.rows, cols: m.cols, storage: g)
  }

  static func inner(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double { zip(a.storage, b.storage).reduce(0) { $0 + $1.0 * $1.1 } }

  /// f = σ entry by entry, through the sigmoid block's own definition.
  static func sigmoid(_ z: Matrix<Double>) -> Matrix<Double> { Matrix(rows: z.rows, cols: z.cols, storage: z.storage.map(Sigmoid().value)) }

  static let fd = "central finite differences of E"

  /// The one rule for Xu's I (and l) where the paper means a matrix of ones.
  static let onesNote =
    "Xu prints the all-ones matrix three ways — 𝟏 in (1), (2), (8), l in (7), (9), I in (4), (6), (10), (19), (20) — and never defines an identity; "
    + "its own words fix the meaning (up copies every unit n times; (19) restates (2); (10) restates (9)). Judged by the paper's consistency: a glyph confusion, read as 𝟏"

  // MARK: Xu (1)

  static func convForward(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let m = instance.size ?? 6
    let k = 3
    guard m > k else { throw ConvLabError.outOfRange(subject: "xu-conv-forward", setting: "size", value: "\(m)", allowed: "larger than the kernel (3)") }
    let j = 4  // C3 map 4: M_4 = {2, 3, 4, 7, …} restricted to the S2 maps
    let inputs = LeNetTable.inputs(of: j)
    let x = (0..<LeNetTable.inputMaps).map { _ in Matrix<Double>.uniform(m, m, using: &rng) }
    let kernels = inputs.map { _ in Matrix<Double>.uniform(k, k, using: &rng) }
    let b = Double.random(in: -1...1, using: &rng)
    // Xu writes * for the operation of Fig. 4, where output (i, j) multiplies x_{i+p−1, j+q−1} by k_pq.
    var z = Double(b) * Matrix<Double>.ones(m - k + 1, m - k + 1)
    for (index, i) in inputs.enumerated() { z = z + xcorr2(x[i], kernels[index]) }
    // Independent: the conv block with a filter bank that is zero off the table's connections.
    var filters = Tensor<Double>(shape: Shape(k, k, LeNetTable.inputMaps, 1))
    for (index, i) in inputs.enumerated() { filters.setChannel(i, kernels[index]) }
    var image = Tensor<Double>(shape: Shape(m, m, LeNetTable.inputMaps))
    for i in 0..<LeNetTable.inputMaps { image.setChannel(i, x[i]) }
    let block = try Conv().forward(image, Parameters(w: filters, b: Tensor(shape: Shape(1, 1), storage: [b])))
    return Derivation(
      id: "xu-conv-forward",
      steps: [
        DerivationStep(
          "M_\(j) = {i | S2 map i feeds C3 map \(j)} = {\(inputs.map(String.init).joined(separator: ", "))}",
          "Table 1 decides which input maps a C3 map sums over; output map \(j) reads \(inputs.count) of the 6."),
        DerivationStep(
          "x_i^{l−1}, i ∈ M_\(j)  (\(m)×\(m) each);  k_ij (\(k)×\(k));  b_j = \(MatrixFormat.number(b))",
          "The inputs, kernels and bias of one output map, drawn at random.",
          matrices: [("x_\(inputs[0])", x[inputs[0]]), ("k_\(inputs[0])\(j)", kernels[0])]),
        DerivationStep(
          "z_j = Σ_{i∈M_j} x_i * k_ij + b_j 1_{(M−K+1)×(M−K+1)}   (Xu (1), before f)",
          "Each connected input map is filtered by its own kernel; the results and the bias are summed.",
          matrices: [("z_\(j)", z)],
          check: .holds(z, block.channel(0), against: "the conv block with a masked filter bank (MatConvNet §4.1)")),
        DerivationStep("size (M − K + 1) × (M − K + 1) = \(m - k + 1) × \(m - k + 1)", "A valid filter shrinks each side by K − 1 (MatConvNet (5.3) with S = 1, P = 0)."),
      ])
  }

  // MARK: Xu (4)–(6)

  static func averagePooling(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let n = 2
    let side = instance.size ?? 4
    guard side % n == 0, side >= n else { throw ConvLabError.outOfRange(subject: "xu-avgpool", setting: "size", value: "\(side)", allowed: "even and ≥ 2") }
    let z = Matrix<Double>.uniform(side, side, in: -2...2, using: &rng)
    let beta = Double.random(in: 0.5...1.5, using: &rng)
    let b = Double.random(in: -1...1, using: &rng)
    let delta = Matrix<Double>.uniform(side / n, side / n, using: &rng)
    let x = sigmoid(z)
    let zNext = beta * (try down(x, n)) + b * Matrix<Double>.ones(side / n, side / n)
    let upsampled = up(delta, n)
    let repeated = Matrix<Double>(rows: side, cols: side) { r, c in delta[r / n, c / n] }
    let fPrime = Matrix(rows: side, cols: side, storage: x.storage.map { $0 * (1 - $0) })
    let deltaL = beta * (try hadamard(upsampled, fPrime))
    let numeric = try numericGradient(at: z) { z in inner(delta, beta * (try down(sigmoid(z), n))) }
    return Derivation(
      id: "xu-avgpool",
      steps: [
        DerivationStep("zˡ (\(side)×\(side)),  xˡ = f(zˡ) = σ(zˡ)", "The conv layer's pre-activation and its sigmoid output.", matrices: [("z^l", z), ("x^l", x)]),
        DerivationStep(
          "zˡ⁺¹ = β down(xˡ) + b 1   (Xu (2), β = \(MatrixFormat.number(beta)), b = \(MatrixFormat.number(b)))",
          "The pooling layer sums each \(n)×\(n) block, scales by β and adds b.", matrices: [("z^{l+1}", zNext)],
          check: .holds(
            zNext, try Subsample(n: n).forward(x.tensor, Parameters(w: Tensor(shape: Shape(1, 1), storage: [beta]), b: Tensor(shape: Shape(1, 1), storage: [b]))).channel(0),
            against: "the subsample block")),
        DerivationStep("δˡ⁺¹ = ∂E/∂zˡ⁺¹", "The error arriving from the layer above (drawn at random).", matrices: [("delta^{l+1}", delta)]),
        DerivationStep(
          "up(δˡ⁺¹) = δˡ⁺¹ ⊗ 1\(subscriptDigits(n))ₓ\(subscriptDigits(n))   (Xu (6) with 𝟏 for I, corrected)",
          "Kronecker product with a block of ones copies each error into the \(n)×\(n) block it came from.",
          matrices: [("up(delta)", upsampled)], check: .holds(upsampled, repeated, against: "copying each entry n×n times by index")),
        DerivationStep(
          "δˡ⁺¹ ⊗ I\(subscriptDigits(n))ₓ\(subscriptDigits(n))   (Xu (6) as printed)",
          "With the identity instead of ones only the block diagonals get the error: the printed I is the paper's all-ones matrix.",
          matrices: [("delta ⊗ I", upAsPrinted(delta, n))],
          check: .printedFormFails(
            upAsPrinted(delta, n), repeated, claim: .xu6, against: "copying each entry n×n times by index (the paper's definition of up)", printedReading: "I read as the identity",
            intended: "δˡ⁺¹ ⊗ 1ₙₓₙ", intendedValue: upsampled,
            intendedReading: "I read as the all-ones matrix", note: onesNote)),
        DerivationStep("f′(zˡ) = σ(zˡ) ∘ (1 − σ(zˡ))", "The sigmoid's derivative, entry by entry.", matrices: [("f'(z^l)", fPrime)]),
        DerivationStep(
          "δˡ = β up(δˡ⁺¹) ∘ f′(zˡ), entry by entry the matrix of Xu (5)   (Xu (5))", "The error of the conv layer: route, scale by β, and multiply by the activation's slope.",
          matrices: [("delta^l", deltaL)], check: .holds(deltaL, numeric, against: fd + " = ⟨δˡ⁺¹, zˡ⁺¹(zˡ)⟩", tolerance: 1e-6)),
      ])
  }

  // MARK: Xu (7)–(8)

  static func maxPooling(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let n = 2
    let side = instance.size ?? 4
    // From 32 on the instance's errors underflow to subnormal numbers and the comparison with
    // the pool block stops being meaningful; 2…24 is the range checked.
    guard side % n == 0, (n...24).contains(side) else { throw ConvLabError.outOfRange(subject: "xu-maxpool", setting: "size", value: "\(side)", allowed: "even, between 2 and 24") }
    // Distinct values 0.1 apart: no ties inside a window, so the maximum is unique.
    var values = (0..<side * side).map { 0.1 * Double($0) - 0.05 * Double(side * side) }
    values.shuffle(using: &rng)
    let z = Matrix(rows: side, cols: side, storage: values)
    let x = sigmoid(z)
    let delta = Matrix<Double>.uniform(side / n, side / n, using: &rng)
    let pooled = Matrix<Double>(rows: side / n, cols: side / n) { r, c in
      (0..<n).flatMap { p in (0..<n).map { q in x[r * n + p, c * n + q] } }.max() ?? 0
    }
    var mask = Matrix<Double>(rows: side, cols: side)
    for r in 0..<side / n {
      for c in 0..<side / n {
        let window = Matrix<Double>(rows: n, cols: n) { p, q in x[r * n + p, c * n + q] }
        let indicator = indicatorOfMax(window)
        for p in 0..<n { for q in 0..<n { mask[r * n + p, c * n + q] = indicator[p, q] } }
      }
    }
    let fPrime = Matrix(rows: side, cols: side, storage: x.storage.map { $0 * (1 - $0) })
    let deltaL = try hadamard(try hadamard(up(delta, n), mask), fPrime)
    let numeric = numericGradient(at: z) { z in
      let s = sigmoid(z)
      return inner(delta, Matrix(rows: side / n, cols: side / n) { r, c in (0..<n).flatMap { p in (0..<n).map { q in s[r * n + p, c * n + q] } }.max() ?? 0 })
    }
    let pool = Pool(method: .max, size: (n, n), stride: (n, n))
    let routed = try pool.backward(x.tensor, Parameters(), delta.tensor).dzdx.channel(0)
    return Derivation(
      id: "xu-maxpool",
      steps: [
        DerivationStep("zˡ, xˡ = σ(zˡ)", "The conv layer's pre-activation (distinct values, no ties) and output.", matrices: [("z^l", z), ("x^l", x)]),
        DerivationStep(
          "zˡ⁺¹ = down_max(xˡ)   (Xu (3))", "Each \(n)×\(n) block keeps its maximum; there is no activation after max pooling.", matrices: [("z^{l+1}", pooled)],
          check: .holds(pooled, try pool.forward(x.tensor, Parameters()).channel(0), against: "the pool block")),
        DerivationStep(
          "l{xˡ = max xˡ} per window   (Xu (7))", "A 0/1 mask marking the winner of each block (l{·}, the paper's indicator 1{·}): the derivative of the max.",
          matrices: [("mask", mask)],
          check: .holds(
            try hadamard(up(delta, n), mask), routed, against: "the pool block's backward (MatConvNet §6.3 selector)",
            note: "l{·} read as the indicator 1{·}: l names no function in the paper (elsewhere it is the layer index). " + onesNote)),
        DerivationStep(
          "δˡ = up(δˡ⁺¹) ∘ 1{xˡ = max xˡ} ∘ f′(zˡ)   (Xu (8))", "Only the winning pixel of each window receives the error, scaled by the slope of f.",
          matrices: [("delta^l", deltaL)], check: .holds(deltaL, numeric, against: fd + " = ⟨δˡ⁺¹, zˡ⁺¹(zˡ)⟩", tolerance: 1e-6)),
      ])
  }

  // MARK: Xu (9)–(10)

  static func biasGradient(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 3
    // On a 1×1 map the printed form coincides with the right one: no counterexample exists.
    guard (2...64).contains(side) else {
      throw ConvLabError.outOfRange(subject: "xu-bias", setting: "size", value: "\(side)", allowed: "between 2 and 64 (on a 1×1 map Xu (10) as printed cannot be told from the right form)")
    }
    let delta = Matrix<Double>.uniform(side, side, using: &rng)
    let ones = Matrix<Double>.ones(side, side)
    let viaVec = vec(delta).transposed * vec(ones)
    let numeric = numericGradient(at: Matrix(rows: 1, cols: 1, storage: [0.3])) { b in inner(delta, b[0, 0] * ones) }
    let printed = xcorr2(delta, Matrix<Double>.identity(side))
    return Derivation(
      id: "xu-bias",
      steps: [
        DerivationStep("δ_jˡ = ∂E/∂z_jˡ", "The error of one output map (drawn at random).", matrices: [("delta", delta)]),
        DerivationStep(
          "∂E/∂b_j = (vec δ_jˡ)ᵀ vec(l_{(M_{l−1}−K_l+1)×(M_{l−1}−K_l+1)}) = Σ_{p,q} [δ_jˡ]_{p,q}   (Xu (9))",
          "The bias is added to every pixel, so its gradient collects the error of every pixel; l_{(M−K+1)×(M−K+1)} is the paper's all-ones matrix.",
          matrices: [("dE/db", viaVec)],
          check: .holds(
            viaVec, numeric, against: fd + " = ⟨δ, z(b)⟩ in b", tolerance: 1e-6,
            note: "l_{(M−K+1)×(M−K+1)} read as the all-ones matrix 𝟏 of that size: l names no other matrix in the paper (elsewhere it is the layer index). " + onesNote)),
        DerivationStep(
          "δ_jˡ * I   (Xu (10) as printed)",
          "Read with the identity it would sum only the diagonal; read with the paper's all-ones matrix, a valid correlation of δ with ones of its own size is Xu (9)'s sum.",
          matrices: [("delta * I", printed), ("delta * 1", xcorr2(delta, ones))],
          check: .printedFormFails(
            printed, viaVec, claim: .xu10, against: "Xu (9)", printedReading: "I read as the identity",
            intended: "δ_jˡ * 1", intendedValue: xcorr2(delta, ones), intendedReading: "I read as the all-ones matrix", note: onesNote)),
      ])
  }

  // MARK: Xu (11)–(14)

  static func kernelGradient(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 4
    let k = 2
    guard side > k else { throw ConvLabError.outOfRange(subject: "xu-kernel", setting: "size", value: "\(side)", allowed: "larger than 2") }
    let out = side - k + 1
    let x = Matrix<Double>.uniform(side, side, using: &rng)
    let kernel = Matrix<Double>.uniform(k, k, using: &rng)
    let delta = Matrix<Double>.uniform(out, out, using: &rng)
    // [c]_{p,q}: the entries of x that meet k_pq, an (M−K+1)² patch (Fig. 4).
    let patches = (0..<k).flatMap { q in (0..<k).map { p in Matrix<Double>(rows: out, cols: out) { i, j in x[i + p, j + q] } } }
    let c = Matrix<Double>(rows: out * out, cols: k * k) { r, col in vec(patches[col])[r, 0] }
    let phi = try Im2Row(geometry: FilterGeometry(kh: k, kw: k), h: side, w: side, d: 1).phi(x.tensor)
    let viaUnvec = try unvec(vec(delta).transposed * c, k, k)
    let numeric = numericGradient(at: kernel) { kk in inner(delta, xcorr2(x, kk)) }
    let asCorrelation = xcorr2(x, delta)
    let asConvolution = conv2(x, delta, shape: .valid)
    let j = exchange(out, Double.self)
    let eq14 = exchange(k, Double.self) * conv2(x, j * delta * j, shape: .valid) * exchange(k, Double.self)
    let numericTrueConv = numericGradient(at: kernel) { kk in inner(delta, conv2(x, kk, shape: .valid)) }
    return Derivation(
      id: "xu-kernel",
      steps: [
        DerivationStep(
          "x^{l−1} (\(side)×\(side)), k (\(k)×\(k)), z = x ⋆ k with z_ij = Σ k_pq x_{i+p−1, j+q−1}   (Fig. 4)",
          "The forward pass of Fig. 4: each output multiplies a patch of x by the kernel.", matrices: [("x", x), ("k", kernel)]),
        DerivationStep("δ = ∂E/∂z", "The error of the output map (drawn at random).", matrices: [("delta", delta)]),
        DerivationStep(
          "C = [vec [c]₁,₁ ⋯ vec [c]_K,₁ vec [c]₁,₂ ⋯ vec [c]_K,K]   (Xu (12))",
          "Column (p, q) stacks the entries of x that meet k_pq; C is MatConvNet's im2row φ(x).",
          matrices: [("C", c)], check: .holds(c, phi, against: "φ(x) from MatConvNet §6.1's index map")),
        DerivationStep(
          "∂E/∂k = unvec_{K,K}((vec δ)ᵀ C)   (Xu (11)–(12))", "Each kernel entry collects δ weighted by the inputs it met.",
          matrices: [("dE/dk", viaUnvec)], check: .holds(viaUnvec, numeric, against: fd + " = ⟨δ, x ⋆ k⟩ in k", tolerance: 1e-6)),
        DerivationStep(
          "∂E/∂k = x * δ   (Xu (13))", "Xu calls * a convolution; read as MATLAB's conv2 it flips δ and disagrees with Xu (12), read as the correlation of Fig. 4 it is Xu (12).",
          matrices: [("conv2(x, delta)", asConvolution)],
          check: .printedFormFails(
            asConvolution, viaUnvec, claim: .xu13, against: "Xu (12)", printedReading: "* read as a true convolution (MATLAB conv2, 'valid')",
            intended: "x ⋆ δ", intendedValue: asCorrelation, intendedReading: "* read as the correlation of Fig. 4",
            note: "the paper uses * for both: Fig. 4's forward pass is a correlation, Xu (14) uses MATLAB's convn")),
        DerivationStep(
          "J (x * J δ J) J   (Xu (14), * = conv2)", "For a forward pass that is a true convolution, z = conv2(x, k, 'valid'), the gradient is the flipped correlation.",
          matrices: [("Xu (14)", eq14)], check: .holds(eq14, numericTrueConv, against: fd + " = ⟨δ, conv2(x, k)⟩ in k", tolerance: 1e-6)),
      ])
  }

  // MARK: Xu (15)–(18)

  static func inputError(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 3
    let k = 2
    guard side > k else { throw ConvLabError.outOfRange(subject: "xu-input-error", setting: "size", value: "\(side)", allowed: "larger than 2") }
    let out = side - k + 1
    let x = Matrix<Double>.uniform(side, side, using: &rng)
    let kernels = [Matrix<Double>.uniform(k, k, using: &rng), Matrix<Double>.uniform(k, k, using: &rng)]
    let deltas = [Matrix<Double>.uniform(out, out, using: &rng), Matrix<Double>.uniform(out, out, using: &rng)]
    let padded = zeroPad(deltas[0], top: k - 1, bottom: k - 1, left: k - 1, right: k - 1)
    let single = xcorr2(padded, rot180(kernels[0]))
    let numericSingle = numericGradient(at: x) { x in inner(deltas[0], xcorr2(x, kernels[0])) }
    let printedSingle = conv2(padded, rot180(kernels[0]), shape: .valid)
    let sum = single + xcorr2(zeroPad(deltas[1], top: k - 1, bottom: k - 1, left: k - 1, right: k - 1), rot180(kernels[1]))
    let numericSum = numericGradient(at: x) { x in inner(deltas[0], xcorr2(x, kernels[0])) + inner(deltas[1], xcorr2(x, kernels[1])) }
    // Xu (17)–(18) read with MATLAB's convolution, and the pooling layer's own activation f = σ at z = σ⁻¹(x).
    let sumAsConvolution = printedSingle + conv2(zeroPad(deltas[1], top: k - 1, bottom: k - 1, left: k - 1, right: k - 1), rot180(kernels[1]), shape: .valid)
    let zPool = Support.map(x) { Double.log(($0 + 2) / (3 - ($0 + 2))) }  // x + 2 ∈ (1, 3) mapped through σ⁻¹ of (x + 2)/3
    let slope = Support.map(zPool) { Support.sigmoid($0) * (1 - Support.sigmoid($0)) * 3 }
    let numericDelta = numericGradient(at: zPool) { z in
      let xz = Support.map(z) { 3 * Support.sigmoid($0) - 2 }
      return inner(deltas[0], xcorr2(xz, kernels[0])) + inner(deltas[1], xcorr2(xz, kernels[1]))
    }
    // Xu (15): E = δ₁₁ z₁₁ depends on the first K×K patch of x only, with weights δ₁₁ k.
    let patchGradient = Matrix<Double>(rows: k, cols: k) { p, q in
      FiniteDifferences.derivative(at: x[p, q]) { v in
        var xx = x
        xx[p, q] = v
        return deltas[0][0, 0] * xcorr2(xx, kernels[0])[0, 0]
      }
    }
    let blockDx = try Conv().backward(x.tensor, Parameters(w: kernels[0].tensor), deltas[0].tensor).dzdx.channel(0)
    var steps = [
      DerivationStep(
        "x_iˡ (\(side)×\(side)) feeds two maps j ∈ M_i with kernels k_ij and errors δ_jˡ⁺¹", "One input map, the maps it feeds, their kernels and errors.",
        matrices: [("x", x), ("k_1", kernels[0]), ("delta_1", deltas[0])]),
      DerivationStep("δ̃ = δ padded with K − 1 = \(k - 1) zeros on every side   (Fig. 5)", "Padding lets every output reach every input pixel it depends on.", matrices: [("delta~", padded)]),
      DerivationStep(
        "∂E/∂x_i (one map) = δ̃ ⋆ (J k J), ⋆ the correlation of Fig. 4 (Xu (16) corrected)", "A full convolution of δ with k: correlate the padded error with the flipped kernel.",
        matrices: [("dE/dx", single)], check: .holds(single, numericSingle, against: fd + " = ⟨δ, x ⋆ k⟩ in x", tolerance: 1e-6)),
      DerivationStep(
        "the same through the conv block's backward (MatConvNet §6.1: φ*(dY Fᵀ))", "The im2row/row2im path gives the same numbers.",
        matrices: [], check: .holds(blockDx, single, against: "Xu (16)")),
      DerivationStep(
        "(∂E/∂x_i)_j = δ̃_j * (J k_ij J)   (Xu (16))",
        "Read as MATLAB's convolution the two flips cancel (δ̃ ⋆ k, the wrong orientation for Fig. 4's forward); read as Fig. 4's correlation it is the full convolution of δ with k.",
        matrices: [("printed", printedSingle)],
        check: .printedFormFails(
          printedSingle, numericSingle, claim: .xu16, against: fd, tolerance: 1e-6, printedReading: "* read as a true convolution (MATLAB conv2, 'valid')",
          intended: "δ̃ ⋆ (J k J)", intendedValue: single, intendedReading: "* read as the correlation of Fig. 4",
          note: "the paper uses * for both correlation (Fig. 4) and MATLAB's convolution (Xu (14))")),
      DerivationStep(
        "∂E/∂x_i = Σ_j^{M_i} δ̃_j * (J k_ij J)   (Xu (17))", "An input map feeding several outputs adds their contributions; * as in Xu (16).",
        matrices: [("dE/dx", sum)],
        check: .printedFormFails(
          sumAsConvolution, numericSum, claim: .xu17, against: fd + " summed over both maps", tolerance: 1e-6, printedReading: "* read as a true convolution (MATLAB conv2, 'valid')",
          intended: "Σ_j δ̃_j ⋆ (J k_ij J)", intendedValue: sum,
          intendedReading: "* read as the correlation of Fig. 4", note: "the paper uses * for both correlation (Fig. 4) and MATLAB's convolution (Xu (14))")),
      DerivationStep(
        "δ_i = f′(z_i) ∘ Σ_j^{M_i} δ̃_j * (J k_ij J)   (Xu (18), f = σ)", "Through the pooling layer's own activation.",
        check: .printedFormFails(
          try hadamard(slope, sumAsConvolution), numericDelta, claim: .xu18, against: fd + " in z (x = σ(z))", tolerance: 1e-6, printedReading: "* read as a true convolution (MATLAB conv2, 'valid')",
          intended: "f′(z_i) ∘ Σ_j δ̃_j ⋆ (J k_ij J)", intendedValue: try hadamard(slope, sum),
          intendedReading: "* read as the correlation of Fig. 4", note: "as Xu (16)")),
      DerivationStep(
        "dE/d[x]_pq = δ k_ij on the patch of one output pixel   (Xu (15))", "One output pixel's error spreads over the patch it read, weighted by the kernel.",
        check: .holds(patchGradient, Support.map(kernels[0]) { deltas[0][0, 0] * $0 }, against: fd + " of δ₁₁ z₁₁ in x₁₁'s patch", tolerance: 1e-6)),
    ]
    if side == 3 {
      // The worked example after Xu (15), 1-based [x]₂,₂ of a 3×3 input with a 2×2 kernel.
      let d = deltas[0]
      let kk = kernels[0]
      let correct = d[0, 0] * kk[1, 1] + d[0, 1] * kk[1, 0] + d[1, 0] * kk[0, 1] + d[1, 1] * kk[0, 0]
      let printed = d[0, 0] * kk[0, 1] + d[0, 1] * kk[1, 0] + d[1, 0] * kk[0, 1] + d[1, 1] * kk[0, 0]
      steps.append(
        DerivationStep(
          "∂E/∂[x]₂,₂ = δ₁₁k₂₂ + δ₁₂k₂₁ + δ₂₁k₁₂ + δ₂₂k₁₁   (text after Xu (15), corrected)",
          "The centre pixel meets every kernel entry once.", matrices: [("corrected", Matrix(rows: 1, cols: 1, storage: [correct]))],
          check: .holds(Matrix(rows: 1, cols: 1, storage: [correct]), Matrix(rows: 1, cols: 1, storage: [numericSingle[1, 1]]), against: fd, tolerance: 1e-6)))
      steps.append(
        DerivationStep(
          "∂E/∂[x]₂,₂ = δ₁₁k₁₂ + δ₁₂k₂₁ + δ₂₁k₁₂ + δ₂₂k₁₁   (text after Xu (15), as printed)",
          "The first term's kernel index is wrong in the source: the centre pixel meets k₂₂ under δ₁₁, not k₁₂ (which already appears under δ₂₁).",
          matrices: [("printed", Matrix(rows: 1, cols: 1, storage: [printed]))],
          check: .printedFormFails(
            Matrix(rows: 1, cols: 1, storage: [printed]), Matrix(rows: 1, cols: 1, storage: [numericSingle[1, 1]]), claim: .xuTextAfter15, against: fd, tolerance: 1e-6,
            intended: "δ₁₁k₂₂ + δ₁₂k₂₁ + δ₂₁k₁₂ + δ₂₂k₁₁", intendedValue: Matrix(rows: 1, cols: 1, storage: [correct]),
            note: "the converted LaTeX is well formed and the two sums before it are right; only this index differs, so the conversion is not to blame")))
    }
    return Derivation(id: "xu-input-error", steps: steps)
  }

  // MARK: Xu (19)–(22)

  static func betaLayer(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let n = 2
    let side = instance.size ?? 4
    guard side % n == 0 else { throw ConvLabError.outOfRange(subject: "xu-beta", setting: "size", value: "\(side)", allowed: "even") }
    let x = Matrix<Double>.uniform(side, side, using: &rng)
    let beta = Double.random(in: 0.5...1.5, using: &rng)
    let b = Double.random(in: -1...1, using: &rng)
    let delta = Matrix<Double>.uniform(side / n, side / n, using: &rng)
    let downX = try down(x, n)
    let db = Matrix(rows: 1, cols: 1, storage: [delta.storage.reduce(0, +)])
    let dbeta = Matrix(rows: 1, cols: 1, storage: [inner(delta, downX)])
    let ones = Matrix<Double>.ones(side / n, side / n)
    let identity = Matrix<Double>.identity(side / n)
    let identityInner = (vec(delta).transposed * vec(identity))[0, 0]
    let numericB = try numericGradient(at: Matrix(rows: 1, cols: 1, storage: [b])) { bb in inner(delta, beta * (try down(x, n)) + bb[0, 0] * ones) }
    let numericBeta = try numericGradient(at: Matrix(rows: 1, cols: 1, storage: [beta])) { be in inner(delta, be[0, 0] * (try down(x, n)) + b * ones) }
    let block = try Subsample(n: n).backward(x.tensor, Parameters(w: Tensor(shape: Shape(1, 1), storage: [beta]), b: Tensor(shape: Shape(1, 1), storage: [b])), delta.tensor)
    return Derivation(
      id: "xu-beta",
      steps: [
        DerivationStep(
          "z = β down(x) + b 1   (Xu (2), β = \(MatrixFormat.number(beta)), b = \(MatrixFormat.number(b)))", "The trainable average layer before its activation.",
          matrices: [("x", x), ("down(x)", downX)]),
        DerivationStep("δ = ∂E/∂z", "The layer's error (drawn at random).", matrices: [("delta", delta)]),
        DerivationStep(
          "∂E/∂b = (vec δ)ᵀ vec(I) = Σ_{p,q} δ_{p,q}   (Xu (19))", "b is added everywhere, so its gradient is the sum of the error; with the identity the middle form would be the trace.",
          matrices: [("dE/db", db)],
          check: .printedFormFails(
            Matrix(rows: 1, cols: 1, storage: [identityInner]), numericB, claim: .xu19, against: fd + " in b", tolerance: 1e-6, printedReading: "I read as the identity",
            intended: "(vec δ)ᵀ vec(1) = Σ_{p,q} δ_{p,q}", intendedValue: db,
            intendedReading: "I read as the all-ones matrix", note: onesNote)),
        DerivationStep(
          "∂E/∂b = δ * I   (Xu (20))", "The same sum as a valid correlation of δ with a matrix of its own size.",
          matrices: [("delta * I", xcorr2(delta, identity))],
          check: .printedFormFails(
            xcorr2(delta, identity), numericB, claim: .xu20, against: fd + " in b", tolerance: 1e-6, printedReading: "I read as the identity", intended: "δ * 1", intendedValue: xcorr2(delta, ones),
            intendedReading: "I read as the all-ones matrix", note: onesNote)),
        DerivationStep(
          "∂E/∂β = (vec δ)ᵀ vec(down(x)) = Σ δ ∘ down(x)   (Xu (21))", "β scales down(x), so its gradient weighs the error by down(x).",
          matrices: [("dE/dbeta", dbeta)], check: .holds(dbeta, numericBeta, against: fd + " in β", tolerance: 1e-6)),
        DerivationStep(
          "∂E/∂β = δ * down(x)   (Xu (22))", "Two matrices of one size: a valid correlation is Xu (21)'s sum, a true convolution pairs δ_pq with the opposite corner of down(x).",
          check: .printedFormFails(
            conv2(delta, downX, shape: .valid), numericBeta, claim: .xu22, against: fd + " in β", tolerance: 1e-6, printedReading: "* read as a true convolution (MATLAB conv2, 'valid')",
            intended: "δ ⋆ down(x)", intendedValue: xcorr2(delta, downX),
            intendedReading: "* read as the correlation of Fig. 4", note: "the paper uses * for both correlation (Fig. 4) and MATLAB's convolution (Xu (14))")),
        DerivationStep(
          "the subsample block's backward", "ConvLab's block returns the same two numbers.",
          check: .holds(
            Matrix(rows: 2, cols: 1, storage: [block.dzdb?.storage[0] ?? .nan, block.dzdw?.storage[0] ?? .nan]),
            Matrix(rows: 2, cols: 1, storage: [db[0, 0], dbeta[0, 0]]), against: "Xu (19) and (21)")),
      ])
  }

  // MARK: §2.1

  static func parameterCount(_ instance: Derivations.Instance) throws -> Derivation {
    let k = instance.size ?? 5
    let counts = (0..<LeNetTable.outputMaps).map { LeNetTable.inputs(of: $0).count }
    let total = Double(LeNetTable.parameterCount(kernelSize: k))
    return Derivation(
      id: "xu-count",
      steps: [
        DerivationStep(
          "Table 1 as a 0/1 matrix (rows: S2 maps i, columns: C3 maps j)", "An X is a connection, i.e. one K×K kernel.",
          matrices: [("table", LeNetTable.mask(Double.self))]),
        DerivationStep(
          "kernels = Σ_j |M_j| = \(counts.map(String.init).joined(separator: "+")) = \(LeNetTable.kernelCount)", "Counting the X's column by column.",
          check: .holds(Matrix(rows: 1, cols: 1, storage: [Double(LeNetTable.kernelCount)]), Matrix(rows: 1, cols: 1, storage: [60]), against: "Xu's 60")),
        DerivationStep(
          "parameters = kernels · K² + 16 biases = \(LeNetTable.kernelCount)·\(k)·\(k) + 16 = \(Int(total))", "One weight per kernel entry and one bias per C3 map.",
          check: k == 5 ? .holds(Matrix(rows: 1, cols: 1, storage: [total]), Matrix(rows: 1, cols: 1, storage: [1516]), against: "Xu's 1516") : nil),
      ])
  }
}
