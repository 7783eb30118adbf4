import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// A referee's second reading of the manual's chapters 4–6 (issue 19): the statements the first
/// reading left without a claim — stated sizes, cross-references, Figure 4.1's caption and prose
/// — each checked on numbers against a ConvLab block, brute force or central differences in
/// Double. Where the converted text and the LaTeX source (vlfeat/matconvnet doc/*.tex) could
/// differ, the note quotes the source.
extension MatConvNetClaims {
  static func refereeLines(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }
    func floorDiv(_ a: Int, _ b: Int) -> Int { Int((Double(a) / Double(b)).rounded(.down)) }
    func mod(_ a: Int, _ b: Int) -> Int { ((a % b) + b) % b }
    var claims: [Claim] = []

    // §4.1: x ∈ R^{H×W×D}, f ∈ R^{H′×W′×D×D″} → y ∈ R^{H″×W″×D″}; without padding H″ = H − H′ + 1.
    let x41 = Tensor<Double>.uniform(Shape(6, 5, 2), using: &rng)
    let f41 = Tensor<Double>.uniform(Shape(3, 2, 2, 4), using: &rng)
    let y41 = try Conv().forward(x41, Parameters(w: f41))
    claims.append(
      .holds(
        .matConvNet, "§4.1", "§4.1 (array sizes)", kind: .size, "x ∈ R^{H×W×D}, f ∈ R^{H′×W′×D×D″}, y ∈ R^{H″×W″×D″}",
        against: "the conv block's output for x 6×5×2 and f 3×2×2×4: (H″, W″, D″) = (4, 4, 4)", value: [4, 4, 4],
        truth: [Double(y41.shape.h), Double(y41.shape.w), Double(y41.shape.d)],
        note: "the sentence before calls the bank \"K multi-dimensional filters\": K is D″ (§6.1 writes F ∈ R^{(H′W′D)×K})"))

    // Figure 4.1: H′ = 4, S = 2, P⁻ = 2, P⁺ = 3. Padded positions 1 … H + 5; output i″ (H″ of them, from the
    // conv block) reads positions S(i″ − 1) + 1 … S(i″ − 1) + H′. Every position never read should be padding.
    var unread = 0.0
    var unreadInPadding = 0.0
    for h in 2...12 {
      let outH = try Conv(pad: [2, 3, 0, 0], stride: (2, 1)).outputShape(Shape(h, 1), Parameters(w: Tensor<Double>(shape: Shape(4, 1)))).h
      var read = Set<Int>()
      for i in 1...outH { for t in 1...4 { read.insert(2 * (i - 1) + t) } }
      for position in 1...(h + 5) where !read.contains(position) {
        unread += 1
        if position <= 2 || position > h + 2 { unreadInPadding += 1 }
      }
    }
    // Without padding (H = 5, H′ = 4, S = 2, one output): x₅ is never read — a zero column of the conv block's Jacobian.
    let x5 = Tensor<Double>.uniform(Shape(5, 1), using: &rng)
    let f4 = Tensor<Double>.uniform(Shape(4, 1), in: 0.5...1, using: &rng)
    let j5 = try Conv(stride: (2, 1)).jacobian(at: x5, Parameters(w: f4), wrt: .x)
    let neverRead = (0..<5).map { c in flag((0..<j5.rows).allSatisfy { j5[$0, c] == 0 }) }
    claims.append(
      Claim(
        .matConvNet, section: "§4.1", location: "§4.1 (Figure 4.1)", kind: .table,
        printed:
          "The filter has H′ = 4 elements and is applied with a stride of S_h = 2 samples … padding P₋ = 2 and P₊ = 3 … Note that the rightmost sample of x is never processed by any filter application due to the sampling step. While in this case the sample is in the padded region, this can happen also without padding.",
        readings: [
          Reading(
            "with the figure's H′ = 4, S_h = 2, P⁻ = 2, P⁺ = 3 (H = 2 … 12)", "every sample never read lies in the padding, and some H leaves one",
            against: "the windows of the conv block's H″ outputs", value: [unread, 1], truth: [unreadInPadding, flag(unread > 0)]),
          Reading(
            "without padding: H = 5, H′ = 4, S_h = 2", "x₅ is never read (x₁ … x₄ are)", against: "the zero columns of the conv block's Jacobian",
            value: [0, 0, 0, 0, 1], truth: neverRead),
        ]))

    // §4.1 → §5.2: "The size of the output is computed in section 5.2": the largest H″ with
    // H′ + S(H″ − 1) − P⁻ ≤ H + P⁺ (§5.2's condition, by search) against the conv block.
    var largest: [Double] = []
    var convHeights: [Double] = []
    for (h, hf, s, top, bottom) in [(7, 3, 2, 0, 0), (8, 3, 3, 1, 0), (10, 4, 3, 1, 2), (9, 2, 4, 0, 1), (5, 5, 1, 2, 1)] {
      largest.append(Double((1...40).last { hf + s * ($0 - 1) - top <= h + bottom } ?? 0))
      let filter = Tensor<Double>(shape: Shape(hf, 1))
      convHeights.append(Double(try Conv(pad: [top, bottom, 0, 0], stride: (s, 1)).outputShape(Shape(h, 1), Parameters(w: filter)).h))
    }
    claims.append(
      .holds(
        .matConvNet, "§4.1", "§4.1 (see section 5.2)", kind: .crossReference, "The size of the output is computed in section 5.2 and is given by:",
        against: "the conv block's output height (asymmetric padding, strides 1–4)", value: largest, truth: convHeights,
        note:
          "§5.2 derives it from H′ + S_h(H″ − 1) − P_h⁻ ≤ H + P_h⁺ (here the largest H″ that satisfies it, found by search); the bars the conversion printed for ⌊·⌋ are judged at §4.1 (output size)"))

    // §4.2 → §6.2: MatConvNet (4.1) in 1-D and §6.2's result (6.1) (there y is the convt's input and x its
    // output), both summed literally with zero-extended x and f, against the convt block (U = 2, H′ = 5, crops 1, 1).
    let xin = Tensor<Double>.uniform(Shape(4, 1), using: &rng)
    let fin = Tensor<Double>.uniform(Shape(5, 1), using: &rng)
    let convt42 = try ConvTranspose(upsample: (2, 1), crop: [1, 1, 0, 0]).forward(xin, Parameters(w: fin))
    func xAt(_ k: Int) -> Double { (1...4).contains(k) ? xin.storage[k - 1] : 0 }
    func fAt(_ k: Int) -> Double { (1...5).contains(k) ? fin.storage[k - 1] : 0 }
    var form41: [Double] = []
    var form61: [Double] = []
    for out in 1...convt42.shape.h {
      var a = 0.0
      for i1 in 0...floorDiv(5 - 1, 2) { a += fAt(1 + 2 * i1 + mod(out + 1 - 1, 2)) * xAt(1 - i1 + floorDiv(out + 1 - 1, 2)) }
      form41.append(a)
      var b = 0.0
      for q in 1...(1 + floorDiv(5 - 1, 2)) { b += xAt(floorDiv(out - 1 + 1, 2) + 2 - q) * fAt(mod(out - 1 + 1, 2) + 2 * (q - 1) + 1) }
      form61.append(b)
    }
    claims.append(
      Claim(
        .matConvNet, section: "§4.2", location: "§4.2 (derived in section 6.2)", kind: .crossReference,
        printed: "Convolution transpose can be expressed in closed form in the following rather unwieldy expression (derived in section 6.2)",
        note: "with i′ = q − 1, MatConvNet (4.1)'s f_{1+S i′+m(i″+P⁻,S)} x_{1−i′+q(i″+P⁻,S)} is term by term §6.2's y_{⌊(k−1+P⁻)/S⌋+2−q} f_{(k−1+P⁻) mod S+S(q−1)+1}",
        readings: [
          Reading(
            "MatConvNet (4.1), 1-D", "y_{i″} = Σ_{i′=0}^{q(H′,S)} f_{1+S i′+m(i″+P⁻,S)} x_{1−i′+q(i″+P⁻,S)}", against: "the convt block (U = 2, H′ = 5, C⁻ = C⁺ = 1)", value: form41,
            truth: convt42.storage),
          Reading(
            "§6.2's result, (6.1)", "x_k = Σ_{q=1}^{1+⌊(H′−1)/S⌋} y_{⌊(k−1+P⁻)/S⌋+2−q} f_{(k−1+P⁻) mod S+S(q−1)+1}", against: "the convt block (U = 2, H′ = 5, C⁻ = C⁺ = 1)",
            value: form61, truth: convt42.storage),
        ]))

    // §4.2 → §5.3: "These formulas are derived in section 5.3": the smallest H″ with H = 1 + ⌊(H″ − H′ + C⁻ + C⁺)/U⌋
    // (§5.3's swapped constraint, by search) and §4.2's display, against the convt block.
    var smallest: [Double] = []
    var printed42: [Double] = []
    var convtHeights: [Double] = []
    for (h, hf, u, c0, c1) in [(4, 3, 2, 1, 0), (5, 4, 3, 0, 2), (3, 2, 1, 0, 0), (6, 5, 2, 2, 1)] {
      smallest.append(Double((1...60).first { 1 + floorDiv($0 - hf + c0 + c1, u) == h } ?? 0))
      printed42.append(Double(u * (h - 1) + hf - c0 - c1))
      let filter = Tensor<Double>(shape: Shape(hf, 1))
      convtHeights.append(Double(try ConvTranspose(upsample: (u, 1), crop: [c0, c1, 0, 0]).outputShape(Shape(h, 1), Parameters(w: filter)).h))
    }
    claims.append(
      Claim(
        .matConvNet, section: "§4.2", location: "§4.2 (derived in section 5.3)", kind: .crossReference,
        printed: "H″ = S_h(H − 1) + H′ − P_h⁻ − P_h⁺. A similar formula holds true for the width. These formulas are derived in section 5.3",
        note: "§5.3 writes U_h for the upsampling and C_h^± for the crops that §4.2 calls S_h and P_h^±",
        readings: [
          Reading("§5.3's derivation", "the smallest H″ with H = 1 + ⌊(H″ − H′ + C⁻ + C⁺)/U⌋", against: "the convt block's output height", value: smallest, truth: convtHeights),
          Reading("§4.2's display", "H″ = S_h(H − 1) + H′ − P_h⁻ − P_h⁺", against: "the convt block's output height", value: printed42, truth: convtHeights),
        ]))

    // §4.5.1: LRN keeps the dimensions and acts the same at every pixel: moving a pixel's channel vector moves its output.
    let lrn = Normalize(depth: 3, kappa: 1, alpha: 0.5, beta: 0.75)
    let xl = Tensor<Double>.uniform(Shape(3, 2, 4), using: &rng)
    let yl = try lrn.forward(xl, Parameters())
    var moved = xl
    for d in 0..<4 { moved[0, 0, d, 0] = xl[2, 1, d, 0] }
    let ym = try lrn.forward(moved, Parameters())
    claims.append(
      Claim(
        .matConvNet, section: "§4.5.1", location: "§4.5.1 (same dimensions)", kind: .prose,
        printed: "Note that input x and output y have the same dimensions. Note also that the operator is applied uniformly at all spatial locations.",
        readings: [
          Reading("the dimensions", "shape of y = shape of x (3×2×4)", against: "the LRN block's output", value: xl.shape.dims.map { Double($0) }, truth: yl.shape.dims.map { Double($0) }),
          Reading(
            "uniform over pixels", "x_{2,3,:} copied to pixel (1, 1) gives y_{1,1,:} = y_{2,3,:}", against: "the LRN block at pixel (2, 3) of the original x",
            value: (0..<4).map { ym[0, 0, $0, 0] }, truth: (0..<4).map { yl[2, 1, $0, 0] }),
        ]))

    // §4.5.2: x, y ∈ R^{H×W×K×T}, w, b ∈ R^K: the bnorm block on x 3×2×4×5 takes exactly K = 4 gains and biases.
    let xb = Tensor<Double>.uniform(Shape(3, 2, 4, 5), using: &rng)
    func bnorm(_ k: Int) -> Tensor<Double>? {
      try? BatchNorm().forward(xb, Parameters(w: Tensor<Double>(shape: Shape(k, 1), storage: Array(repeating: 1, count: k)), b: Tensor<Double>(shape: Shape(k, 1))))
    }
    let yb = bnorm(4)
    claims.append(
      .holds(
        .matConvNet, "§4.5.2", "§4.5.2 (array sizes)", kind: .size, "x, y ∈ R^{H×W×K×T}, w ∈ R^K, b ∈ R^K",
        against: "the bnorm block on x 3×2×4×5: y's shape, and whether it runs with K = 4, 3, 5 gains and biases",
        value: [3, 2, 4, 5, 1, 0, 0], truth: (yb?.shape.dims.map { Double($0) } ?? [0, 0, 0, 0]) + [flag(yb != nil), flag(bnorm(3) != nil), flag(bnorm(5) != nil)]))

    // §5.3: for each (H, H′, U, C⁻, C⁺) and each output height H″ the range allows above the chosen U(H − 1) + H′ − C⁻ − C⁺,
    // the conv that this convt transposes (input H″, filter H′, stride U, padding C⁻, C⁺) has H outputs, and sample i″ of
    // the convt's output is row i″ of that conv's Jacobian transposed: it stays zero exactly when no output reads x_{i″}.
    var extraPrinted: [Double] = []
    var extraCorrected: [Double] = []
    var extraTruth: [Double] = []
    for (h, hf, u, c0, c1) in [(4, 3, 2, 0, 1), (3, 4, 3, 1, 2), (5, 2, 2, 0, 0), (4, 3, 3, 1, 0)] {
      let chosen = u * (h - 1) + hf - c0 - c1
      for tall in (chosen + 1)..<(u * h + hf - c0 - c1) {
        let input = Tensor<Double>.uniform(Shape(tall, 1), using: &rng)
        let filter = Tensor<Double>.uniform(Shape(hf, 1), in: 0.5...1, using: &rng)
        let jac = try Conv(pad: [c0, c1, 0, 0], stride: (u, 1)).jacobian(at: input, Parameters(w: filter), wrt: .x)
        extraPrinted.append(Double(h))
        extraCorrected.append(Double(h))
        extraTruth.append(Double(jac.rows))
        for sample in (chosen + 1)...tall {
          extraPrinted.append(1)
          extraCorrected.append(flag(sample > chosen + c1))
          extraTruth.append(flag((0..<jac.rows).allSatisfy { jac[$0, sample - 1] == 0 }))
        }
      }
    }
    claims.append(
      .fails(
        .matConvNet, "§5.3", "§5.3 (extra samples stay zero)", kind: .prose, .wrong,
        "Since the height of y is then determined up to S_h samples, and since the extra samples would be ignored by the computation and stay zero, we choose the tighter definition",
        printedReading: "as printed: every sample past U_h(H − 1) + H′ − C_h⁻ − C_h⁺ stays zero",
        intended:
          "only the samples past U_h(H − 1) + H′ − C_h⁻ stay zero; with a bottom crop C_h⁺ > 0 the first min(C_h⁺, U_h − 1) extra samples are read by the filter: samples the crop C_h⁺ removes, not zeros",
        intendedReading: "corrected: zero exactly past U_h(H − 1) + H′ − C_h⁻",
        against: "the zero columns of the conv block's Jacobian for the longer input (and its H outputs), four configurations",
        printedValue: extraPrinted, intendedValue: extraCorrected, truth: extraTruth,
        note:
          "the LaTeX source (vlfeat/matconvnet doc/geometry.tex) has the same words: \"and since the extra samples would be ignored by the computation and stay zero, we choose the tighter definition\"; counterexample H = 4, H′ = 3, U = 2, C⁻ = 0, C⁺ = 1: H″ = 9 is allowed (8 ≤ H″ < 10), the conv on 9 samples still has 4 outputs, and output 4 reads x₇, x₈, x₉, so convt's sample 9 is f₃x₄, not zero"
      ))

    // §5.4 → §5.3: "Hence we find again the formulas found in section 5.3": Example 1's α̂, its β̂ (the form
    // (P⁻ − H′/2 + 1/2)/S + 1) and Δ̂, against §5.3's α, β, Δ with C⁻ = P⁻ and U = S.
    var fromExample: [Double] = []
    var fromSection53: [Double] = []
    for s in 1...3 {
      for hf in 1...5 {
        for p in 0..<hf {
          let (sd, hd, pd) = (Double(s), Double(hf), Double(p))
          fromExample += [1 / sd, (pd - hd / 2 + 0.5) / sd + 1, (hd + sd - 1) / sd]
          fromSection53 += [1 / sd, (2 * pd - hd + 1) / (2 * sd) + 1, (hd - 1) / sd + 1]
        }
      }
    }
    claims.append(
      .holds(
        .matConvNet, "§5.4", "§5.4 (find again section 5.3)", kind: .crossReference, "Hence we find again the formulas found in section 5.3",
        against: "§5.3's α = 1/U, β = (2C⁻ − H′ + 1)/(2U) + 1, Δ = (H′ − 1)/U + 1 with C⁻ = P⁻, U = S (S ≤ 3, H′ ≤ 5, P⁻ < H′)", value: fromExample, truth: fromSection53,
        note: "the example's last form of β̂, (2P⁻ − H′ + 1)/S_h + 1, drops the 2 of the form before it and is judged at §5.4 Example 1; the form before it is §5.3's"))

    // §5.5: i_f = α_f(i_g − 1) + β_f ± (Δ_f − 1)/2 with §5.2's α = S, β = (H′ + 1)/2 − P⁻, Δ = H′, against the first and
    // last non-zero column of each row of the conv block's Jacobian (windows inside x; filter entries in [0.5, 1]).
    var ends: [Double] = []
    var endsJacobian: [Double] = []
    for (h, hf, s, p) in [(9, 3, 2, 1), (11, 4, 3, 2), (8, 2, 2, 0)] {
      let input = Tensor<Double>.uniform(Shape(h, 1), using: &rng)
      let filter = Tensor<Double>.uniform(Shape(hf, 1), in: 0.5...1, using: &rng)
      let jac = try Conv(pad: [p, p, 0, 0], stride: (s, 1)).jacobian(at: input, Parameters(w: filter), wrt: .x)
      let (alpha, beta, delta) = (Double(s), Double(hf + 1) / 2 - Double(p), Double(hf))
      for out in 1...jac.rows {
        let first = alpha * Double(out - 1) + beta - (delta - 1) / 2
        let last = alpha * Double(out - 1) + beta + (delta - 1) / 2
        guard first >= 1, last <= Double(h) else { continue }
        let read = (0..<h).filter { jac[out - 1, $0] != 0 }
        ends += [first, last]
        endsJacobian += [Double((read.first ?? -1) + 1), Double((read.last ?? -1) + 1)]
      }
    }
    claims.append(
      .holds(
        .matConvNet, "§5.5", "§5.5 (first and last samples)", kind: .display, "i_f = α_f(i_g − 1) + β_f ± (Δ_f − 1)/2;  i_g = α_g(i_h − 1) + β_g ± (Δ_g − 1)/2",
        against: "the first and last input each conv output reads (non-zero columns of the conv block's Jacobian; H′ = 3, 4, 2, strides 2, 3, 2)",
        value: ends, truth: endsJacobian, note: "both displays are MatConvNet (5.1) read at the ends of the window; checked with §5.2's simple-filter (α, β, Δ)"))

    // §6.1: F ∈ R^{(H′W′D)×K} and Y ∈ R^{(H″W″)×K} (x 5×4×2, f 2×3×2×3): the sizes that make φ(x)F the reshaped y.
    let x61 = Tensor<Double>.uniform(Shape(5, 4, 2), using: &rng)
    let f61 = Tensor<Double>.uniform(Shape(2, 3, 2, 3), using: &rng)
    let y61 = try Conv().forward(x61, Parameters(w: f61))
    let phi61 = try Audit.im2row(x61, kh: 2, kw: 3)
    let product61 = phi61 * Matrix(rows: 2 * 3 * 2, cols: 3, storage: f61.storage)
    claims.append(
      Claim(
        .matConvNet, section: "§6.1", location: "§6.1 (sizes of F and Y)", kind: .size,
        printed: "F ∈ R^{(H′W′D)×K} is the matrix obtained by reshaping the array f … Y ∈ R^{(H″W″)×K} is the matrix obtained by reshaping the array y",
        readings: [
          Reading(
            "the sizes", "(H′W′D, K, H″W″, K) = (12, 3, 8, 3)", against: "φ(x)'s columns, the bank's filters, and the conv block's H″W″ and D″",
            value: [12, 3, 8, 3], truth: [Double(phi61.cols), Double(f61.shape.n), Double(y61.shape.h * y61.shape.w), Double(y61.shape.d)]),
          Reading("the reshapes", "Y = φ(x)F, F the column-major reshape of f", against: "the conv block's y", value: product61.storage, truth: y61.storage),
        ]))

    // §6.5.2: "all terms with k″ ≠ k are null": the bnorm block's Jacobian by central differences, with the
    // cross-channel entries set to zero, against the full one (x 2×2×3×2).
    let xbn = Tensor<Double>.uniform(Shape(2, 2, 3, 2), using: &rng)
    let wbn = Tensor<Double>.uniform(Shape(3, 1), in: 0.5...1.5, using: &rng)
    let bbn = Tensor<Double>.uniform(Shape(3, 1), using: &rng)
    let bnJacobian = try FiniteDifferences.jacobian(at: xbn.storage) { v in
      try BatchNorm().forward(Tensor(shape: xbn.shape, storage: v), Parameters(w: wbn, b: bbn)).storage
    }
    func channel(_ k: Int) -> Int { (k / (xbn.shape.h * xbn.shape.w)) % xbn.shape.d }
    var sameChannel = bnJacobian
    for c in 0..<bnJacobian.cols { for r in 0..<bnJacobian.rows where channel(r) != channel(c) { sameChannel[r, c] = 0 } }
    claims.append(
      .holds(
        .matConvNet, "§6.5.2", "§6.5.2 (other channels null)", kind: .prose, "Since feature channels are processed independently, all terms with k″ ≠ k are null",
        against: "central differences of the bnorm block (x 2×2×3×2), every entry", value: sameChannel.storage, truth: bnJacobian.storage,
        // The cross-channel entries are exactly 0 (an output never reads another channel), so the default 1e-9 is slack.
        tolerance: 1e-9, note: "an output of channel k″ does not move when an input of channel k ≠ k″ does: those entries are exactly 0, so the tolerance is Double's default"))

    // §6.6.3: the special cases p = 1, 2 against central differences of z = Σ_ij g_ij y_ij, y the literal p-distance
    // (x − x̄ kept at least 0.2 away from 0, where |·| and sign are smooth).
    let xp = Tensor<Double>.uniform(Shape(2, 2, 3), using: &rng)
    let gap = Tensor<Double>.uniform(Shape(2, 2, 3), in: 0.2...1, using: &rng).storage.enumerated().map { $0.offset % 3 == 1 ? -$0.element : $0.element }
    let target = zip(xp.storage, gap).map { $0 - $1 }
    let g = Tensor<Double>.uniform(Shape(2, 2), using: &rng).storage
    let pixels = 4
    func pdist(_ v: [Double], p: Double, root: Bool) -> [Double] {
      (0..<pixels).map { pixel in
        let sum = (0..<3).reduce(0.0) { $0 + pow(abs(v[pixel + pixels * $1] - target[pixel + pixels * $1]), p) }
        return root ? pow(sum, 1 / p) : sum
      }
    }
    var special: [Double] = []
    var central: [Double] = []
    for (p, root) in [(1.0, false), (1.0, true), (2.0, false), (2.0, true)] {
      let y = pdist(xp.storage, p: p, root: root)
      central += FiniteDifferences.vjp(at: xp.storage, cotangent: g) { pdist($0, p: p, root: root) }
      special += (0..<xp.count).map { k -> Double in
        let (pixel, diff) = (k % pixels, gap[k])
        let sign: Double = diff > 0 ? 1 : -1
        if p == 1 { return g[pixel] * sign }
        return root ? g[pixel] * diff / y[pixel] : g[pixel] * 2 * diff
      }
    }
    claims.append(
      .holds(
        .matConvNet, "§6.6.3", "§6.6.3 (special cases p = 1, 2)", kind: .prose, "The formulas simplify a little for p = 1, 2 which are therefore implemented as special cases",
        // Central differences are good to about 1e-10 on these O(1) smooth values; 1e-6 is ConvLab's budget for them.
        against: "central differences of z = Σ_ij g_ij y_ij (literal p-distance, with and without the root)", value: special, truth: central, tolerance: 1e-6,
        note:
          "the simplified forms: p = 1 gives dz/dy_ij sign(x_ijd − x̄_ijd) with or without the root; p = 2 gives 2(x_ijd − x̄_ijd) dz/dy_ij without it and (x_ijd − x̄_ijd)/y_ij dz/dy_ij with it; 1e-6 is the central-difference budget (about 1e-10 on these O(1) values)"
      ))
    // §4.2: "Effectively, convolution transpose works as an interpolating filter": U = 2, f = (1/2, 1, 1/2), crops 1, 1
    // give y_{2k−1} = x_k and y_{2k} = (x_k + x_{k+1})/2, linear interpolation between the samples.
    let xi = Tensor<Double>.uniform(Shape(5, 1), using: &rng)
    let tent = Tensor<Double>(shape: Shape(3, 1), storage: [0.5, 1, 0.5])
    let interpolated = try ConvTranspose(upsample: (2, 1), crop: [1, 1, 0, 0]).forward(xi, Parameters(w: tent))
    let samples: [Double] = xi.storage
    var linear: [Double] = []
    for k in 1...9 {
      if k % 2 == 1 {
        linear.append(samples[(k - 1) / 2])
      } else {
        let left: Double = samples[k / 2 - 1]
        let right: Double = samples[k / 2]
        linear.append((left + right) / 2)
      }
    }
    claims.append(
      .holds(
        .matConvNet, "§4.2", "§4.2 (interpolating filter)", kind: .prose, "Effectively, convolution transpose works as an interpolating filter",
        against: "linear interpolation of x at half steps (U = 2, f = (1/2, 1, 1/2), C⁻ = C⁺ = 1: H″ = 2H − 1)", value: interpolated.storage, truth: linear,
        note: "with a tent filter the convt block reproduces every x_k at y_{2k−1} and the mid-points between them"))

    // §4.5.4: softmax acts across channels, the same way at every pixel, and normalizes: moving a pixel's channel
    // vector moves its output, and each pixel's outputs sum to 1.
    let xs = Tensor<Double>.uniform(Shape(3, 2, 4), in: -3...3, using: &rng)
    let ys = try Softmax().forward(xs, Parameters())
    var shifted = xs
    for d in 0..<4 { shifted[0, 0, d, 0] = xs[2, 1, d, 0] }
    let yShifted = try Softmax().forward(shifted, Parameters())
    let pixelSums = (0..<6).map { pixel in (0..<4).reduce(0.0) { $0 + ys.storage[pixel + 6 * $1] } }
    claims.append(
      Claim(
        .matConvNet, section: "§4.5.4", location: "§4.5.4 (across channels, at every location)", kind: .prose,
        printed:
          "Note that the operator is applied across feature channels and in a convolutional manner at all spatial locations. Softmax can be seen as the combination of an activation function (exponential) and a normalization operator.",
        readings: [
          Reading(
            "at every location", "x_{3,2,:} copied to pixel (1, 1) gives y_{1,1,:} = y_{3,2,:}", against: "the softmax block at pixel (3, 2) of the original x",
            value: (0..<4).map { yShifted[0, 0, $0, 0] }, truth: (0..<4).map { ys[2, 1, $0, 0] }),
          Reading(
            "exponential, then normalization", "Σ_k y_{ijk} = 1 at each of the 6 pixels", against: "the softmax block's outputs summed over channels",
            // Four terms of O(1) summed in Double: a few ulps, so 1e-14.
            value: pixelSums, truth: Array(repeating: 1, count: 6), tolerance: 1e-14),
        ]))

    // §4.6.2: "combines the softmax layer and the log-loss into one step for improved numerical stability": scores
    // (1000, 0), c = 2, exact loss 1000 + log(1 + e^{−1000}) = 1000 in Double.
    let wide = Tensor<Double>(shape: Shape(1, 1, 2), storage: [1000, 0])
    let oneStep = try Loss(kind: .softmaxlog).forward(wide, Parameters(labels: Tensor<Double>(shape: Shape(1, 1), storage: [2]))).storage[0]
    let probability = try Softmax().forward(wide, Parameters()).storage[1]
    let twoSteps = -log(probability)
    claims.append(
      Claim(
        .matConvNet, section: "§4.6.2", location: "§4.6.2 (one step for stability)", kind: .prose,
        printed: "vl_softmaxloss combines the softmax layer and the log-loss into one step for improved numerical stability",
        readings: [
          // max + log Σ e^{x − max} is 1000 + log(1 + 0): exact in Double, so a tolerance of about one ulp.
          Reading("one step", "softmax log-loss of scores (1000, 0), c = 2", against: "the exact loss 1000 + log(1 + e^{−1000}) = 1000", value: [oneStep], truth: [1000], tolerance: 1e-15),
          Reading(
            "two steps underflow", "−log(softmax(x)_c) is not finite (e^{−1000} underflows to 0)", against: "whether the two-step value is finite",
            value: [0], truth: [flag(twoSteps.isFinite)]),
        ]))
    // §4.1: "The call vl_nnconv(x, f, []) does not use the biases": the conv block without b against the literal
    // sum Σ f_{i′j′d′d″} x_{i″+i′−1, j″+j′−1, d′} with no bias term.
    let xn = Tensor<Double>.uniform(Shape(4, 3, 2), using: &rng)
    let fn = Tensor<Double>.uniform(Shape(2, 2, 2, 2), using: &rng)
    let noBias = try Conv().forward(xn, Parameters(w: fn))
    var plainSums: [Double] = []
    for d2 in 0..<2 {
      for j in 0..<2 {
        for i in 0..<3 {
          var total = 0.0
          for d1 in 0..<2 { for jp in 0..<2 { for ip in 0..<2 { total += fn[ip, jp, d1, d2] * xn[i + ip, j + jp, d1, 0] } } }
          plainSums.append(total)
        }
      }
    }
    claims.append(
      .holds(
        .matConvNet, "§4.1", "§4.1 (no biases)", kind: .prose, "The call vl_nnconv(x, f, []) does not use the biases",
        against: "the literal sum Σ_{i′j′d′} f_{i′j′d′d″} x_{i″+i′−1, j″+j′−1, d′} without b (x 4×3×2, f 2×2×2×2)", value: noBias.storage, truth: plainSums,
        note: "ConvLab's conv block takes no bias when Parameters has no b, MatConvNet's []"))

    // §4.6.1: "applied across input channels in a convolutional manner, summing the loss computed at each spatial
    // location into a single scalar": the log-loss block on a 3×2×4 map of probabilities with a label per pixel.
    let probabilities = try Softmax().forward(Tensor<Double>.uniform(Shape(3, 2, 4), using: &rng), Parameters())
    let pixelLabels = (0..<6).map { Double($0 % 4 + 1) }
    let logLoss = try Loss(kind: .log).forward(probabilities, Parameters(labels: Tensor<Double>(shape: Shape(3, 2, 1, 1), storage: pixelLabels)))
    let summed = (0..<6).reduce(0.0) { total, pixel in total - log(probabilities.storage[pixel + 6 * (Int(pixelLabels[pixel]) - 1)]) }
    claims.append(
      .holds(
        .matConvNet, "§4.6.1", "§4.6.1 (one scalar over the locations)", kind: .prose,
        "Note that the operator is applied across input channels in a convolutional manner, summing the loss computed at each spatial location into a single scalar",
        against: "Σ over the 6 pixels of −log x_{ijc} with c the pixel's label (literal), and one output entry", value: [logLoss.storage[0], Double(logLoss.count)], truth: [summed, 1],
        // Six logarithms summed in Double: a few ulps.
        tolerance: 1e-13))

    // §5.2.1: "If the stride is greater than one, … the last application of the pooling window can be partially outside
    // the input boundaries even if padding is officially zero": Caffe's output height (the pool block, caffeCeil) for
    // H′ = 3, no padding, H = 3 … 20: the last window's end S(H″ − 1) + H′ against H.
    func pastTheEnd(stride: Int) throws -> Double {
      var count = 0.0
      for h in 3...20 {
        let outH = try Pool(size: (3, 3), stride: (stride, stride), caffeCeil: true).outputShape(Shape(h, h), Parameters<Double>()).h
        if stride * (outH - 1) + 3 > h { count += 1 }
      }
      return count
    }
    let pastWithStride1 = try pastTheEnd(stride: 1)
    let pastWithStride2 = try pastTheEnd(stride: 2)
    let pastWithStride3 = try pastTheEnd(stride: 3)
    claims.append(
      Claim(
        .matConvNet, section: "§5.2.1", location: "§5.2.1 (window partly outside)", kind: .prose,
        printed:
          "If the stride is greater than one, this means that the last application of the pooling window can be partially outside the input boundaries even if padding is \"officially\" zero.",
        readings: [
          Reading(
            "stride 2 and 3: it happens", "some H in 3 … 20 has its last window past x_H", against: "Caffe's output height from the pool block (H′ = 3, no padding)",
            value: [1, 1], truth: [flag(pastWithStride2 > 0), flag(pastWithStride3 > 0)]),
          Reading("stride 1: never", "no H in 3 … 20 has its last window past x_H", against: "Caffe's output height from the pool block (H′ = 3, no padding)", value: [0], truth: [pastWithStride1]),
        ]))
    // §4.5.2: batch normalization "performs computation across images/feature maps in a batch (whereas most blocks
    // process different images/feature maps individually)": change image 2 of a batch of two and watch image 1's output.
    let batch = Tensor<Double>.uniform(Shape(2, 2, 2, 2), using: &rng)
    var otherImage = batch
    for k in 0..<8 { otherImage.storage[8 + k] += 0.5 + Double(k) / 8 }
    let gains = Tensor<Double>(shape: Shape(2, 1), storage: [1, 1])
    let biases = Tensor<Double>(shape: Shape(2, 1))
    let bnBefore = try BatchNorm().forward(batch, Parameters(w: gains, b: biases)).storage
    let bnAfter = try BatchNorm().forward(otherImage, Parameters(w: gains, b: biases)).storage
    let bank = Tensor<Double>.uniform(Shape(1, 1, 2, 2), using: &rng)
    let convBefore = try Conv().forward(batch, Parameters(w: bank)).storage
    let convAfter = try Conv().forward(otherImage, Parameters(w: bank)).storage
    claims.append(
      Claim(
        .matConvNet, section: "§4.5.2", location: "§4.5.2 (across the batch)", kind: .prose,
        printed:
          "Batch normalization is somewhat different from other neural network blocks in that it performs computation across images/feature maps in a batch (whereas most blocks process different images/feature maps individually).",
        readings: [
          Reading(
            "bnorm: image 1's output moves", "y of image 1 changes when only image 2 changes", against: "the bnorm block on a batch of two, before and after",
            value: [1], truth: [flag(zip(bnBefore.prefix(8), bnAfter.prefix(8)).contains { abs($0 - $1) > 1e-6 })]),
          Reading(
            "conv: image 1's output stays", "y of image 1 is unchanged when only image 2 changes", against: "the conv block on the same batches",
            value: Array(convBefore.prefix(8)), truth: Array(convAfter.prefix(8))),
        ]))
    // §5.2: "many blocks (e.g. max pooling, LNR, ReLU, most loss functions etc.) have a filter-like receptive field
    // geometry": which inputs each output depends on, by brute force (raise x_i by 10 and see which outputs move),
    // against MatConvNet (5.1)'s window with §5.2's α = S, β = (H′ + 1)/2 − P⁻, Δ = H′.
    let pooled = Pool(method: .max, size: (3, 1), pad: [1, 1, 0, 0], stride: (2, 1))
    let xq = Tensor<Double>.uniform(Shape(9, 1), using: &rng)
    let yq = try pooled.forward(xq, Parameters()).storage
    var poolMoves: [Double] = []
    var poolWindow: [Double] = []
    for i in 1...9 {
      var raised = xq
      raised.storage[i - 1] += 10
      let moved = try pooled.forward(raised, Parameters()).storage
      for out in 1...yq.count {
        poolMoves.append(flag(abs(moved[out - 1] - yq[out - 1]) > 0))
        let centre = 2 * Double(out - 1) + (Double(3 + 1) / 2 - 1)
        poolWindow.append(flag(abs(Double(i) - centre) <= 1))
      }
    }
    let xr = Tensor<Double>.uniform(Shape(3, 3, 3), using: &rng)
    let yr = try lrn.forward(xr, Parameters())
    var lrnMoves: [Double] = []
    var lrnWindow: [Double] = []
    for pixel in 0..<9 {
      var raised = xr
      raised.storage[pixel] += 10
      let moved = try lrn.forward(raised, Parameters())
      for out in 0..<9 {
        lrnMoves.append(flag((0..<3).contains { abs(moved.storage[out + 9 * $0] - yr.storage[out + 9 * $0]) > 0 }))
        lrnWindow.append(flag(out == pixel))  // α = β = Δ = 1 along both axes: the same pixel only
      }
    }
    claims.append(
      Claim(
        .matConvNet, section: "§5.2", location: "§5.2 (filter-like blocks)", kind: .prose,
        printed: "Note that many blocks (e.g. max pooling, LNR, ReLU, most loss functions etc.) have a filter-like receptive field geometry.",
        readings: [
          Reading(
            "max pooling (H′ = 3, S = 2, P⁻ = P⁺ = 1, H = 9)", "y_{i″} depends on x_i iff |i − (2(i″ − 1) + 1)| ≤ 1", against: "which outputs of the pool block move when x_i is raised by 10",
            value: poolWindow, truth: poolMoves),
          Reading(
            "LRN (3×3 pixels, 3 channels)", "pixel (i″, j″) depends on pixel (i, j) iff they are the same (a 1 × 1 filter)",
            against: "which pixels of the LRN block's output move when x_{ij1} is raised by 10",
            value: lrnWindow, truth: lrnMoves),
        ]))
    return claims
  }
}
