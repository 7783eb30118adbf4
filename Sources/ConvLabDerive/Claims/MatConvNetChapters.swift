import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// The manual's chapters 4–6 read line by line. Where the converted text and the manual's
/// LaTeX source (vlfeat/matconvnet, doc/blocks.tex, geometry.tex, impl.tex) differ, the source
/// decides: a formula the source prints the same way is wrong in the source; one the
/// conversion broke is garbled.
extension MatConvNetClaims {
  static let latex = "the LaTeX source (vlfeat/matconvnet doc/"

  static func chapters(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }

    // §4.1: y_{i″j″d″} = b_{d″} + Σ f_{i′j′d} × x_{i″+i′−1, j″+j′−1, d′, d″}, read literally
    // (d the summed d′, the fourth index of x the image): three images, three filters.
    let x = Tensor<Double>.uniform(Shape(4, 4, 2, 3), using: &rng)
    let f = Tensor<Double>.uniform(Shape(2, 2, 2, 3), using: &rng)
    let conv = try Conv().forward(x, Parameters(w: f))
    var literal41: [Double] = []
    var intended41: [Double] = []
    var firstImage: [Double] = []
    for d2 in 0..<3 {
      for j in 0..<3 {
        for i in 0..<3 {
          var printed = 0.0
          var right = 0.0
          for d1 in 0..<2 {
            for jp in 0..<2 {
              for ip in 0..<2 {
                printed += f[ip, jp, d1, 0] * x[i + ip, j + jp, d1, d2]
                right += f[ip, jp, d1, d2] * x[i + ip, j + jp, d1, 0]
              }
            }
          }
          literal41.append(printed)
          intended41.append(right)
          firstImage.append(conv[i, j, d2, 0])
        }
      }
    }
    // §4.1 and MatConvNet (5.3): H″ = 1 + |(H − H′ + P⁻ + P⁺)/S| as converted.
    var absolute: [Double] = []
    var floored: [Double] = []
    var blockSizes: [Double] = []
    for (h, hf, p, s) in [(7, 3, 0, 2), (8, 3, 1, 3), (10, 4, 1, 3), (9, 2, 0, 4)] {
      absolute.append(1 + abs(Double(h - hf + 2 * p) / Double(s)))
      floored.append(Double(1 + (h - hf + 2 * p) / s))
      blockSizes.append(Double(try Conv(pad: [p, p, p, p], stride: (s, s)).outputShape(Shape(h, h), Parameters(w: Tensor<Double>(shape: Shape(hf, hf)))).h))
    }
    // §4.2: the filter shape stated for convt, against the shape the convt block (MatConvNet (4.1)) takes: x of depth D = 2 → y of depth D″ = 3.
    let convtShape = try ConvTranspose().outputShape(Shape(4, 4, 2), Parameters(w: Tensor<Double>(shape: Shape(2, 2, 3, 2))))
    let statedAccepted = (try? ConvTranspose().outputShape(Shape(4, 4, 2), Parameters(w: Tensor<Double>(shape: Shape(2, 2, 2, 3))))) != nil
    // §4.2's worked example: S = 2, H′ = 6, no crop; y_{i″} for i″ = 3 (S divides i″ − 1) and i″ + 1 = 4.
    let x1 = Tensor<Double>.uniform(Shape(4, 1), using: &rng)
    let f1 = Tensor<Double>.uniform(Shape(6, 1), using: &rng)
    let y1 = try ConvTranspose(upsample: (2, 1)).forward(x1, Parameters(w: f1))
    let xs = x1.storage
    let fs = f1.storage
    let examplePrinted = [xs[1] * fs[0] + xs[0] * fs[1], xs[1] * fs[1] + xs[0] * fs[2]]  // f₁, f_S, f_{2S} … and f₂, f_{S+1}, f_{2S+1} …
    let exampleIntended = [xs[1] * fs[0] + xs[0] * fs[2], xs[1] * fs[1] + xs[0] * fs[3]]  // f₁, f_{S+1}, … and f₂, f_{S+2}, …
    // §4.3: sum pooling with 1 < i′ < H′, 1 < j′ < W′ as converted, against the avg pool block (3×3 windows).
    let px = Tensor<Double>.uniform(Shape(5, 5), using: &rng)
    let avg = try Pool(method: .avg, size: (3, 3)).forward(px, Parameters())
    var strict: [Double] = []
    var inclusive: [Double] = []
    for j in 0..<3 {
      for i in 0..<3 {
        var s = 0.0
        var t = 0.0
        for jp in 1...3 {
          for ip in 1...3 {
            if 1 < ip && ip < 3 && 1 < jp && jp < 3 { s += px[i + ip - 1, j + jp - 1, 0] }
            t += px[i + ip - 1, j + jp - 1, 0]
          }
        }
        strict.append(s / 9)
        inclusive.append(t / 9)
      }
    }
    // §4.2: H″ = S(H − 1) + H′ − P⁻ − P⁺ against the convt block.
    var convtPrinted: [Double] = []
    var convtBlock: [Double] = []
    for (h, hf, s, c0, c1) in [(4, 3, 2, 1, 0), (5, 4, 3, 0, 2), (3, 2, 1, 0, 0)] {
      convtPrinted.append(Double(s * (h - 1) + hf - c0 - c1))
      convtBlock.append(Double(try ConvTranspose(upsample: (s, s), crop: [c0, c1, c0, c1]).outputShape(Shape(h, h, 1), Parameters(w: Tensor<Double>(shape: Shape(hf, hf, 1, 1)))).h))
    }
    // §5.2.1: Caffe's H″ = ⌈(H − H′ + P⁻ + P⁺)/S⌉ + 1 against the pool block in Caffe mode; the
    // example H′ = 3, S = 1, P⁻ = 0 → P⁺ = 1 against the smallest P⁺ that gives MatConvNet Caffe's size.
    var caffePrinted: [Double] = []
    var caffeBlock: [Double] = []
    for (h, hf, s) in [(7, 3, 2), (8, 2, 3), (10, 3, 4), (6, 3, 1)] {
      caffePrinted.append(Double((h - hf + s - 1) / s + 1))
      caffeBlock.append(Double(try Pool(size: (hf, hf), stride: (s, s), caffeCeil: true).outputShape(Shape(h, h), Parameters<Double>()).h))
    }
    func smallestRightPad(window: Int, stride: Int, padBefore: Int) -> Int {
      (0..<window).first { pr in
        (window...30).allSatisfy { h in (h - window + padBefore + pr) / stride + 1 >= (h - window + 2 * padBefore + stride - 1) / stride + 1 }
      } ?? -1
    }
    let exampleRightPad = Double(smallestRightPad(window: 3, stride: 1, padBefore: 0))
    let formulaRightPad = Double(min(0 + 1 - 1, 3 - 1))
    var sufficient: [Double] = []
    for (hf, s, pb) in [(3, 2, 0), (4, 3, 1), (5, 2, 2), (2, 2, 0)] {
      sufficient.append(flag(smallestRightPad(window: hf, stride: s, padBefore: pb) <= min(pb + s - 1, hf - 1)))
    }
    // §5.4: the manipulated inequality, over every (i, i″) pair a conv (H′ = 3, S = 2, P⁻ = 1) relates.
    let rf = ReceptiveField.filter(FilterAxis(size: 3, stride: 2, padBefore: 1, padAfter: 1))
    var pairs = 0.0
    var printedHolds = 0.0
    var intendedHolds = 0.0
    for out in 1...6 {
      for i in -3...14 {
        let centre = Double(i) - rf.alpha * Double(out - 1) - rf.beta
        guard abs(centre) <= (rf.delta - 1) / 2 + 1e-12 else { continue }
        pairs += 1
        let v = Double(out) - (Double(i) - 1) / rf.alpha - (1 + rf.alpha - rf.beta) / rf.alpha
        let left = -((rf.delta + rf.alpha - 1) / rf.alpha - 1) / 2
        if v >= left - 1e-12 && v <= ((rf.delta + rf.alpha - 1) / rf.alpha - 1) / (2 * rf.alpha) + 1e-12 { printedHolds += 1 }
        if v >= left - 1e-12 && v <= ((rf.delta + rf.alpha - 1) / rf.alpha - 1) / 2 + 1e-12 { intendedHolds += 1 }
      }
    }
    // §5.5: the centre of the first and last i_f, α_fα_g(i_h − 1) + α_fβ_g − 1 + β_f, against brute force
    // (conv 3 stride 2 pad 1, then pool 2 stride 2: output i_h reads inputs 4i_h − 4 … 4i_h).
    let cf = ReceptiveField.filter(FilterAxis(size: 3, stride: 2, padBefore: 1, padAfter: 1))
    let cg = ReceptiveField.filter(FilterAxis(size: 2, stride: 2))
    var centres: [Double] = []
    var printed55: [Double] = []
    var intended55: [Double] = []
    for ih in 1...4 {
      let lo = Double(4 * ih - 4)
      let hi = Double(4 * ih)
      let stride: Double = cf.alpha * cg.alpha * Double(ih - 1)
      centres.append((lo + hi) / 2)
      printed55.append(stride + cf.alpha * cg.beta - 1 + cf.beta)
      intended55.append(stride + cf.alpha * (cg.beta - 1) + cf.beta)
    }
    // §5.6: i_max = α(i_h − 1) + a, a = min{…}; i_min = α(i_h − 1) + b, b = max{…}.
    let fa = ReceptiveField.filter(FilterAxis(size: 3, stride: 2, padBefore: 1, padAfter: 1))
    let fb = ReceptiveField.filter(FilterAxis(size: 6, stride: 2, padBefore: 1, padAfter: 1))
    let a = min(fa.beta - (fa.delta - 1) / 2, fb.beta - (fb.delta - 1) / 2)
    let b = max(fa.beta + (fa.delta - 1) / 2, fb.beta + (fb.delta - 1) / 2)
    var printed56: [Double] = []
    var intended56: [Double] = []
    var brute56: [Double] = []
    for ih in 1...3 {
      let ra = fa.inputRange(ofOutput: ih)
      let rb = fb.inputRange(ofOutput: ih)
      brute56 += [max(ra.upperBound, rb.upperBound), min(ra.lowerBound, rb.lowerBound)]
      printed56 += [fa.alpha * Double(ih - 1) + a, fa.alpha * Double(ih - 1) + b]
      intended56 += [fa.alpha * Double(ih - 1) + b, fa.alpha * Double(ih - 1) + a]
    }
    // §6.1: X ∈ R^{(H′W′)×D} "obtained by reshaping x" (x 5×4×2, filters 2×2): entries of X against entries of x.
    // §6.2: q ≤ ⌊(H′ − 1)/2⌋ + 1 in the text, against MatConvNet (6.1)'s 1 + ⌊(H′ − 1)/S⌋, for S = 1, H′ = 4.
    let yIn = Tensor<Double>.uniform(Shape(5, 1), using: &rng)
    let f62 = Tensor<Double>.uniform(Shape(4, 1), using: &rng)
    let convtOut = try ConvTranspose(upsample: (1, 1)).forward(yIn, Parameters(w: f62))
    func eq61(_ qMax: Int) -> [Double] {
      (1...convtOut.shape.h).map { k in
        var sum = 0.0
        for q in 1...max(qMax, 1) {
          let yi = (k - 1) + 2 - q
          let fi = (q - 1) + 1
          if (1...5).contains(yi), (1...4).contains(fi) { sum += yIn.storage[yi - 1] * f62.storage[fi - 1] }
        }
        return sum
      }
    }
    // §6.3: "For max-pooling … S does not depend on the input x and it is not binary": S(x) at two inputs.
    let p1 = Tensor<Double>.uniform(Shape(4, 4), using: &rng)
    let p2 = Tensor<Double>(shape: p1.shape, storage: p1.storage.map { -$0 })  // every window's maximum moves to its minimum
    let maxPool = Pool(method: .max, size: (2, 2), stride: (2, 2))
    let avgPool = Pool(method: .avg, size: (2, 2), stride: (2, 2))
    let s1 = try maxPool.jacobian(at: p1, Parameters(), wrt: .x)
    let s2 = try maxPool.jacobian(at: p2, Parameters(), wrt: .x)
    let a1 = try avgPool.jacobian(at: p1, Parameters(), wrt: .x)
    let a2 = try avgPool.jacobian(at: p2, Parameters(), wrt: .x)
    // §6.5.3: bottom padding H′ − ⌊(H − 1)/2⌋ − 1, against the padding that keeps the size H with top padding ⌊(H′ − 1)/2⌋.
    var padPrinted: [Double] = []
    var padIntended: [Double] = []
    var padNeeded: [Double] = []
    for (h, hf) in [(8, 3), (9, 5), (6, 3), (12, 5)] {
      let top = (hf - 1) / 2
      padPrinted.append(Double(hf - (h - 1) / 2 - 1))
      padIntended.append(Double(hf - (hf - 1) / 2 - 1))
      padNeeded.append(Double((0...hf).first { bottom in (h - hf + top + bottom) + 1 == h } ?? -1))
    }
    // §6.6.2: dz/dX = −dz/dy (1ᵀe_c − Y) for two pixels (rows of X) and D = 4 classes, label c = 3.
    let scores = Matrix<Double>.uniform(2, 4, using: &rng)
    let c = 2
    func softmaxLogLoss(_ m: Matrix<Double>) -> Double {
      (0..<m.rows).reduce(0) { total, r in total - m[r, c] + Double.log((0..<m.cols).reduce(0) { $0 + Double.exp(m[r, $1]) }) }
    }
    let lossGradient = Support.gradient(at: scores, softmaxLogLoss)
    let yRows = Matrix<Double>(rows: 2, cols: 4) { r, k in Double.exp(scores[r, k]) / (0..<4).reduce(0) { $0 + Double.exp(scores[r, $1]) } }
    let printed662 = Matrix<Double>(rows: 2, cols: 4) { r, k in -(1 - yRows[r, k]) }  // 1ᵀe_c = 1, a scalar
    let intended662 = Matrix<Double>(rows: 2, cols: 4) { r, k in -((k == c ? 1 : 0) - yRows[r, k]) }  // 1 e_cᵀ
    // MatConvNet (5.5): x_i and y_{i″} interact iff 1 + U(i − 1) − C⁻ ≤ i″ ≤ H′ + U(i − 1) − C⁻, against the
    // non-zero pattern of the convt block's Jacobian (H = 4, H′ = 3, U = 2, C⁻ = 1, C⁺ = 0).
    let convt55 = ConvTranspose(upsample: (2, 1), crop: [1, 0, 0, 0])
    let xt = Tensor<Double>.uniform(Shape(4, 1), in: 0.5...1, using: &rng)
    let ft = Tensor<Double>.uniform(Shape(3, 1), in: 0.5...1, using: &rng)
    let j55 = try convt55.jacobian(at: xt, Parameters(w: ft), wrt: .x)
    var pattern55: [Double] = []
    var predicted55: [Double] = []
    for i in 1...4 {
      for out in 1...j55.rows {
        pattern55.append(abs(j55[out - 1, i - 1]) > 0 ? 1 : 0)
        predicted55.append(flag(1 + 2 * (i - 1) - 1 <= out && out <= 3 + 2 * (i - 1) - 1))
      }
    }
    let bb = "blocks.tex)"
    let gg = "geometry.tex)"
    let ii = "impl.tex)"
    return [
      .fails(
        .matConvNet, "§4.1", "§4.1 (conv, indices)", kind: .display, .wrong, "y_{i″j″d″} = b_{d″} + Σ_{i′=1}^{H′} Σ_{j′=1}^{W′} Σ_{d′=1}^{D} f_{i′j′d} × x_{i″+i′−1, j″+j′−1, d′, d″}",
        printedReading: "read literally: f_{i′j′d′} of the first filter, x's fourth index the image d″",
        intended: "y_{i″j″d″} = b_{d″} + Σ_{i′j′d′} f_{i′j′d′d″} × x_{i″+i′−1, j″+j′−1, d′}", against: "the conv block on image 1 (three filters)",
        printedValue: literal41, intendedValue: intended41, truth: firstImage,
        note: "\(latex)\(bb) prints the same f_{i'j'd} and x_{…,d',d''}: the filter lost its output index d″, which moved onto x"),
      .fails(
        .matConvNet, "§4.1", "§4.1 (output size)", kind: .display, .garbled, "H″ = 1 + |(H − H′ + P_h⁻ + P_h⁺)/S_h|",
        printedReading: "|·| read as the absolute value", intended: "H″ = 1 + ⌊(H − H′ + P_h⁻ + P_h⁺)/S_h⌋", intendedReading: "⌊·⌋, as in the LaTeX source",
        against: "the conv block's output height on sizes the stride does not divide", printedValue: absolute, intendedValue: floored, truth: blockSizes,
        note: "\(latex)\(bb) has \\left\\lfloor … \\right\\rfloor; the conversion turned the floor into bars"),
      .fails(
        .matConvNet, "§5.2", "MatConvNet (5.3)", .garbled, "H″ = |(H − H′ + P_h⁻ + P_h⁺)/S_h| + 1",
        printedReading: "|·| read as the absolute value", intended: "H″ = ⌊(H − H′ + P_h⁻ + P_h⁺)/S_h⌋ + 1", intendedReading: "⌊·⌋, as in the LaTeX source",
        against: "the conv block's output height on sizes the stride does not divide", printedValue: absolute, intendedValue: floored, truth: blockSizes,
        note: "\(latex)\(gg) has \\left\\lfloor … \\right\\rfloor (label e:filtered-height)"),
      Claim(
        .matConvNet, section: "§4.2", location: "§4.2 (filter shape)", kind: .size, printed: "x ∈ R^{H×W×D}, f ∈ R^{H′×W′×D×D″}, y ∈ R^{H″×W″×D″} (convolution transpose)",
        verdict: .wrong, intended: "f ∈ R^{H′×W′×D″×D}: MatConvNet (4.1) indexes f_{…, d″, d′} and the text says filter k is the slice f_{:,:,k,:}",
        note: "\(latex)\(bb) repeats §4.1's shape; for D ≠ D″ a filter of the stated shape does not fit x (the convt block rejects it: \(statedAccepted ? "accepted" : "rejected"))",
        readings: [
          Reading(
            "as printed: (H′, W′, D, D″)", "filter shape for D = 2 → D″ = 3", against: "the shape the convt block takes (MatConvNet (4.1)'s indexing)",
            value: [2, 2, 2, 3], truth: [2, 2, Double(convtShape.d), 2]),
          Reading(
            "corrected: (H′, W′, D″, D)", "filter shape for D = 2 → D″ = 3", against: "the shape the convt block takes (MatConvNet (4.1)'s indexing)",
            value: [2, 2, 3, 2], truth: [2, 2, Double(convtShape.d), 2]),
        ]),
      .fails(
        .matConvNet, "§4.2", "§4.2 (example: weights)", kind: .example, .wrong,
        "The weights are the filter elements f₁, f_{S_h}, f_{2S_h}, … subsampled with a step of S_h; for y_{i″+1} … shifted by one place to the right: f₂, f_{S_h+1}, f_{2S_h+1}, …",
        printedReading: "the weights as printed (on the x that MatConvNet (4.1) picks)", intended: "f₁, f_{S_h+1}, f_{2S_h+1}, … for y_{i″} and f₂, f_{S_h+2}, … for y_{i″+1} (a step of S_h from f₁)",
        against: "the convt block, S = 2, H′ = 6, outputs 3 and 4", printedValue: examplePrinted, intendedValue: exampleIntended, truth: [y1.storage[2], y1.storage[3]],
        note: "\(latex)\(bb) has the same indices; MatConvNet (4.1)'s 1 + S_h i′ + m(i″, S_h) gives f₁, f₃, f₅ for S = 2 (the inputs of the same sentence are §4.2 (example: inputs))"),
      .holds(
        .matConvNet, "§4.2", "§4.2 (output size)", kind: .display, "H″ = S_h(H − 1) + H′ − P_h⁻ − P_h⁺", against: "the convt block's output height",
        value: convtPrinted, truth: convtBlock),
      .fails(
        .matConvNet, "§4.3", "§4.3 (sum pooling)", kind: .display, .garbled, "y_{i″j″d} = (1/W′H′) Σ_{1<i′<H′, 1<j′<W′} x_{i″+i′−1, j″+j′−1, d}",
        printedReading: "strict inequalities as converted", intended: "Σ over 1 ≤ i′ ≤ H′, 1 ≤ j′ ≤ W′", intendedReading: "≤, as in the LaTeX source",
        against: "the avg pool block, 3×3 windows", printedValue: strict, intendedValue: inclusive, truth: avg.storage,
        note: "\(latex)\(bb) has 1\\leq i' \\leq H'; the conversion lost the ≤ (the max-pooling line above it likewise prints i″+i−1′ for i″+i′−1)"),
      .holds(
        .matConvNet, "§5.2.1", "§5.2.1 (Caffe size)", kind: .display, "H″ = ⌈(H − H′ + P_h⁻ + P_h⁺)/S_h⌉ + 1 (Caffe)", against: "the pool block in Caffe mode",
        value: caffePrinted, truth: caffeBlock),
      .holds(
        .matConvNet, "§5.2.1", "§5.2.1 (sufficient padding)", kind: .display, "P_h⁺ = min{P_h⁻ + S_h − 1, H′ − 1} makes MatConvNet's pooling reach Caffe's last window",
        against: "the smallest right padding that gives MatConvNet Caffe's output size for every H up to 30", value: [1, 1, 1, 1], truth: sufficient),
      .fails(
        .matConvNet, "§5.2.1", "§5.2.1 (example)", kind: .example, .wrong,
        "a pooling region of width H′ = 3 with a stride of S_h = 1 and null Caffe padding P_h⁻ = 0 would result in a right MatConvNet padding of P_h⁺ = 1",
        intended: "P_h⁺ = min{0 + 1 − 1, 2} = 0 (with S_h = 2 it would be 1)", against: "the smallest right padding that gives MatConvNet Caffe's output size (H = 3 … 30)",
        printedValue: [1], intendedValue: [formulaRightPad], truth: [exampleRightPad],
        note: "\(latex)\(gg) has the same numbers; the formula just above gives 0, and with stride 1 floor and ceil agree so no padding is needed"),
      .holds(
        .matConvNet, "§5.3", "MatConvNet (5.5)", "1 + U_h(i − 1) − C_h⁻ ≤ i″ ≤ H′ + U_h(i − 1) − C_h⁻  (x_i and y_{i″} interact)",
        against: "the non-zero pattern of the convt block's Jacobian (H′ = 3, U = 2, C⁻ = 1; filter entries in [0.5, 1])", value: predicted55, truth: pattern55),
      Claim(
        .matConvNet, section: "§5.4", location: "§5.4 (transposed inequality)", kind: .display,
        printed: "−((Δ_h + α_h − 1)/α_h − 1)/2 ≤ i″ − (i − 1)/α_h − (1 + α_h − β_h)/α_h ≤ ((Δ_h + α_h − 1)/α_h − 1)/(2α_h)",
        verdict: .wrong, intended: "the right bound ((Δ_h + α_h − 1)/α_h − 1)/2, symmetric with the left (it is (Δ_h − 1)/(2α_h))",
        note: "\(latex)\(gg) has the extra α_h in the right denominator; the RF transformation it concludes (Δ̂ = (Δ + α − 1)/α) uses the symmetric form",
        readings: [
          Reading(
            "as printed", "pairs (i, i″) of a conv (H′ = 3, S = 2, P⁻ = 1) that satisfy the printed bounds", against: "every pair MatConvNet (5.1) relates",
            value: [printedHolds], truth: [pairs]),
          Reading("corrected", "pairs that satisfy the symmetric bounds", against: "every pair MatConvNet (5.1) relates", value: [intendedHolds], truth: [pairs]),
        ]),
      .fails(
        .matConvNet, "§5.5", "§5.5 (substitution)", kind: .display, .wrong, "i_f = α_fα_g(i_h − 1) + α_fβ_g − 1 + β_f ± (α_f(Δ_g − 1) + Δ_f − 1)/2",
        printedReading: "the centre as printed", intended: "i_f = α_fα_g(i_h − 1) + α_f(β_g − 1) + β_f ± …: the −1 is multiplied by α_f",
        against: "the centre of the inputs each output reads (conv 3/2/1 then pool 2/2, brute force)", printedValue: printed55, intendedValue: intended55, truth: centres,
        note: "\(latex)\(gg) prints α_f β_g − 1; the conclusion β_h = α_f(β_g − 1) + β_f on the next line is right"),
      .fails(
        .matConvNet, "§5.6", "§5.6 (range)", kind: .display, .wrong, "i_max = α(i_h − 1) + a, a = min{β_hf − (Δ_hf − 1)/2, β_g − (Δ_hg − 1)/2};  i_min = α(i_h − 1) + b, b = max{…}",
        printedReading: "as printed: [i_max, i_min]", intended: "i_min = α(i_h − 1) + a and i_max = α(i_h − 1) + b (a the min, b the max; β_hg for β_g)",
        against: "the union of the two windows, output by output", printedValue: printed56, intendedValue: intended56, truth: brute56,
        note: "\(latex)\(gg) pairs i_max with the min and i_min with the max, and writes β_g and δ for β_hg and Δ; the combined field β = (a + b)/2, Δ = b − a + 1 is right"),
      Claim(
        .matConvNet, section: "§6.1", location: "§6.1 (size of X)", kind: .size, printed: "X ∈ R^{(H′W′)×D} is the matrix obtained by reshaping x",
        verdict: .wrong, intended: "X ∈ R^{(HW)×D}: x has H·W·D entries", note: "\(latex)\(ii) prints H'W'; dz/dX = φ*(dz/dY Fᵀ) has the size of x",
        readings: [
          Reading("as printed", "entries of X (x 5×4×2, filters 2×2)", against: "entries of x", value: [Double(2 * 2 * 2)], truth: [Double(5 * 4 * 2)]),
          Reading("corrected", "entries of X = HW·D", against: "entries of x", value: [Double(5 * 4 * 2)], truth: [Double(5 * 4 * 2)]),
        ]),
      .fails(
        .matConvNet, "§6.2", "§6.2 (bound on q)", kind: .indexRange, .wrong, "q ≤ ⌊(H′ − 1)/2⌋ + 1 is a fairly tight upper bound on the maximum value",
        printedReading: "MatConvNet (6.1) summed up to ⌊(H′ − 1)/2⌋ + 1", intended: "q ≤ ⌊(H′ − 1)/S⌋ + 1, MatConvNet (6.1)'s own upper limit",
        against: "the convt block, S = 1, H′ = 4", printedValue: eq61((4 - 1) / 2 + 1), intendedValue: eq61((4 - 1) / 1 + 1), truth: convtOut.storage,
        note: "\(latex)\(ii) prints /2; for S = 1 the bound drops half the filter"),
      Claim(
        .matConvNet, section: "§6.3", location: "§6.3 (selector)", kind: .prose,
        printed: "For max-pooling, similar relations exists with two differences: S does not depend on the input x and it is not binary",
        verdict: .wrong, intended: "for sum (average) pooling: S does not depend on x and holds 1/(H′W′)", note: "\(latex)\(ii) says max-pooling twice; the first sentence is the max-pooling one",
        readings: [
          Reading("as printed: max pooling", "S(x₁) = S(x₂)", against: "the max pool block's Jacobian at a second input", Comparison(s1.storage, s2.storage)),
          Reading("corrected: average pooling", "S(x₁) = S(x₂)", against: "the avg pool block's Jacobian at a second input", Comparison(a1.storage, a2.storage)),
        ]),
      .fails(
        .matConvNet, "§6.5.3", "§6.5.3 (padding)", kind: .display, .wrong, "top padding ⌊(H′ − 1)/2⌋, bottom padding H′ − ⌊(H − 1)/2⌋ − 1",
        intended: "bottom padding H′ − ⌊(H′ − 1)/2⌋ − 1", against: "the bottom padding that keeps an H-row input H rows tall",
        printedValue: padPrinted, intendedValue: padIntended, truth: padNeeded,
        note: "\(latex)\(ii) prints H for H′ (negative paddings for H > 2H′)"),
      .fails(
        .matConvNet, "§6.6.2", "§6.6.2 (matrix form)", kind: .display, .wrong, "dz/dX = −dz/dy (1ᵀ e_c − Y)",
        printedReading: "1ᵀe_c read as the scalar it is (1, e_c ∈ R^D)", intended: "dz/dX = −dz/dy (1 e_cᵀ − Y), one e_cᵀ per row of X",
        against: "central differences of the softmax log-loss (two pixels, 4 classes, c = 3)", printedValue: printed662.storage, intendedValue: intended662.storage,
        truth: lossGradient.storage, tolerance: 1e-6, note: "\(latex)\(ii) prints \\bone^\\top \\bfe_c, a scalar; the entry-wise form above it is right"),
    ]
  }
}
