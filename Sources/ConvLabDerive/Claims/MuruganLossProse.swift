import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// The checkable sentences of Murugan §2.5.1 and §2.5.6 about the losses' behaviour.
extension MuruganClaims {
  static func lossProse() throws -> [Claim] {
    // §2.5.1: one sigmoid unit, target 1, saturated on the wrong side (z = −6). The gradient in z
    // of MSE is 2(σ − y)σ(1 − σ); cross-entropy's is σ − y (MatConvNet §6.6 with a sigmoid).
    let z = -6.0
    let y = 1.0
    let sigma = { (v: Double) in 1 / (1 + Double.exp(-v)) }
    let mseSlope = FiniteDifferences.derivative(at: z) { v in (y - sigma(v)) * (y - sigma(v)) }
    let ceSlope = FiniteDifferences.derivative(at: z) { v in -(y * Double.log(sigma(v)) + (1 - y) * Double.log(1 - sigma(v))) }
    // §2.5.6: Murugan (2.9) evaluated as printed with one target equal to 0.
    let targets = [0.5, 0, 0.25]
    let predictions = [0.4, 0.1, 0.3]
    let mape = zip(targets, predictions).reduce(0) { $0 + abs(($1.0 - $1.1) / $1.0) } / 3 * 100
    return [
      .holds(
        .murugan, "§2.5.1", "§2.5.1 (text after Murugan (2.4))", kind: .prose,
        "Downside of the MSE is, tends to suffer from slow learning speed (slow convergence) when it incorporated with Sigmoid activation function",
        against: "|∂/∂z| of each loss through a sigmoid at z = −6, y = 1, by central differences: 1 where MSE's is below 1% of cross-entropy's",
        value: [abs(mseSlope) < 0.01 * abs(ceSlope) ? 1 : 0], truth: [1],
        note: "MSE's gradient carries σ′(z) = σ(1 − σ), which vanishes where the unit saturates (here \(formatScientific(abs(mseSlope))) against cross-entropy's \(formatScientific(abs(ceSlope))))"),
      .holds(
        .murugan, "§2.5.6", "§2.5.6 (text after Murugan (2.9))", kind: .prose, "Major downside of MAPE is, inability to perform when there are zero values",
        against: "whether Murugan (2.9) is finite with one target yᵢ = 0 (1 when it is not)", value: [mape.isFinite ? 0 : 1], truth: [1],
        note: "Murugan (2.9) divides by yᵢ; with y = (0.5, 0, 0.25) and ŷ = (0.4, 0.1, 0.3) it gives \(mape.isFinite ? formatScientific(mape) : String(describing: mape))"),
    ]
  }
}
