import ConvLabCore
import ConvLabDerive
import Testing

@Suite("the audit of the papers")
struct AuditTests {
  /// The verdicts are properties of the formulas, not of one instance: they must hold on
  /// several seeds.
  @Test("every verdict holds on seeds 1–3", arguments: [1, 2, 3] as [UInt64])
  func verdictsHold(_ seed: UInt64) throws {
    let entries = try Audit.entries(seed: seed)
    for e in entries { #expect(e.verdictHolds, "\(e.paper) \(e.location): \(e.claim)") }
  }

  @Test("all five papers are audited; every claim that fails as printed has a corrected form with evidence")
  func coverage() throws {
    let entries = try Audit.entries()
    #expect(Set(entries.map(\.paper)) == ["Xu", "Murugan", "Vardhan", "Milisavljevic", "MatConvNet"])
    for e in entries where e.verdict != .correct {
      #expect(e.corrected != nil, "\(e.paper) \(e.location)")
      #expect(!e.printed.passes(e.tolerance), "\(e.paper) \(e.location) printed form should fail")
    }
    // The known errata (README "Errata"): Murugan's sigmoid derivative, MSLE, MatConvNet §5.4.
    #expect(entries.contains { $0.paper == "Murugan" && $0.location == "Table 1" && $0.verdict == .wrong })
    #expect(entries.contains { $0.paper == "Murugan" && $0.location == "eq. 2.5" && $0.verdict == .wrong })
    #expect(entries.contains { $0.paper == "MatConvNet" && $0.location == "§5.4 Example 1" && $0.verdict == .wrong })
    #expect(entries.contains { $0.paper == "Xu" && $0.location.contains("6") && $0.verdict == .wrong })
  }
}
