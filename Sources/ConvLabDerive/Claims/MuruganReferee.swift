import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Murugan read line by line as a referee (issue 19): the stated sizes, index ranges, summation
/// variables, captions, cross-references and checkable prose of §2.1–§3.3 that the other claims
/// files and the derivations leave out, each checked on numbers under the paper's own definitions.
///
/// Two of them take the place of a derivation step's line ((3.67)–(3.69) and (3.72)–(3.74)): they
/// add the instance on which the ReLU of Murugan (3.4) matters, a 2×2 pooling window whose four
/// pre-activations are all negative (`deadWindowNet`).
extension MuruganClaims {
  static func referee(seed: UInt64) throws -> [Claim] {
    try refereeSizes(seed: seed) + refereeActivations(seed: seed) + (try refereeForward(seed: seed)) + (try refereeBackward(seed: seed))
      + (try refereeKernel(seed: seed)) + (try refereeGaps(seed: seed))
  }

  // MARK: §2.1, §2.3, §2.4: sizes and the prose about them

  static func refereeSizes(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    // §2.1: a (k₁, k₂, c) = (3, 2, 3) filter bank of K_D = 4 kernels over an (H, W, C) = (7, 6, 3) image.
    let bankShape = Shape(3, 2, 3, 4)
    let convOut = try Conv().outputShape(Shape(7, 6, 3), Parameters(w: Tensor<Double>(shape: bankShape)))
    // §2.1: symmetric zero padding Z_P = (k − 1)/2 keeps a 9×9 input at 9×9 for k = 3, 5, 7.
    var padded: [Double] = []
    for k in [3, 5, 7] {
      let z = (k - 1) / 2
      let out = try Conv(pad: [z, z, z, z]).outputShape(Shape(9, 9), Parameters(w: Tensor<Double>(shape: Shape(k, k))))
      padded += [Double(out.h), Double(out.w)]
    }
    // §2.3: 2×2 max pooling, stride 2, of a 6×6×3 conv layer (D₁ = 3 feature maps).
    let pool = Pool(size: (2, 2), stride: (2, 2))
    let pooledShape = try pool.outputShape(Shape(6, 6, 3), Parameters<Double>())
    let windowsPerMap = Double((6 - 2) / 2 + 1) * Double((6 - 2) / 2 + 1)
    // §2.4: a 3×3×2 pooled map stretched to a column and read by a dense layer of 5 units.
    let pooled = Tensor<Double>.uniform(Shape(3, 3, 2), using: &rng)
    let column = vec(pooled)
    let weights = Matrix<Double>.uniform(5, column.count, using: &rng)
    let bias = Matrix<Double>.uniform(5, 1, using: &rng)
    let dense = Dense()
    let denseJacobian = try Support.jacobian(at: column) { a in
      let z = try dense.forward(Tensor(shape: Shape(1, 1, a.count), storage: a.storage), Parameters(w: weights.tensor, b: bias.tensor))
      return Support.column(z.storage)
    }
    let zeroEntries = denseJacobian.storage.filter { abs($0) < 1e-12 }.count
    return [
      .holds(
        .murugan, "§2.1", "(2.1) (depth D₁ = K_D)", kind: .size,
        "filter bank with the dimension of (k₁, k₂, c), slide over the fixed size (H, W, C) input image … Dim_c(H₁, W₁, D₁) = …, K_D",
        against: "the conv block's output depth for a (3, 2, 3) bank of K_D = 4 kernels on a 7×6×3 image", value: [4], truth: [Double(convOut.d)],
        note: "each kernel's depth c equals the image's C and yields one feature map; the depth is the number of kernels"),
      .holds(
        .murugan, "§2.1", "§2.1 (text before (2.1))", kind: .prose,
        "Zero padding will control the feature maps and kernels dimensions independently by adding zero to input symmetrically",
        against: "the conv block's (height, width) for k = 3, 5, 7 with Z_P = (k − 1)/2 on a 9×9 input", value: Array(repeating: 9, count: 6), truth: padded,
        note: "with Z_S = 1, (2.1) gives H + 2Z_P − k + 1, so Z_P = (k − 1)/2 keeps the map at H whatever the odd kernel size"),
      Claim(
        .murugan, section: "§2.3", location: "(2.2) (depth D₂ = D_n)", kind: .size,
        printed: "When D_n number of kernel windows and the stride value of Z_S is employed … Dim_p(H₂, W₂, D₂) = (H₁ − k)/Z_S + 1, (W₁ − k)/Z_S + 1, D_n",
        verdict: .ambiguous, intended: "D₂ = D₁: pooling works map by map, one pooling kernel per feature map",
        note: "the sentence calls D_n the number of kernel windows, the Nomenclature the 'Number of pooling layer kernel'; pooling slides one k×k window over each map, "
          + "so the depth is D₁ (here 3 maps, each visited by 9 windows)",
        readings: [
          Reading(
            "D_n as the number of windows slid over a map", "D₂ = ((H₁ − k)/Z_S + 1)((W₁ − k)/Z_S + 1)", against: "the pool block's output depth (2×2, stride 2, on 6×6×3)",
            value: [windowsPerMap], truth: [Double(pooledShape.d)]),
          Reading(
            "D_n as one pooling kernel per feature map", "D₂ = D₁", against: "the pool block's output depth (2×2, stride 2, on 6×6×3)", value: [3],
            truth: [Double(pooledShape.d)]),
        ]),
      .holds(
        .murugan, "§2.3", "§2.3 (text before (2.2))", kind: .prose, "the pooling layers help to reduce the number of data points",
        against: "the pool block's output size on a 6×6×3 conv layer (2×2 windows, stride 2)", value: [6 * 6 * 3 / 4],
        truth: [Double(pooledShape.h * pooledShape.w * pooledShape.d)], note: "k×k windows with stride k keep one value in k²: 108 values become 27"),
      Claim(
        .murugan, section: "§2.4", location: "§2.4", kind: .prose,
        printed: "pixels of pooling layers is stretched to single column vector. These vectorized and concatnated data points are fed into dense layers, known as fully connected layers",
        note: "the column has H₂·W₂·D₂ entries and the flatten is undone by f⁻¹ (Murugan (3.65)); 'fully connected': every unit's net input depends on every entry",
        readings: [
          Reading(
            "stretched to one column", "length of vec P = H₂ W₂ D₂, and unvec(vec P) = P", against: "the pooled map's size and entries",
            value: [Double(column.count)] + (try unvec(column, 9, 2)).storage, truth: [18] + pooled.storage),
          Reading(
            "fully connected", "∂zⱼ/∂aᵢ = wⱼᵢ ≠ 0 for every unit j and input i", against: "central differences of the dense block (5 units, 18 inputs)",
            value: denseJacobian.storage + [Double(zeroEntries)], truth: weights.storage + [0], tolerance: 1e-6),
        ]),
    ]
  }

  // MARK: §2.2 and Table 1

  static func refereeActivations(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    let xs = (0..<12).map { _ in Double.random(in: -3...3, using: &rng) }
    let column = Tensor(shape: Shape(xs.count, 1), storage: xs)
    let sigmoidBlock = try Sigmoid().forward(column, Parameters()).storage
    let reluBlock = try ReLU().forward(column, Parameters()).storage
    let leakyBlock = try ReLU(leak: 0.01).forward(column, Parameters()).storage
    let sigmoidPrinted = xs.map { 1 / (1 + Double.exp(-$0)) }
    let reluPrinted = xs.map { $0 < 0 ? 0 : $0 }
    let leakyPrinted = xs.map { $0 < 0 ? 0.01 * $0 : $0 }
    // Table 1's softmax with the index restored: f(x)ᵢ = e^{xᵢ}/Σⱼ e^{xⱼ}, over 4 classes.
    let logits = Array(xs.prefix(4))
    let total = logits.reduce(0) { $0 + Double.exp($1) }
    let softmaxPrinted = logits.map { Double.exp($0) / total }
    let softmaxBlock = try Softmax().forward(Tensor(shape: Shape(1, 1, 4), storage: logits), Parameters()).storage
    let rows: [(String, (Double) -> Double)] = [
      ("sigmoid", { 1 / (1 + Double.exp(-$0)) }), ("tanh", { Double.tanh($0) }), ("ReLU", { max(0, $0) }), ("leaky ReLU", { $0 < 0 ? 0.01 * $0 : $0 }),
    ]
    // "Higher the net input value greater the activation": f(x + 0.5) ≥ f(x) at every sample (1 where it holds).
    let monotone = rows.map { _, f in xs.allSatisfy { f($0 + 0.5) >= f($0) } ? 1.0 : 0.0 }
    // The caption's "non-linear": f(a + b) ≠ f(a) + f(b) for a = 1, b = −2 (1 where additivity fails).
    let nonlinear = rows.map { _, f in abs(f(1 + -2) - f(1) - f(-2)) > 1e-3 ? 1.0 : 0.0 }
    return [
      .holds(
        .murugan, "§2.2", "§2.2 (text before Table 1)", kind: .prose, "Higher the net input value greater the activation",
        against: "f(x + 0.5) ≥ f(x) at 12 samples in [−3, 3] for Table 1's sigmoid, tanh, ReLU and leaky ReLU (1 where it holds)", value: monotone, truth: [1, 1, 1, 1],
        note: "every row of Table 1 is non-decreasing; the ReLU stays at 0 for x < 0, so 'greater' holds in the wide sense only"),
      .holds(
        .murugan, "§2.2", "Table 1 (sigmoid, function)", kind: .table, "Sigmoid: σ(x) = 1/(1 + e^{−x})", against: "the sigmoid block",
        value: sigmoidPrinted, truth: sigmoidBlock),
      .holds(
        .murugan, "§2.2", "Table 1 (ReLU and leaky ReLU, functions)", kind: .table, "ReLU: f(x) = 0 if x < 0, x if x ≥ 0;  leaky ReLU: f(x) = 0.01x if x < 0, x if x ≥ 0",
        against: "the relu block and relu --leak 0.01", value: reluPrinted + leakyPrinted, truth: reluBlock + leakyBlock),
      Claim(
        .murugan, section: "§2.2", location: "Table 1 (softmax, function)", kind: .table, printed: "Softmax: f(x) = eˣ/Σ₁ʲ eˣ", verdict: .ambiguous,
        intended: "f(x)ᵢ = e^{xᵢ}/Σⱼ₌₁ʲ e^{xⱼ} for a vector x of j scores",
        note: "the sum carries no index (the converted LaTeX is \\sum_1^j e^x); every other row of Table 1 is a function of one number x, and with one number the sum "
          + "is j equal terms, so f = 1/j; read with x the vector of j scores, eˣ entrywise and Σ₁ʲ over its entries, it is the softmax",
        readings: [
          Reading(
            "x one number, as in Table 1's other rows", "f(x) = eˣ/(j eˣ) = 1/j", against: "the softmax block over 4 classes",
            value: logits.map { _ in 1 / Double(logits.count) }, truth: softmaxBlock),
          Reading(
            "x the vector of j scores, Σ₁ʲ over its entries", "f(x)ᵢ = e^{xᵢ}/Σⱼ e^{xⱼ}", against: "the softmax block over 4 classes",
            value: softmaxPrinted, truth: softmaxBlock),
        ]),
      .holds(
        .murugan, "§2.2", "Table 1 (caption)", kind: .table, "Table 1: Non-linear activation function",
        against: "|f(1 − 2) − f(1) − f(−2)| > 10⁻³ for sigmoid, tanh, ReLU and leaky ReLU (1 where additivity fails)", value: nonlinear, truth: [1, 1, 1, 1]),
    ]
  }

  // MARK: §3.1: the indexed forward pass

  static func refereeForward(seed: UInt64) throws -> [Claim] {
    let net = try MuruganDerivations.Net(side: 6, seed: seed)
    let f = net.pass()
    let n = net.image.rows
    let k = net.k.rows
    let h1 = n - k + 1  // (2.1) with Z_P = 0, Z_S = 1
    // (3.1)–(3.2): output rows i whose samples I_{i+m}, m = 1 … k₁, all lie in rows 1 … H.
    let rowsFromOne = (1...h1).filter { i in (1...k).allSatisfy { m in (1...n).contains(i + m) } }.count
    let rowsFromZero = (0..<h1).filter { i in (1...k).allSatisfy { m in (1...n).contains(i + m) } }.count
    // (3.3): output rows m whose samples I_{m−u}, u = 1 … k₁, lie in rows 1 … H.
    let fromOne = (1...h1).filter { m in (1...k).allSatisfy { u in (1...n).contains(m - u) } }.count
    let shifted = ((k + 1)...(n + 1)).filter { m in (1...k).allSatisfy { u in (1...n).contains(m - u) } }.count
    // (3.3)–(3.4): the sums as printed run over the output indices m, n (here over the rows
    // k + 1 … N + 1 where I_{m−u} stays inside), leaving u, v free; take u = v = 1.
    func image(_ r: Int, _ c: Int) -> Double { net.image[r - 1, c - 1] }  // 1-based, as printed
    var summedOverOutputs = 0.0
    for m in (k + 1)...(n + 1) { for c in (k + 1)...(n + 1) { summedOverOutputs += image(m - 1, c - 1) * net.k[0, 0] } }
    let printedMap = Array(repeating: summedOverOutputs + net.bc, count: h1 * h1)
    // Corrected: Σ_u Σ_v I_{m−u, n−v} K_{u,v} + b, m, n = k + 1 … N + 1, stored from (1, 1).
    let corrected = Matrix<Double>(rows: h1, cols: h1) { r, c in
      var sum = net.bc
      for u in 1...k { for v in 1...k { sum += image(r + k + 1 - u, c + k + 1 - v) * net.k[u - 1, v - 1] } }
      return sum
    }
    let convolved = Support.map(conv2(net.image, net.k, shape: .valid)) { $0 + net.bc }
    // (3.5): P_{m,n} = max(C_{m,n}) has one entry per entry of C; corrected: the max over each
    // k × k window with stride Z_S (2 and 2, the network's pool).
    let poolBlock = try Pool(size: (2, 2), stride: (2, 2)).forward(Support.tensor(f.c), Parameters()).storage
    let windowMax = Matrix<Double>(rows: f.c.rows / 2, cols: f.c.cols / 2) { r, c in window(f.c, r, c).max() ?? 0 }
    // (3.11) at the output layer l = 2: the terms from i = 3 on carry W¹ (layer l − 1) for W².
    // The input a¹ is drawn in [0.1, 1] (a ReLU output with no unit at 0, so every term counts).
    var rng = SeededGenerator(seed: seed)
    let a1 = Matrix<Double>.uniform(net.w2.rows, 1, in: 0.1...1, using: &rng)
    let blocks = try Dense().forward(Tensor(shape: Shape(1, 1, a1.count), storage: a1.storage), Parameters(w: net.w2.transposed.tensor, b: net.b2.tensor)).storage
    let printed311 = (0..<net.w2.cols).map { j in
      (0..<a1.rows).reduce(net.b2[j, 0]) { sum, i in sum + (i < 2 ? net.w2[i, j] : net.w1[i, j]) * a1[i, 0] }
    }
    let intended311 = (0..<net.w2.cols).map { j in (0..<a1.rows).reduce(net.b2[j, 0]) { $0 + net.w2[$1, j] * a1[$1, 0] } }
    // (3.12)–(3.13): the sum over i up to n, the number of neurons (3 here), or over all 4 inputs,
    // on a⁰ drawn in [0.1, 1] (the network's pooled map can hold a zero past the third input, a
    // dead ReLU, and then the two readings coincide: seeds 21, 39, 41). Its own generator, so the
    // draws of the other claims stay as they were.
    var inputRNG = SeededGenerator(seed: seed ^ 0x0312_0313)
    let a0 = Matrix<Double>.uniform(f.a0.rows, 1, in: 0.1...1, using: &inputRNG)
    let denseFirst = try Dense().forward(Tensor(shape: Shape(1, 1, a0.count), storage: a0.storage), Parameters(w: net.w1.transposed.tensor, b: net.b1.tensor)).storage
    let firstUnits = (0..<net.w1.cols).map { j in (0..<min(f.z1.count, a0.count)).reduce(net.b1[j, 0]) { $0 + net.w1[$1, j] * a0[$1, 0] } }
    let allInputs = (0..<net.w1.cols).map { j in (0..<a0.count).reduce(net.b1[j, 0]) { $0 + net.w1[$1, j] * a0[$1, 0] } }
    // (3.18): Wˡ as one column of weights (into one unit) makes (3.15)'s (Wˡ)ᵀ aˡ⁻¹ a single number.
    let oneColumn = Matrix<Double>(rows: net.w1.rows, cols: 1) { i, _ in net.w1[i, 0] }
    let fromColumn = oneColumn.transposed * f.a0
    let fromMatrix = net.w1.transposed * f.a0
    return [
      Claim(
        .murugan, section: "§3.1", location: "(3.1)–(3.2) (index range of i, j)", kind: .indexRange,
        printed: "(I ⊗ K)_ij = Σ_{m=1}^{m} Σ_{n=1}^{n} Σ_{c=1}^{C} K_{m,n,c} I_{i+m, j+n, c}", verdict: .ambiguous,
        intended: "i, j = 0 … H − k₁ (or I_{i+m−1, j+n−1} with i, j from 1), m = 1 … k₁, n = 1 … k₂",
        note: "the paper never says where i, j start; m, n start at 1 and their upper limits print the summation variables themselves, read as k₁, k₂. "
          + "Counted on the \(n)×\(n) image with a \(k)×\(k) kernel, where (2.1) gives \(h1) outputs per row",
        readings: [
          Reading(
            "i, j from 1, as m, n are", "rows i = 1 … H₁ with every I_{i+m} inside the image", against: "(2.1)'s H₁ = H − k₁ + 1", value: [Double(rowsFromOne)],
            truth: [Double(h1)]),
          Reading(
            "i, j from 0", "rows i = 0 … H₁ − 1 with every I_{i+m} inside the image", against: "(2.1)'s H₁ = H − k₁ + 1", value: [Double(rowsFromZero)],
            truth: [Double(h1)]),
        ]),
      Claim(
        .murugan, section: "§3.1", location: "(3.3) (index range of m, n)", kind: .indexRange,
        printed: "A kernel bank k_{u,v}^{p,q} is slid over the image I_{m,n} with stride value of 1 and zero padding value of 0 … C_{m,n} = Σ_{m=1}^{m} Σ_{n=1}^{n} I_{(m−u, n−v)} · K_{u,v} + b",
        verdict: .ambiguous, intended: "m, n = k₁ + 1 … H + 1 (H₁ values), so that I_{m−u, n−v}, u = 1 … k₁, stays inside the unpadded image",
        note: "with m, n from 1 (as the sums start) the first outputs need I at rows ≤ 0, which zero padding 0 does not supply; shifted by k₁ every sample is inside. "
          + "Counted on the \(n)×\(n) image with a \(k)×\(k) kernel",
        readings: [
          Reading(
            "m, n = 1 … H₁, as the sums start", "rows m with every I_{m−u} inside the image", against: "(2.1)'s H₁ = H − k₁ + 1", value: [Double(fromOne)],
            truth: [Double(h1)]),
          Reading(
            "m, n = k₁ + 1 … H + 1", "rows m with every I_{m−u} inside the image", against: "(2.1)'s H₁ = H − k₁ + 1", value: [Double(shifted)], truth: [Double(h1)]),
        ]),
      .fails(
        .murugan, "§3.1", "(3.3)–(3.4) (summation variables)", kind: .indexRange, .wrong, "C_{m,n}^{p,q} = Σ_{m=1}^{m} Σ_{n=1}^{n} I_{(m−u, n−v)} · K_{u,v}^{p,q} + b^{p,q}",
        printedReading: "as printed: summed over m, n (u = v = 1)", intended: "C_{m,n} = Σ_{u=1}^{k₁} Σ_{v=1}^{k₂} I_{(m−u, n−v)} K_{u,v} + b",
        intendedReading: "corrected: summed over u, v", against: "conv2(I, K, 'valid') + b, the true convolution (3.3) writes",
        printedValue: printedMap, intendedValue: corrected.storage, truth: convolved.storage,
        note: "the sums run over the output indices m, n, which are also the left side's free indices, and leave the kernel indices u, v free: "
          + "every entry of C gets the same value. (3.68) and (3.73) put u, v under the kernel sum; (3.4) repeats (3.3)'s sums"),
      Claim(
        .murugan, section: "§3.1", location: "(3.5) (the window)", kind: .equation, printed: "P_{m,n}^{p,q} = max(C_{m,n}^{p,q})", verdict: .wrong,
        intended: "P_{m,n} = max over the k×k window of C at ((m − 1)Z_S + 1, (n − 1)Z_S + 1) (here k = Z_S = 2)",
        note: "no window is written (the text: 'taking out the maximum valued pixels m, n'); the max of one entry is that entry, so P = C, "
          + "\(f.c.count) values where (2.2) gives \(poolBlock.count); only k and Z_S in (2.2) say which pixels a window holds",
        readings: [
          Reading(
            "as printed: the max of the one entry C_{m,n}", "number of entries of P = max(C_{m,n})", against: "the pool block's output size (2×2, stride 2) on the network's C",
            value: [Double(f.c.count)], truth: [Double(poolBlock.count)]),
          Reading(
            "corrected: the max over each window", "P_{m,n} = max over C's 2×2 window (m, n)", against: "the pool block (2×2, stride 2) on the network's C",
            value: windowMax.storage, truth: poolBlock),
        ]),
      .fails(
        .murugan, "§3.1", "(3.11)", kind: .equation, .wrong, "z_j^l = w_{1j}^l a_1^{l−1} + w_{2j}^l a_2^{l−1} + … + w_{ij}^{l−1} a_i^{l−1} + … + b_j^l",
        printedReading: "as printed at the output layer: terms i ≥ 3 with layer l − 1's weights", intended: "z_j^l = Σᵢ w_{ij}^l a_i^{l−1} + b_j^l, (3.12)",
        intendedReading: "corrected: every weight of layer l", against: "the dense block of the network's output layer on a¹ drawn in [0.1, 1]",
        printedValue: printed311, intendedValue: intended311, truth: blocks,
        note: "the i-th term takes its weight from layer l − 1, as (3.7)–(3.9) do; at l = 2 that is W¹. At the first dense layer l − 1 is the flattened pooled map, which has no weights"),
      Claim(
        .murugan, section: "§3.1", location: "(3.12)–(3.13) (upper limit n)", kind: .indexRange,
        printed: "z_j^l = Σ_{i=1}^{n} w_{ij}^l a_i^{l−1} + b_j^l;  a_j^l = σ(Σ_{i=1}^{n} w_{ij}^l a_i^{l−1} + b_j^l)", verdict: .ambiguous,
        intended: "Σ over every input i of layer l − 1: i = 1 … H₂W₂D₂ at the first dense layer, i = 1 … (units of layer l − 1) above it",
        note: "the text before (3.7) calls n the number of neurons of the dense layers, the Nomenclature 'Last neurons in fully connected layer'; at the first dense layer the inputs "
          + "are the \(f.a0.count) pooled values and the layer has \(f.z1.count) units",
        readings: [
          Reading(
            "n the number of neurons of a dense layer", "Σ_{i=1}^{\(f.z1.count)} w_{ij} a_i⁰ + b_j", against: "the dense block at the first dense layer (all \(f.a0.count) inputs)",
            value: firstUnits, truth: denseFirst),
          Reading(
            "n the number of inputs of layer l", "Σ_{i=1}^{\(f.a0.count)} w_{ij} a_i⁰ + b_j", against: "the dense block at the first dense layer (all \(f.a0.count) inputs)",
            value: allInputs, truth: denseFirst),
        ]),
      Claim(
        .murugan, section: "§3.1", location: "(3.18)", kind: .size, printed: "Wˡ = [w_{1j}ˡ; ⋮; w_{ij}ˡ; ⋮]", verdict: .wrong,
        intended: "Wˡ = [w_{ij}ˡ], one row per input i and one column per unit j; the printed column is column j",
        note: "(3.15) multiplies (Wˡ)ᵀ by aˡ⁻¹: with the one column printed that is one number, where (3.17)'s aˡ has one entry per unit (here \(fromMatrix.count))",
        readings: [
          Reading(
            "as printed: one column", "length of (Wˡ)ᵀ aˡ⁻¹", against: "the length of aˡ in (3.17) (the hidden layer's units)", value: [Double(fromColumn.count)],
            truth: [Double(f.z1.count)]),
          Reading(
            "corrected: inputs × units", "(Wˡ)ᵀ aˡ⁻¹ + bˡ", against: "the network's hidden pre-activation z¹", value: (fromMatrix + net.b1).storage, truth: f.z1.storage),
        ]),
    ]
  }

  // MARK: §3.2: the dense layers' gradients

  static func refereeBackward(seed: UInt64) throws -> [Claim] {
    let net = try MuruganDerivations.Net(side: 6, seed: seed)
    let f = net.pass()
    let back = try net.backward(f)
    let t = Double(net.y.count)
    func lossWith(_ change: (inout MuruganDerivations.Net) -> Void) -> Double {
      var n = net
      change(&n)
      return n.loss
    }
    let dw2 = Support.gradient(at: net.w2) { w in lossWith { $0.w2 = w } }
    let db2 = Support.gradient(at: net.b2) { v in lossWith { $0.b2 = v } }
    let dw1 = Support.gradient(at: net.w1) { w in lossWith { $0.w1 = w } }
    let db1 = Support.gradient(at: net.b1) { v in lossWith { $0.b1 = v } }
    let dbc = FiniteDifferences.derivative(at: net.bc) { v in lossWith { $0.bc = v } }
    // (3.23) against (2.14): the same average over the t outputs.
    var eq214 = 0.0
    for i in 0..<net.y.rows { eq214 -= (net.y[i, 0] * Double.log(f.yhat[i, 0]) + (1 - net.y[i, 0]) * Double.log(1 - f.yhat[i, 0])) / t }
    let bce = try RegressionLoss(kind: .bce).forward(f.yhat.tensor, Parameters(target: net.y.tensor)).storage[0]
    // The display after (3.37): ŷ = a = σ(z) at the output layer, against the blocks.
    let outputBlocks = try Sigmoid().forward(
      try Dense().forward(Tensor(shape: Shape(1, 1, f.a1.count), storage: f.a1.storage), Parameters(w: net.w2.transposed.tensor, b: net.b2.tensor)), Parameters()
    ).storage
    let z2 = f.z2.storage
    // (3.26): the bracket of each output i, and ∂L/∂ŷ by central differences.
    let brackets = (0..<net.y.rows).map { i in -net.y[i, 0] / f.yhat[i, 0] + (1 - net.y[i, 0]) / (1 - f.yhat[i, 0]) }
    let dyhat = Support.gradient(at: f.yhat) { net.loss(prediction: $0) }
    let convSide = try Conv().outputShape(Shape(net.image.rows, net.image.cols), Parameters(w: Tensor<Double>(shape: Shape(net.k.rows, net.k.cols)))).h
    // (3.35): ∂/∂z of the printed 1/(1 + exp^{z}) against σ′ of Table 1's sigmoid.
    let sigmoidBlock = try Sigmoid().forward(f.z2.tensor, Parameters()).storage
    let slope336 = sigmoidBlock.map { $0 * (1 - $0) }
    let printedQuotient = z2.map { z in FiniteDifferences.derivative(at: z) { 1 / (1 + Double.exp($0)) } }
    let tableQuotient = z2.map { z in FiniteDifferences.derivative(at: z) { 1 / (1 + Double.exp(-$0)) } }
    // "Substituting (3.36) in (3.33)": (3.37)'s σ(Σ w a + b)(1 − σ(Σ w a + b)) is (3.33)'s σ′.
    let sigmaPrime = z2.map { z in FiniteDifferences.derivative(at: z, Support.sigmoid) }
    let substituted = z2.map { Support.sigmoid($0) * (1 - Support.sigmoid($0)) }
    // Sizes of (3.40) and (3.54): one entry per unit, against one per weight.
    let outputs = Double(net.w2.cols)
    let hidden = Double(net.w1.cols)
    // (3.75)–(3.76): Wᴸ read as the layer below the classification layer (W¹ here) or renamed W^{L+1} (W²).
    return [
      .holds(
        .murugan, "§3.1", "text before (3.23)", kind: .crossReference, "From the Eqn.2.14, cross-entropy loss function is, L = −(1/t) Σ₁^{i=t} (yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ))",
        against: "(2.14) evaluated on the network's ŷ and y, and the bce loss block", value: [eq214, eq214], truth: [f.loss, bce]),
      Claim(
        .murugan, section: "§3.2", location: "(3.26)", kind: .equation,
        printed: "∂L(ŷᵢᴸ⁺¹, yᵢ)/∂ŷᵢᴸ⁺¹ = (1/t) Σ₁^{i=t} −yᵢ/ŷᵢᴸ⁺¹ + (1 − yᵢ)/(1 − ŷᵢᴸ⁺¹)", verdict: .ambiguous,
        intended: "∂L/∂ŷᵢ = (1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)): sample i's term of (3.25)'s sum, the bracket as (3.27) and (3.29) print it",
        note: "the left side is one output's derivative, the right side sums over i = 1 … t with no bracket; (3.25) differentiates a sum of which only sample i's term depends on ŷᵢ, "
          + "and (3.27) and (3.29) bracket the two fractions. Numbers on the derivations' network (t = 2 outputs, y = (1, 0))",
        readings: [
          Reading(
            "Σ over all t samples", "(1/t) Σₖ (−yₖ/ŷₖ + (1 − yₖ)/(1 − ŷₖ)), the same for every i", against: "central differences of L in ŷ",
            value: Array(repeating: brackets.reduce(0, +) / t, count: brackets.count), truth: dyhat.storage, tolerance: 1e-6),
          Reading(
            "the sum keeps sample i's term, as (3.25)", "(1/t)(−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ))", against: "central differences of L in ŷ", value: brackets.map { $0 / t },
            truth: dyhat.storage, tolerance: 1e-6),
        ]),
      .holds(
        .murugan, "§3.2", "text after (3.37)", kind: .display, "ŷᵢᴸ⁺¹ = aᵢᴸ⁺¹ = σ(zᵢᴸ⁺¹)", against: "the dense and sigmoid blocks on a¹ (the network's output layer)",
        value: z2.map(Support.sigmoid), truth: outputBlocks),
      .holds(
        .murugan, "§3.2", "text before (3.37)", kind: .crossReference, "Substituting the Eqn.3.36 in Eqn.3.33",
        against: "σ′(z²) of (3.33) by central differences of the sigmoid", value: substituted, truth: sigmaPrime, tolerance: 1e-6,
        note: "(3.37) is (3.33) with σ′ written as (3.36)'s σ(1 − σ); both keep (3.33)'s missing input factor (Murugan (3.37)–(3.38))"),
      .fails(
        .murugan, "§3.2", "(3.35) (the quotient differentiated)", kind: .equation, .wrong, "∂σ(zᵢᴸ⁺¹)/∂zᵢᴸ⁺¹ = ∂(1/(1 + exp^{zᵢᴸ⁺¹}))/∂zᵢᴸ⁺¹ = σ(zᵢᴸ⁺¹)(1 − σ(zᵢᴸ⁺¹))",
        printedReading: "as printed: the derivative of 1/(1 + e^{z})", intended: "∂(1/(1 + e^{−z}))/∂z = σ(z)(1 − σ(z))", intendedReading: "corrected: e^{−z}",
        against: "(3.36)'s σ(1 − σ) with the sigmoid block's σ (Table 1)", printedValue: printedQuotient, intendedValue: tableQuotient, truth: slope336, tolerance: 1e-6,
        note: "(3.35) differentiates (3.34)'s 1/(1 + exp^{z}), whose minus sign is lost (Murugan (3.34)); that quotient's derivative is −σ(1 − σ), so (3.35) = (3.36) fails as printed"),
      Claim(
        .murugan, section: "§3.2", location: "(3.40) (shape of ∂L/∂Wᴸ)", kind: .size,
        printed: "∂L(ŷᴸ⁺¹, y)/∂Wᴸ = [∂L/∂w_{1,0}ᴸ; ∂L/∂w_{2,i−2}ᴸ; ⋮; ∂L/∂w_{i,i−1}ᴸ; ⋮]", verdict: .wrong,
        intended: "∂L/∂Wᴸ = a^{L} (δ^{L+1})ᵀ: one entry per weight, units of layer L × output units",
        note: "the text before (3.28) gives each output neuron i one weight w_{i,i−1} (the second row even prints w_{2,i−2}); the layer has a weight from every unit to every output",
        readings: [
          Reading("as printed: one entry per output neuron", "entries of ∂L/∂Wᴸ", against: "the entries of W² (3 hidden units × 2 outputs)", value: [outputs], truth: [Double(dw2.count)]),
          Reading("corrected: a¹ (δ²)ᵀ", "∂L/∂W² = a¹ (δ²)ᵀ", against: "central differences of L in W²", value: back.dw2.storage, truth: dw2.storage, tolerance: 1e-6),
        ]),
      Claim(
        .murugan, section: "§3.2", location: "(3.54) (shape of ∂L/∂Wˡ)", kind: .size,
        printed: "Wˡ = [∂L/∂w_{1,0}ˡ; ∂L/∂w_{2,1}ˡ; ⋮; ∂L/∂w_{i,i−1}ˡ; ⋮]", verdict: .wrong,
        intended: "∂L/∂Wˡ = aˡ⁻¹ (δˡ)ᵀ: inputs × units of layer l",
        note: "one derivative per neuron of layer l, where Wˡ has one weight per input and unit (here 4 × 3)",
        readings: [
          Reading("as printed: one entry per neuron of layer l", "entries of ∂L/∂Wˡ", against: "the entries of W¹ (4 inputs × 3 units)", value: [hidden], truth: [Double(dw1.count)]),
          Reading("corrected: a⁰ (δ¹)ᵀ", "∂L/∂W¹ = a⁰ (δ¹)ᵀ", against: "central differences of L in W¹", value: back.dw1.storage, truth: dw1.storage, tolerance: 1e-6),
        ]),
      Claim(
        .murugan, section: "§3.2", location: "(3.44), (3.54), (3.59), (3.74) (left-hand sides)", kind: .display,
        printed: "bᴸ = [∂L/∂b₁ᴸ; …] (3.44);  Wˡ = [∂L/∂w_{1,0}ˡ; …] (3.54);  bˡ = [∂L/∂b₁ˡ; …] (3.59);  b^{p,q} = ∂L/∂b^{p,q} (3.74)", verdict: .ambiguous,
        intended: "∂L/∂bᴸ = […], ∂L/∂Wˡ = […], ∂L/∂bˡ = […]: the gradients, which (3.75)–(3.80) subtract from the parameters",
        note: "the Nomenclature and (3.15), (3.19), (3.3) name the parameters Wˡ, bˡ, bᴸ, b^{p,q}; these lines give the same symbols to their gradients, "
          + "as (3.65) does with P^{p,q} and (3.71) with k^{p,q}. Each reading compares the right sides' intended values (the gradients, W¹ 4 × 3)",
        readings: [
          Reading(
            "the symbols as the parameters", "(b², W¹, b¹, b^{p,q}) = their gradients", against: "the network's parameters",
            value: back.db2.storage + back.dw1.storage + back.db1.storage + [back.dbc], truth: net.b2.storage + net.w1.storage + net.b1.storage + [net.bc]),
          Reading(
            "the symbols as names for the gradients", "∂L/∂(b², W¹, b¹, b^{p,q})", against: "central differences of L",
            value: back.db2.storage + back.dw1.storage + back.db1.storage + [back.dbc], truth: db2.storage + dw1.storage + db1.storage + [dbc], tolerance: 1e-6),
        ]),
      Claim(
        .murugan, section: "§3.2", location: "text before (3.45)", kind: .prose,
        printed: "ReLU non-linear activation function is used in all of the hidden layers from l − 1 to L₁",
        note: "layer l − 1 is the flattened pooled map (3.6), which has no activation of its own; a ReLU there would change nothing, since the ReLU of (3.4) and the max of (3.5) leave it ≥ 0",
        readings: [
          Reading(
            "a ReLU at l − 1", "ReLU(a⁰) = a⁰", against: "the flattened pooled map a⁰ of the network", value: f.a0.storage.map { max(0, $0) }, truth: f.a0.storage),
          Reading(
            "a ReLU at the hidden layer l", "aˡ = ReLU(zˡ)", against: "the relu block on the network's z¹", value: f.a1.storage,
            truth: try ReLU().forward(f.z1.tensor, Parameters()).storage),
        ]),
      .holds(
        .murugan, "§4", "§4", kind: .crossReference,
        "Grey scale image is taken as input information, kernel stride value is taken as 1, Zero padding value is taken as 0, non-linear transformation of intermediate layer and final layers are carried out by ReLU and sigmoid activation functions. Cross entropy loss function is used",
        against: "§3's network: the conv block's output side for stride 1, padding 0 ((2.1): H − k₁ + 1), and ŷ and L through the relu, sigmoid and bce blocks",
        value: [Double(net.image.rows - net.k.rows + 1)] + f.yhat.storage + [f.loss], truth: [Double(convSide)] + outputBlocks + [bce],
        note: "the text before (3.3) fixes stride 1 and padding 0, (3.4) the ReLU, the text before (3.34) the sigmoid, (3.23) the cross-entropy"),
      Claim(
        .murugan, section: "§3.3", location: "(3.75)–(3.76)", kind: .equation,
        printed: "W^{L+1} = W^{L+1} − α ∂L(ŷ^{L+1}, y)/∂Wᴸ;  b^{L+1} = b^{L+1} − α ∂L(ŷ^{L+1}, y)/∂bᴸ", verdict: .ambiguous,
        intended: "W^{L+1} ← W^{L+1} − α ∂L/∂W^{L+1}, b^{L+1} ← b^{L+1} − α ∂L/∂b^{L+1}",
        note: "the text before (3.28) renames the final layer's weights w^{L+1} as wᴸ ('for convinient purpose'); the Nomenclature keeps Wᴸ⁺¹ for the classification layer and L for the last "
          + "dense layer below it. On the network (one hidden layer, l = L) the second reading subtracts W¹'s gradient from W²",
        readings: [
          Reading(
            "Wᴸ, bᴸ renamed W^{L+1}, b^{L+1} (text before (3.28))", "entries of ∂L/∂W^{L+1} and ∂L/∂b^{L+1}", against: "the entries of W² and b²",
            value: [Double(dw2.count), Double(db2.count)], truth: [Double(net.w2.count), Double(net.b2.count)]),
          Reading(
            "Wᴸ, bᴸ of layer L, below the classification layer", "entries of ∂L/∂Wᴸ and ∂L/∂bᴸ", against: "the entries of W² and b²",
            value: [Double(dw1.count), Double(db1.count)], truth: [Double(net.w2.count), Double(net.b2.count)]),
        ]),
    ]
  }

  // MARK: §3.2: through the pooling layer and the ReLU to the kernel

  /// The four entries of the 2×2 pooling window (r, c) of `m` (0-based window indices).
  static func window(_ m: Matrix<Double>, _ r: Int, _ c: Int) -> [Double] {
    [m[2 * r, 2 * c], m[2 * r + 1, 2 * c], m[2 * r, 2 * c + 1], m[2 * r + 1, 2 * c + 1]]
  }

  /// The derivations' network as (3.3) writes it (a true convolution), with the conv bias
  /// lowered so that one or more (not all) 2×2 pooling windows have four negative
  /// pre-activations: there the ReLU of (3.4) is 0 and passes no gradient, while (3.66)'s
  /// switches still send the window's error to one unit. The bias sits halfway between two
  /// consecutive window maxima at least 0.02 apart (no pre-activation that matters within 0.01
  /// of the ReLU's kink, far beyond the central differences' step); of those cuts, the one whose
  /// dead windows receive the largest error Σ(∂L/∂C − δ) is taken, so the counterexample is not
  /// a near-zero difference (the network drawn from `seed`, else from seed + 1000, + 2000, …).
  static func deadWindowNet(seed: UInt64) throws -> MuruganDerivations.Net {
    var best: MuruganDerivations.Net?
    var largest = 0.0
    // Lowering the bias can also silence every hidden unit (then no error reaches any window);
    // the next instances of the same shape are tried until a dead window receives an error.
    for attempt in 0..<8 where largest < 1e-3 {
      var base = try MuruganDerivations.Net(side: 6, seed: seed &+ 1000 &* UInt64(attempt))
      base.trueConvolution = true
      let raw = conv2(base.image, base.k, shape: .valid)
      var maxima: [Double] = []
      for r in 0..<(raw.rows / 2) {
        for c in 0..<(raw.cols / 2) { maxima.append(window(raw, r, c).max() ?? 0) }
      }
      maxima.sort()
      for cut in 0..<(maxima.count - 1) where maxima[cut + 1] - maxima[cut] > 0.02 {
        var net = base
        net.bc = -(maxima[cut] + maxima[cut + 1]) / 2
        let back = try net.backward(net.pass())
        let lost = abs(Support.sum(back.dc) - Support.sum(back.ds))
        if lost > largest {
          best = net
          largest = lost
        }
      }
    }
    guard let net = best else {
      throw ConvLabError.message("no instance of Murugan's network with a dead pooling window that receives an error was found from seed \(seed); try another --seed")
    }
    return net
  }

  static func refereeKernel(seed: UInt64) throws -> [Claim] {
    // The derivations' instance, under each orientation (the numbers of derivation murugan-kernel).
    let net = try MuruganDerivations.Net(side: 6, seed: seed)
    let corrBack = try net.backward(net.pass())
    var convNet = net
    convNet.trueConvolution = true
    let convBack = try convNet.backward(convNet.pass())
    func kernelGradient(_ base: MuruganDerivations.Net) -> Matrix<Double> {
      Support.gradient(at: base.k) { k in
        var n = base
        n.k = k
        return n.loss
      }
    }
    let dkCorrelation = kernelGradient(net)
    let dkConvolution = kernelGradient(convNet)
    // The instance with a dead pooling window.
    let dead = try deadWindowNet(seed: seed)
    let deadPass = dead.pass()
    let deadBack = try dead.backward(deadPass)
    let dkDead = kernelGradient(dead)
    let dbDead = FiniteDifferences.derivative(at: dead.bc) { v in
      var n = dead
      n.bc = v
      return n.loss
    }
    let slope = Support.map(deadPass.s, Support.reluSlope)
    let masked = try hadamard(deadBack.dc, slope)
    let deadWindows = (0..<deadPass.p.count).filter { i in
      let (r, c) = (i % deadPass.p.rows, i / deadPass.p.rows)
      return window(deadPass.s, r, c).allSatisfy { $0 < 0 }
    }.count
    // The pooling layer (text after (3.65)): its parameters and its winners.
    let pool = Pool(size: (2, 2), stride: (2, 2))
    let poolParameters = pool.variables(Parameters<Double>()).filter { $0 != .x }.count
    // A 4×4 map of distinct values (no ties) and an error ∂L/∂P with no zero entry.
    var rng = SeededGenerator(seed: seed)
    let map = Support.distinct(4, 4, &rng)
    let dP = Matrix<Double>.uniform(2, 2, in: 0.1...1, using: &rng)
    let poolBack = try pool.backward(Support.tensor(map), Parameters(), Support.tensor(dP)).dzdx.channel(0)
    let windows = dP.count
    let winners = (0..<windows).filter { i in
      let (r, c) = (i % dP.rows, i / dP.rows)
      return window(poolBack, r, c).filter { $0 != 0 }.count == 1
    }.count
    // Text before (3.70): the updated kernel k − α ∂L/∂k (3.79, α = 0.1) against rot180(I) * δ.
    let alpha = 0.1
    let rotated = conv2(rot180(convNet.image), convBack.ds, shape: .valid)
    let updated = convNet.k - alpha * dkConvolution
    // Central differences of a loss that is smooth at these instances (no ReLU kink or pooling tie
    // within the step): truncation error ~h², far below 1e-6.
    let fdTolerance = 1e-6
    let underCorrelation = "under (3.2): the conv layer a correlation"
    let underConvolution = "under (3.3): a true convolution, C the pre-activation map (3.3) defines"
    return [
      Claim(
        .murugan, section: "§3.2", location: "text after (3.65)", kind: .prose,
        printed:
          "Hence, no learning takes place in pooling layers. The pooling layer error is computed by acquiring single value winning unit. Since, there are no parameters are needed to be updated in pooling layer",
        note: "the max-pool block has no parameters, and its backward pass puts each window's error on one unit (a 4×4 map of distinct values, 2×2 windows, stride 2)",
        readings: [
          Reading("no parameters", "parameters of the max-pool layer", against: "the pool block's variables other than its input", value: [0], truth: [Double(poolParameters)]),
          Reading(
            "single winning unit", "windows whose error sits on exactly one unit", against: "the pool block's backward pass, window by window", value: [Double(windows)],
            truth: [Double(winners)]),
        ]),
      Claim(
        .murugan, section: "§3.2", location: "(3.67)–(3.69)", kind: .equation,
        printed:
          "∂L/∂k_{u,v}^{p,q} = Σ_{m=1}^{m} Σ_{n=1}^{n} ∂L/∂C_{m,n}^{p,q} ∂C_{m,n}^{p,q}/∂k_{u,v}^{p,q} = Σ Σ ∂L/∂C_{m,n}^{p,q} (Σ_{u=1}^{u} Σ_{v=1}^{v} I_{m−u, j−v} k_{u,v}^{p,q} + b^{p,q}) ∂/∂k_{u,v}^{p,q} = Σ Σ ∂L/∂C_{m,n}^{p,q} I_{m−u, j−v}",
        verdict: .ambiguous, intended: "∂L/∂k_{u,v} = Σ_m Σ_n ∂L/∂C_{m,n} σ′(Σ I k + b) I_{m−u, n−v}: (3.3)'s true convolution with the ReLU of (3.4), whose σ (3.73) keeps",
        note: "the paper defines the conv layer in two ways, (3.2) correlates, (3.3) convolves; and C is (3.3)'s pre-activation map but (3.4)'s ReLU output, the map (3.5) pools and "
          + "(3.66) sends the error to. (3.68) differentiates (3.3)'s C, j read as n. It holds only for (3.3)'s convolution with C the pre-activation map. With (3.4)'s C it leaves out "
          + "σ′ = ReLU′, which matters where a pooling window's four pre-activations are all negative: the window's error still reaches one unit through (3.66) and (3.69) adds "
          + "I_{m−u, n−v} times it, while the kernel's true gradient gets nothing there (instance: conv bias lowered to \(MatrixFormat.number(dead.bc)), \(deadWindows) dead window(s))",
        readings: [
          Reading(
            underCorrelation, "Σ_m Σ_n δ_{m,n} I_{m−u, n−v}", against: "central differences of L in K (the derivations' network, (3.2))",
            value: MuruganDerivations.eq369(net.image, corrBack.ds).storage, truth: dkCorrelation.storage, tolerance: fdTolerance),
          Reading(
            underConvolution, "Σ_m Σ_n δ_{m,n} I_{m−u, n−v}", against: "central differences of L in K (the derivations' network, (3.3))",
            value: MuruganDerivations.eq369(convNet.image, convBack.ds).storage, truth: dkConvolution.storage, tolerance: fdTolerance),
          Reading(
            "C as (3.4) writes it, after the ReLU, with (3.66)'s ∂L/∂C", "Σ_m Σ_n ∂L/∂C_{m,n} I_{m−u, n−v}", against: "central differences of L in K (a dead pooling window)",
            value: MuruganDerivations.eq369(dead.image, deadBack.dc).storage, truth: dkDead.storage, tolerance: fdTolerance),
          Reading(
            "C as (3.4), σ′ restored", "Σ_m Σ_n ∂L/∂C_{m,n} ReLU′(s_{m,n}) I_{m−u, n−v}", against: "central differences of L in K (a dead pooling window)",
            value: MuruganDerivations.eq369(dead.image, masked).storage, truth: dkDead.storage, tolerance: fdTolerance),
        ]),
      Claim(
        .murugan, section: "§3.2", location: "(3.70)–(3.71)", kind: .equation,
        printed: "∂L/∂k_{u,v}^{p,q} = Σ_{m=1}^{m} Σ_{n=1}^{n} rot I_{m−u, n−v} · ∂L/∂C_{m,n}^{p,q};  k^{p,q} = rot 180° I * ∂L/∂C_{m,n}^{p,q}", verdict: .ambiguous,
        intended: "∂L/∂k = rot180°(I) * (∂L/∂C ∘ σ′(Σ I k + b)), * the valid true convolution: (3.3)'s orientation with the ReLU of (3.4)",
        note: "evaluated as (3.71)'s rot180°(I) * ∂L/∂C; as (3.69), it holds for (3.3)'s convolution with C the pre-activation map, fails for (3.2)'s correlation "
          + "(there the gradient is conv2(I, rot180 δ)), and fails with (3.4)'s C where a pooling window is dead (conv bias \(MatrixFormat.number(dead.bc))). "
          + "The left side k^{p,q} names the kernel's gradient with the kernel's symbol, as (3.44), (3.54), (3.59), (3.74) do",
        readings: [
          Reading(
            underCorrelation, "rot180°(I) * δ", against: "central differences of L in K (the derivations' network, (3.2))",
            value: conv2(rot180(net.image), corrBack.ds, shape: .valid).storage, truth: dkCorrelation.storage, tolerance: fdTolerance),
          Reading(
            underConvolution, "rot180°(I) * δ", against: "central differences of L in K (the derivations' network, (3.3))",
            value: conv2(rot180(convNet.image), convBack.ds, shape: .valid).storage, truth: dkConvolution.storage, tolerance: fdTolerance),
          Reading(
            "C as (3.4) writes it, after the ReLU, with (3.66)'s ∂L/∂C", "rot180°(I) * ∂L/∂C", against: "central differences of L in K (a dead pooling window)",
            value: conv2(rot180(dead.image), deadBack.dc, shape: .valid).storage, truth: dkDead.storage, tolerance: fdTolerance),
          Reading(
            "C as (3.4), σ′ restored", "rot180°(I) * (∂L/∂C ∘ ReLU′(s))", against: "central differences of L in K (a dead pooling window)",
            value: conv2(rot180(dead.image), masked, shape: .valid).storage, truth: dkDead.storage, tolerance: fdTolerance),
        ]),
      Claim(
        .murugan, section: "§3.2", location: "(3.72)–(3.74)", kind: .equation,
        printed: "∂L/∂b^{p,q} = Σ Σ ∂L/∂C_{m,n} ∂C_{m,n}/∂b^{p,q} = Σ Σ ∂L/∂C_{m,n} ∂σ(Σ_{u=1}^{u} Σ_{v=1}^{v} I_{m−u, j−v} k_{u,v} + b^{p,q})/∂b^{p,q};  b^{p,q} = ∂L/∂b^{p,q} = Σ Σ ∂L/∂C_{m,n}",
        verdict: .ambiguous, intended: "∂L/∂b^{p,q} = Σ_m Σ_n ∂L/∂C_{m,n} σ′(Σ I k + b), (3.73) with its σ′ kept",
        note: "(3.73) differentiates σ(…), (3.4)'s C; (3.74) then drops σ′. That holds when C is read as (3.3)'s pre-activation map and fails for (3.4)'s C "
          + "where a pooling window is dead (conv bias \(MatrixFormat.number(dead.bc)), \(deadWindows) dead window(s)). ConvLab's derivation step sums δ, the pre-activation error",
        readings: [
          Reading(
            "C as (3.3), the pre-activation map", "Σ_m Σ_n δ_{m,n}", against: "central differences of L in b^{p,q} (a dead pooling window)", value: [Support.sum(deadBack.ds)],
            truth: [dbDead], tolerance: fdTolerance),
          Reading(
            "C as (3.4) and (3.73) write it, with (3.66)'s ∂L/∂C", "(3.74): Σ_m Σ_n ∂L/∂C_{m,n}", against: "central differences of L in b^{p,q} (a dead pooling window)",
            value: [Support.sum(deadBack.dc)], truth: [dbDead], tolerance: fdTolerance),
          Reading(
            "(3.73) as printed, C as (3.4)", "Σ_m Σ_n ∂L/∂C_{m,n} σ′(s_{m,n})", against: "central differences of L in b^{p,q} (a dead pooling window)",
            value: [Support.sum(masked)], truth: [dbDead], tolerance: fdTolerance),
        ]),
      .fails(
        .murugan, "§3.2", "text before (3.70)", kind: .prose, .wrong, "Updated weight of kernel k_{u,v}^{p,q} can be obtained by rotating the image to 180 deg",
        printedReading: "as printed: the updated kernel is rot180°(I) * ∂L/∂C", intended: "the kernel's gradient ∂L/∂k is rot180°(I) * ∂L/∂C; the updated kernel is k − α ∂L/∂k (3.79)",
        intendedReading: "corrected: rot180°(I) * ∂L/∂C is the gradient", against: "(3.79)'s k − α ∂L/∂k with α = 0.1, and central differences of L in K ((3.3)'s network)",
        printedValue: rotated.storage, intendedValue: rotated.storage, truth: updated.storage, intendedTruth: dkConvolution.storage, tolerance: fdTolerance,
        note: "(3.70)–(3.71) compute the gradient (judged at Murugan (3.70)–(3.71)); the update is (3.79)"),
    ]
  }

  // MARK: §2.2's "one or zero", (3.78)'s y₁ and (3.79)'s k against k_{u,v}

  /// The last gaps of the referee's reading: the activation that "returns one or zero" (§2.2),
  /// the target y₁ of (3.78) and the kernel index of (3.79), on the derivations' network.
  /// Tolerances: 0 for counts; 1e-12 for sums of sigmoids (rounding only); 1e-6 against central
  /// differences (O(1) values, truncation error ~h², far below it).
  static func refereeGaps(seed: UInt64) throws -> [Claim] {
    // §2.2: Table 1's sigmoid, the activation "based on conditional probability", at 12 net inputs in [−3, 3].
    var rng = SeededGenerator(seed: seed ^ 0x0202)
    let inputs = (0..<12).map { _ in Double.random(in: -3...3, using: &rng) }
    let sigmoid = try Sigmoid().forward(Tensor(shape: Shape(inputs.count, 1), storage: inputs), Parameters()).storage
    let negated = try Sigmoid().forward(Tensor(shape: Shape(inputs.count, 1), storage: inputs.map { -$0 }), Parameters()).storage
    let zeroOrOne = Double(sigmoid.filter { $0 == 0 || $0 == 1 }.count)
    let inside = Double(sigmoid.filter { $0 > 0 && $0 < 1 }.count)
    // (3.78) and (3.79) on the derivations' network, α = 0.1: each update's step from the current parameters.
    let alpha = 0.1
    let net = try MuruganDerivations.Net(side: 6, seed: seed)
    let back = try net.backward(net.pass())
    let t = Double(net.y.count)
    // L(ŷ, y₁): (3.23) with the target y₁ alone, the term of output 1.
    func lossOfFirst(_ n: MuruganDerivations.Net) -> Double {
      let yhat = n.pass().yhat[0, 0]
      return -(net.y[0, 0] * Double.log(yhat) + (1 - net.y[0, 0]) * Double.log(1 - yhat)) / t
    }
    func withBias(_ b: Matrix<Double>) -> MuruganDerivations.Net {
      var n = net
      n.b1 = b
      return n
    }
    let db1 = Support.gradient(at: net.b1) { withBias($0).loss }
    let db1First = Support.gradient(at: net.b1) { lossOfFirst(withBias($0)) }
    let dk = Support.gradient(at: net.k) { k in
      var n = net
      n.k = k
      return n.loss
    }
    let firstEntry = Matrix<Double>(rows: net.k.rows, cols: net.k.cols, repeating: dk[0, 0])
    // Text before (3.60): the trainable variables of the network's conv layer (kernel, bias) and of its 2×2 max pool.
    let convVariables = Conv().variables(Parameters(w: Tensor<Double>(shape: Shape(3, 3)), b: Tensor<Double>(shape: Shape(1, 1)))).filter { $0 != .x }.count
    let poolVariables = Pool(size: (2, 2), stride: (2, 2)).variables(Parameters<Double>()).filter { $0 != .x }.count
    // (3.10) against (3.12): the first dense layer on the network's flattened pooled map a⁰.
    let a0 = net.pass().a0
    let denseBlock = try Dense().forward(Tensor(shape: Shape(1, 1, a0.count), storage: a0.storage), Parameters(w: net.w1.transposed.tensor, b: net.b1.tensor)).storage
    let fdTolerance = 1e-6
    return [
      .fails(
        .murugan, "§2.2", "§2.2 (one or zero)", kind: .prose, .wrong,
        "A typical activation function is based on conditional probability which will return the value one or zero as a output op {P(op = 1|ip) or P(op = 0|ip)}",
        printedReading: "as printed: the activation returns one or zero", intended: "it returns the probability P(op = 1 | ip) ∈ (0, 1) (Table 1's sigmoid), with P(op = 0 | ip) = 1 − P(op = 1 | ip)",
        intendedReading: "corrected: a probability in (0, 1)", against: "Table 1's sigmoid (the sigmoid block) at 12 net inputs in [−3, 3]: how many outputs are one or zero, and σ(x) + σ(−x)",
        printedValue: [Double(inputs.count)] + Array(repeating: 1, count: inputs.count), intendedValue: [inside] + Array(repeating: 1, count: inputs.count),
        truth: [zeroOrOne] + zip(sigmoid, negated).map { $0 + $1 }, intendedTruth: [Double(inputs.count)] + zip(sigmoid, negated).map { $0 + $1 }, tolerance: 1e-12,
        note: "the sentence's object, an activation 'based on conditional probability' whose output is P(op = 1|ip), is Table 1's sigmoid: it returns values strictly between 0 and 1, "
          + "never one or zero; of Table 1's other rows tanh is negative for x < 0 and ReLU exceeds 1. Only a threshold (step) unit, which Table 1 does not list, returns one or zero"),
      .fails(
        .murugan, "§3.3", "(3.78) (the target y₁)", kind: .equation, .wrong, "bˡ = bˡ − α ∂L(ŷ^{L+1}, y₁)/∂bˡ",
        printedReading: "as printed: the loss against the target y₁ alone",
        intended: "bˡ = bˡ − α ∂L(ŷ^{L+1}, y)/∂bˡ, the loss of (3.23) over every target, as (3.75)–(3.77) and (3.79)–(3.80) write it",
        intendedReading: "corrected: y, every target", against: "gradient descent on L (3.23): the step −α × central differences of L in b¹ (α = 0.1)",
        printedValue: (-alpha * db1First).storage, intendedValue: (-alpha * back.db1).storage, truth: (-alpha * db1).storage, tolerance: fdTolerance,
        note: "y₁ is the first target (yᵢ, i = 1 … t, in (3.23)); L(ŷ, y₁) keeps only output 1's term of the cross-entropy, so the step of b¹ misses what output 2 sends back. "
          + "Every other update of §3.3 prints y; the paper's own subscripts slip elsewhere too ((3.63)'s y_{t+1}, (3.66)'s y_t), so the subscript is read as the source's, "
          + "not the conversion's. The derivation step at (3.77)–(3.79) shows the update with y. Network: t = \(net.y.count) outputs, \(net.b1.count) hidden units"),
      .fails(
        .murugan, "§3.2", "text before (3.60)", kind: .prose, .wrong,
        "In order to perform the learning of ConvNets, it is also necessary to update the kernel bank weights and bias value in convolution layers as well as in pooling layers",
        printedReading: "as printed: weights and a bias to update in the conv layer and in the pooling layer",
        intended: "the kernel bank and its bias in the convolution layer; the pooling layer has nothing to update",
        intendedReading: "corrected: none in the pooling layer", against: "the trainable variables of the conv block (kernel, bias) and of the 2×2 max pool block",
        printedValue: [2, 2], intendedValue: [2, 0], truth: [Double(convVariables), Double(poolVariables)], tolerance: 0,
        note: "the paper says so itself after (3.65): 'no learning takes place in pooling layers … there are no parameters are needed to be updated in pooling layer' "
          + "(judged at Murugan, text after (3.65)); §3.3 updates k^{p,q} and b^{p,q} only"),
      Claim(
        .murugan, section: "§3.1", location: "(3.10) (w_ij against (3.12))", kind: .indexRange,
        printed: "[z₁ˡ; ⋮; zᵢˡ; ⋮] = [w₁₁ˡ w₁₂ˡ w₁₃ˡ … w₁ₙˡ; ⋮; wᵢ₁ˡ wᵢ₂ˡ wᵢ₃ˡ … wᵢₙˡ; ⋮] [a₁ˡ⁻¹; ⋮; aᵢˡ⁻¹; ⋮] + [b₁ˡ; ⋮; bᵢˡ; ⋮]", verdict: .ambiguous,
        intended: "z = (Wˡ)ᵀ aˡ⁻¹ + bˡ with Wˡ = [w_ij] as (3.12) and (3.15) index it (input i, unit j); (3.10)'s matrix is (Wˡ)ᵀ",
        note: "(3.10) puts wᵢ₁ … wᵢₙ in the row that gives zᵢ, so its w_ij joins unit i to input j; (3.12) sums w_ij a_i over the inputs i of unit j, and (3.15) transposes Wˡ. "
          + "Each layout holds in its own equation; with (3.12)'s w_ij the matrix of (3.10) has one column per unit, and W a is not defined when the layers differ in size. "
          + "Network: \(a0.count) inputs, \(net.b1.count) units",
        readings: [
          Reading(
            "w_ij as (3.10) lays it out: row i, unit i", "z = [w_ij] a + b, [w_ij] units × inputs", against: "the dense block on the network's a⁰",
            value: (net.w1.transposed * a0 + net.b1).storage, truth: denseBlock),
          Reading(
            "w_ij as (3.12) defines it: input i to unit j", "columns of [w_ij] against the length of a", against: "the length of a⁰ (W a needs them equal)",
            value: [Double(net.w1.cols)], truth: [Double(a0.count)], tolerance: 0),
        ]),
      Claim(
        .murugan, section: "§3.3", location: "(3.79) (k against k_{u,v})", kind: .equation, printed: "k^{p,q} = k^{p,q} − α ∂L(ŷ^{L+1}, y)/∂k_{u,v}^{p,q}", verdict: .ambiguous,
        intended: "k_{u,v}^{p,q} ← k_{u,v}^{p,q} − α ∂L/∂k_{u,v}^{p,q} for every (u, v): k^{p,q} − α ∂L/∂k^{p,q}, the gradient of (3.70)–(3.71)",
        note: "the Nomenclature names the bank k^{p,q}; the text before (3.3) ('A kernel bank k_{u,v}^{p,q} is slid over the image') and before (3.67) give the bank the subscripts too, "
          + "while (3.68) sums k_{u,v} over u, v as one entry. Read as the bank (or index notation, one equation per free (u, v)) the update is gradient descent; "
          + "read as one entry, the whole bank moves by that entry's derivative. Numbers on the derivations' network ((3.2)), α = 0.1, (u, v) = (1, 1)",
        readings: [
          Reading(
            "k_{u,v}^{p,q} the bank, as before (3.3): u, v free", "−α ∂L/∂k_{u,v} for every (u, v)", against: "gradient descent: −α × central differences of L in K",
            value: (-alpha * back.dk).storage, truth: (-alpha * dk).storage, tolerance: fdTolerance),
          Reading(
            "k_{u,v}^{p,q} one entry, as in (3.68)'s sum", "−α ∂L/∂k₁₁ subtracted from every entry of k^{p,q}", against: "gradient descent: −α × central differences of L in K",
            value: (-alpha * firstEntry).storage, truth: (-alpha * dk).storage, tolerance: fdTolerance),
        ]),
    ]
  }
}
