import ConvLabCore
import ConvLabDerive
import Foundation
import Testing

/// The inventory, built once per seed (each build runs every check of the five papers).
private let inventory: [Claim] = { (try? Audit.claims(seed: 1)) ?? [] }()

private func claim(_ paper: Paper, _ location: String) -> Claim? { inventory.first { $0.paper == paper && $0.location == location } }

@Suite("the audit of the papers")
struct AuditTests {
  /// The verdicts are properties of the formulas, not of one instance: they must be
  /// reproduced on several seeds.
  @Test("every verdict is reproduced by its check on seeds 1–3", arguments: [1, 2, 3] as [UInt64])
  func verdictsReproduced(_ seed: UInt64) throws {
    let claims = seed == 1 ? inventory : try Audit.claims(seed: seed)
    #expect(claims.count > 100)
    for c in claims { #expect(c.verdictReproduced, "\(c.citation): \(c.printed) — \(c.readings.map { "\($0.name) \($0.comparison.relativeErrorText)" })") }
  }

  @Test("the verdict rules: ✓ needs every reading to hold, ✗ and ≈ a failing printed reading and a holding intended one, ? one of each")
  func verdictRules() {
    let hold = Reading("a", "a", against: "t", value: [1], truth: [1])
    let fail = Reading("b", "b", against: "t", value: [2], truth: [1])
    func make(_ v: Claim.Verdict, _ r: [Reading]) -> Claim { Claim(.xu, section: "§1", location: "(1)", printed: "p", verdict: v, readings: r) }
    #expect(make(.correct, [hold]).verdictReproduced)
    #expect(!make(.correct, [hold, fail]).verdictReproduced)
    #expect(make(.wrong, [fail, hold]).verdictReproduced)
    #expect(!make(.wrong, [fail]).verdictReproduced)  // no corrected form that holds
    #expect(!make(.wrong, [hold, hold]).verdictReproduced)  // no counterexample
    #expect(make(.garbled, [fail, hold]).verdictReproduced)
    #expect(make(.ambiguous, [fail, hold]).verdictReproduced)
    #expect(!make(.ambiguous, [fail, fail]).verdictReproduced)
    #expect(!make(.ambiguous, [hold]).verdictReproduced)
    #expect(Claim.Verdict.allCases.map(\.symbol) == ["✓", "✗", "≈", "?"])
  }

  @Test("no location has two lines with different verdicts; identifiers are unique")
  func oneVerdictPerLocation() {
    let grouped = Dictionary(grouping: inventory) { "\($0.paper.rawValue) \($0.location)" }
    for (location, claims) in grouped { #expect(Set(claims.map(\.verdict)).count == 1, "\(location): \(claims.map(\.verdict))") }
    #expect(Set(inventory.map(\.id)).count == inventory.count)
  }

  /// The equations a location of the form `(3.15)` or `(3.15)–(3.17)` names, each written out
  /// (`3.15`, `3.16`, `3.17`); nil for any other location (a qualified one, as "(3.5) (the
  /// window)", judges one aspect of the equation, not the whole of it).
  static func equations(_ location: String) -> [String]? {
    guard let m = location.wholeMatch(of: /\(([0-9]+(?:\.[0-9]+)?)\)(?:–\(([0-9]+(?:\.[0-9]+)?)\))?/) else { return nil }
    let first = String(m.1)
    guard let last = m.2.map(String.init) else { return [first] }
    let (a, b) = (first.split(separator: "."), last.split(separator: "."))
    guard a.count == b.count, a.dropLast() == b.dropLast(), let lo = Int(a.last ?? ""), let hi = Int(b.last ?? ""), lo <= hi else { return [first, last] }
    let prefix = a.dropLast().map { $0 + "." }.joined()
    return (lo...hi).map { prefix + String($0) }
  }

  /// No equation gets two contradictory lines (issue 19 item 3): a claim on a whole equation or
  /// a range of equations judges each of them, so every equation a claim names has one verdict
  /// (a range ✓ over an equation that another line calls ✗ would say both).
  @Test func oneVerdictPerEquation() {
    var verdicts: [String: [Claim.Verdict: [String]]] = [:]
    for c in inventory {
      for e in Self.equations(c.location) ?? [] { verdicts["\(c.paper.rawValue) (\(e))", default: [:]][c.verdict, default: []].append(c.location) }
    }
    #expect(Self.equations("(3.15)–(3.17)") == ["3.15", "3.16", "3.17"] && Self.equations("(14)") == ["14"] && Self.equations("(3.5) (the window)") == nil)
    for (equation, byVerdict) in verdicts.sorted(by: { $0.key < $1.key }) where byVerdict.count > 1 {
      Issue.record("\(equation) has \(byVerdict.map { "\($0.key.symbol) at \($0.value.joined(separator: ", "))" }.sorted().joined(separator: "; "))")
    }
  }

  @Test("every erratum carries a numeric counterexample and an intended form that holds")
  func errataHaveCounterexamples() {
    for c in inventory where c.verdict == .wrong || c.verdict == .garbled {
      #expect(c.counterexample != nil && c.intended != nil, "\(c.citation)")
      #expect(c.readings.dropFirst().contains { $0.holds }, "\(c.citation)")
    }
    for c in inventory where c.verdict == .ambiguous { #expect(c.readings.count >= 2, "\(c.citation)") }
  }

  /// Milisavljevic's abstract is a coverage section; its "much slower" sentence is judged on
  /// Table 1 and on the operation counts of §4's networks, counted here by hand: per layer a
  /// size-keeping 3×3 convolution (h²·64·9·C multiply-adds), then the reduction, then 47 outputs.
  @Test func milisavljevicAbstract() throws {
    let abstract = try #require(AuditCoverage.bySection(inventory).first { $0.paper == .milisavljevic && $0.name == "Abstract" })
    #expect(abstract.claims.count == 6)
    let slower = try #require(claim(.milisavljevic, "Abstract (much slower)"))
    #expect(slower.verdict == .ambiguous)
    #expect(slower.readings.map(\.holds) == [true, false, false])
    // No pooling: 28² · 64 · 9 · 1 + 3 · 28² · 64 · 9 · 64 + 28² · 64 · 47 = 89,513,984.
    // Dilation i+2 (padding 1): sides 28 → 26 → 22 → 16 → 8 (28 + 2 − (2d + 1) + 1 for d = 2, 3, 4, 5); each layer a
    // size-keeping convolution at the incoming side, then the dilated one at the new side; 8² · 64 inputs to the 47 outputs.
    let perMap = 64 * 9 * 64
    let dilation = 28 * 28 * 64 * 9 + 26 * 26 * perMap + (26 * 26 + 22 * 22) * perMap + (22 * 22 + 16 * 16) * perMap + (16 * 16 + 8 * 8) * perMap + 8 * 8 * 64 * 47
    #expect(dilation == 107_402_240)
    #expect(slower.note?.contains("89.5 M for no pooling") == true && slower.note?.contains("107.4 M (dilation i+2)") == true)
  }

  // MARK: The five verdicts issue 19 found wrong

  /// Murugan (3.34) prints 1/(1 + exp^{z}); the intended form is the sigmoid, checked against
  /// the sigmoid block — not the loss derivative of a neighbouring step.
  @Test func murugan334IntendedFormIsTheSigmoid() throws {
    let c = try #require(claim(.murugan, "(3.34)"))
    #expect(c.verdict == .wrong)
    #expect(c.intended == "σ(z) = 1/(1 + e^{−z})")
    #expect(c.readings.count == 2 && !c.readings[0].holds && c.readings[1].holds)
    #expect(c.readings[1].against.contains("sigmoid"))
  }

  /// Murugan (3.69) and (3.70)–(3.71) differentiate eq. (3.3)'s true convolution: they hold
  /// there (finite differences agree to ~1e-10) and fail for eq. (3.2)'s correlation.
  @Test(arguments: ["(3.67)–(3.69)", "(3.70)–(3.71)"])
  func murugan369IsAmbiguous(_ location: String) throws {
    let c = try #require(claim(.murugan, location), "no claim at exactly \(location)")
    #expect(c.verdict == .ambiguous)
    // Each equation of the range is judged by this claim alone (no second line elsewhere).
    let ownEquations = ["3.67", "3.68", "3.69", "3.70", "3.71"].filter { AuditCoverage.covers(location, $0) }
    let covering = inventory.filter { other in other.paper == .murugan && ownEquations.contains { AuditCoverage.covers(other.location, $0) } }
    #expect(covering.map(\.location) == [location])
    let underConvolution = try #require(c.readings.first { $0.name.contains("(3.3)") })
    let underCorrelation = try #require(c.readings.first { $0.name.contains("(3.2)") })
    // Central differences of a smooth loss (no ReLU kink or pooling tie within h): error ~h² ≈ 1e-10.
    #expect(underConvolution.comparison.relativeError < 1e-7)
    #expect(underCorrelation.comparison.relativeError > 1e-2)
  }

  /// Table 1 prints the ReLU derivatives with x ≥ 0; the audit quotes that and judges it.
  @Test(arguments: ["Table 1 (ReLU)", "Table 1 (leaky ReLU)"])
  func reluRowsQuotedAsPrinted(_ location: String) throws {
    let c = try #require(claim(.murugan, location))
    #expect(c.printed.contains("if x ≥ 0"))
    #expect(!c.printed.contains("x > 0"))
    #expect(c.verdict == .correct && c.readings.contains { $0.name == "x = 0" })
  }

  /// Xu prints I for the all-ones matrix in (4), (6), (10), (19), (20): one rule, one verdict.
  @Test func xuOnesMatrixOneRule() throws {
    for location in ["(4)", "(6)", "(10)", "(19)", "(20)"] {
      let c = try #require(claim(.xu, location), "\(location)")
      #expect(c.verdict == .garbled, "\(location)")
      #expect(c.readings.first { $0.name == "I read as the identity" }.map { !$0.holds } == true, "\(location)")
      #expect(c.readings.first { $0.name == "I read as the all-ones matrix" }?.holds == true, "\(location)")
    }
  }

  /// A derivation step's words agree with its verdict: "garbled" only on a garbled claim,
  /// "wrong in the source" only on a wrong one (xu-input-error's example after (15)).
  @Test func derivationWordsMatchVerdicts() throws {
    for d in Derivations.all {
      for step in try d.build(Derivations.Instance()).steps {
        guard let check = step.check else { continue }
        let words = step.formula + " " + step.explanation
        if words.contains("garbled") { #expect(check.claimVerdict == .garbled, "\(d.id): \(step.formula)") }
        if words.contains("wrong in the source") { #expect(check.claimVerdict == .wrong, "\(d.id): \(step.formula)") }
      }
    }
    let c = try #require(claim(.xu, "text after (15)"))
    #expect(c.verdict == .wrong)
  }

  // MARK: Notes generated from the inventory

  /// Notes/ERRATA.md and each paper's audit section are the inventory rendered: regenerate
  /// them with `make notes` when a claim changes.
  @Test func notesAgreeWithTheInventory() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let errata = try String(contentsOf: root.appendingPathComponent("Notes/ERRATA.md"), encoding: .utf8)
    #expect(errata.contains(AuditReport.errataMarkdown(inventory)))
    for (paper, file) in [(Paper.xu, "xu"), (.murugan, "murugan"), (.vardhan, "vardhan"), (.milisavljevic, "milisavljevic"), (.matConvNet, "matconvnet")] {
      let note = try String(contentsOf: root.appendingPathComponent("Notes/\(file).md"), encoding: .utf8)
      #expect(note.contains(AuditReport.paperMarkdown(inventory, paper: paper)), "Notes/\(file).md")
    }
  }
}

@Suite("coverage of the papers")
struct AuditCoverageTests {
  /// Every section of every paper is listed; those without claims either say why or show up
  /// as having none.
  @Test func everySectionIsListed() {
    let sections = AuditCoverage.bySection(inventory)
    #expect(sections.count == AuditCoverage.sections.reduce(0) { $0 + $1.sections.count })
    // Each claim's section is one the table knows, so no claim falls outside the coverage.
    let known = Set(AuditCoverage.sections.flatMap { p in p.sections.map { "\(p.paper.rawValue) \($0.name)" } })
    for c in inventory { for s in AuditCoverage.names(c.section) { #expect(known.contains("\(c.paper.rawValue) \(s)"), "\(c.citation): \(c.section)") } }
  }

  /// Every section has claims or says why it has none — and a reason is never stale: a section
  /// that says why it has no claim has none (the referee readings gave several such sections
  /// their first claims).
  @Test func everySectionHasClaimsOrAReasonThatHolds() {
    for s in AuditCoverage.bySection(inventory) {
      #expect(!s.claims.isEmpty || s.noClaims != nil, "\(s.paper.rawValue) \(s.name) has no claim and no reason")
      #expect(s.noClaims == nil || s.claims.isEmpty, "\(s.paper.rawValue) \(s.name) has \(s.claims.count) claims but says: \(s.noClaims ?? "")")
    }
  }

  /// The location parser: ranges with en dashes and parentheses, section prefixes, Vardhan's
  /// appendix numbers, and numbers that are not equations.
  @Test func locationsNameTheRightEquations() {
    #expect(AuditCoverage.covers("(3.28)–(3.38)", "3.30"))
    #expect(!AuditCoverage.covers("(3.28)–(3.38)", "3.39"))
    #expect(AuditCoverage.covers("(15)–(18)", "16"))
    #expect(AuditCoverage.covers("§3.1.1–3.1.2", "§3.1.2"))
    #expect(!AuditCoverage.covers("§3.1.1–3.1.2", "3.1.2"))
    #expect(AuditCoverage.covers("(b-1)–(b-2.3)", "b-2.2"))
    #expect(!AuditCoverage.covers("§2.1, Table 1", "1"))
    #expect(!AuditCoverage.covers("text after (15)", "15"))
    #expect(!AuditCoverage.covers("§6.1", "6.1"))
  }

  @Test func locationsAreNormalized() {
    #expect(Audit.normalized("eq. 3.39–3.40") == "(3.39)–(3.40)")
    #expect(Audit.normalized("(6)") == "(6)")
    #expect(Audit.reference(in: "x   (text after eq. 15, as printed)") == "text after (15)")
    #expect(Audit.reference(in: "f′(x) = …   (Table 1 (sigmoid) as printed)") == "Table 1 (sigmoid)")
    #expect(Audit.section(.murugan, "(3.69)") == "§3.2")
    #expect(Audit.section(.matConvNet, "(6.1)") == "§6.2")
    #expect(Claim(.murugan, section: "§3.2", location: "(3.69)", printed: "", readings: []).citation == "Murugan (3.69)")
    #expect(Claim(.xu, section: "§3.2", location: "text after Xu (15)", printed: "", readings: []).citation == "Xu, text after (15)")
    // The identifier does not depend on the form the location is written in.
    for written in ["(3.34)", "eq. (3.34)", "eq. 3.34", "Murugan (3.34)"] {
      #expect(Claim(.murugan, section: "§3.2", location: written, printed: "", readings: []).id == "murugan-3.34")
    }
    #expect(Claim(.xu, section: "§3.2", location: "text after Xu (15)", printed: "", readings: []).id == "xu-text-after-15")
  }
}
