import ConvLabBlocks
import ConvLabCore
import ConvLabNotation

/// Milisavljevic, "Serialization and pooling": convolution by im2col + GEMM (Milisavljevic (1)), its
/// memory cost, and the kernel gradient of Milisavljevic (2).
enum MilisavljevicDerivations {
  static let all: [(id: String, title: String, reference: String, build: Derivations.Builder)] = [
    ("milisavljevic-im2col", "Convolution as im2col + GEMM; the memory blow-up; the kernel gradient", "Milisavljevic (1)–(2), Fig. 4–5", im2col)
  ]

  static func im2col(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 5
    let f = 3
    let depth = 2
    let filters = 4
    guard side >= f, side <= 16 else { throw ConvLabError.outOfRange(subject: "milisavljevic-im2col", setting: "size", value: "\(side)", allowed: "between 3 and 16") }
    let x = Tensor<Double>.uniform(Shape(side, side, depth), using: &rng)
    let w = Tensor<Double>.uniform(Shape(f, f, depth, filters), using: &rng)
    let b = Tensor<Double>.uniform(Shape(filters, 1), using: &rng)
    let geometry = FilterGeometry(kh: f, kw: f, pad: [1, 1, 1, 1])
    let map = try Im2Row(geometry: geometry, h: side, w: side, d: depth)
    let phi = map.phi(x)
    let fMatrix = Matrix(rows: f * f * depth, cols: filters, storage: w.storage)
    let gemm = phi * fMatrix + Matrix(rows: phi.rows, cols: filters) { _, k in b.storage[k] }
    // Milisavljevic (1) literally, as loops: h_ij = Σ_k Σ_l w_kl x_{k+i−1, l+j−1} + b over the zero-padded input.
    let loops = Matrix<Double>(rows: map.outH * map.outW, cols: filters) { p, k in
      let (i, j) = (p % map.outH, p / map.outH)
      var sum = b.storage[k]
      for d in 0..<depth {
        for l in 0..<f {
          for kk in 0..<f {
            let (r, c) = (i + kk - 1, j + l - 1)
            if r >= 0, r < side, c >= 0, c < side { sum += w[kk, l, d, k] * x[r, c, d] }
          }
        }
      }
      return sum
    }
    let duplication = Double(phi.count) / Double(x.count)
    let dzdy = Matrix<Double>.uniform(phi.rows, filters, using: &rng)
    let kernelGradient = phi.transposed * dzdy
    let numeric = Support.gradient(at: fMatrix) { fm in Support.inner(dzdy, phi * fm) }
    let block = try Conv(pad: [1, 1, 1, 1]).backward(x, Parameters(w: w, b: b), Tensor(shape: Shape(map.outH, map.outW, filters), storage: dzdy.storage))
    return Derivation(
      id: "milisavljevic-im2col", title: "Serialization: im2col + GEMM", reference: "Milisavljevic (1)–(2), Fig. 4–5",
      steps: [
        DerivationStep(
          "x (\(side)×\(side)×\(depth)), \(filters) filters \(f)×\(f)×\(depth), padding 1", "A small layer of the paper's kind (3×3 kernels, padding 1).",
          matrices: [("x channel 1", x.channel(0)), ("w(:,:,1,1)", w.channel(0))]),
        DerivationStep(
          "im2col: row p of φ(x) holds the \(f)×\(f)×\(depth) patch under output p   (Fig. 4; MatConvNet's im2row)",
          "Each output position becomes one row; overlapping patches repeat the same samples.", matrices: [("phi(x)", phi)]),
        DerivationStep(
          "Y = φ(x) F + 1 bᵀ   (one GEMM, Fig. 5)", "All filters at all positions in one matrix product.",
          matrices: [("Y", gemm)], check: .holds(gemm, loops, against: "Milisavljevic (1) evaluated by loops, h_ij = Σ w_kl x_{k+i−1,l+j−1} + b")),
        DerivationStep(
          "size of φ(x) = \(phi.rows) × \(phi.cols) = \(phi.count) numbers for an input of \(x.count): × \(MatrixFormat.number(duplication))",
          "With stride 1 every sample is copied into up to F² = \(f * f) rows: the memory cost the paper warns about.",
          check: .holds(Support.column([Double(phi.count)]), Support.column([Double(map.outH * map.outW * f * f * depth)]), against: "H″W″ · F² · D")),
        DerivationStep(
          "∂E/∂w_rs = Σ_m Σ_n ∂E/∂h_mn x_{r+m−1, s+n−1}   (Milisavljevic (2))  ⇔  ∂E/∂F = φ(x)ᵀ ∂E/∂Y", "The kernel gradient is the correlation of the input with the output error — again one GEMM.",
          matrices: [("dE/dF", kernelGradient)], check: .holds(kernelGradient, numeric, against: "central differences of ⟨∂E/∂Y, Y⟩", tolerance: 1e-8)),
        DerivationStep(
          "the same through the conv block", "The fast path computes Milisavljevic (2) the same way.",
          check: .holds(kernelGradient, Matrix(rows: fMatrix.rows, cols: filters, storage: block.dzdw?.storage ?? []), against: "the conv block's dz/dw")),
      ])
  }
}
