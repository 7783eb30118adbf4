import ConvLabDerive
import Testing

/// A derivation's title and citation are written once, in the catalogue (`Derivations.all`):
/// `convlab derive --list` and `convlab derive ID` (and the notes' headings) print the same pair
/// (issue 18: 27 of 28 title/citation pairs used to differ between the list and the derivation).
@Suite struct DerivationMetadataTests {
  @Test func everyDerivationCarriesItsCatalogueEntry() throws {
    #expect(Derivations.all.count >= 30)
    #expect(Set(Derivations.all.map(\.id)).count == Derivations.all.count)
    for entry in Derivations.all {
      let d = try Derivations.derivation(entry.id)
      #expect(d.id == entry.id && d.title == entry.title && d.reference == entry.reference, "\(entry.id): built as \(d.id), '\(d.title)', '\(d.reference)'")
      #expect(!entry.title.isEmpty && !entry.reference.isEmpty, "\(entry.id)")
    }
  }
}
