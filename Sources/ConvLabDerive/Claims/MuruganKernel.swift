import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Murugan (3.61), (3.65) and (3.66): from the dense layers' error back to the conv layer's
/// feature map, each judged on the network of Murugan (3.2) (the conv layer a correlation) and on
/// the network of Murugan (3.3) (a true convolution), the two definitions the paper gives.
extension MuruganClaims {
  /// One network's numbers for Murugan (3.61)–(3.66): the printed chain-rule sum, the reshaped and
  /// up-sampled errors, and their independent ground truths.
  struct KernelSide {
    /// (1/t) Σᵢ (−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) ∂ŷᵢ/∂aⱼ for every input j (Murugan (3.61)).
    let eq361: [Double]
    /// ∂L/∂a⁰ by central differences.
    let da0: [Double]
    /// unvec(∂L/∂a⁰) in the pooled map's shape (Murugan (3.65), f⁻¹ the inverse of Murugan (3.6)'s flatten).
    let reshaped: Matrix<Double>
    /// ∂L/∂P by central differences in the pooled map.
    let dP: Matrix<Double>
    /// The pooled map P itself (Murugan (3.5)).
    let pooled: Matrix<Double>
    /// The switches applied to ∂L/∂P: each window's error at its winner (the text before Murugan (3.66)).
    let upsampled: Matrix<Double>
    /// ∂L/∂C through the pool block's backward pass (an independent implementation of max pooling).
    let dC: Matrix<Double>

    init(_ net: MuruganDerivations.Net) throws {
      let f = net.pass()
      let t = Double(net.y.count)
      let jacobian = Support.jacobian(at: f.a0) { a in
        Support.map(net.w2.transposed * Support.map(net.w1.transposed * a + net.b1, Support.relu) + net.b2, Support.sigmoid)
      }
      eq361 = (0..<f.a0.rows).map { j in
        (0..<net.y.rows).reduce(0) { sum, i in
          sum + (-net.y[i, 0] / f.yhat[i, 0] + (1 - net.y[i, 0]) / (1 - f.yhat[i, 0])) * jacobian[i, j] / t
        }
      }
      da0 = Support.gradient(at: f.a0) { net.loss(flattened: $0) }.storage
      let back = try net.backward(f)
      reshaped = back.dp
      dP = Support.gradient(at: f.p) { net.loss(flattened: vec($0)) }
      pooled = f.p
      upsampled = back.dc
      dC = try Pool(method: .max, size: (2, 2), stride: (2, 2)).backward(Support.tensor(f.c), Parameters(), Support.tensor(back.dp)).dzdx.channel(0)
    }
  }

  static func kernelSide(seed: UInt64) throws -> [Claim] {
    let correlationNet = try MuruganDerivations.Net(side: 6, seed: seed)
    var convolutionNet = correlationNet
    convolutionNet.trueConvolution = true
    let corr = try KernelSide(correlationNet)
    let conv = try KernelSide(convolutionNet)
    let underCorrelation = "under Murugan (3.2): the conv layer a correlation"
    let underConvolution = "under Murugan (3.3): the conv layer a true convolution"
    // Central differences of a smooth loss (no ReLU kink or pooling tie within h = 1e-5 on these
    // instances): truncation error ~h² relative, far below 1e-6.
    let fdTolerance = 1e-6
    return [
      Claim(
        .murugan, section: "§3.2", location: "Murugan (3.61)", printed: "∂L(ŷᵢᴸ⁺¹, y_t)/∂aᵢ^{l−1} = (1/t) Σᵢ (−yᵢ/ŷᵢᴸ + (1 − yᵢ)/(1 − ŷᵢᴸ⁺¹)) ∂yᵢᴸ⁺¹/∂aᵢ^{l−1}",
        note: "read with ŷᵢᴸ = ŷᵢᴸ⁺¹ (the paper names the output layer both L and L + 1, text before Murugan (3.28)) and the free index of aᵢ^{l−1} as j, distinct from the summed i; "
          + "it then holds under both definitions of the conv layer, which only change the numbers that reach a^{l−1}",
        readings: [
          Reading(
            underCorrelation, "(1/t) Σᵢ (−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) ∂ŷᵢ/∂aⱼ", against: "central differences of L in a⁰ (Murugan (3.2)'s network)",
            value: corr.eq361, truth: corr.da0, tolerance: fdTolerance),
          Reading(
            underConvolution, "(1/t) Σᵢ (−yᵢ/ŷᵢ + (1 − yᵢ)/(1 − ŷᵢ)) ∂ŷᵢ/∂aⱼ", against: "central differences of L in a⁰ (Murugan (3.3)'s network)",
            value: conv.eq361, truth: conv.da0, tolerance: fdTolerance),
        ]),
      Claim(
        .murugan, section: "§3.2", location: "Murugan (3.65)", printed: "P^{p,q} = f⁻¹ ∂L(y_tᴸ⁺¹, y_t)/∂a^{l−1}", verdict: .ambiguous,
        intended: "∂L/∂P^{p,q} = f⁻¹(∂L/∂a^{l−1}), f⁻¹ undoing Murugan (3.6)'s flatten",
        note: "Murugan (3.5) defines P^{p,q} as the pooled map itself; here the same symbol names its error (the sentence before: 'reshaping the long vector ∂L/∂a^{l−1}'). "
          + "Read as the error it holds under Murugan (3.2) and under Murugan (3.3); read as Murugan (3.5)'s P it does not",
        readings: [
          Reading(
            "P^{p,q} as Murugan (3.5)'s pooled map", "P = unvec(∂L/∂a⁰)", against: "the pooled map P of Murugan (3.2)'s network",
            value: corr.reshaped.storage, truth: corr.pooled.storage),
          Reading(
            "P^{p,q} as ∂L/∂P, " + underCorrelation, "∂L/∂P = unvec(∂L/∂a⁰)", against: "central differences of L in P (Murugan (3.2)'s network)",
            value: corr.reshaped.storage, truth: corr.dP.storage, tolerance: fdTolerance),
          Reading(
            "P^{p,q} as ∂L/∂P, " + underConvolution, "∂L/∂P = unvec(∂L/∂a⁰)", against: "central differences of L in P (Murugan (3.3)'s network)",
            value: conv.reshaped.storage, truth: conv.dP.storage, tolerance: fdTolerance),
        ]),
      Claim(
        .murugan, section: "§3.2", location: "Murugan (3.66)", kind: .equation, printed: "∂L(ŷᵢᴸ⁺¹, y_t)/∂C_{m,n}^{p,q} = P^{p,q}", verdict: .wrong,
        intended: "∂L/∂C^{p,q} = the max-pool switches applied to P^{p,q}: each window's error at its winning unit, zero elsewhere (the up-sampling the sentence before announces)",
        note: "C (Murugan (3.4)) is the (N − 2)×(N − 2) feature map and P^{p,q} the ((N − 2)/2)² pooled error: with N = 6 the printed equality sets 16 entries equal to 4. "
          + "The corrected form holds under Murugan (3.2) and under Murugan (3.3)",
        readings: [
          Reading(
            "as printed: ∂L/∂C = P^{p,q}", "rows × columns of P^{p,q}", against: "rows × columns of C (Murugan (3.4))",
            value: [Double(corr.reshaped.rows), Double(corr.reshaped.cols)], truth: [Double(corr.dC.rows), Double(corr.dC.cols)]),
          Reading(
            "corrected (switches), " + underCorrelation, "∂L/∂C = switches(P^{p,q})", against: "the pool block's backward pass (Murugan (3.2)'s network)",
            value: corr.upsampled.storage, truth: corr.dC.storage),
          Reading(
            "corrected (switches), " + underConvolution, "∂L/∂C = switches(P^{p,q})", against: "the pool block's backward pass (Murugan (3.3)'s network)",
            value: conv.upsampled.storage, truth: conv.dC.storage),
        ]),
    ]
  }
}
