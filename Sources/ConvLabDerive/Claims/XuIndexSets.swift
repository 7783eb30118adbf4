import ConvLabCore
import ConvLabNotation
import Foundation

/// Xu's index sets: Xu (1) sums over i ∈ M_j (the inputs of map j), §3.2 defines M_i (the
/// outputs of map i), and Xu (9) restates Xu (1) with i ∈ M_i.
extension XuClaims {
  static func indexSets() -> [Claim] {
    // Xu (9) as printed: z_j sums x_i over the i with i ∈ M_i, M_i = {j | map i connected to map j} (§3.2),
    // i.e. over the inputs connected to the output map of the same number, whatever j is.
    let printedTerms = (0..<LeNetTable.outputMaps).reduce(0) { total, _ in
      total + (0..<LeNetTable.inputMaps).filter { LeNetTable.outputs(of: $0).contains($0) }.count
    }
    let intendedTerms = (0..<LeNetTable.outputMaps).reduce(0) { $0 + LeNetTable.inputs(of: $1).count }
    // Table 1 counted directly: its 60 X's (§2.1: 60 × 5 × 5 + 16 = 1516 parameters).
    let crosses = LeNetTable.rows.reduce(0) { $0 + $1.filter { $0 == "X" }.count }
    return [
      Claim(
        .xu, section: "§3.1.3", location: "Xu (9), the index set", kind: .indexRange, printed: "z_j^l = Σ_{i ∈ M_i} x_i^{l−1} * k_ij^l + b_j^l 1   (Xu (9))", verdict: .wrong,
        intended: "Σ_{i ∈ M_j}, as Xu (1): M_j = {i | map i connected to map j}",
        note: "§3.2 defines M_i = {j | map i connected to map j}, the outputs of map i; read with it, i ∈ M_i picks the inputs connected to the output of the same number "
          + "(all six in Table 1), so each of the 16 output maps would sum 6 convolutions: 96 kernels where Table 1 has 60",
        readings: [
          Reading(
            "as printed: i ∈ M_i (§3.2's M_i)", "Σ_j |{i : i ∈ M_i}| kernels", against: "the X's of Table 1 (the kernels of §2.1)",
            value: [Double(printedTerms)], truth: [Double(crosses)]),
          Reading(
            "corrected: i ∈ M_j (Xu (1))", "Σ_j |M_j| kernels", against: "the X's of Table 1 (the kernels of §2.1)",
            value: [Double(intendedTerms)], truth: [Double(crosses)]),
        ])
    ]
  }
}
