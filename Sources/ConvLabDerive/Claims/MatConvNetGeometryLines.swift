import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// The manual's chapters 5 and 6 read line by line, beyond `MatConvNetChapters.swift` and
/// `MatConvNetGeometry.swift`: every step of §5.2.1's Caffe argument, the relaxed field of §5.3,
/// the index manipulations of §5.4–§5.6 and §6.2, im2row's index map (§6.1), and three index
/// slips of §6.4.2, §6.5.4 and §6.6.2. The LaTeX source (vlfeat/matconvnet doc/geometry.tex,
/// stored version 0c1430a; doc/impl.tex, stored version 0ec80b7) decides garble versus source.
extension MatConvNetClaims {
  static func geometryLines(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }
    func floorDiv(_ a: Int, _ b: Int) -> Int { Int((Double(a) / Double(b)).rounded(.down)) }
    func ceilDiv(_ a: Int, _ b: Int) -> Int { Int((Double(a) / Double(b)).rounded(.up)) }
    let geometryTex = "the LaTeX source (vlfeat/matconvnet doc/geometry.tex)"
    let implTex = "the LaTeX source (vlfeat/matconvnet doc/impl.tex)"

    // §5.2: y_{i″} reads x_i, i ∈ [1, H′] + S(i″ − 1) − P⁻, against the conv block's Jacobian (1-D, entries in [0.5, 1]),
    // clipped to the input [1, H]; and the largest H″ with H′ + S(H″ − 1) − P⁻ ≤ H + P⁺ against the block's height.
    var rangePrinted: [Double] = []
    var rangeRead: [Double] = []
    for (h, hf, s, pb, pa) in [(9, 3, 2, 1, 1), (8, 4, 3, 2, 0), (7, 2, 1, 0, 1)] {
      let xs = Tensor<Double>.uniform(Shape(h, 1), in: 0.5...1, using: &rng)
      let fs = Tensor<Double>.uniform(Shape(hf, 1), in: 0.5...1, using: &rng)
      let j = try Conv(pad: [pb, pa, 0, 0], stride: (s, 1)).jacobian(at: xs, Parameters(w: fs), wrt: .x)
      for row in 1...j.rows {
        let read = (0..<j.cols).filter { j[row - 1, $0] != 0 }.map { $0 + 1 }
        rangeRead += [Double(read.min() ?? 0), Double(read.max() ?? 0)]
        rangePrinted += [Double(max(1, 1 + s * (row - 1) - pb)), Double(min(h, hf + s * (row - 1) - pb))]
      }
    }
    var largest: [Double] = []
    var blockHeights: [Double] = []
    for h in 3...9 {
      for hf in 1...3 {
        for s in 1...3 {
          for pb in 0...1 {
            for pa in 0...1 {
              largest.append(Double((1...40).last { hf + s * ($0 - 1) - pb <= h + pa } ?? 0))
              blockHeights.append(Double(try Conv(pad: [pb, pa, 0, 0], stride: (s, 1)).outputShape(Shape(h, 1), Parameters(w: Tensor<Double>(shape: Shape(hf, 1)))).h))
            }
          }
        }
      }
    }

    // §5.2.1, on every configuration with H′ ≤ 5, S ≤ 4, P± ≤ H′ − 1, H′ ≤ H ≤ 16.
    var lastWindow: [Double] = []
    var ceilSize: [Double] = []
    var identityLeft: [Double] = []
    var identityRight: [Double] = []
    var rewrittenCeil: [Double] = []
    var rewrittenFloor: [Double] = []
    var caffe: [Double] = []
    var zeroPadOK = 0.0
    var zeroPadCases = 0.0
    var rearrangedGrouped: [Double] = []
    var rearrangedFloor: [Double] = []
    var equivalentGrouped: [Double] = []
    var equivalentCeil: [Double] = []
    var condition: [Double] = []
    var sufficientOK = 0.0
    var sufficientCases = 0.0
    var matconvnetIndex: [Double] = []
    var poolHeights: [Double] = []
    for hf in 1...5 {
      for s in 1...4 {
        for pb in 0..<hf {
          for pa in 0..<hf {
            for h in hf...16 {
              // The last Caffe window: the smallest i″ with S(i″ − 1) + H′ ≥ H, against ⌈(H − H′)/S⌉ + 1 (no padding).
              if pb == 0 && pa == 0 {
                lastWindow.append(Double((1...40).first { s * ($0 - 1) + hf >= h } ?? 0))
                ceilSize.append(Double(ceilDiv(h - hf, s) + 1))
              }
              let a = h - hf + pb + pa
              let size = ceilDiv(a, s) + 1
              caffe.append(Double(size))
              // (H − 1 + P⁻)/S + (P⁺ + S − H′)/S = (a + S − 1)/S, kept in integers so that no rounding decides a bracket.
              rewrittenCeil.append(Double(ceilDiv(a + s - 1, s) + 1))
              rewrittenFloor.append(Double(floorDiv(a + s - 1, s) + 1))
              if pa == 0 && s <= hf {
                zeroPadCases += 1
                if s * (size - 1) <= h - 1 + pb { zeroPadOK += 1 }  // H″ ≤ (H − 1 + P⁻)/S + 1
              }
              // MatConvNet's equivalents (Caffe's symmetric padding P⁻): the rightmost pooled sample condition
              // S(⌊a/S⌋ + 1 − 1) + H′ ≥ H + 2P⁻, its rearranged and "equivalent" forms.
              let b = h - hf + 2 * pb
              condition.append(flag(s * floorDiv(a, s) + hf >= h + 2 * pb))
              // Every side multiplied by S > 0: a/S ≥ b/S ⇔ a ≥ b, ⌊a/S⌋ ≥ b/S ⇔ S⌊a/S⌋ ≥ b.
              rearrangedGrouped.append(flag(a >= b))
              rearrangedFloor.append(flag(s * floorDiv(a, s) >= b))
              let inner = b + pa - pb - s + 1  // S times the bracket's argument
              equivalentGrouped.append(flag(inner >= b))
              equivalentCeil.append(flag(s * ceilDiv(inner, s) >= b))
              if pa >= pb + s - 1 {
                sufficientCases += 1
                if s * floorDiv(a, s) + hf >= h + 2 * pb { sufficientOK += 1 }
              }
              // "MatConvNet rightmost pooling index" ⌊a/S + 1⌋ against the pool block's output height.
              if h <= 9 {
                matconvnetIndex.append(Double(floorDiv(a + s, s)))
                poolHeights.append(Double(try Pool(size: (hf, 1), pad: [pb, pa, 0, 0], stride: (s, 1)).outputShape(Shape(h, 1), Parameters<Double>()).h))
              }
            }
          }
        }
      }
    }
    for a in -12...12 {
      for b in 1...5 {
        identityLeft.append(Double(ceilDiv(a, b)))
        identityRight.append(Double(floorDiv(a + b - 1, b)))
      }
    }

    // §5.3: the relaxed field (α, β, Δ) = (1/U, (2C⁻ − H′ + 1)/(2U) + 1, (H′ − 1)/U + 1) encloses the exact range
    // of inputs i that each output i″ reads (the convt block's Jacobian); the swapped constraint and the chosen height.
    var enclosed = 0.0
    var outputs = 0.0
    var swapped: [Double] = []
    var inputHeights: [Double] = []
    var chosen: [Double] = []
    var smallest: [Double] = []
    for (hf, u, c0, c1) in [(3, 2, 1, 0), (4, 3, 0, 2), (5, 2, 2, 1), (2, 1, 0, 0)] {
      let h = 5
      let xs = Tensor<Double>.uniform(Shape(h, 1), in: 0.5...1, using: &rng)
      let fs = Tensor<Double>.uniform(Shape(hf, 1), in: 0.5...1, using: &rng)
      let block = ConvTranspose(upsample: (u, 1), crop: [c0, c1, 0, 0])
      let j = try block.jacobian(at: xs, Parameters(w: fs), wrt: .x)
      let alpha = 1 / Double(u)
      let beta = Double(2 * c0 - hf + 1) / Double(2 * u) + 1
      let delta = Double(hf - 1) / Double(u) + 1
      for row in 1...j.rows {
        let read = (0..<j.cols).filter { j[row - 1, $0] != 0 }.map { Double($0 + 1) }
        let centre = alpha * Double(row - 1) + beta
        outputs += 1
        if read.allSatisfy({ abs($0 - centre) <= (delta - 1) / 2 + 1e-12 }) { enclosed += 1 }
      }
      let hOut = j.rows
      swapped.append(Double(1 + floorDiv(hOut - hf + c0 + c1, u)))
      inputHeights.append(Double(h))
      chosen.append(Double(u * (h - 1) + hf - c0 - c1))
      smallest.append(Double((1...60).first { 1 + floorDiv($0 - hf + c0 + c1, u) == h } ?? 0))
    }

    // §5.4: −(Δ − 1)/2 ≤ i − α(i″ − 1) − β ≤ (Δ − 1)/2 is MatConvNet (5.1); the transposed field (α̂, β̂, Δ̂) encloses the
    // outputs each input reaches (conv H′ = 3, S = 2, P⁻ = 1 and H′ = 4, S = 3, P⁻ = 2, brute force).
    var rewrittenPairs: [Double] = []
    var pairs51: [Double] = []
    var transposedEnclosed = 0.0
    var transposedCases = 0.0
    for (hf, s, p) in [(3, 2, 1), (4, 3, 2)] {
      let alpha = Double(s)
      let beta = Double(hf + 1) / 2 - Double(p)
      let delta = Double(hf)
      for out in 1...6 {
        for i in -3...16 {
          let reads = 1 + s * (out - 1) - p <= i && i <= hf + s * (out - 1) - p
          let offset = Double(i) - alpha * Double(out - 1) - beta
          rewrittenPairs.append(flag(-(delta - 1) / 2 <= offset && offset <= (delta - 1) / 2))
          pairs51.append(flag(reads))
        }
      }
      let aHat = 1 / alpha
      let bHat = (1 + alpha - beta) / alpha
      let dHat = (delta + alpha - 1) / alpha
      for i in 1...12 {
        transposedCases += 1
        let reached = (1...8).filter { 1 + s * ($0 - 1) - p <= i && i <= hf + s * ($0 - 1) - p }.map(Double.init)
        let centre = aHat * Double(i - 1) + bHat
        if reached.allSatisfy({ abs($0 - centre) <= (dHat - 1) / 2 + 1e-12 }) { transposedEnclosed += 1 }
      }
    }

    // §5.5: the first line of the substitution, i_f = α_f(α_g(i_h − 1) + β_g ± (Δ_g − 1)/2 − 1) + β_f ± (Δ_f − 1)/2,
    // against the first and last input of conv (3, stride 2, pad 1) then pool (2, stride 2), brute force.
    let cf = (alpha: 2.0, beta: 1.0, delta: 3.0)
    let cg = (alpha: 2.0, beta: 1.5, delta: 2.0)
    var substitution: [Double] = []
    var firstLast: [Double] = []
    for ih in 1...4 {
      let gFirst = 2 * (ih - 1) + 1
      let gLast = gFirst + 1  // pool outputs read conv outputs 2i_h − 1, 2i_h
      firstLast += [Double(2 * (gFirst - 1) + 1 - 1), Double(2 * (gLast - 1) + 3 - 1)]  // conv output i reads 2(i − 1) + 1 − 1 … 2(i − 1) + 3 − 1
      let lo = cg.alpha * Double(ih - 1) + cg.beta - (cg.delta - 1) / 2
      let hi = cg.alpha * Double(ih - 1) + cg.beta + (cg.delta - 1) / 2
      substitution += [cf.alpha * (lo - 1) + cf.beta - (cf.delta - 1) / 2, cf.alpha * (hi - 1) + cf.beta + (cf.delta - 1) / 2]
    }

    // §5.6: only fields of equal stride can be overlaid: with strides 1 and 2 the union of the windows changes width.
    let f1 = ReceptiveField.filter(FilterAxis(size: 3, stride: 1, padBefore: 1, padAfter: 1))
    let f2 = ReceptiveField.filter(FilterAxis(size: 2, stride: 2))
    let unionWidths = Set(
      (1...5).map { o -> Double in
        let r1 = f1.inputRange(ofOutput: o)
        let r2 = f2.inputRange(ofOutput: o)
        return max(r1.upperBound, r2.upperBound) - min(r1.lowerBound, r2.lowerBound) + 1
      })

    // §5.6's β_g: branch f = conv (3, stride 1, pad 1), branch g = conv (5, stride 1), both followed by h = pool
    // (2, stride 2). Output i_h reads f-outputs 2i_h − 1, 2i_h (inputs 2i_h − 2 … 2i_h + 1) and g-outputs
    // 2i_h − 1, 2i_h (inputs 2i_h − 1 … 2i_h + 4): the union is [2i_h − 2, 2i_h + 4]. The range's min/max as intended.
    let branchF = ReceptiveField.filter(FilterAxis(size: 3, stride: 1, padBefore: 1, padAfter: 1))
    let branchG = ReceptiveField.filter(FilterAxis(size: 5, stride: 1))
    let pool56 = ReceptiveField.filter(FilterAxis(size: 2, stride: 2))
    let hf = branchF.then(pool56)
    let hg = branchG.then(pool56)
    func union56(betaG: Double) -> [Double] {
      let a = min(hf.beta - (hf.delta - 1) / 2, betaG - (hg.delta - 1) / 2)
      let b = max(hf.beta + (hf.delta - 1) / 2, betaG + (hg.delta - 1) / 2)
      return (1...4).flatMap { (ih: Int) -> [Double] in
        let start: Double = hf.alpha * Double(ih - 1)
        return [start + a, start + b]
      }
    }
    let unionBrute: [Double] = (1...4).flatMap { (ih: Int) -> [Double] in [Double(2 * ih - 2), Double(2 * ih + 4)] }

    // §6.1: [φ(x)]_{pq} = x_{ijd}, i = i″ + i′ − 1, j = j″ + j′ − 1, p = i″ + H″(j″ − 1), q = i′ + H′(j′ − 1) + H′W′(d − 1),
    // a (H″W″) × (H′W′D) matrix; φ* sums M_{pq} over t⁻¹(i, j, d) and equals Hᵀ vec M.
    let x = Tensor<Double>.uniform(Shape(5, 4, 2), using: &rng)
    let (kh, kw) = (2, 3)
    let (ho, wo) = (4, 2)
    let map = try Im2Row(geometry: FilterGeometry(kh: kh, kw: kw), h: 5, w: 4, d: 2)
    let phi = map.phi(x)
    var printedPhi = Matrix<Double>(rows: ho * wo, cols: kh * kw * 2)
    var adjoint = Tensor<Double>(shape: x.shape)
    let m = Matrix<Double>.uniform(ho * wo, kh * kw * 2, using: &rng)
    for d in 1...2 {
      for jp in 1...kw {
        for ip in 1...kh {
          for j2 in 1...wo {
            for i2 in 1...ho {
              let p = i2 + ho * (j2 - 1)
              let q = ip + kh * (jp - 1) + kh * kw * (d - 1)
              printedPhi[p - 1, q - 1] = x[i2 + ip - 2, j2 + jp - 2, d - 1]
              adjoint[i2 + ip - 2, j2 + jp - 2, d - 1] += m[p - 1, q - 1]
            }
          }
        }
      }
    }
    let phiStar = map.phiStar(m)
    var hTransposed = [Double](repeating: 0, count: x.count)
    for e in 0..<x.count {
      var unit = Tensor<Double>(shape: x.shape)
      unit.storage[e] = 1
      hTransposed[e] = zip(map.phi(unit).storage, m.storage).reduce(0) { $0 + $1.0 * $1.1 }  // (Hᵀ vec M)_e = ⟨H e_e, vec M⟩
    }

    // §6.2: the first line of the expansion, Σ_{i″=1}^{b} y_{i″} Σ_{i′=1}^{W′} f_{i′} x_{S(i″−1)+i′−P⁻}, for a 1-D
    // filter (H′ = 4, W′ = 1), b read as H″, against ⟨y, M x⟩ through the conv block.
    let (h62, hf62, s62, p62) = (9, 4, 2, 1)
    let x62 = Tensor<Double>.uniform(Shape(h62, 1), using: &rng)
    let f62 = Tensor<Double>.uniform(Shape(hf62, 1), using: &rng)
    let conv62 = try Conv(pad: [p62, p62, 0, 0], stride: (s62, 1)).forward(x62, Parameters(w: f62))
    let y62 = Tensor<Double>.uniform(conv62.shape, using: &rng)
    let inner62 = zip(y62.storage, conv62.storage).reduce(0) { $0 + $1.0 * $1.1 }
    func expansion(taps: Int) -> Double {
      var total = 0.0
      for i2 in 1...conv62.shape.h {
        var s = 0.0
        for ip in 1...taps {
          let k = s62 * (i2 - 1) + ip - p62
          if (1...h62).contains(k) { s += f62.storage[ip - 1] * x62.storage[k - 1] }
        }
        total += y62.storage[i2 - 1] * s
      }
      return total
    }
    // §6.2: the 1-D convolution with 1 ≤ i″ ≤ 1 + ⌊(H − H′ + P⁻ + P⁺)/S⌋, and the index identities of the expansion.
    let conv1D = (1...(1 + floorDiv(h62 - hf62 + 2 * p62, s62))).map { i2 in
      (1...hf62).reduce(0.0) { acc, ip in
        let k = s62 * (i2 - 1) + ip - p62
        return acc + ((1...h62).contains(k) ? f62.storage[ip - 1] * x62.storage[k - 1] : 0)
      }
    }
    var substituted: [Double] = []
    var direct: [Double] = []
    var minimumQ = 0.0
    var minimumCases = 0.0
    var elementLess = 0.0
    var elementCases = 0.0
    var refinedLo: [Double] = []
    var refinedHi: [Double] = []
    var exactLo: [Double] = []
    var exactHi: [Double] = []
    for s in 1...4 {
      for p in 0...3 {
        for hf in 1...7 {
          for k in 1...12 {
            let base = k - 1 + p
            let mod = ((base % s) + s) % s
            for i2 in -2...8 {
              direct.append(Double(k - s * (i2 - 1) + p))
              substituted.append(Double(mod + s * (1 - i2 + floorDiv(base, s)) + 1))
            }
            for q in -3...6 {
              minimumCases += 1
              if (mod + s * (q - 1) + 1 >= 1) == (q >= 1) { minimumQ += 1 }
            }
            let trueMax = (1...20).last { mod + s * ($0 - 1) + 1 <= hf } ?? 0
            elementCases += 1
            let bound = 1 + floorDiv(hf - 1, s)
            if trueMax == bound || trueMax == bound - 1 { elementLess += 1 }
            for hOut in 1...6 {
              let valid = (-5...20).filter { q in (1...hOut).contains(floorDiv(base, s) + 2 - q) && (1...hf).contains(mod + s * (q - 1) + 1) }
              guard let lo = valid.min(), let hi = valid.max() else { continue }
              exactLo.append(Double(lo))
              exactHi.append(Double(hi))
              refinedLo.append(Double(max(1, floorDiv(base, s) + 2 - hOut)))
              refinedHi.append(Double(1 + min(floorDiv(hf - 1 - mod, s), floorDiv(base, s))))
            }
          }
        }
      }
    }

    // §6.3: S(x) ∈ {0, 1}^{(H″W″D)×(HWD)} for max pooling.
    let px = Tensor<Double>.uniform(Shape(4, 6, 2), using: &rng)
    let selector = try Pool(method: .max, size: (2, 2), stride: (2, 2)).jacobian(at: px, Parameters(), wrt: .x)
    let binary = selector.storage.allSatisfy { $0 == 0 || $0 == 1 }

    // §6.4.2: dz/dx_{ijk} = dz/dy_{ijd} dy_{ijd}/dx_{ijd}, for z = ⟨G, σ(x)⟩, one pixel, D = 3 channels.
    let xsig = Tensor<Double>.uniform(Shape(1, 1, 3), using: &rng)
    let gsig = Tensor<Double>.uniform(Shape(1, 1, 3), using: &rng)
    let sig = try Sigmoid().forward(xsig, Parameters()).storage
    let dSig = try FiniteDifferences.vjp(at: xsig.storage, cotangent: gsig.storage) { try Sigmoid().forward(Tensor(shape: xsig.shape, storage: $0), Parameters()).storage }
    // k = d + 1 (cyclically): channel k receives channel d's term as printed.
    let printed642 = (0..<3).map { k -> Double in
      let d = (k + 2) % 3
      return gsig.storage[d] * sig[d] * (1 - sig[d])
    }
    let intended642 = (0..<3).map { gsig.storage[$0] * sig[$0] * (1 - sig[$0]) }

    // §6.5.4: dz/dx_{ijd} = y_{ijd}(dz/dy_{ijd} − Σ_{k=1}^{K} dz/dy_{ijk} y_{ijk}), one pixel, D = 4 channels.
    let xsm = Tensor<Double>.uniform(Shape(1, 1, 4), using: &rng)
    let gsm = Tensor<Double>.uniform(Shape(1, 1, 4), using: &rng)
    let ysm = try Softmax().forward(xsm, Parameters()).storage
    let dSoftmax = try FiniteDifferences.vjp(at: xsm.storage, cotangent: gsm.storage) { try Softmax().forward(Tensor(shape: xsm.shape, storage: $0), Parameters()).storage }
    func softmaxBackward(upTo kMax: Int) -> [Double] {
      let s = (0..<kMax).reduce(0.0) { $0 + gsm.storage[$1] * ysm[$1] }
      return (0..<4).map { ysm[$0] * (gsm.storage[$0] - s) }
    }

    // §6.6.2: dz/dx_{ijd} = −dz/dy (δ_{d=c} − y_{ijd}) "where y_{ijc} is the output of the softmax layer".
    let scores = Tensor<Double>.uniform(Shape(1, 1, 4), using: &rng)
    let label = 2
    func softmaxLogLoss(_ v: [Double]) -> Double { -v[label] + log(v.reduce(0) { $0 + exp($1) }) }
    let lossGradient = FiniteDifferences.vjp(at: scores.storage, cotangent: [1]) { [softmaxLogLoss($0)] }
    let ysc = try Softmax().forward(scores, Parameters()).storage
    let withYd = (0..<4).map { -(($0 == label ? 1 : 0) - ysc[$0]) }
    let withYc = (0..<4).map { -(($0 == label ? 1 : 0) - ysc[label]) }

    return [
      .holds(
        .matConvNet, "§5.2", "§5.2 (samples read)", kind: .indexRange, "x_i : i ∈ [1, H′] + S_h(i″ − 1) − P_h⁻ = [−(H′ − 1)/2, (H′ − 1)/2] + S_h(i″ − 1) − P_h⁻ + (H′ + 1)/2",
        against: "the first and last input each row of the conv block's Jacobian reads (clipped to [1, H]; three 1-D configurations)", value: rangePrinted, truth: rangeRead),
      .holds(
        .matConvNet, "§5.2", "§5.2 (output-size condition)", kind: .display, "H′ + S_h(H″ − 1) − P_h⁻ ≤ H + P_h⁺: H″ is the largest i″ that satisfies it",
        against: "the conv block's output height (H ≤ 9, H′ ≤ 3, S ≤ 3, P± ≤ 1)", value: largest, truth: blockHeights),
      .holds(
        .matConvNet, "§5.2.1", "§5.2.1 (last Caffe window)", kind: .display, "S_h(i″ − 1) + H′|_{i″=H″} ≥ H  ⇔  H″ = ⌈(H − H′)/S_h⌉ + 1",
        against: "the smallest i″ whose window reaches the last sample (H′ ≤ 5, S ≤ 4, H ≤ 16)", value: ceilSize, truth: lastWindow),
      .holds(
        .matConvNet, "§5.2.1", "§5.2.1 (ceil as floor)", kind: .prose, "for integer a, b, one has ⌈a/b⌉ = ⌊(a + b − 1)/b⌋",
        against: "⌈a/b⌉ for a = −12 … 12, b = 1 … 5", value: identityRight, truth: identityLeft),
      .fails(
        .matConvNet, "§5.2.1", "§5.2.1 (rewritten size)", kind: .display, .garbled,
        "H″ = ⌈(H − H′ + P_h⁻ + P_h⁺)/S_h⌉ + 1 = ⌈(H − 1 + P_h⁻)/S_h + (P_h⁺ + S_h − H′)/S_h⌉ + 1",
        printedReading: "as converted: the second ⌈·⌉ a ceiling", intended: "= ⌊(H − 1 + P_h⁻)/S_h + (P_h⁺ + S_h − H′)/S_h⌋ + 1 (the identity just stated)",
        intendedReading: "⌊·⌋, as in the LaTeX source", against: "Caffe's H″ = ⌈(H − H′ + P⁻ + P⁺)/S⌉ + 1 (H′ ≤ 5, S ≤ 4, P± ≤ H′ − 1, H ≤ 16)",
        printedValue: rewrittenCeil, intendedValue: rewrittenFloor, truth: caffe,
        note: "\(geometryTex) has \\left\\lfloor \\frac{H - 1 +P_h^-}{S_h} + \\frac{P^+_h + S_h - H'}{S_h} \\right\\rfloor +1; the conversion printed the first bracket's ceiling twice"),
      .holds(
        .matConvNet, "§5.2.1", "§5.2.1 (P⁺ = 0 and S ≤ H′)", kind: .prose, "if P_h⁺ = 0 and S_h ≤ H′ then the equation is also satisfied and Caffe skips the check",
        against: "Caffe's size against (5.4)'s bound on every such configuration", value: [zeroPadOK], truth: [zeroPadCases]),
      .holds(
        .matConvNet, "§5.2.1", "§5.2.1 (rightmost pooling index)", kind: .display, "⌊(H − H′ + P_h⁻ + P_h⁺)/S_h + 1⌋, the MatConvNet rightmost pooling index",
        against: "the pool block's output height (H ≤ 9)", value: matconvnetIndex, truth: poolHeights),
      .fails(
        .matConvNet, "§5.2.1", "§5.2.1 (rearranged)", kind: .display, .garbled, "[(H − H′ + P_h⁻ + P_h⁺)/S_h] ≥ (H − H′ + 2P_h⁻)/S_h",
        printedReading: "as converted: [·] plain brackets", intended: "⌊(H − H′ + P_h⁻ + P_h⁺)/S_h⌋ ≥ (H − H′ + 2P_h⁻)/S_h", intendedReading: "⌊·⌋, as in the LaTeX source",
        against: "the condition S_h(⌊a/S_h⌋) + H′ ≥ H + 2P_h⁻ it rearranges (a = H − H′ + P⁻ + P⁺), every configuration",
        printedValue: rearrangedGrouped, intendedValue: rearrangedFloor, truth: condition,
        note: "\(geometryTex) has \\left\\lfloor \\frac{H - H' + P_h^- + P_h^+}{S_h} \\right\\rfloor \\geq …; the conversion turned the floor into square brackets"),
      .fails(
        .matConvNet, "§5.2.1", "§5.2.1 (equivalent condition)", kind: .display, .garbled,
        "[(H − H′ + 2P_h⁻)/S_h + (P_h⁺ − P_h⁻ − S_h + 1)/S_h] ≥ (H − H′ + 2P_h⁻)/S_h",
        printedReading: "as converted: [·] plain brackets", intended: "⌈(H − H′ + 2P_h⁻)/S_h + (P_h⁺ − P_h⁻ − S_h + 1)/S_h⌉ ≥ (H − H′ + 2P_h⁻)/S_h",
        intendedReading: "⌈·⌉, as in the LaTeX source", against: "the condition it is equivalent to, every configuration",
        printedValue: equivalentGrouped, intendedValue: equivalentCeil, truth: condition,
        note: "\(geometryTex) has \\left\\lceil … \\right\\rceil (and the next sentence says 'removing the ceil operator')"),
      .holds(
        .matConvNet, "§5.2.1", "§5.2.1 (sufficient condition)", kind: .display, "P_h⁺ ≥ P_h⁻ + S_h − 1 is sufficient",
        against: "the condition on every configuration with P⁺ ≥ P⁻ + S − 1", value: [sufficientOK], truth: [sufficientCases]),
      .holds(
        .matConvNet, "§5.3", "§5.3 (relaxed field)", kind: .prose,
        "relax these two relations (hence obtaining a slightly larger receptive field): α_h = 1/U_h, β_h = (2C_h⁻ − H′ + 1)/(2U_h) + 1, Δ_h = (H′ − 1)/U_h + 1",
        against: "outputs whose inputs (the convt block's Jacobian rows) all lie in the window, four configurations", value: [enclosed], truth: [outputs]),
      .holds(
        .matConvNet, "§5.3", "§5.3 (swapped constraint)", kind: .display, "H = 1 + ⌊(H″ − H′ + C_h⁻ + C_h⁺)/U_h⌋",
        against: "the convt block's input height, with H″ its output height", value: swapped, truth: inputHeights),
      .holds(
        .matConvNet, "§5.3", "§5.3 (chosen height)", kind: .display, "we choose the tighter definition and set H″ = U_h(H − 1) + H′ − C_h⁻ − C_h⁺",
        against: "the smallest H″ that satisfies the swapped constraint", value: chosen, truth: smallest),
      .holds(
        .matConvNet, "§5.4", "§5.4 (rewritten MatConvNet (5.1))", kind: .display, "−(Δ_h − 1)/2 ≤ i − α_h(i″ − 1) − β_h ≤ (Δ_h − 1)/2",
        against: "the pairs (i, i″) a conv relates (H′ = 3, S = 2, P⁻ = 1 and H′ = 4, S = 3, P⁻ = 2)", value: rewrittenPairs, truth: pairs51),
      .holds(
        .matConvNet, "§5.4", "§5.4 (transposed field)", kind: .display, "α̂_h = 1/α_h, β̂_h = (1 + α_h − β_h)/α_h, Δ̂_h = (Δ_h + α_h − 1)/α_h",
        against: "inputs whose reached outputs all lie in the transposed window (brute force, two convs)", value: [transposedEnclosed], truth: [transposedCases]),
      .holds(
        .matConvNet, "§5.5", "§5.5 (substituted)", kind: .display, "i_f = α_f(α_g(i_h − 1) + β_g ± (Δ_g − 1)/2 − 1) + β_f ± (Δ_f − 1)/2",
        against: "the first and last input of conv (3, stride 2, pad 1) then pool (2, stride 2), brute force", value: substitution, truth: firstLast),
      .holds(
        .matConvNet, "§5.6", "§5.6 (equal strides)", kind: .prose, "This is only possible if, and only if, α = α_hg = α_hf",
        against: "the union of a stride-1 and a stride-2 window: widths over five outputs (more than one width: no sliding window)",
        value: [1], truth: [flag(unionWidths.count > 1)]),
      .fails(
        .matConvNet, "§5.6", "§5.6 (β_g for β_hg)", kind: .display, .wrong,
        "a = min{β_hf − (Δ_hf − 1)/2, β_g − (Δ_hg − 1)/2},  b = max{β_hf + (Δ_hf − 1)/2, β_g + (Δ_hg − 1)/2}",
        printedReading: "β_g, the offset of g alone (§5.5's notation), with a the lower and b the upper end",
        intended: "β_hg, the offset of h ∘ g, in both a and b", intendedReading: "β_hg",
        against: "the union of the two branches' input windows (conv 3/1/1 and conv 5/1/0, each followed by pool 2/2; brute force)",
        printedValue: union56(betaG: branchG.beta), intendedValue: union56(betaG: hg.beta), truth: unionBrute,
        note: "\(geometryTex) has \\beta_g in both a and b beside \\Delta_{hg}; §5.6 (range) reports the swapped i_max and i_min of the same display"),
      .holds(
        .matConvNet, "§6.1", "§6.1 (im2row index map)", kind: .indexRange,
        "[φ(x)]_{pq} = x_{ijd}, i = i″ + i′ − 1, j = j″ + j′ − 1, p = i″ + H″(j″ − 1), q = i′ + H′(j′ − 1) + H′W′(d − 1); φ(x) is (H″W″) × (H′W′D)",
        against: "ConvLab's im2row (x 5×4×2, 2×3 patches), shape then entries", value: [Double(printedPhi.rows), Double(printedPhi.cols)] + printedPhi.storage,
        truth: [Double(phi.rows), Double(phi.cols)] + phi.storage),
      .holds(
        .matConvNet, "§6.1", "§6.1 (row2im)", kind: .display, "[φ*(M)]_{ijd} = Σ_{(p,q)∈t⁻¹(i,j,d)} M_{pq}, vec φ*(M) = Hᵀ vec M",
        against: "Hᵀ vec M with H built from φ of unit inputs, and ConvLab's row2im", value: adjoint.storage + adjoint.storage, truth: hTransposed + phiStar.storage),
      .fails(
        .matConvNet, "§6.2", "§6.2 (expansion, first line)", kind: .indexRange, .wrong, "Σ_{i″=1}^{b} y_{i″} Σ_{i′=1}^{W′} f_{i′} x_{S(i″−1)+i′−P_h⁻}",
        printedReading: "i′ up to W′ (a 1-D filter is H′ × 1: W′ = 1), b read as H″", intended: "Σ_{i″=1}^{H″} y_{i″} Σ_{i′=1}^{H′} f_{i′} x_{S(i″−1)+i′−P_h⁻}",
        intendedReading: "i′ up to H′, the filter length", against: "⟨y, M x⟩ through the conv block (H = 9, H′ = 4, S = 2, P = 1)",
        printedValue: [expansion(taps: 1)], intendedValue: [expansion(taps: hf62)], truth: [inner62],
        note: "\(implTex) has \\sum_{i''=1}^b y_{i''} \\sum_{i'=1}^{W'}: b is never defined and the line above defines H′ as the filter's length"),
      .holds(
        .matConvNet, "§6.2", "§6.2 (1-D convolution)", kind: .display, "y_{i″} = Σ_{i′=1}^{H′} f_{i′} x_{S(i″−1)+i′−P_h⁻}, 1 ≤ i″ ≤ 1 + ⌊(H − H′ + P_h⁻ + P_h⁺)/S⌋",
        against: "the conv block (H = 9, H′ = 4, S = 2, P = 1)", value: conv1D, truth: conv62.storage),
      .holds(
        .matConvNet, "§6.2", "§6.2 (index substitution)", kind: .display, "f_{k−S(i″−1)+P_h⁻} = f_{(k−1+P_h⁻) mod S + S(1 − i″ + ⌊(k−1+P_h⁻)/S⌋) + 1}",
        against: "k − S(i″ − 1) + P⁻ on a grid of S ≤ 4, P ≤ 3, k ≤ 12, i″ = −2 … 8", value: substituted, truth: direct),
      .holds(
        .matConvNet, "§6.2", "§6.2 (q ≥ 1)", kind: .indexRange, "q ≥ 1 is the minimum value of q for which the filter f is non zero",
        against: "whether the filter index (k − 1 + P⁻) mod S + S(q − 1) + 1 is ≥ 1 exactly when q ≥ 1", value: [minimumQ], truth: [minimumCases]),
      .holds(
        .matConvNet, "§6.2", "§6.2 (an element less)", kind: .prose, "depending on k, there could be an element less (than the bound 1 + ⌊(H′ − 1)/S⌋ of MatConvNet (6.1))",
        against: "the largest q with a filter index ≤ H′, on a grid of S, P⁻, H′ ≤ 7, k ≤ 12", value: [elementLess], truth: [elementCases]),
      .holds(
        .matConvNet, "§6.2", "§6.2 (refined extrema)", kind: .indexRange,
        "max{1, ⌊(k−1+P_h⁻)/S⌋ + 2 − H″} ≤ q ≤ 1 + min{⌊(H′ − 1 − (k−1+P_h⁻) mod S)/S⌋, ⌊(k−1+P_h⁻)/S⌋}",
        against: "the smallest and largest q with both indices of MatConvNet (6.1) in range (brute force, H″ ≤ 6)", value: refinedLo + refinedHi, truth: exactLo + exactHi),
      .holds(
        .matConvNet, "§6.3", "§6.3 (selector size)", kind: .size, "S(x) ∈ {0, 1}^{(H″W″D)×(HWD)} for max pooling",
        against: "the max pool block's Jacobian (x 4×6×2, 2×2 windows, stride 2): rows, columns, all entries 0 or 1",
        value: [Double(2 * 3 * 2), Double(4 * 6 * 2), 1], truth: [Double(selector.rows), Double(selector.cols), flag(binary)]),
      .fails(
        .matConvNet, "§6.4.2", "§6.4.2 (index)", kind: .display, .wrong, "dz/dx_{ijk} = dz/dy_{ijd} dy_{ijd}/dx_{ijd} = dz/dy_{ijd} y_{ijd}(1 − y_{ijd})",
        printedReading: "k and d two channel indices (k = d + 1)", intended: "dz/dx_{ijd} = dz/dy_{ijd} y_{ijd}(1 − y_{ijd})", intendedReading: "k = d",
        against: "central differences of z = ⟨G, σ(x)⟩ (one pixel, D = 3)", printedValue: printed642, intendedValue: intended642, truth: dSig, tolerance: 1e-6,
        note: "\(implTex) has \\frac{dz}{dx_{ijk}} = \\frac{dz}{d y_{ijd}} …: the left side's channel index differs from the right's"),
      .fails(
        .matConvNet, "§6.5.4", "§6.5.4 (upper limit K)", kind: .indexRange, .wrong, "dz/dx_{ijd} = y_{ijd}(dz/dy_{ijd} − Σ_{k=1}^{K} dz/dy_{ijk} y_{ijk})",
        printedReading: "K ≠ D (K = D − 1 = 3)", intended: "Σ_{k=1}^{D}: softmax runs over the D channels (§4.5.4)", intendedReading: "K = D = 4",
        against: "central differences of z = ⟨G, softmax(x)⟩ (one pixel, D = 4)", printedValue: softmaxBackward(upTo: 3), intendedValue: softmaxBackward(upTo: 4),
        truth: dSoftmax, tolerance: 1e-6,
        note: "\(implTex) has \\sum_{k=1}^K; K is not defined for softmax (the lines above sum t = 1 … D), and any K ≠ D gives a wrong gradient"),
      Claim(
        .matConvNet, section: "§6.6.2", location: "§6.6.2 (softmax output)", kind: .prose,
        printed: "dz/dx_{ijd} = −dz/dy (δ_{d=c} − y_{ijd}) where y_{ijc} is the output of the softmax layer",
        verdict: .ambiguous, note: "\(implTex) has 'where $y_{ijc}$ is the output of the softmax layer' under a formula that uses y_{ijd}",
        readings: [
          Reading(
            "y_{ijd}, the softmax output at channel d", "−(δ_{d=c} − y_{ijd})", against: "central differences of the softmax log-loss (D = 4, c = 3)",
            value: withYd, truth: lossGradient, tolerance: 1e-6),
          Reading(
            "y_{ijc}, the softmax output at the true class, in every entry", "−(δ_{d=c} − y_{ijc})", against: "central differences of the softmax log-loss (D = 4, c = 3)",
            value: withYc, truth: lossGradient, tolerance: 1e-6),
        ]),
    ]
  }
}
