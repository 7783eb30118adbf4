import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// More of the manual's chapters 5–6, line by line: the Caffe bounds of §5.2.1, the index
/// range and the output sizes of §5.3, the size of im2row's matrix (§6.1) and the batch-norm
/// parameter derivatives (§6.5.2). Verdicts decided with the LaTeX source as in
/// `MatConvNetChapters.swift`.
extension MatConvNetClaims {
  static func geometry(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }
    func ceilDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -((-a) / b) }
    func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    // §5.2.1 over every configuration Caffe allows (P⁺, P⁻ ≤ H′ − 1), H up to 20.
    var boundHolds = 0.0
    var configurations = 0.0
    var atMostOne = 0.0
    var equalityCases = 0.0
    var secondTermNegativeThere = 0.0
    for hf in 1...5 {
      for s in 1...4 {
        for pb in 0..<hf {
          for pa in 0..<hf {
            for h in hf...20 {
              configurations += 1
              let second = Double(pa + s - hf) / Double(s)
              if second <= Double(s - 1) / Double(s) && Double(s - 1) / Double(s) <= 1 { boundHolds += 1 }
              let caffe = ceilDiv(h - hf + pb + pa, s) + 1
              let limit = Double(h - 1 + pb) / Double(s) + 1
              if Double(caffe) <= limit + 1 { atMostOne += 1 }
              if pa + s == hf {
                equalityCases += 1
                if second < 0 { secondTermNegativeThere += 1 }
              }
            }
          }
        }
      }
    }
    // §5.3: the range of i for output i″, and the heights H″ compatible with H.
    var rangeMatches = 0.0
    var rangePairs = 0.0
    var heightOK = 0.0
    var heights = 0.0
    for (hf, u, c) in [(3, 2, 1), (4, 3, 0), (5, 2, 2), (2, 1, 0)] {
      for out in 1...12 {
        for i in -2...10 {
          rangePairs += 1
          let interacts = 1 + u * (i - 1) - c <= out && out <= hf + u * (i - 1) - c
          let inRange = ceilDiv(out + c - hf, u) + 1 <= i && i <= floorDiv(out + c - 1, u) + 1
          if interacts == inRange { rangeMatches += 1 }
        }
      }
      for h in 1...6 {
        for hOut in (u * (h - 1) + hf - c)..<(u * h + hf - c) where hOut >= 1 {
          heights += 1
          if h == 1 + floorDiv(hOut - hf + c, u) { heightOK += 1 }
        }
      }
    }
    // §6.1: H ∈ R^{(H″W″H′W′D)×(HWD)} with vec φ(x) = H vec x; built column by column from unit inputs.
    let x = Tensor<Double>.uniform(Shape(5, 4, 2), using: &rng)
    let im2row = try Im2Row(geometry: FilterGeometry(kh: 2, kw: 3), h: 5, w: 4, d: 2)
    var columns: [[Double]] = []
    for e in 0..<x.count {
      var unit = Tensor<Double>(shape: x.shape)
      unit.storage[e] = 1
      columns.append(im2row.phi(unit).storage)
    }
    let hRows = Double(columns.first?.count ?? 0)
    let hCols = Double(columns.count)
    let viaH = (0..<(columns.first?.count ?? 0)).map { r in (0..<columns.count).reduce(0) { $0 + columns[$1][r] * x.storage[$1] } }
    let phiX = im2row.phi(x).storage
    // §6.5.2: dz/dw_k, dz/db_k, and dz/dμ_k if μ were a free parameter, for z = ⟨G, y⟩, one channel.
    let xb = Tensor<Double>.uniform(Shape(3, 2, 1, 2), using: &rng)
    let g = Tensor<Double>.uniform(Shape(3, 2, 1, 2), using: &rng)
    let w0 = 1.3
    let b0 = -0.2
    let eps = 1e-4
    let mu = xb.storage.reduce(0, +) / Double(xb.count)
    let variance = xb.storage.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(xb.count)
    func z(w: Double, b: Double, mean: Double) -> Double {
      zip(xb.storage, g.storage).reduce(0) { $0 + $1.1 * (w * ($1.0 - mean) / (variance + eps).squareRoot() + b) }
    }
    let dzdw = FiniteDifferences.derivative(at: w0) { z(w: $0, b: b0, mean: mu) }
    let dzdb = FiniteDifferences.derivative(at: b0) { z(w: w0, b: $0, mean: mu) }
    let dzdmu = FiniteDifferences.derivative(at: mu) { z(w: w0, b: b0, mean: $0) }
    let sumG = g.storage.reduce(0, +)
    let middleAsPrinted = zip(xb.storage, g.storage).reduce(0) { $0 + $1.1 * ($1.0 - mu) / (variance + eps).squareRoot() }  // Σ dz/dy · dy/dw_k
    let bnorm = try BatchNorm(epsilon: eps).backward(xb, Parameters(w: Tensor(shape: Shape(1, 1, 1), storage: [w0]), b: Tensor(shape: Shape(1, 1, 1), storage: [b0])), g)
    let blockDb = bnorm.dzdb?.storage.first ?? .nan
    let blockDw = bnorm.dzdw?.storage.first ?? .nan
    // §4.2: "(P_h⁻, P_h⁺, P_h⁻, P_h⁺) the output crops" — the width read with the vertical crops, against the convt block.
    var widthPrinted: [Double] = []
    var widthIntended: [Double] = []
    var widthBlock: [Double] = []
    for (w, wf, u, ct, cb, cl, cr) in [(4, 3, 2, 1, 0, 2, 1), (5, 4, 3, 0, 2, 1, 0), (3, 2, 2, 1, 1, 0, 0)] {
      widthPrinted.append(Double(u * (w - 1) + wf - ct - cb))
      widthIntended.append(Double(u * (w - 1) + wf - cl - cr))
      widthBlock.append(Double(try ConvTranspose(upsample: (u, u), crop: [ct, cb, cl, cr]).outputShape(Shape(w, w, 1), Parameters(w: Tensor<Double>(shape: Shape(wf, wf, 1, 1)))).w))
    }
    // §5.2: ReLU as a 1 × 1 filter "such that H = S_h = 1 and P = 0" ⇒ α = β = Δ = 1, for filters H′ = 1, 2, 3 with H = 1.
    let reluFields = [1, 2, 3].map { hf in ReceptiveField.filter(FilterAxis(size: hf, stride: 1)) }
    let tex = "the LaTeX source (vlfeat/matconvnet doc/"
    return [
      .fails(
        .matConvNet, "§4.2", "§4.2 (crop parameters)", kind: .prose, .wrong, "(S_h, S_w) are the vertical and horizontal input upsampling factors, (P_h⁻, P_h⁺, P_h⁻, P_h⁺) the output crops",
        printedReading: "the horizontal crops read as the printed (P_h⁻, P_h⁺)", intended: "(P_h⁻, P_h⁺, P_w⁻, P_w⁺): top, bottom, left, right", intendedReading: "left and right crops P_w⁻, P_w⁺",
        against: "the convt block's output width with asymmetric crops", printedValue: widthPrinted, intendedValue: widthIntended, truth: widthBlock,
        note: "\(tex)blocks.tex) repeats P_h; MatConvNet (4.1) itself uses P_w⁻ for the horizontal index"),
      Claim(
        .matConvNet, section: "§5.2", location: "§5.2 (ReLU as a filter)", kind: .prose,
        printed: "ReLU can be considered a 1 × 1 filter, such that H = S_h = 1 and P_h⁻ = P_h⁺ = 0. Note that in this case α_h = 1, β_h = 1 and Δ_h = 1",
        verdict: .wrong, intended: "H′ = S_h = 1: the filter size, not the input height, makes β_h = (H′ + 1)/2 − P_h⁻ = 1 and Δ_h = H′ = 1",
        note: "\(tex)geometry.tex) writes H; with the input height fixed and H′ free, β and Δ follow H′",
        readings: [
          Reading(
            "as printed: H = 1, H′ free (1, 2, 3)", "(α, β, Δ) = (1, 1, 1)", against: "the simple-filter formulas of §5.2 for H′ = 1, 2, 3",
            value: [1, 1, 1, 1, 1, 1, 1, 1, 1], truth: reluFields.flatMap { [$0.alpha, $0.beta, $0.delta] }),
          Reading(
            "corrected: H′ = 1", "(α, β, Δ) = (1, 1, 1)", against: "the simple-filter formulas of §5.2 for H′ = 1",
            value: [1, 1, 1], truth: reluFields.prefix(1).flatMap { [$0.alpha, $0.beta, $0.delta] }),
        ]),
      .holds(
        .matConvNet, "§5.2.1", "§5.2.1 (bound on the second term)", kind: .display, "(P_h⁺ + S_h − H′)/S_h ≤ (S_h − 1)/S_h ≤ 1 when P_h⁺, P_h⁻ ≤ H′ − 1",
        against: "every configuration with H′ ≤ 5, S ≤ 4, P± ≤ H′ − 1", value: [boundHolds], truth: [configurations]),
      .holds(
        .matConvNet, "§5.2.1", "§5.2.1 (at most one unit)", kind: .prose, "for any choices of P_h⁺ and S_h allowed by Caffe, the formula above may violate constraint (5.4) by at most one unit",
        against: "Caffe's ⌈·⌉ size against (5.4)'s bound on every configuration with H′ ≤ 5, S ≤ 4, P± ≤ H′ − 1, H ≤ 20", value: [atMostOne], truth: [configurations]),
      Claim(
        .matConvNet, section: "§5.2.1", location: "§5.2.1 (sign of the second term)", kind: .prose,
        printed: "Hence if P_h⁺ + S_h ≤ H′ then the second term is less than zero and (5.4) is satisfied",
        verdict: .wrong, intended: "… then the second term is at most zero (zero when P_h⁺ + S_h = H′), and (5.4) is satisfied",
        note: "\(tex)geometry.tex) says 'less than zero'; the conclusion holds because ⌊a + 0⌋ ≤ a still",
        readings: [
          Reading(
            "as printed: < 0 whenever P⁺ + S ≤ H′", "configurations with P⁺ + S = H′ where the term is negative", against: "all configurations with P⁺ + S = H′",
            value: [secondTermNegativeThere], truth: [equalityCases]),
          Reading(
            "corrected: ≤ 0", "configurations with P⁺ + S = H′ where the term is ≤ 0", against: "all configurations with P⁺ + S = H′",
            value: [equalityCases], truth: [equalityCases]),
        ]),
      .holds(
        .matConvNet, "§5.3", "§5.3 (range of i)", kind: .indexRange, "⌈(i″ + C_h⁻ − H′)/S_h⌉ + 1 ≤ i ≤ ⌊(i″ + C_h⁻ − 1)/S_h⌋ + 1",
        against: "MatConvNet (5.5)'s interaction test on every (i, i″) pair (S_h read as U_h)", value: [rangeMatches], truth: [rangePairs],
        note: "the manual writes S_h for the upsampling factor U_h in this line and the next"),
      .holds(
        .matConvNet, "§5.3", "§5.3 (possible heights)", kind: .indexRange, "S_h(H − 1) + H′ − C_h⁻ − C_h⁺ ≤ H″ < S_h H + H′ − C_h⁻ − C_h⁺ all give H = 1 + ⌊(H″ − H′ + C_h⁻ + C_h⁺)/U_h⌋",
        against: "the constraint for every H″ in the range (C⁺ = 0)", value: [heightOK], truth: [heights]),
      .holds(
        .matConvNet, "§6.1", "§6.1 (size of H)", kind: .size, "H ∈ R^{(H″W″H′W′D)×(HWD)} with vec φ(x) = H vec x",
        against: "the matrix built from φ of unit inputs (x 5×4×2, filters 2×3), and its product with vec x", value: [4 * 2 * 2 * 3 * 2, 5 * 4 * 2] + phiX, truth: [hRows, hCols] + viaH),
      .fails(
        .matConvNet, "§6.5.2", "§6.5.2 (dz/db_k)", kind: .display, .wrong, "dz/db_k = Σ_{i″j″k″t″} dz/dy_{i″j″k″t″} dy_{i″j″k″t″}/dw_k = Σ_{i″j″t″} dz/dy_{i″j″kt″}",
        printedReading: "the middle expression, with dy/dw_k", intended: "dz/db_k = Σ dz/dy · dy/db_k = Σ_{i″j″t″} dz/dy_{i″j″kt″}",
        against: "central differences of z = ⟨G, y⟩ in b_k (the bnorm block agrees)", printedValue: [middleAsPrinted], intendedValue: [sumG], truth: [dzdb], tolerance: 1e-6,
        note: "\(tex)impl.tex) repeats dw_k from the line above; the final sum is right (the bnorm block gives \(formatScientific(blockDb)) and dz/dw_k \(formatScientific(blockDw)))"),
      Claim(
        .matConvNet, section: "§6.5.2", location: "§6.5.2 (text before the last display)", kind: .prose,
        printed: "We can identify some of these terms with the ones computed as derivatives of bnorm with respect to w_k and μ_k",
        verdict: .wrong, intended: "with respect to w_k and b_k: the display uses dz/dw_k and dz/db_k",
        note: "\(tex)impl.tex) says μ_k; the derivative in μ_k (were it a parameter) is −w_k/√(σ² + ε) times dz/db_k",
        readings: [
          Reading("as printed: dz/dμ_k", "the identified term Σ dz/dy", against: "central differences of z in μ_k held as a parameter", value: [sumG], truth: [dzdmu], tolerance: 1e-6),
          Reading("corrected: dz/db_k", "the identified term Σ dz/dy", against: "central differences of z in b_k", value: [sumG], truth: [dzdb], tolerance: 1e-6),
        ]),
      .holds(
        .matConvNet, "§6.5.2", "§6.5.2 (dz/dw_k)", kind: .display, "dz/dw_k = Σ_{i″j″t″} dz/dy_{i″j″kt″} (x_{i″j″kt″} − μ_k)/√(σ_k² + ε)",
        against: "central differences of z = ⟨G, y⟩ in w_k", value: [middleAsPrinted], truth: [dzdw], tolerance: 1e-6),
    ]
  }
}
