import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Xu's claims outside the step-by-step derivations (`xu-*`): stated sizes, the worked
/// example of Fig. 4, the scalar form of Xu (4) and the connection lists read off Table 1.
enum XuClaims {
  static func claims(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    let n = 2
    // Xu (4) for one pooling unit: E = δ · (β Σ f(z) + b) over its n×n block z, f = σ.
    let block = Matrix<Double>.uniform(n, n, in: -2...2, using: &rng)
    let beta = Double.random(in: 0.5...1.5, using: &rng)
    let deltaNext = Double.random(in: -1...1, using: &rng)
    let slope = Support.map(block) { Support.sigmoid($0) * (1 - Support.sigmoid($0)) }
    let numeric = Support.gradient(at: block) { z in deltaNext * beta * Support.sum(Support.map(z, Support.sigmoid)) }
    let withIdentity = deltaNext * (try hadamard(beta * Matrix<Double>.identity(n), slope))
    let withOnes = deltaNext * (try hadamard(beta * Matrix<Double>.ones(n, n), slope))
    // §2.2.1's sizes: down(·) sums every n×n area, so an input of side s gives an output of side s/n.
    var outputSides: [Double] = []
    var inputSides: [Double] = []
    var statedInput: [Double] = []
    var asEq2: [Double] = []
    for side in [2, 3, 4] {
      let input = Matrix<Double>.uniform(n * side, n * side, using: &rng)
      let output = try down(input, n)
      outputSides.append(Double(output.rows))
      inputSides.append(Double(input.rows))
      statedInput.append(Double(output.rows) / Double(n))  // the text's M_l/n with M_l the output side
      asEq2.append(Double(input.rows))  // Xu (2)'s bias 1_{(M_l/n)²} makes M_l the input side
    }
    // §2.1: x_j^l ∈ R^{(M−K+1)×(M−K+1)} for a valid K×K filter.
    var convSides: [Double] = []
    var statedSides: [Double] = []
    for (m, k) in [(6, 3), (7, 5), (32, 5), (14, 5)] {
      let y = try Conv().forward(Tensor<Double>(shape: Shape(m, m)), Parameters(w: Tensor<Double>(shape: Shape(k, k))))
      convSides += [Double(y.shape.h), Double(y.shape.w)]
      statedSides += [Double(m - k + 1), Double(m - k + 1)]
    }
    // §3.1.3, text after Xu (9): vec δ as "(M−K+1)² columns and 1 row", in Xu (9)'s (vec δ)ᵀ vec(l), l the all-ones matrix.
    let side = 3
    let delta = Matrix<Double>.uniform(side, side, using: &rng)
    let asRow = Matrix(rows: 1, cols: side * side, storage: delta.storage)
    let onesRow = Matrix<Double>.ones(1, side * side)
    let rowProduct = asRow.transposed * onesRow
    let columnProduct = vec(delta).transposed * vec(Matrix<Double>.ones(side, side))
    // §3.1.3, text after Xu (12): C has (M−K+1)² rows and K² columns.
    let x = Matrix<Double>.uniform(4, 4, using: &rng)
    let phi = try Audit.im2row(x.tensor, kh: 2, kw: 2)
    // Text after Xu (13) (Fig. 4: x 3×3, k 2×2, δ 2×2): dE/dk = δ₁₁x₁₁ + δ₁₂x₁₂ + δ₂₁x₂₁ + δ₂₂x₂₂.
    let x3 = Matrix<Double>.uniform(3, 3, using: &rng)
    let k2 = Matrix<Double>.uniform(2, 2, using: &rng)
    let d2 = Matrix<Double>.uniform(2, 2, using: &rng)
    let gradient = Support.gradient(at: k2) { k in Support.inner(d2, xcorr2(x3, k)) }
    let exampleSum = d2[0, 0] * x3[0, 0] + d2[0, 1] * x3[0, 1] + d2[1, 0] * x3[1, 0] + d2[1, 1] * x3[1, 1]
    // §3.2: "the 0th input graph in TABLE 1 is connected with the output graph 0,4,5,6,9,10,11,12,14 and 15".
    let statedOutputs: [Double] = [0, 4, 5, 6, 9, 10, 11, 12, 14, 15]
    let tableOutputs = LeNetTable.outputs(of: 0).map(Double.init)
    // §3: δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ∘ f′(zˡ) for z^{l+1} = W x^l + b, x^l = σ(z^l), E = ⟨δ^{l+1}, z^{l+1}⟩.
    let w = Matrix<Double>.uniform(3, 4, using: &rng)
    let zl = Matrix<Double>.uniform(4, 1, using: &rng)
    let dNext = Matrix<Double>.uniform(3, 1, using: &rng)
    let backprop = try hadamard(w.transposed * dNext, Support.map(zl) { Support.sigmoid($0) * (1 - Support.sigmoid($0)) })
    let backpropFD = Support.gradient(at: zl) { z in Support.inner(dNext, w * Support.map(z, Support.sigmoid)) }
    // Xu (3): max "polymerization" as down(·) taking the maximum of each n×n area.
    let m = Matrix<Double>.uniform(4, 6, using: &rng)
    let maxDown = Matrix<Double>(rows: 2, cols: 3) { r, c in max(max(m[2 * r, 2 * c], m[2 * r + 1, 2 * c]), max(m[2 * r, 2 * c + 1], m[2 * r + 1, 2 * c + 1])) }
    let maxBlock = try Pool(method: .max, size: (2, 2), stride: (2, 2)).forward(m.tensor, Parameters())
    // §3.1.1's restated system: z^{l+1} = β down(x^l) + b 1_{(M_{l+1}/n)×(M_{l+1}/n)}, and Xu (5)'s indices 1 … M_{l+1}/n,
    // for a conv output x^l of side M_l = 8 pooled 2×2 into z^{l+1} of side M_{l+1} = 4.
    let convSide = 8
    let pooledSide = try down(Matrix<Double>.uniform(convSide, convSide, using: &rng), n).rows
    return indexSets() + [
      Claim(
        .xu, section: "§3.1.1", location: "§3.1.1 (system before Xu (4), and Xu (5)'s indices)", kind: .size,
        printed: "z_j^{l+1} = β_j^{l+1} down(x_jˡ) + b_j^{l+1} 1_{(M_{l+1}/n)×(M_{l+1}/n)};  Xu (5): [δ_j^{l+1}]_{p,q}, p, q = 1 … M_{l+1}/n",
        verdict: .wrong, intended: "1_{M_{l+1}×M_{l+1}} and p, q = 1 … M_{l+1}: z^{l+1} and δ^{l+1} have side M_{l+1} = M_l/n",
        note: "with §2.2.1's convention (M_l the side of layer l's map), layer l+1's map has side M_{l+1}; the printed side M_{l+1}/n divides by n twice",
        readings: [
          Reading(
            "M_{l+1} the side of layer l+1 (§2.2.1)", "side of z^{l+1} = M_{l+1}/n", against: "down(·) of an 8×8 conv output, n = 2",
            value: [Double(pooledSide) / Double(n)], truth: [Double(pooledSide)]),
          Reading(
            "corrected: side M_{l+1} = M_l/n", "side of z^{l+1} = M_l/n", against: "down(·) of an 8×8 conv output, n = 2",
            value: [Double(convSide / n)], truth: [Double(pooledSide)]),
        ]),
      .holds(
        .xu, "§3", "text before §3.1", kind: .display, "δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ∘ f′(zˡ) for zˡ = Wˡ xˡ⁻¹ + bˡ, xˡ = f(zˡ)",
        against: "central differences of E = ⟨δˡ⁺¹, zˡ⁺¹⟩ in zˡ (f = σ)", value: backprop.storage, truth: backpropFD.storage, tolerance: 1e-6),
      .holds(
        .xu, "§2.2.2", "Xu (3)", "x_jˡ = down(x_j^{l−1}), down selecting the maximum of every n×n area", against: "the 2×2 max pool block",
        value: maxDown.storage, truth: maxBlock.storage),
      .fails(
        .xu, "§3.1.1", "Xu (4)", .garbled, "δˡ = δˡ⁺¹ (β Iₙₓₙ ∘ f′(zˡ)) = β δˡ⁺¹ f′(zˡ), with dzˡ⁺¹/dxˡ = β Iₙₓₙ",
        printedReading: "I read as the identity", intended: "δˡ = δˡ⁺¹ (β 1ₙₓₙ ∘ f′(zˡ))", intendedReading: "I read as the all-ones matrix",
        against: "central differences of E = δˡ⁺¹ (β Σ f(z) + b) over one n×n block", printedValue: withIdentity.storage, intendedValue: withOnes.storage,
        truth: numeric.storage, tolerance: 1e-6, note: XuDerivations.onesNote),
      Claim(
        .xu, section: "§2.2.1", location: "text after Xu (2)", kind: .size, printed: "If we define x_jˡ ∈ R^{M_l×M_l}, then x_j^{l−1} ∈ R^{(M_l/n)×(M_l/n)}",
        verdict: .wrong, intended: "x_j^{l−1} ∈ R^{(n M_l)×(n M_l)}: down(·) makes its input n times larger than its output, as the sentence before says",
        note: "wrong under both meanings of M_l the paper uses (the output side here, the input side in Xu (2)'s bias 1_{(M_l/n)×(M_l/n)})",
        readings: [
          Reading("M_l the output side (this sentence)", "side of x^{l−1} = M_l/n", against: "the input side of down(·) for outputs of side 2, 3, 4", value: statedInput, truth: inputSides),
          Reading("M_l the input side (Xu (2))", "side of x^{l−1} = M_l/n with M_l = its own side", against: "the input side of down(·)", value: asEq2.map { $0 / Double(n) }, truth: inputSides),
          Reading("corrected", "side of x^{l−1} = n M_l", against: "the input side of down(·)", value: outputSides.map { $0 * Double(n) }, truth: inputSides),
        ]),
      .holds(
        .xu, "§2.1", "text after Xu (1)", kind: .size, "x_jˡ ∈ R^{(M_{l−1}−K_l+1)×(M_{l−1}−K_l+1)}", against: "the conv block's output size (M, K) = (6, 3), (7, 5), (32, 5), (14, 5)",
        value: statedSides, truth: convSides),
      Claim(
        .xu, section: "§3.1.3", location: "text after Xu (9)", kind: .size,
        printed: "vec(δ_jˡ) … unfolding the matrix δ_jˡ by column to vectors which have (M_{l−1} − K_l + 1) × (M_{l−1} − K_l + 1) columns and 1 row",
        verdict: .wrong, intended: "vec(δ) is an (M−K+1)² × 1 column (Magnus–Neudecker, the paper's ref. [2]), so (vec δ)ᵀ vec(l) in Xu (9), l its all-ones matrix, is the scalar Σ δ",
        note: "with vec a row, Xu (9)'s (vec δ)ᵀ vec(l) (l the all-ones matrix) is an (M−K+1)² × (M−K+1)² outer product, not the scalar gradient dE/db",
        readings: [
          Reading(
            "vec a 1 × (M−K+1)² row, as stated", "(vec δ)ᵀ vec(l): rows × columns", against: "dE/db, a scalar (1 × 1)",
            value: [Double(rowProduct.rows), Double(rowProduct.cols)], truth: [1, 1]),
          Reading(
            "vec a column (ref. [2])", "(vec δ)ᵀ vec(l): rows × columns", against: "dE/db, a scalar (1 × 1)",
            value: [Double(columnProduct.rows), Double(columnProduct.cols)], truth: [1, 1]),
        ]),
      .holds(
        .xu, "§3.1.3", "text after Xu (12)", kind: .size, "[c]_{p,q} is (M−K+1) × (M−K+1); the matrix of Xu (12) has (M−K+1) × (M−K+1) rows and K × K columns",
        against: "φ(x) of a 4×4 input and a 2×2 kernel (MatConvNet §6.1)", value: [9, 4], truth: [Double(phi.rows), Double(phi.cols)]),
      .fails(
        .xu, "§3.1.3", "text after Xu (13)", kind: .example, .wrong, "dE/dk_ij = δ₁,₁[x]₁,₁ + δ₁,₂[x]₁,₂ + δ₂,₁[x]₂,₁ + δ₂,₂[x]₂,₂",
        printedReading: "the left side as printed: the whole 2×2 gradient dE/dk", intended: "dE/d[k]₁,₁ = δ₁,₁[x]₁,₁ + δ₁,₂[x]₁,₂ + δ₂,₁[x]₂,₁ + δ₂,₂[x]₂,₂",
        intendedReading: "the entry the sentence before names, [k]₁,₁", against: "central differences of E = ⟨δ, x ⋆ k⟩ (Fig. 4: x 3×3, k 2×2)",
        printedValue: [exampleSum, exampleSum, exampleSum, exampleSum], intendedValue: [exampleSum], truth: gradient.storage, intendedTruth: [gradient[0, 0]],
        tolerance: 1e-6, note: "the sum is right for [k]₁,₁; the left side names the whole kernel gradient of Xu (12)–(13), which has three more entries"),
      .holds(
        .xu, "§3.2", "text before Xu (15)", kind: .table, "the 0th input graph in TABLE 1 is connected with the output graph 0,4,5,6,9,10,11,12,14 and 15",
        against: "row 0 of Table 1 (ConvLab's LeNet table, transcribed from LeCun et al. 1998)", value: statedOutputs, truth: tableOutputs),
    ]
  }
}
