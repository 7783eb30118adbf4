import ConvLabCore
import ConvLabDerive
import Foundation
import Testing

/// Murugan read as a referee (Sources/ConvLabDerive/Claims/MuruganReferee.swift): the numbers
/// behind the new verdicts, beyond "the verdict is reproduced" (AuditTests).
@Suite("Murugan read as a referee")
struct MuruganRefereeTests {
  private static func claim(_ claims: [Claim], _ location: String) throws -> Claim {
    try #require(claims.first { $0.paper == .murugan && $0.location == location }, "no Murugan claim at exactly \(location)")
  }

  /// The ReLU of Murugan (3.4): on a network with a dead pooling window (four negative
  /// pre-activations) the printed kernel and bias gradients, fed (3.66)'s ∂L/∂C, are off by the
  /// dead window's error, and restoring σ′ = ReLU′ gives central differences back.
  @Test(arguments: [1, 2, 3] as [UInt64])
  func reluOfMurugan34MattersOnADeadWindow(_ seed: UInt64) throws {
    let claims = try Audit.claims(seed: seed)
    for location in ["(3.67)–(3.69)", "(3.70)–(3.71)", "(3.72)–(3.74)"] {
      let c = try Self.claim(claims, location)
      #expect(c.verdict == .ambiguous, "\(location)")
      let dead = try #require(c.readings.first { $0.name.hasPrefix("C as (3.4)") && $0.name.contains("(3.66)") }, "\(location)")
      // The dead window's error is of the order of the gradient itself, not a rounding effect.
      #expect(dead.comparison.relativeError > 1e-2, "\(location): \(dead.comparison.relativeErrorText)")
      // "σ′ restored" for the kernel; for the bias (3.73) itself keeps σ′.
      let restored = try #require(c.readings.first { $0.name.contains("σ′") || $0.name.hasPrefix("(3.73) as printed") }, "\(location)")
      // Central differences of a loss smooth at the instance (no pre-activation within 0.01 of
      // the kink, far beyond the step ~1e-5): truncation error ~h², so 1e-7 is ample.
      #expect(restored.comparison.relativeError < 1e-7, "\(location): \(restored.comparison.relativeErrorText)")
    }
  }

  /// The last gaps (issue 19): (3.78)'s y₁ drops output 2's share of the bias step, by far more
  /// than the central differences' error; (3.79) read with one entry k₁₁ moves the whole bank by
  /// one derivative; §2.2's sigmoid never returns one or zero.
  @Test(arguments: [1, 2, 3] as [UInt64])
  func gapsOfMurugan(_ seed: UInt64) throws {
    let claims = try Audit.claims(seed: seed)
    let y1 = try Self.claim(claims, "(3.78) (the target y₁)")
    #expect(y1.verdict == .wrong && y1.readings.count == 2)
    // Output 2's share is of the order of the step itself (seed 1: 3e-1), not a rounding effect.
    #expect(y1.readings[0].comparison.relativeError > 1e-3, "\(y1.readings[0].comparison.relativeErrorText)")
    #expect(y1.readings[1].holds)
    let k = try Self.claim(claims, "(3.79) (k against k_{u,v})")
    #expect(k.verdict == .ambiguous && k.readings[0].holds && !k.readings[1].holds)
    let zeroOrOne = try Self.claim(claims, "§2.2 (one or zero)")
    #expect(zeroOrOne.verdict == .wrong)
    // The printed count (12 outputs in {0, 1}) against the sigmoid's 0: the worst entry is that pair.
    #expect(zeroOrOne.readings[0].comparison.worstValues == (12, 0))
  }

  /// The stated sizes: the counterexample's worst entry is the pair of counts a reader can check
  /// by hand on the derivations' network (6×6 image, 3×3 kernel, 2×2 pool, 4 → 3 → 2 dense).
  @Test func statedSizesCountedByHand() throws {
    let claims = try Audit.claims(seed: 1)
    let expected: [(String, Double, Double)] = [
      ("(3.5) (the window)", 16, 4),  // P = C: 4×4 values, (2.2) gives 2×2
      ("(3.18)", 1, 3),  // one column of weights: (Wˡ)ᵀa is one number, aˡ has 3 units
      ("(3.40) (shape of ∂L/∂Wᴸ)", 2, 6),  // one entry per output, W² has 3 × 2 weights
      ("(3.54) (shape of ∂L/∂Wˡ)", 3, 12),  // one entry per hidden unit, W¹ has 4 × 3 weights
      ("(3.1)–(3.2) (index range of i, j)", 3, 4),  // i from 1: rows 1…3 stay inside, (2.1) gives 4
      ("(3.3) (index range of m, n)", 1, 4),  // m from 1: only m = 4 has every I_{m−u} inside
    ]
    for (location, printed, truth) in expected {
      let c = try Self.claim(claims, location)
      let first = try #require(c.readings.first)
      #expect(!first.holds, "\(location)")
      #expect(first.comparison.worstValues == (printed, truth), "\(location): \(first.comparison.worstValues)")
    }
  }

  /// (3.3)–(3.4) sum over the output indices m, n: the printed map is one constant, the
  /// corrected sum over u, v is MATLAB's conv2(I, K, 'valid') + b to rounding.
  @Test func summationVariablesOfMurugan33() throws {
    let c = try Self.claim(try Audit.claims(seed: 1), "(3.3)–(3.4) (summation variables)")
    #expect(c.verdict == .wrong)
    #expect(c.readings[0].comparison.relativeError > 0.1)
    // Nine products summed in Double against conv2's own loop: a few ulps.
    #expect(c.readings[1].comparison.relativeError < 1e-13)
  }

  /// Every section of Murugan that states something checkable has claims.
  @Test func everyMuruganSectionWithFormulasHasClaims() throws {
    let sections = AuditCoverage.bySection(try Audit.claims(seed: 1)).filter { $0.paper == .murugan }
    for name in ["§2.1", "§2.2", "§2.3", "§2.4", "§2.5.1", "§2.5.2", "§2.5.3", "§2.5.4", "§2.5.5", "§2.5.6", "§2.5.7", "§3.1", "§3.2", "§3.3"] {
      let s = try #require(sections.first { $0.name == name }, "\(name)")
      #expect(!s.claims.isEmpty, "\(name) has no claim")
    }
  }
}
