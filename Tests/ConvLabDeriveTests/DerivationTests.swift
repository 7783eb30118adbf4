import ConvLabCore
import ConvLabDerive
import Testing

@Suite struct DerivationTests {
  /// Every derivation, on several seeds: each correct form holds (finite differences to 1e-6,
  /// exact identities to 1e-9) and each printed form that is wrong fails.
  @Test(arguments: Derivations.all.map(\.id), [UInt64(1), 2, 3])
  func everyStepComesOutAsExpected(id: String, seed: UInt64) throws {
    let d = try Derivations.derivation(id, .init(seed: seed))
    #expect(!d.steps.isEmpty)
    for step in d.steps {
      if let check = step.check {
        #expect(check.asExpected, "\(id) seed \(seed): \(step.formula) — \(check.comparison)")
      }
    }
  }

  @Test func printedFormsAreShownFailing() throws {
    // Xu eq. (6) printed with I, eq. (10) printed with I, the example after eq. (15).
    for id in ["xu-avgpool", "xu-bias", "xu-input-error"] {
      let d = try Derivations.derivation(id)
      #expect(d.steps.contains { $0.check.map { !$0.expectedToHold && !$0.holds } ?? false }, "\(id)")
    }
  }

  @Test func badSizesAreOneSentence() {
    #expect(throws: ConvLabError.self) { try Derivations.derivation("xu-avgpool", .init(size: 3)) }
    #expect(throws: ConvLabError.self) { try Derivations.derivation("no-such-derivation") }
  }
}
