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

@Suite("coverage of the numbered equations")
struct AuditCoverageTests {
  /// Every numbered equation of the five papers (and every section of the manual's chapters
  /// 4–6 and of Vardhan's derivation) is covered by a check or named as not computable.
  @Test func everyNumberedEquationIsCovered() throws {
    let items = AuditCoverage.items(try Audit.entries())
    let missing = items.filter { !$0.isCovered }.map { "\($0.paper) \($0.label)" }
    #expect(missing.isEmpty, "uncovered: \(missing)")
    #expect(items.filter { $0.paper == "Murugan" }.count == 96)  // eq. 2.1–2.15, 3.1–3.80, Table 1
    #expect(items.filter { $0.paper == "Xu" }.count == 23)
    #expect(items.filter { $0.notComputable != nil }.count == AuditCoverage.notComputable.count)
  }

  /// The location parser: ranges with en dashes and parentheses, section prefixes, Vardhan's
  /// appendix numbers, and numbers that are not equations.
  @Test func locationsNameTheRightEquations() {
    #expect(AuditCoverage.covers("eq. 3.28–3.38", "3.30"))
    #expect(!AuditCoverage.covers("eq. 3.28–3.38", "3.39"))
    #expect(AuditCoverage.covers("Xu eq. (15)–(18)", "16"))
    #expect(AuditCoverage.covers("§3.1.1–3.1.2", "§3.1.2"))
    #expect(!AuditCoverage.covers("§3.1.1–3.1.2", "3.1.2"))
    #expect(AuditCoverage.covers("eq. b-1–b-2.3", "b-2.2"))
    #expect(AuditCoverage.covers("eq. 2.14 (3.23)", "3.23"))
    #expect(!AuditCoverage.covers("§2.1, Table 1", "1"))
    #expect(AuditCoverage.covers("§2.1, Table 1", "Table 1"))
    #expect(!AuditCoverage.covers("§6.1", "6.1"))
  }
}
