import ConvLabCore
import ConvLabDerive
import Foundation
import Testing

/// The MatConvNet manual's claims only, built once.
private let manual: [Claim] = { ((try? Audit.claims(seed: 1)) ?? []).filter { $0.paper == .matConvNet } }()

private func claim(_ location: String) -> Claim? { manual.first { $0.location == location } }

/// The manual's chapter of a section ("§5.2.1" → 5).
private func chapter(_ section: String) -> Int? { section.dropFirst().split(separator: ".").first.flatMap { Int($0) } }

@Suite("the MatConvNet manual, line by line")
struct MatConvNetAuditTests {
  /// The verdicts hold on other instances too (AuditTests covers seeds 1–3 for all papers).
  @Test("every verdict of the manual is reproduced on seeds 4 and 5", arguments: [4, 5] as [UInt64])
  func verdictsOnMoreSeeds(_ seed: UInt64) throws {
    let claims = try Audit.claims(seed: seed).filter { $0.paper == .matConvNet }
    #expect(claims.count == manual.count)
    for c in claims { #expect(c.verdictReproduced, "\(c.citation): \(c.readings.map { "\($0.name) \($0.comparison.relativeErrorText)" })") }
  }

  /// An independent numerical audit found at least 21 errors in the source in chapters 4–6.
  @Test func chaptersFourToSixReportAtLeast21ErrorsInTheSource() {
    let errors = manual.filter { $0.verdict == .wrong && (4...6).contains(chapter($0.section) ?? 0) }
    #expect(errors.count >= 21, "\(errors.map(\.location))")
  }

  /// The errors this audit added, each with its counterexample: the printed reading fails by far
  /// more than its tolerance and the corrected one holds.
  @Test(arguments: [
    "§4.1 (padding and stride)", "§4.2 (example: inputs)", "§4.5.3 (cross-reference)", "§4.6.3 (p-th power)",
    "§5.6 (β_g for β_hg)", "§6.2 (expansion, first line)", "§6.4.2 (index)", "§6.5.4 (upper limit K)",
  ])
  func newErrorsInTheSource(_ location: String) throws {
    let c = try #require(claim(location))
    #expect(c.verdict == .wrong)
    let printed = try #require(c.readings.first)
    let corrected = try #require(c.readings.last)
    // A counterexample is a clear failure, not a rounding artefact: at least 100 times the tolerance
    // (the tolerances are 1e-9 for exact arithmetic and 1e-6 against central differences).
    #expect(printed.comparison.relativeError > 100 * printed.tolerance, "\(location): \(printed.comparison)")
    #expect(corrected.holds, "\(location): \(corrected.comparison)")
  }

  /// §6.5.4's words: dividing by max_d x_d (not by its exponential) leaves e^x to overflow, so the
  /// printed reading is NaN at scores near 1000 while the display's guard stays exact.
  @Test func overflowGuardWords() throws {
    let c = try #require(claim("§6.5.4 (overflow guard, words)"))
    #expect(c.verdict == .wrong)
    #expect(c.readings[0].comparison.relativeError.isNaN)
    // Subtracting the maximum changes each exponent by the same amount: exact up to round-off (1e-12).
    #expect(c.readings[1].comparison.relativeError < 1e-12)
  }

  /// A garble is decided by the LaTeX source, and the note quotes it.
  @Test func everyGarbleQuotesTheLaTeX() {
    for c in manual where c.verdict == .garbled { #expect(c.note?.contains("LaTeX source") == true, "\(c.citation)") }
    for location in ["§4.3 (max pooling)", "§5.2.1 (rewritten size)", "§5.2.1 (rearranged)", "§5.2.1 (equivalent condition)"] {
      #expect(claim(location)?.verdict == .garbled, "\(location)")
    }
  }

  /// Eq. (4.1) evaluated with its own indices is the convt block, to round-off (a sum of at most
  /// 2 · 2 · 2 products of numbers below 1: Double round-off ~1e-16, so 1e-12 is generous).
  @Test func equation41IsTheConvtBlock() throws {
    let c = try #require(claim("(4.1)"))
    #expect(c.verdict == .correct)
    #expect(c.readings[0].comparison.relativeError < 1e-12)
    // The definition of q: with S its second argument eq. (4.1) holds; with S_h in both directions it
    // fails for S_w = 3 ≠ S_h = 2.
    let q = try #require(claim("§4.2 (definition of q)"))
    #expect(q.verdict == .ambiguous && q.readings[0].holds && !q.readings[1].holds)
  }

  /// §5.2.1's rewritten size, by hand (independent of the claim's code): H = 5, H′ = 3, S = 2,
  /// no padding. Caffe's size is ⌈2/2⌉ + 1 = 2; the converted ⌈(5 − 1)/2 + (2 − 3)/2⌉ + 1 = ⌈1.5⌉ + 1 = 3;
  /// the LaTeX's ⌊1.5⌋ + 1 = 2.
  @Test func rewrittenCaffeSizeByHand() throws {
    let caffe = Int((Double(5 - 3) / 2).rounded(.up)) + 1
    let converted = Int((4.0 / 2 + -1.0 / 2).rounded(.up)) + 1
    let latex = Int((4.0 / 2 + -1.0 / 2).rounded(.down)) + 1
    #expect(caffe == 2 && converted == 3 && latex == 2)
    let c = try #require(claim("§5.2.1 (rewritten size)"))
    #expect(!c.readings[0].holds && c.readings[1].holds)
  }

  /// Chapters 1–3 now have claims in every section but those that state nothing checkable.
  @Test func chaptersOneToThreeAreCovered() {
    for s in AuditCoverage.bySection(manual) where s.paper == .matConvNet && (1...3).contains(chapter(s.name) ?? 0) {
      #expect(!s.claims.isEmpty || s.noClaims != nil, "\(s.name) has no claim and no reason")
    }
    let reasons = AuditCoverage.bySection(manual).filter { $0.paper == .matConvNet && $0.noClaims != nil }.map(\.name)
    #expect(Set(reasons) == ["§1.6", "§3.2", "§3.3"])
    // Both numbered equations of chapter 2 are checked.
    #expect(AuditCoverage.uncoveredEquations(manual).filter { $0.paper == .matConvNet }.isEmpty)
  }

  /// The speeds of §1.4 against Table 1.1, by hand: 264.1/192.4 = 1.37 ("about 40 % faster"),
  /// 264.1/22.1 = 11.9 ("more than 10 times").
  @Test func speedClaimsAgainstTheTable() throws {
    #expect(abs(264.1 / 192.4 - 1.373) < 1e-3 && 264.1 / 22.1 > 11.9)
    for location in ["§1.4 (CuDNN against CuBLAS)", "§1.4 (GPU against CPU)", "§1.4 (multiple GPUs)"] {
      #expect(claim(location)?.verdict == .correct && claim(location)?.verdictReproduced == true, "\(location)")
    }
  }

  /// §2.3.1: the DAG derivative (2.2) and backpropagation over blocks agree with central
  /// differences of a smooth three-block DAG (error ~h² ≈ 1e-10 relative; 1e-6 leaves room).
  @Test func dagDerivativesAgreeWithFiniteDifferences() throws {
    for location in ["(2.2)", "§2.3.1 (derivative in x₀)", "§2.3.1 (backtracking over blocks)"] {
      let c = try #require(claim(location))
      #expect(c.readings[0].comparison.relativeError < 1e-6, "\(location): \(c.readings[0].comparison)")
    }
  }
}
