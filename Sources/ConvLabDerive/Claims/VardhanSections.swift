import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Vardhan §3.1.1, §3.1.2 and §3.1.6 read line by line: the trace chain for dJ/dW⁽³⁾, the
/// reshape of dJ/dB⁽²⁾ into one row per channel, and the layer-1 kernel gradient.
extension VardhanClaims {
  static func sections(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    // §3.1.1: B⁽²⁾ of length 8 and 3 outputs, dJ/dZ⁽³⁾ = g (1 × 3), dW⁽³⁾ a random 8 × 3 direction.
    let b2 = Matrix<Double>.uniform(8, 1, using: &rng)
    let g = Matrix<Double>.uniform(1, 3, using: &rng)
    let dW = Matrix<Double>.uniform(8, 3, using: &rng)
    // The chain of the display: tr(dJ/dZ · d(W)ᵀ B) = tr(Bᵀ dW (dJ/dZ)ᵀ) = tr((dJ/dZ)ᵀ Bᵀ dW).
    let first = Audit.trace(g * dW.transposed * b2)
    let second = Audit.trace(b2.transposed * dW * g.transposed)
    let third = Audit.trace(g.transposed * b2.transposed * dW)
    let layers = 3
    // §3.1.2: A⁽²⁾ with c = 2 channels of 2×2, B⁽²⁾ = [vec A₁; vec A₂]; J = ⟨g₂, (W⁽³⁾)ᵀ B⁽²⁾⟩.
    let a2 = Tensor<Double>.uniform(Shape(2, 2, 2), using: &rng)
    let w = Matrix<Double>.uniform(8, 3, using: &rng)
    let g2 = Matrix<Double>.uniform(3, 1, using: &rng)
    func objective(_ channels: [Double]) -> Double { Support.inner(g2, w.transposed * Support.column(channels)) }
    let dJdB = (w * g2).transposed  // 1 × 8, numerator layout: dJ/dB = (dJ/dZ)(W⁽³⁾)ᵀ
    // Reshaped into c × h_a w_a, one row per channel: row i holds entries i·4 … i·4 + 3 of dJ/dB.
    let reshaped = Matrix<Double>(rows: 2, cols: 4) { i, e in dJdB[0, i * 4 + e] }
    let fd = FiniteDifferences.jacobian(at: a2.storage) { [objective($0)] }
    // Row i of the truth: ∂J/∂(vec A_i) by central differences, A_i's entries in column-major order.
    let byChannel = Matrix<Double>(rows: 2, cols: 4) { i, e in fd[0, i * 4 + e] }
    // §3.1.6: A⁽⁰⁾ 6×6 → conv K⁽¹⁾ (3×3, c⁽¹⁾ = 2) → Z⁽¹⁾ = A⁽¹⁾ 4×4×2 → conv K⁽²⁾ (2×2×2, c⁽²⁾ = 3) → Z⁽²⁾ 3×3×3; J = ⟨G, Z⁽²⁾⟩.
    let a0 = Tensor<Double>.uniform(Shape(6, 6), using: &rng)
    let k1 = Tensor<Double>.uniform(Shape(3, 3, 1, 2), using: &rng)
    let k2 = Tensor<Double>.uniform(Shape(2, 2, 2, 3), using: &rng)
    let gz = Tensor<Double>.uniform(Shape(3, 3, 3), using: &rng)
    let conv = Conv()
    let z1 = try conv.forward(a0, Parameters(w: k1))
    let layer2 = try conv.backward(z1, Parameters(w: k2), gz)
    let layer1 = try conv.backward(a0, Parameters(w: k1), layer2.dzdx)
    let dK2 = layer2.dzdw ?? Tensor<Double>(shape: k2.shape)
    let dK1 = layer1.dzdw ?? Tensor<Double>(shape: k1.shape)
    let fdK1 = try FiniteDifferences.jacobian(at: k1.storage) { v in
      let z = try conv.forward(try conv.forward(a0, Parameters(w: Tensor(shape: k1.shape, storage: v))), Parameters(w: k2))
      return [zip(z.storage, gz.storage).reduce(0) { $0 + $1.0 * $1.1 }]
    }
    // Central differences of a bilinear J: exact up to round-off (~1e-10 relative).
    let fdTolerance = 1e-7
    return [
      Claim(
        .vardhan, section: "§3.1.1", location: "§3.1.1 (dJ/dW⁽³⁾, second line)", kind: .crossReference,
        printed: "dJ = tr(dJ/dZ⁽³⁾ d(W⁽³⁾)ᵀ B⁽²⁾) = tr((B⁽²⁾)ᵀ dW⁽³⁾ (dJ/dZ⁽⁴⁾)ᵀ)", verdict: .wrong,
        intended: "tr((B⁽²⁾)ᵀ dW⁽³⁾ (dJ/dZ⁽³⁾)ᵀ): the transpose of the scalar inside the trace",
        note: "the network has three layers (Fig. 1), so there is no Z⁽⁴⁾; the line before and the line after both have dJ/dZ⁽³⁾",
        readings: [
          Reading("as printed: Z⁽⁴⁾", "layer 4 exists", against: "the layers of Vardhan's network (3)", value: [1], truth: [4 <= layers ? 1 : 0]),
          Reading(
            "corrected: Z⁽³⁾", "tr(dJ/dZ⁽³⁾ dWᵀ B) = tr(Bᵀ dW (dJ/dZ⁽³⁾)ᵀ) = tr((dJ/dZ⁽³⁾)ᵀ Bᵀ dW)", against: "the first trace, on random dW",
            value: [second, third], truth: [first, first]),
        ]),
      .holds(
        .vardhan, "§3.1.2", "§3.1.2 (reshape of dJ/dB⁽²⁾)", kind: .display,
        "reshape dJ/dB⁽²⁾ into a c⁽²⁾ × h_a⁽²⁾w_a⁽²⁾ matrix, each row the derivative of J w.r.t. vec(A_i⁽²⁾)",
        against: "central differences of J in each channel of A⁽²⁾ (c = 2 channels of 2×2)", value: reshaped.storage + [2, 4],
        truth: byChannel.storage + [Double(a2.shape.d), Double(a2.shape.h * a2.shape.w)], tolerance: fdTolerance,
        note: "row i takes the i-th block of h_a w_a consecutive entries, because B⁽²⁾ stacks vec(A₁), vec(A₂), … (the display above it)"),
      Claim(
        .vardhan, section: "§3.1.6", location: "§3.1.6 (dJ/dᵥK)", kind: .display,
        printed: "dJ/dᵥK_{:,i}^{[2]} = dJ/dᵥZ^{[2]} · dᵥZ^{[2]}/dᵥK_{j,i}^{[2]}   (in the section computing dJ/dᵥK^{[1]})", verdict: .wrong,
        intended: "dJ/dᵥK_{:,i}^{[1]} = dJ/dᵥZ^{[1]} · dᵥZ^{[1]}/dᵥK_{j,i}^{[1]}: §3.1.5's formula one layer down",
        note: "the display is §3.1.5's layer-2 line copied unchanged; the section's title and the lines around it compute layer 1 (dJ/dᵥZ⁽¹⁾, dJ/db⁽¹⁾). "
          + "Instance: A⁽⁰⁾ 6×6, K⁽¹⁾ two 3×3 kernels, K⁽²⁾ three 2×2×2 kernels",
        readings: [
          Reading(
            "as printed: layer 2", "rows × columns of dJ/dᵥZ⁽²⁾ · dᵥZ⁽²⁾/dᵥK⁽²⁾_{j,1}", against: "rows × columns of dJ/dᵥK⁽¹⁾_{:,1} (c⁽¹⁾ × h_k⁽¹⁾w_k⁽¹⁾)",
            value: [Double(dK2.shape.n), Double(dK2.shape.h * dK2.shape.w)], truth: [Double(k1.shape.n), Double(k1.shape.h * k1.shape.w)]),
          Reading(
            "corrected: layer 1", "dJ/dᵥZ⁽¹⁾ · dᵥZ⁽¹⁾/dᵥK⁽¹⁾_{j,1}, through the layer-2 conv's dJ/dA⁽¹⁾", against: "central differences of J in K⁽¹⁾",
            value: dK1.storage, truth: fdK1.storage, tolerance: fdTolerance),
        ]),
    ]
  }
}
