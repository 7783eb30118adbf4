import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// The manual's chapter 4 (the blocks) read line by line, beyond `MatConvNetChapters.swift`:
/// the second convolution display, the prose about padding, fully connected layers and filter
/// groups, MatConvNet (4.1) evaluated with its own indices, the definition of q, the worked example of
/// §4.2 and Figure 4.2, max pooling's indices, and two statements of §4.5.3 and §4.6.3.
/// Verdicts as in `MatConvNetChapters.swift`: the LaTeX source (vlfeat/matconvnet doc/blocks.tex,
/// stored version 1412c0e) decides garble versus source.
extension MatConvNetClaims {
  static func blockLines(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }
    let blocksTex = "the LaTeX source (vlfeat/matconvnet doc/blocks.tex)"

    // §4.1, padding and stride: y = b_{d″} + Σ f_{i′j′d} x_{S_h(i″−1)+i′−P_h⁻, S_w(j″−1)+j′−P_w⁻, d′, d″},
    // read literally (f of the first filter, x's fourth index the image d″) against the conv block on image 1.
    let pad = [1, 0, 2, 1]
    let stride = (2, 1)
    let x = Tensor<Double>.uniform(Shape(5, 4, 2, 3), using: &rng)
    let f = Tensor<Double>.uniform(Shape(3, 2, 2, 3), using: &rng)
    let bias = Tensor<Double>.uniform(Shape(1, 1, 3), using: &rng)
    let conv = try Conv(pad: pad, stride: stride).forward(x, Parameters(w: f, b: bias))
    func padded(_ i: Int, _ j: Int, _ d: Int, _ n: Int) -> Double {
      (0..<x.shape.h).contains(i) && (0..<x.shape.w).contains(j) ? x[i, j, d, n] : 0
    }
    var literalPS: [Double] = []
    var intendedPS: [Double] = []
    var imageOne: [Double] = []
    for d2 in 0..<3 {
      for j in 0..<conv.shape.w {
        for i in 0..<conv.shape.h {
          var printed = bias.storage[d2]
          var right = bias.storage[d2]
          for d1 in 0..<2 {
            for jp in 0..<2 {
              for ip in 0..<3 {
                // 0-based: S(i″−1) + i′ − P⁻ with 1-based i″, i′ becomes S·i + ip − P⁻.
                let r = stride.0 * i + ip - pad[0]
                let c = stride.1 * j + jp - pad[2]
                printed += f[ip, jp, d1, 0] * padded(r, c, d1, d2)
                right += f[ip, jp, d1, d2] * padded(r, c, d1, 0)
              }
            }
          }
          literalPS.append(printed)
          intendedPS.append(right)
          imageOne.append(conv[i, j, d2, 0])
        }
      }
    }

    // §4.1: "the padded input must be at least as large as the filters: H + P⁻ + P⁺ ≥ H′, otherwise an error is thrown".
    var accepted: [Double] = []
    var largeEnough: [Double] = []
    for h in 1...6 {
      for hf in 1...7 {
        for p in 0...2 {
          let ok = (try? Conv(pad: [p, p, 0, 0]).outputShape(Shape(h, 3), Parameters(w: Tensor<Double>(shape: Shape(hf, 1))))) != nil
          accepted.append(flag(ok))
          largeEnough.append(flag(h + 2 * p >= hf))
        }
      }
    }

    // §4.1: a fully connected layer is the conv block with H″ = W″ = 1 (filters the size of x): y = Fᵀ vec x + b.
    let xf = Tensor<Double>.uniform(Shape(3, 2, 2), using: &rng)
    let ff = Tensor<Double>.uniform(Shape(3, 2, 2, 4), using: &rng)
    let fc = try Conv().forward(xf, Parameters(w: ff))
    let dense = (0..<4).map { k in (0..<12).reduce(0.0) { $0 + ff.storage[k * 12 + $1] * xf.storage[$1] } }

    // §4.1 filter groups: f ∈ R^{H′×W′×D′×D″}, g = D/D′ groups; group k reads channels kD′+1 … (k+1)D′
    // (and, with D″/g filters per group, filters kD″/g+1 … (k+1)D″/g), brute force.
    let xg = Tensor<Double>.uniform(Shape(4, 4, 4), using: &rng)
    let fg = Tensor<Double>.uniform(Shape(2, 2, 2, 4), using: &rng)
    let grouped = try Conv().forward(xg, Parameters(w: fg))
    var groupedBrute: [Double] = []
    for d2 in 0..<4 {
      for j in 0..<3 {
        for i in 0..<3 {
          let group = d2 / 2
          var s = 0.0
          for d1 in 0..<2 { for jp in 0..<2 { for ip in 0..<2 { s += fg[ip, jp, d1, d2] * xg[i + ip, j + jp, group * 2 + d1] } } }
          groupedBrute.append(s)
        }
      }
    }

    // §4.1: "sum pooling: D groups of D′ = 1 dimensional filters of value 1", against the window sum
    // and against §4.3's sum-pooling (the average).
    let xs = Tensor<Double>.uniform(Shape(5, 5, 3), using: &rng)
    let ones = Tensor<Double>(shape: Shape(3, 3, 1, 3), repeating: 1)
    let viaGroups = try Conv().forward(xs, Parameters(w: ones))
    let average = try Pool(method: .avg, size: (3, 3)).forward(xs, Parameters())
    var windowSums: [Double] = []
    for d in 0..<3 {
      for j in 0..<3 {
        for i in 0..<3 {
          windowSums.append((0..<3).reduce(0.0) { acc, jp in acc + (0..<3).reduce(0.0) { $0 + xs[i + $1, j + jp, d] } })
        }
      }
    }

    // MatConvNet (4.1) with its own indices, 2-D, D = 2 → D″ = 3, S = (2, 3), crops (1, 0, 2, 1), against the convt block.
    // q(k, S) = ⌊(k − 1)/S⌋ and m(k, S) = (k − 1) mod S; `horizontalS` is the S the horizontal q and m use.
    let up = (2, 3)
    let crop = [1, 0, 2, 1]
    let xt = Tensor<Double>.uniform(Shape(3, 3, 2), using: &rng)
    let ft = Tensor<Double>.uniform(Shape(3, 4, 3, 2), using: &rng)
    let convt = try ConvTranspose(upsample: up, crop: crop).forward(xt, Parameters(w: ft))
    func eq41(horizontalS: Int) -> [Double] {
      func q(_ k: Int, _ s: Int) -> Int { Int((Double(k - 1) / Double(s)).rounded(.down)) }
      func m(_ k: Int, _ s: Int) -> Int { ((k - 1) % s + s) % s }
      var out: [Double] = []
      for d2 in 1...3 {
        for j2 in 1...convt.shape.w {
          for i2 in 1...convt.shape.h {
            var s = 0.0
            for d1 in 1...2 {
              for ip in 0...q(3, up.0) {
                for jp in 0...q(4, horizontalS) {
                  let fi = 1 + up.0 * ip + m(i2 + crop[0], up.0)
                  let fj = 1 + horizontalS * jp + m(j2 + crop[2], horizontalS)
                  let xi = 1 - ip + q(i2 + crop[0], up.0)
                  let xj = 1 - jp + q(j2 + crop[2], horizontalS)
                  guard (1...3).contains(fi), (1...4).contains(fj), (1...3).contains(xi), (1...3).contains(xj) else { continue }
                  s += ft[fi - 1, fj - 1, d2 - 1, d1 - 1] * xt[xi - 1, xj - 1, d1 - 1]
                }
              }
            }
            out.append(s)
          }
        }
      }
      return out
    }

    // §4.2's example and Figure 4.2 on the convt block's Jacobian (1-D, no crop, filter entries in
    // [0.5, 1] so that every tap is non-zero): which x and which f each output reads.
    let x1 = Tensor<Double>.uniform(Shape(5, 1), in: 0.5...1, using: &rng)
    func taps(_ s: Int, _ hf: Int) throws -> (j: Matrix<Double>, f: [Double]) {
      let f1 = Tensor<Double>.uniform(Shape(hf, 1), in: 0.5...1, using: &rng)
      return (try ConvTranspose(upsample: (s, 1)).jacobian(at: x1, Parameters(w: f1), wrt: .x), f1.storage)
    }
    func inputsRead(_ j: Matrix<Double>, _ row: Int) -> [Double] { (0..<j.cols).filter { j[row - 1, $0] != 0 }.map { Double($0 + 1) }.reversed() }
    let (j2, _) = try taps(2, 6)
    // S = 2, i″ = 3 and 5 (S divides i″ − 1): the printed x_{i″/S}, x_{i″/S−1} against the x the row reads.
    let rows: [Int] = [3, 5]
    let printedInputs: [Double] = rows.flatMap { (r: Int) -> [Double] in [Double(r) / 2, Double(r) / 2 - 1] }
    let intendedInputs: [Double] = rows.flatMap { (r: Int) -> [Double] in [Double((r - 1) / 2 + 1), Double((r - 1) / 2)] }
    let readInputs: [Double] = rows.flatMap { (r: Int) -> [Double] in Array(inputsRead(j2, r).prefix(2)) }
    // Figure 4.2: H′ = 4, U = 2: every output away from the borders uses two of the four filter samples.
    let (j4, _) = try taps(2, 4)
    let interior = (3...(j4.rows - 2)).map { r in Double((0..<j4.cols).filter { j4[r - 1, $0] != 0 }.count) }
    // The cycle: S = 3, H′ = 6; y_{i″}, …, y_{i″+S−1} read the same x; y_{i″+S} reads them shifted by one
    // and with y_{i″}'s weights (i″ = 4).
    let (j3, _) = try taps(3, 6)
    let same = [4, 5, 6].map { inputsRead(j3, $0) }
    let shifted = inputsRead(j3, 7)
    let weights = { (r: Int) in (0..<j3.cols).map { j3[r - 1, $0] }.filter { $0 != 0 } }
    let cycleValues = same.flatMap { $0 } + shifted + weights(7)
    let cycleTruth = Array(repeating: same[0], count: 3).flatMap { $0 } + same[0].map { $0 + 1 } + weights(4)

    // §4.3 max pooling: x_{i″+i−1′, j″+j′−1, d} as converted (the row index does not involve i′: i = 1)
    // against the max pool block, 3×3 windows.
    let px = Tensor<Double>.uniform(Shape(5, 5), using: &rng)
    let maxPooled = try Pool(method: .max, size: (3, 3)).forward(px, Parameters())
    var rowOnly: [Double] = []
    var window: [Double] = []
    for j in 0..<3 {
      for i in 0..<3 {
        rowOnly.append((0..<3).map { px[i, j + $0] }.max() ?? .nan)
        window.append((0..<3).flatMap { jp in (0..<3).map { px[i + $0, j + jp] } }.max() ?? .nan)
      }
    }
    // §4.3: "resulting in an output of size y ∈ R^{H″×W″×D}, similar to the convolution operator".
    var poolSizes: [Double] = []
    var convSizes: [Double] = []
    for (h, k, s, p) in [(7, 3, 2, 1), (8, 2, 2, 0), (9, 4, 3, 2), (6, 3, 1, 1)] {
      let shape = try Pool(size: (k, k), pad: [p, p, p, p], stride: (s, s)).outputShape(Shape(h, h, 3), Parameters<Double>())
      poolSizes += [Double(shape.h), Double(shape.w), Double(shape.d)]
      let hOut = Double((h - k + 2 * p) / s + 1)
      convSizes += [hOut, hOut, 3]
    }
    // §4.3 padding: max pooling as if x were extended with −∞, sum pooling dividing by the in-bounds area.
    let pp = Tensor<Double>.uniform(Shape(5, 5), using: &rng)
    let maxPadded = try Pool(method: .max, size: (3, 3), pad: [1, 1, 1, 1], stride: (2, 2)).forward(pp, Parameters())
    let avgPadded = try Pool(method: .avg, size: (3, 3), pad: [1, 1, 1, 1], stride: (2, 2)).forward(pp, Parameters())
    var bruteMax: [Double] = []
    var bruteAvg: [Double] = []
    for j in 0..<3 {
      for i in 0..<3 {
        let inside = (0..<3).flatMap { jp in
          (0..<3).compactMap { ip -> Double? in
            let r = 2 * i + ip - 1
            let c = 2 * j + jp - 1
            return (0..<5).contains(r) && (0..<5).contains(c) ? pp[r, c] : nil
          }
        }
        bruteMax.append(inside.max() ?? -.infinity)
        bruteAvg.append(inside.reduce(0, +) / Double(inside.count))
      }
    }

    // §4.6.3: "computes the p-th power p-distance" beside the display y = (Σ_d |x − x̄|^p)^{1/p}, p = 3.
    let xp = Tensor<Double>.uniform(Shape(2, 2, 3), using: &rng)
    let tp = Tensor<Double>.uniform(Shape(2, 2, 3), using: &rng)
    let pdist = try PDist(p: 3).forward(xp, Parameters(target: tp))
    var powerSum: [Double] = []
    var distance: [Double] = []
    for j in 0..<2 {
      for i in 0..<2 {
        let s = (0..<3).reduce(0.0) { $0 + pow(abs(xp[i, j, $1] - tp[i, j, $1]), 3) }
        powerSum.append(s)
        distance.append(pow(s, 1.0 / 3))
      }
    }
    // §4.5.3's cross-reference: the sections whose displays give spnorm's derivative dz/dx (§6.5.3 only;
    // §4.5.3 defines n² and y). The derivative itself is checked against central differences in `convlab derive matconvnet-normalization`.
    let spnormDerivativeSections: Set<String> = ["§6.5.3"]

    return [
      .fails(
        .matConvNet, "§4.1", "§4.1 (padding and stride)", kind: .display, .wrong,
        "y_{i″j″d″} = b_{d″} + Σ_{i′=1}^{H′} Σ_{j′=1}^{W′} Σ_{d′=1}^{D} f_{i′j′d} × x_{S_h(i″−1)+i′−P_h⁻, S_w(j″−1)+j′−P_w⁻, d′, d″}",
        printedReading: "read literally: f_{i′j′d′} of the first filter, x's fourth index the image d″",
        intended: "y_{i″j″d″} = b_{d″} + Σ_{i′j′d′} f_{i′j′d′d″} × x_{S_h(i″−1)+i′−P_h⁻, S_w(j″−1)+j′−P_w⁻, d′}",
        against: "the conv block on image 1 (pad 1, 0, 2, 1; stride 2, 1; three filters with biases)",
        printedValue: literalPS, intendedValue: intendedPS, truth: imageOne,
        note: "\(blocksTex) prints the same f_{i'j'd} and x_{…,d',d''} in the padded display as in the first one: the filter lost its output index d″, which moved onto x"),
      .holds(
        .matConvNet, "§4.1", "§4.1 (padded input at least the filter)", kind: .prose,
        "the padded input must be at least as large as the filters: H + P_h⁻ + P_h⁺ ≥ H′, otherwise an error is thrown",
        against: "whether the conv block accepts the sizes (H ≤ 6, H′ ≤ 7, P ≤ 2)", value: accepted, truth: largeEnough),
      .holds(
        .matConvNet, "§4.1", "§4.1 (fully connected layers)", kind: .prose,
        "a fully connected layer is the special case of the convolution block with H″ = W″ = 1",
        against: "y = Fᵀ vec x with F = reshape(f, H′W′D, D″) (brute force), x 3×2×2, four filters", value: fc.storage, truth: dense),
      .holds(
        .matConvNet, "§4.1", "§4.1 (filter groups)", kind: .prose,
        "f ∈ R^{H′×W′×D′×D″} with D′ dividing D gives g = D/D′ groups; the first group is applied to d = 1, …, D′, the second to d = D′ + 1, …, 2D′",
        against: "brute-force sums, D = 4, D′ = 2, D″ = 4 (two filters per group)", value: grouped.storage, truth: groupedBrute),
      Claim(
        .matConvNet, section: "§4.1", location: "§4.1 (sum pooling by groups)", kind: .prose,
        printed: "Another application is sum pooling; in the latter case, one can specify D groups of D′ = 1 dimensional filters identical filters of value 1",
        verdict: .ambiguous,
        note: "§4.3 calls the average 'sum-pooling'; filters of value 1/(H′W′) give that one. \(blocksTex) has the same sentence",
        readings: [
          Reading(
            "sum pooling read as the window sum", "conv with D groups of 3×3×1 filters of ones", against: "the sum of every 3×3 window (brute force)",
            value: viaGroups.storage, truth: windowSums),
          Reading(
            "sum pooling as §4.3 defines it (the average)", "conv with D groups of 3×3×1 filters of ones", against: "the avg pool block, 3×3 windows",
            value: viaGroups.storage, truth: average.storage),
        ]),
      .holds(
        .matConvNet, "§4.2", "MatConvNet (4.1)",
        "y_{i″j″d″} = Σ_{d′} Σ_{i′=0}^{q(H′,S_h)} Σ_{j′=0}^{q(W′,S_w)} f_{1+S_h i′+m(i″+P_h⁻,S_h), 1+S_w j′+m(j″+P_w⁻,S_w), d″, d′} x_{1−i′+q(i″+P_h⁻,S_h), 1−j′+q(j″+P_w⁻,S_w), d′}",
        against: "the convt block (x 3×3×2, f 3×4×3×2, upsampling 2, 3, crops 1, 0, 2, 1)", value: eq41(horizontalS: up.1), truth: convt.storage,
        note: "q(k, S) = ⌊(k − 1)/S⌋ with S its second argument (see §4.2 (definition of q)); the crops P_h⁻, P_w⁻ enter, P⁺ only sets the size"),
      Claim(
        .matConvNet, section: "§4.2", location: "§4.2 (definition of q)", kind: .display, printed: "m(k, S) = (k − 1) mod S,  q(k, n) = ⌊(k − 1)/S⌋",
        verdict: .ambiguous,
        note: "q's second argument is n but its body uses S; \(blocksTex) has q(k,n) = \\left\\lfloor \\frac{k-1}{S} \\right\\rfloor too",
        readings: [
          Reading(
            "S is q's second argument (as in m)", "MatConvNet (4.1) with q(j″ + P_w⁻, S_w) = ⌊(j″ + P_w⁻ − 1)/S_w⌋", against: "the convt block, S_h = 2, S_w = 3",
            value: eq41(horizontalS: up.1), truth: convt.storage),
          Reading(
            "S is the vertical factor S_h everywhere", "MatConvNet (4.1) with the horizontal q and m taken with S_h", against: "the convt block, S_h = 2, S_w = 3",
            value: eq41(horizontalS: up.0), truth: convt.storage),
        ]),
      .fails(
        .matConvNet, "§4.2", "§4.2 (example: inputs)", kind: .example, .wrong,
        "y_{i″} (S_h divides i″ − 1) is a weighted summation of x_{i″/S_h}, x_{i″/S_h−1}, …",
        printedReading: "the printed indices i″/S_h, i″/S_h − 1 for S = 2, i″ = 3 and 5",
        intended: "x_{(i″−1)/S_h+1}, x_{(i″−1)/S_h}, … (MatConvNet (4.1): 1 − i′ + q(i″, S_h))",
        against: "the inputs the convt block's Jacobian row i″ reads (S = 2, H′ = 6, no crop)", printedValue: printedInputs, intendedValue: intendedInputs, truth: readInputs,
        note: "\(blocksTex) has x_{i'' / S_h},x_{i''/S_h-1}: when S_h divides i″ − 1 (S_h > 1), i″/S_h is not even an integer"),
      .holds(
        .matConvNet, "§4.2", "§4.2 (Figure 4.2)", kind: .table,
        "The filter has H′ = 4 samples in total, although each filter application uses two of them",
        against: "the non-zero taps of each convt Jacobian row away from the borders (H′ = 4, U = 2, x of 5)", value: interior, truth: interior.map { _ in 2 }),
      .holds(
        .matConvNet, "§4.2", "§4.2 (example: the cycle)", kind: .example,
        "y_{i″+1}, …, y_{i″+S_h−1} combine the same x as y_{i″}; at i″ + S_h the cycle restarts after shifting x by one place",
        against: "the convt block's Jacobian rows 4 … 7 (S = 3, H′ = 6): inputs read, then row 7's weights against row 4's",
        value: cycleValues, truth: cycleTruth),
      .fails(
        .matConvNet, "§4.3", "§4.3 (max pooling)", kind: .display, .garbled, "y_{i″j″d} = max_{1≤i′≤H′, 1≤j′≤W′} x_{i″+i−1′, j″+j′−1, d}",
        printedReading: "as converted: the row index i″ + i − 1′ does not involve i′ (i = 1)", intended: "x_{i″+i′−1, j″+j′−1, d}", intendedReading: "i″ + i′ − 1, as in the LaTeX source",
        against: "the max pool block, 3×3 windows", printedValue: rowOnly, intendedValue: window, truth: maxPooled.storage,
        note: "\(blocksTex) has x_{i''+i'-1,j''+j'-1,d}; the conversion moved the prime from i onto the 1"),
      .holds(
        .matConvNet, "§4.3", "§4.3 (output size)", kind: .size, "resulting in an output of size y ∈ R^{H″×W″×D}, similar to the convolution operator of section 4.1",
        against: "the pool block's output shape, H″ = 1 + ⌊(H − H′ + P⁻ + P⁺)/S⌋ (§4.1) and depth D", value: poolSizes, truth: convSizes),
      .holds(
        .matConvNet, "§4.3", "§4.3 (padding)", kind: .prose,
        "for max pooling padding is equivalent to extending the input with −∞; for sum pooling the normalization factor at the boundaries is smaller",
        against: "max and mean of the in-bounds samples of each window (5×5, 3×3 windows, pad 1, stride 2)",
        value: maxPadded.storage + avgPadded.storage, truth: bruteMax + bruteAvg),
      Claim(
        .matConvNet, section: "§4.5.3", location: "§4.5.3 (cross-reference)", kind: .crossReference, printed: "See section 4.5.3 for implementation details.",
        verdict: .wrong, intended: "See section 6.5.3 (the derivative of spatial normalization)",
        note:
          "the section refers to itself; \(blocksTex), a later version, cites \\cref{s:impl-spnorm}, the label of §6.5.3: the reference was fixed after this edition (a text conversion does not renumber references)",
        readings: [
          Reading(
            "as printed: §4.5.3", "the cited section gives spnorm's derivative", against: "the sections whose displays give dz/dx of spnorm",
            value: [1], truth: [flag(spnormDerivativeSections.contains("§4.5.3"))]),
          Reading(
            "corrected: §6.5.3", "the cited section gives spnorm's derivative", against: "the sections whose displays give dz/dx of spnorm",
            value: [1], truth: [flag(spnormDerivativeSections.contains("§6.5.3"))]),
        ]),
      .fails(
        .matConvNet, "§4.6.3", "§4.6.3 (p-th power)", kind: .prose, .wrong,
        "The vl_nnpdist function computes the p-th power p-distance … y_{ij} = (Σ_d |x_{ijd} − x̄_{ijd}|^p)^{1/p}",
        printedReading: "the p-th power of the p-distance, Σ_d |x − x̄|^p", intended: "computes the p-distance (the p-th power is the 'noRoot' variant)",
        intendedReading: "the p-distance, (Σ_d |x − x̄|^p)^{1/p}", against: "the pdist block with its default root (the display), p = 3",
        printedValue: powerSum, intendedValue: distance, truth: pdist.storage,
        note: "the words and the display below them disagree; the noRoot sentence confirms the display. \(blocksTex), a later version, says 'computes the $p$-distance'"),
    ]
  }
}
