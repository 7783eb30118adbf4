import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabNotation
import Foundation

/// MatConvNet's claims outside the step-by-step derivations.
enum MatConvNetClaims {
  static func claims(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    // §5.4 Example 1: the transposed convolution's β̂.
    var printedBeta: [Double] = []
    var correctedBeta: [Double] = []
    var truthBeta: [Double] = []
    for s in 1...3 {
      for h in 1...5 {
        for p in 0..<h {
          let rf = ReceptiveField.filter(FilterAxis(size: h, stride: s, padBefore: p, padAfter: p)).transposed
          truthBeta.append(rf.beta)
          printedBeta.append(Double(2 * p - h + 1) / Double(s) + 1)
          correctedBeta.append(Double(2 * p - h + 1) / Double(2 * s) + 1)
        }
      }
    }
    // §6.1: vec y = (I ⊗ φ(x)) vec F = (Fᵀ ⊗ I) vec φ(x)... checked on the conv block.
    let x = Tensor<Double>.uniform(Shape(5, 4, 2), using: &rng)
    let f = Tensor<Double>.uniform(Shape(2, 2, 2, 3), using: &rng)
    let y = try Conv().forward(x, Parameters(w: f))
    let phi = try Audit.im2row(x, kh: 2, kw: 2)
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
    let a = FilterAxis(size: 3, stride: 2, padBefore: 1, padAfter: 1)
    let b = FilterAxis(size: 2, stride: 2)
    let composed = ReceptiveField.filter(a).then(.filter(b))
    // Output i of the stack reads conv outputs 2i−1, 2i (1-based), which read inputs 2j − 2 … 2j.
    let brute = (1...4).map { i -> [Double] in
      let lo = (2 * (2 * i - 1) - 2)
      let hi = 2 * (2 * i)
      return [Double(lo + hi) / 2, Double(hi - lo + 1)]
    }
    let composedFields = (1...4).map { i -> [Double] in [composed.alpha * Double(i - 1) + composed.beta, composed.delta] }
    // Chapter 4: every block's definition (the literal path, built from the chapter's formulas)
    // against the fast path on a random configuration.
    var definitions: [Claim] = []
    let chapter4: [(String, String, String)] = [
      ("conv", "§4.1", "y_{i″j″d″} = b_{d″} + Σ_{i′j′d′} f_{i′j′d′d″} x_{S(i″−1)+i′−P⁻, S(j″−1)+j′−P⁻, d′}"),
      ("convt", "§4.2", "convt: vec y = Mᵀ vec x, the transpose of the conv block (upsampling U, crop C)"),
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
      let fast = try c.block.forward(c.x, c.parameters)
      let literal = try c.block.literalForward(c.x, c.parameters)
      definitions.append(
        Audit.entry(.matConvNet, location, claim + " (\(c.configuration))", against: "the fast path (im2row/BLAS or loops)", printed: (literal.storage, fast.storage), tolerance: 1e-9))
    }
    for (kind, location, claim) in [(Loss.Kind.log, "§4.6.1", "log-loss ℓ = −Σ log x_c"), (.softmaxlog, "§4.6.2", "softmax log-loss ℓ = −Σ (x_c − log Σ_k e^{x_k})")] {
      let scores = Tensor<Double>.uniform(Shape(1, 1, 4, 3), in: 0.05...0.9, using: &rng)
      let labels = Tensor<Double>(shape: Shape(1, 1, 1, 3), storage: [1, 3, 4])
      let block = Loss(kind: kind)
      var direct = 0.0
      for n in 0..<3 {
        let c = Int(labels.storage[n]) - 1
        if kind == .log {
          direct -= Double.log(scores[0, 0, c, n])
        } else {
          direct -= scores[0, 0, c, n] - Double.log((0..<4).reduce(0) { $0 + Double.exp(scores[0, 0, $1, n]) })
        }
      }
      definitions.append(Audit.entry(.matConvNet, location, claim, against: "the loss block", printed: ([direct], try block.forward(scores, Parameters(labels: labels)).storage)))
    }
    // MatConvNet (6.1): conv transpose in 1-D, written with the manual's indices.
    var eq61: [Double] = []
    var convtBlock: [Double] = []
    for (u, hf, crop) in [(2, 3, 1), (3, 4, 0), (2, 4, 2), (1, 3, 1)] {
      let yIn = Tensor<Double>.uniform(Shape(4, 1), using: &rng)
      let f = Tensor<Double>.uniform(Shape(hf, 1), using: &rng)
      let out = try ConvTranspose(upsample: (u, 1), crop: [crop, 0, 0, 0]).forward(yIn, Parameters(w: f))
      convtBlock += out.storage
      for k in 1...out.shape.h {
        var sum = 0.0
        for q in 1...(1 + (hf - 1) / u) {
          let yi = (k - 1 + crop) / u + 2 - q
          let fi = (k - 1 + crop) % u + u * (q - 1) + 1
          if (1...4).contains(yi), (1...hf).contains(fi) { sum += yIn.storage[yi - 1] * f.storage[fi - 1] }
        }
        eq61.append(sum)
      }
    }
    // MatConvNet (5.4): S(H″ − 1) − P⁻ + 1 ≤ H ⇔ H″ ≤ (H − 1 + P⁻)/S + 1, over a grid of H, S, P⁻ and H″.
    var lhs54: [Double] = []
    var rhs54: [Double] = []
    for h in 3...9 {
      for st in 1...3 {
        for pd in 0...2 {
          for out in 1...8 {
            lhs54.append(st * (out - 1) - pd + 1 <= h ? 1 : 0)
            rhs54.append(Double(out) <= Double(h - 1 + pd) / Double(st) + 1 ? 1 : 0)
          }
        }
      }
    }
    // §5.2: a simple filter's α = S, β = (H′ + 1)/2 − P⁻, Δ = H′ against the input range of output i″.
    var simple: [Double] = []
    var ranges: [Double] = []
    for (hf, st, pd) in [(3, 1, 1), (5, 2, 2), (2, 2, 0), (4, 3, 1)] {
      let rf = ReceptiveField.filter(FilterAxis(size: hf, stride: st, padBefore: pd, padAfter: pd))
      for out in 1...3 {
        let first = st * (out - 1) + 1 - pd
        let last = first + hf - 1
        ranges += [Double(first + last) / 2, Double(last - first + 1)]
        simple += [rf.alpha * Double(out - 1) + rf.beta, rf.delta]
      }
    }
    // §5.3 against §5.4: conv transpose's field equals the transposed field of the matching conv.
    var convtField: [Double] = []
    var transposedField: [Double] = []
    for (hf, u, c) in [(3, 2, 1), (4, 2, 1), (5, 3, 2), (2, 1, 0)] {
      let direct = ReceptiveField.convTranspose(size: hf, upsample: u, cropBefore: c)
      let viaConv = ReceptiveField.filter(FilterAxis(size: hf, stride: u, padBefore: c, padAfter: c)).transposed
      convtField += [direct.alpha, direct.beta, direct.delta]
      transposedField += [viaConv.alpha, viaConv.beta, viaConv.delta]
    }
    // §5.6: overlaying two fields of equal stride encloses both windows.
    let fa = ReceptiveField.filter(FilterAxis(size: 3, stride: 2, padBefore: 1, padAfter: 1))
    let fb = ReceptiveField.filter(FilterAxis(size: 6, stride: 2, padBefore: 1, padAfter: 1))
    let overlay = try fa.overlaid(with: fb)
    var overlaid: [Double] = []
    var enclosing: [Double] = []
    for out in 1...3 {
      let ra = fa.inputRange(ofOutput: out)
      let rb = fb.inputRange(ofOutput: out)
      let lo = min(ra.lowerBound, rb.lowerBound)
      let hi = max(ra.upperBound, rb.upperBound)
      enclosing += [(lo + hi) / 2, hi - lo + 1]
      overlaid += [overlay.alpha * Double(out - 1) + overlay.beta, overlay.delta]
    }
    let claims: [Claim] = [
      Audit.entry(
        .matConvNet, "§5.4 Example 1", "β̂ = (2P⁻ − H′ + 1)/S + 1", .wrong, corrected: "β̂ = (2P⁻ − H′ + 1)/(2S) + 1 (the step before it has (P⁻ − H′/2 + 1/2)/S)",
        against: "β̂ = (1 + α − β)/α with α = S, β = (H′ + 1)/2 − P⁻ (§5.4)", printed: (printedBeta, truthBeta), correctedValues: correctedBeta, kind: .example),
      Audit.entry(.matConvNet, "§6.1", "vec y = (I ⊗ φ(x)) vec F", against: "the conv block's forward", printed: (form1.storage, y.storage)),
      Audit.entry(.matConvNet, "§6.1", "vec y = (Fᵀ ⊗ I) vec φ(x)", against: "the conv block's forward", printed: (form2.storage, y.storage)),
      Audit.entry(.matConvNet, "§6.5.4", "softmax: dy/dx = diag(y) − y yᵀ (per pixel)", against: "central differences", printed: (analytic, fdSoftmax.storage), tolerance: 1e-6),
      Audit.entry(
        .matConvNet, "§5.5", "composition: α_h = α_f α_g, β_h = α_f(β_g − 1) + β_f, Δ_h = α_f(Δ_g − 1) + Δ_f", against: "the input range each output reads (brute force)",
        printed: (composedFields.flatMap { $0 }, brute.flatMap { $0 })),
      Audit.entry(
        .matConvNet, "MatConvNet (6.1)", "x_k = Σ_q y_{⌊(k−1+P⁻)/S⌋+2−q} f_{(k−1+P⁻) mod S + S(q−1) + 1}, q = 1 … 1 + ⌊(H′−1)/S⌋", against: "the convt block (1-D)",
        printed: (eq61, convtBlock)),
      Audit.entry(.matConvNet, "MatConvNet (5.4) (§5.2.1)", "S(H″ − 1) − P⁻ + 1 ≤ H  ⇔  H″ ≤ (H − 1 + P⁻)/S + 1", against: "the left-hand side on a grid of H, S, P⁻, H″", printed: (rhs54, lhs54)),
      Audit.entry(.matConvNet, "§5.2", "simple filter: α = S, β = (H′ + 1)/2 − P⁻, Δ = H′", against: "the input range [S(i″−1) + 1 − P⁻, S(i″−1) + H′ − P⁻] of output i″", printed: (simple, ranges)),
      Audit.entry(
        .matConvNet, "§5.3", "convt: α = 1/U, β = (2C⁻ − H′ + 1)/(2U) + 1, Δ = (H′ − 1)/U + 1", against: "the transposed field of the matching conv (§5.4)",
        printed: (convtField, transposedField)),
      Audit.entry(.matConvNet, "§5.6", "overlay of equal-stride fields: the smallest window enclosing both", against: "the union of the two windows, output by output", printed: (overlaid, enclosing)),
    ]
    var all: [Claim] = try introductionLines(seed: seed)
    all += claims
    all += definitions
    all += try chapters(seed: seed)
    all += try geometry(seed: seed)
    all += try blockLines(seed: seed)
    all += try geometryLines(seed: seed)
    all += try implementationLines(seed: seed)
    all += try refereeLines(seed: seed)
    return all
  }
}
