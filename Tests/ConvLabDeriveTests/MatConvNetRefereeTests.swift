import ConvLabBlocks
import ConvLabCore
import ConvLabDerive
import Foundation
import Testing

/// The manual's claims on seed 1, built once.
private let manual: [Claim] = { ((try? Audit.claims(seed: 1)) ?? []).filter { $0.paper == .matConvNet } }()

/// The second referee pass over the manual's chapters 4–6 (`Claims/MatConvNetReferee.swift`).
@Suite("the MatConvNet manual, a referee's second pass")
struct MatConvNetRefereeTests {
  /// The locations the second pass added, with their verdicts.
  static let added: [(String, Claim.Verdict)] = [
    ("§4.1 (array sizes)", .correct), ("§4.1 (Figure 4.1)", .correct), ("§4.1 (see section 5.2)", .correct), ("§4.2 (derived in section 6.2)", .correct),
    ("§4.2 (derived in section 5.3)", .correct), ("§4.5.1 (same dimensions)", .correct), ("§4.5.2 (array sizes)", .correct),
    ("§5.3 (extra samples stay zero)", .wrong), ("§5.4 (find again section 5.3)", .correct), ("§5.5 (first and last samples)", .correct),
    ("§6.1 (sizes of F and Y)", .correct), ("§6.5.2 (other channels null)", .correct), ("§6.6.3 (special cases p = 1, 2)", .correct),
    ("§4.2 (interpolating filter)", .correct), ("§4.5.4 (across channels, at every location)", .correct), ("§4.6.2 (one step for stability)", .correct),
    ("§4.1 (no biases)", .correct), ("§4.6.1 (one scalar over the locations)", .correct), ("§5.2.1 (window partly outside)", .correct), ("§4.5.2 (across the batch)", .correct),
    ("§5.2 (filter-like blocks)", .correct),
  ]

  @Test("every claim of the second pass stands once, with its verdict, reproduced by its numbers")
  func inventoried() {
    for (location, verdict) in Self.added {
      let found = manual.filter { $0.location == location }
      #expect(found.count == 1, "\(location)")
      #expect(found.first?.verdict == verdict, "\(location)")
      #expect(found.first?.verdictReproduced == true, "\(location)")
    }
  }

  /// §5.3's new erratum by hand, apart from the claim's code: H = 4, H′ = 3, U = 2, C⁻ = 0, C⁺ = 1.
  /// §5.3's range allows H″ = 9 (8 ≤ H″ < 10); the conv on 9 samples with padding (0, 1) and stride
  /// 2 still has 4 outputs, and the 4th reads x₇, x₈, x₉, so the 9th sample of the transposed
  /// output is f₃x₄ — the sample the bottom crop removes from the uncropped convt, not a zero.
  @Test func extraSamplesDoNotStayZero() throws {
    let c = try #require(manual.first { $0.location == "§5.3 (extra samples stay zero)" })
    // A counterexample, not round-off: the flags differ by 1 against a tolerance of 1e-9.
    #expect(c.readings[0].comparison.relativeError > 100 * c.readings[0].tolerance)
    #expect(c.readings[1].holds)
    let f = Tensor<Double>(shape: Shape(3, 1), storage: [0.5, 0.25, 2])
    let x = Tensor<Double>(shape: Shape(4, 1), storage: [1, 2, 3, 4])
    let j = try Conv(pad: [0, 1, 0, 0], stride: (2, 1)).jacobian(at: Tensor<Double>(shape: Shape(9, 1)), Parameters(w: f), wrt: .x)
    #expect(j.rows == 4)
    let ninth = (0..<4).reduce(0.0) { $0 + j[$1, 8] * x.storage[$1] }
    // f₃x₄ = 2 · 4: one product of small integers, exact in Double.
    #expect(ninth == 8)
    let uncropped = try ConvTranspose(upsample: (2, 1)).forward(x, Parameters(w: f))
    #expect(uncropped.shape.h == 9 && uncropped.storage[8] == 8)
  }
}
