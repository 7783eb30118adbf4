import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Vardhan §2's forward equation and §3.1.4's channel-wise stacking, read line by line.
extension VardhanClaims {
  static func forward(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    // §2: A⁽ˡ⁻¹⁾ with c⁽ˡ⁻¹⁾ = 2 channels of 4×5, c⁽ˡ⁾ = 2 kernels of 2×3×2, stride 1, no padding: Z_j is 3×3.
    let a = Tensor<Double>.uniform(Shape(4, 5, 2), using: &rng)
    let k = Tensor<Double>.uniform(Shape(2, 3, 2, 2), using: &rng)
    let b = Tensor<Double>.uniform(Shape(1, 1, 1, 2), using: &rng)
    let block = try Conv().forward(a, Parameters(w: k, b: Tensor(shape: Shape(1, 2), storage: b.storage)))
    var asOnes: [Double] = []
    var asIdentity: [Double] = []
    for j in 0..<2 {
      var sum = Matrix<Double>(rows: 3, cols: 3)
      for i in 0..<2 {
        let kernel = Matrix<Double>(rows: 2, cols: 3) { r, c in k[r, c, i, j] }
        sum = sum + correlate(a.channel(i), kernel, pad: (0, 0), stride: (1, 1))
      }
      asOnes += (sum + b.storage[j] * Matrix<Double>.ones(3, 3)).storage
      asIdentity += (sum + b.storage[j] * Matrix<Double>.identity(3)).storage
    }
    // §3.1.4: I = σ(Z) channel by channel, c = 3 channels of 3×3, J = ⟨G, I⟩.
    let z = Tensor<Double>.uniform(Shape(3, 3, 3), using: &rng)
    let g = Tensor<Double>.uniform(Shape(3, 3, 3), using: &rng)
    let sigmoid = { (v: Double) in 1 / (1 + Double.exp(-v)) }
    let last = 2
    let second = 1
    let zc = z.channel(last).storage
    let gc = g.channel(last).storage
    // dᵥI_c/dᵥZ_c and dᵥI₂/dᵥZ_c by central differences (I_j depends on Z_j only).
    let ownJacobian = FiniteDifferences.jacobian(at: zc) { v in v.map(sigmoid) }
    let crossJacobian = FiniteDifferences.jacobian(at: zc) { _ in z.channel(second).storage.map(sigmoid) }
    func rowTimes(_ m: Matrix<Double>) -> [Double] { (0..<m.cols).map { col in (0..<m.rows).reduce(0) { $0 + gc[$1] * m[$1, col] } } }
    let truth = FiniteDifferences.jacobian(at: zc) { v in [zip(v.map(sigmoid), gc).reduce(0) { $0 + $1.0 * $1.1 }] }
    // Central differences of smooth functions: ~1e-10 relative; 1e-7 leaves room.
    let fdTolerance = 1e-7
    return [
      Claim(
        .vardhan, section: "§2", location: "§2 (forward equation, b_j I⃗)", kind: .display,
        printed: "Z_j^{[l]} = Σ_{i=1}^{c^{[l−1]}} A_i^{[l−1]} * K_{j,i}^{[l]} + b_j^{[l]} I⃗_{(h_z^{[l]}, w_z^{[l]})},  ∀ 1 ≤ j ≤ c^{[l]}", verdict: .garbled,
        intended: "… + b_j^{[l]} 1⃗_{(h_z^{[l]}, w_z^{[l]})}, the all-ones matrix §3.1.5 writes for the same term",
        note: "the bold I⃗ here is 1⃗ in §3.1.5's restatement of the same equation (and vec(1_{(h_z, w_z)}) = 1_{(h_z w_z, 1)} there); the paper never defines an identity. "
          + "The sums' ranges (i over the c^{[l−1]} input channels, j over the c^{[l]} kernels) hold. Instance: 2 channels of 4×5, 2 kernels of 2×3×2",
        readings: [
          Reading("I⃗ read as the identity", "Σᵢ Aᵢ * K_{j,i} + b_j I₃", against: "the conv block (MatConvNet §4.1) with biases", value: asIdentity, truth: block.storage),
          Reading("I⃗ read as the all-ones matrix (§3.1.5)", "Σᵢ Aᵢ * K_{j,i} + b_j 1₃ₓ₃", against: "the conv block (MatConvNet §4.1) with biases", value: asOnes, truth: block.storage),
        ]),
      Claim(
        .vardhan, section: "§3.1.4", location: "§3.1.4 (stacked dJ/dᵥZ⁽²⁾)", kind: .display,
        printed: "dJ/dᵥZ⁽²⁾ = [dJ/dᵥZ₁; …; dJ/dᵥZ_c] = [dJ/dᵥI₁ dᵥI₂/dᵥI₂ dJ/dᵥI₂; dJ/dᵥI_c dᵥI₂/dᵥZ_c]", verdict: .garbled,
        intended: "row j: dJ/dᵥZ_j = dJ/dᵥI_j · dᵥI_j/dᵥZ_j (the line before it)",
        note:
          "the first row's factors are scrambled (dᵥI₂/dᵥI₂ and a second dJ/dᵥI₂ in row 1) the way the conversion scrambles App. A's matrices, and the last row's subscript 2 comes from the same break; "
          + "the line above the display has the channel-wise form. Instance: c = 3 channels of 3×3, I = σ(Z), J = ⟨G, I⟩; the last row (j = c) is compared",
        readings: [
          Reading(
            "the last row as converted: dJ/dᵥI_c · dᵥI₂/dᵥZ_c", "dJ/dᵥI₃ · dᵥI₂/dᵥZ₃", against: "central differences of J in Z₃",
            value: rowTimes(crossJacobian), truth: truth.storage, tolerance: fdTolerance),
          Reading(
            "channel-wise: dJ/dᵥI_c · dᵥI_c/dᵥZ_c", "dJ/dᵥI₃ · dᵥI₃/dᵥZ₃", against: "central differences of J in Z₃",
            value: rowTimes(ownJacobian), truth: truth.storage, tolerance: fdTolerance),
        ]),
    ]
  }
}
