import ConvLabCore
import ConvLabDerive
import Foundation
import Testing

/// Vardhan's claims on seeds 1–3, built once.
private let bySeed: [UInt64: [Claim]] = {
  var out: [UInt64: [Claim]] = [:]
  for seed: UInt64 in 1...3 { out[seed] = ((try? Audit.claims(seed: seed)) ?? []).filter { $0.paper == .vardhan } }
  return out
}()

/// Vardhan's claims on seed `seed` (1, 2 or 3).
private func vardhan(seed: UInt64) throws -> [Claim] { try #require(bySeed[seed]) }

/// Vardhan read as a referee (Sources/ConvLabDerive/Claims/VardhanReferee.swift): every section
/// has claims, and each erratum the reading added carries its counterexample on several instances.
@Suite("Vardhan, read as a referee")
struct VardhanRefereeTests {
  /// Issue 19: every section of the paper, §1 to App. B, has at least one claim.
  @Test func everySectionHasClaims() throws {
    let sections = AuditCoverage.bySection(try vardhan(seed: 1)).filter { $0.paper == .vardhan }
    #expect(sections.count == 13)
    for s in sections { #expect(!s.claims.isEmpty, "\(s.name) has no claim") }
  }

  /// The inventory of the paper, counted by verdict (update when a claim is added or judged anew).
  @Test func countsByVerdict() throws {
    let claims = try vardhan(seed: 1)
    let count = { (v: Claim.Verdict) in claims.filter { $0.verdict == v }.count }
    #expect(claims.count == 102)
    let counts: [Int] = [count(.correct), count(.wrong), count(.garbled), count(.ambiguous)]
    #expect(counts == [68, 16, 16, 2])
  }

  /// Errors in the source this reading inventoried, each with a counterexample under the paper's
  /// own definitions on three instances: the printed reading fails by far more than its tolerance
  /// and the corrected one holds.
  @Test(
    arguments: [
      "§3.1.1 (dA⁽³⁾/dZ⁽³⁾, entries (1, 2) and (n, 2))", "§3.1.2 (B⁽²⁾, its last entry)", "§3.1.2 (dJ/dB⁽²⁾, the entry after the line break)",
      "§3.1.5 (dᵥZ_j/dᵥK_{j,i}, last column)", "§3.1.5 (dᵥZ_j/dᵥA_i, last column)", "App. B (text before b-2.3)",
    ], [UInt64(1), 2, 3])
  func errorsInTheSource(_ location: String, _ seed: UInt64) throws {
    let c = try #require(try vardhan(seed: seed).first { $0.location == location })
    #expect(c.verdict == .wrong)
    let printed = try #require(c.readings.first)
    let corrected = try #require(c.readings.last)
    // A counterexample is a clear failure, not a rounding artefact: at least 100 times the tolerance
    // (1e-9 for exact arithmetic, 1e-7 against central differences).
    #expect(printed.comparison.relativeError > 100 * printed.tolerance, "\(location): \(printed.comparison)")
    #expect(corrected.holds, "\(location): \(corrected.comparison)")
  }

  /// Breaks of the conversion this reading inventoried: the text as converted fails clearly, the
  /// intended form holds.
  @Test(
    arguments: [
      "§3.1.2 (dJ/dᵥA⁽²⁾, last column)", "App. A (rep.1, windows of rows 2–4)", "App. A (rep.3)", "App. B (ᵥI, its last entries)", "App. B (b-2.3)",
      "§3.1.5 (dJ/db⁽²⁾ expanded)", "App. B (range of i_pq)",
    ], [UInt64(1), 2, 3])
  func garbles(_ location: String, _ seed: UInt64) throws {
    let c = try #require(try vardhan(seed: seed).first { $0.location == location })
    #expect(c.verdict == .garbled)
    let converted = try #require(c.readings.first)
    #expect(converted.comparison.relativeError > 100 * converted.tolerance, "\(location): \(converted.comparison)")
    let intendedHold = c.readings.dropFirst().allSatisfy { $0.holds }
    #expect(intendedHold, "\(location)")
  }

  /// One rule for a wrong last entry: after a ⋮ in an otherwise whole list (B⁽²⁾) it is the
  /// source's; as two equal entries side by side with the ⋮ lost (ᵥI, like App. A's ᵥA) it is
  /// the conversion's.
  @Test func lastEntryRule() throws {
    let claims = try vardhan(seed: 1)
    #expect(claims.first { $0.location == "§3.1.2 (B⁽²⁾, its last entry)" }?.verdict == .wrong)
    #expect(claims.first { $0.location == "App. B (ᵥI, its last entries)" }?.verdict == .garbled)
    #expect(claims.first { $0.location == "App. A (vec A)" }?.verdict == .garbled)
  }

  /// §2's I^{[l]} ∈ ℝ^{h_z × w_z}: holds for a channel, fails for the whole layer f(Z^{[l]}).
  @Test func sizeOfIIsAmbiguous() throws {
    let c = try #require(try vardhan(seed: 1).first { $0.location == "§2 (size of I⁽ˡ⁾)" })
    #expect(c.verdict == .ambiguous)
    #expect(!c.readings[0].holds && c.readings[1].holds)
  }
}
