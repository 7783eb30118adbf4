import ConvLabCore

/// The five source papers, by the short names used in citations (`Xu (16)`, `MatConvNet §6.1`).
public enum Paper: String, Sendable, CaseIterable {
  case xu = "Xu"
  case murugan = "Murugan"
  case vardhan = "Vardhan"
  case milisavljevic = "Milisavljevic"
  case matConvNet = "MatConvNet"

  /// The paper named `name`, ignoring case ("xu", "MATCONVNET").
  public static func named(_ name: String) -> Paper? { allCases.first { $0.rawValue.lowercased() == name.lowercased() } }
}

/// One reading of a printed claim, checked on numbers: the formula as read, what it is compared
/// with, and the relative error.
///
/// A claim has one reading when its text is unambiguous (the reading "as printed"), two when
/// the printed text is wrong or garbled (as printed, and the intended form), and one per
/// definition when the paper's own definitions admit several (Murugan (3.3) against (3.2)).
public struct Reading: Sendable {
  /// What this reading takes the text to mean ("as printed", "under Murugan (3.3), a true convolution").
  public let name: String
  /// The formula under this reading (Unicode).
  public let formula: String
  /// The independent ground truth it is compared with ("central differences of L", "the conv block").
  public let against: String
  /// The reading's numbers against the ground truth.
  public let comparison: Comparison
  /// The largest relative error that still counts as agreement (each call site says why).
  public let tolerance: Double

  /// Whether the reading agrees with the ground truth: relative error ≤ tolerance.
  public var holds: Bool { comparison.passes(tolerance) }

  /// A reading whose numbers are already compared (`comparison` of the reading's value with its truth).
  public init(_ name: String, _ formula: String, against: String, _ comparison: Comparison, tolerance: Double = 1e-9) {
    self.name = name
    self.formula = formula
    self.against = against
    self.comparison = comparison
    self.tolerance = tolerance
  }

  /// A reading compared entry by entry: `value` under the reading against `truth`.
  public init(_ name: String, _ formula: String, against: String, value: [Double], truth: [Double], tolerance: Double = 1e-9) {
    self.init(name, formula, against: against, Comparison(value, truth), tolerance: tolerance)
  }
}

/// One checkable claim of a paper: where it stands, what is printed, how it reads, what the
/// numbers say, and the verdict.
///
/// The verdict rules (the audit applies them the same way everywhere):
/// - ✓ *correct*: every reading holds under the paper's own definitions (where ConvLab's
///   convention differs, `note` says how the two map).
/// - ✗ *wrong in the source*: the printed reading fails under the paper's own definitions — the
///   failing reading is the numeric counterexample — and the corrected reading holds.
/// - ≈ *garbled in conversion*: the text as converted fails, the intended form holds, and the
///   break is the conversion's (for the MatConvNet manual the LaTeX source decides; for the
///   others the paper's own consistency, said in `note`).
/// - ? *ambiguous*: the paper's definitions admit several readings; each is checked, at least
///   one holds and at least one fails, and the readings' names say under which it holds.
public struct Claim: Sendable {
  /// The verdict, with the symbol `convlab audit` prints for it.
  public enum Verdict: String, Sendable, CaseIterable {
    case correct
    case wrong = "wrong in the source"
    case garbled = "garbled in conversion"
    case ambiguous

    /// ✓ correct, ✗ wrong in the source, ≈ garbled in conversion, ? ambiguous.
    public var symbol: String {
      switch self {
      case .correct: return "✓"
      case .wrong: return "✗"
      case .garbled: return "≈"
      case .ambiguous: return "?"
      }
    }
  }

  /// What kind of statement the claim is (issue 19's list: most errors sit outside the
  /// numbered equations).
  public enum Kind: String, Sendable, CaseIterable {
    case equation = "numbered equation"
    case display = "unnumbered display"
    case size = "stated size or shape"
    case indexRange = "index range or summation limit"
    case example = "worked example"
    case table = "table or caption"
    case crossReference = "cross-reference"
    case prose = "prose claim"
  }

  /// Stable identifier, `paper-location` in lower case ("murugan-3.34", "xu-text-after-15").
  public let id: String
  /// The paper that prints it.
  public let paper: Paper
  /// The section it stands in ("§3.2", "App. A", "§5.4").
  public let section: String
  /// Where in the section, in the paper's own numbering without its name: an equation
  /// ("(3.34)", "(3.39)–(3.40)"), "text after (15)", "Table 1", "App. A (a1-2)", "§5.4" (the
  /// citation format of Docs/architecture.md, Citations; `Claim.location(_:_:)` reads older forms).
  public let location: String
  /// What kind of statement it is.
  public let kind: Kind
  /// The claim quoted as printed (Unicode transcription of the converted text).
  public let printed: String
  /// The readings checked; the first is the printed text as read literally.
  public let readings: [Reading]
  /// The verdict, by the rules above.
  public let verdict: Verdict
  /// The corrected or intended form, where the printed one does not hold.
  public let intended: String?
  /// Why the verdict is this one (a garble's evidence, how ConvLab's convention maps).
  public let note: String?

  /// A claim of `paper` at `location` in `section`; `id` defaults to `paper-location` in lower case.
  public init(
    _ paper: Paper, section: String, location: String, kind: Kind = .equation, id: String? = nil, printed: String,
    verdict: Verdict = .correct, intended: String? = nil, note: String? = nil, readings: [Reading]
  ) {
    self.paper = paper
    self.section = section
    self.location = Claim.location(paper, location)
    self.kind = kind
    self.printed = printed
    self.verdict = verdict
    self.intended = intended
    self.note = note
    self.readings = readings
    self.id = id ?? Claim.identifier(paper, location)
  }

  /// "murugan-3.34" from (Murugan, "(3.34)"); "xu-text-after-15" from "text after (15)". Any form
  /// `Claim.location(_:_:)` reads gives the same identifier ("Murugan (3.34)", or "(3.34)" after
  /// "eq.").
  static func identifier(_ paper: Paper, _ location: String) -> String {
    let cleaned = Claim.location(paper, location).lowercased().filter { !"()".contains($0) }
    let words = cleaned.split { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "–") }
    return ([paper.rawValue.lowercased()] + words.map(String.init)).joined(separator: "-")
  }

  /// A location in the citation format, without the paper's own name (`Audit.normalized` first):
  /// "Murugan (3.39)–(3.40)" → "(3.39)–(3.40)", "text after Xu (15)" → "text after (15)" for Xu, "App. A (Vardhan (a1-2))"
  /// → "App. A (a1-2)" for Vardhan. Another paper named in it is kept ("§4.1 (MatConvNet §6.1)").
  public static func location(_ paper: Paper, _ location: String) -> String {
    var place = Audit.normalized(location)
    // "App. A (Vardhan (a1-2))" → "App. A ((a1-2))" → "App. A (a1-2)".
    place = place.replacingOccurrences(of: "\\b\(paper.rawValue) (?=\\(|§|Table|App\\.)", with: "", options: .regularExpression)
    place = place.replacingOccurrences(of: "\\(\\((\(Audit.equationNumber))\\)", with: "($1", options: .regularExpression)
    return place
  }

  /// Whether the numbers reproduce the verdict (the rules in the type's documentation).
  public var verdictReproduced: Bool {
    guard let first = readings.first else { return false }
    switch verdict {
    case .correct: return readings.allSatisfy(\.holds)
    case .wrong, .garbled: return !first.holds && readings.count >= 2 && readings.dropFirst().contains(where: \.holds)
    case .ambiguous: return readings.count >= 2 && readings.contains(where: \.holds) && readings.contains { !$0.holds }
    }
  }

  /// The numeric counterexample of an erratum: the failing reading (nil for a correct claim).
  public var counterexample: Reading? { verdict == .correct ? nil : readings.first { !$0.holds } }
}

extension Comparison {
  /// The relative error as a short string ("3.2e-11", "NaN").
  public var relativeErrorText: String { relativeError.isFinite ? formatScientific(relativeError) : "NaN" }
}

extension Claim {
  /// A claim that holds as printed: one reading, `value` against `truth`.
  static func holds(
    _ paper: Paper, _ section: String, _ location: String, kind: Kind = .equation, _ printed: String,
    against: String, value: [Double], truth: [Double], tolerance: Double = 1e-9, note: String? = nil
  ) -> Claim {
    Claim(
      paper, section: section, location: location, kind: kind, printed: printed, note: note,
      readings: [Reading("as printed", printed, against: against, value: value, truth: truth, tolerance: tolerance)])
  }

  /// A claim that does not hold as printed: the printed reading (the counterexample) and the
  /// intended one, both against `truth` (or the intended one against its own `intendedTruth`).
  static func fails(
    _ paper: Paper, _ section: String, _ location: String, kind: Kind = .equation, _ verdict: Verdict, _ printed: String,
    printedReading: String = "as printed", intended: String, intendedReading: String = "corrected", against: String,
    printedValue: [Double], intendedValue: [Double], truth: [Double], intendedTruth: [Double]? = nil,
    tolerance: Double = 1e-9, note: String? = nil
  ) -> Claim {
    Claim(
      paper, section: section, location: location, kind: kind, printed: printed, verdict: verdict, intended: intended, note: note,
      readings: [
        Reading(printedReading, printed, against: against, value: printedValue, truth: truth, tolerance: tolerance),
        Reading(intendedReading, intended, against: against, value: intendedValue, truth: intendedTruth ?? truth, tolerance: tolerance),
      ])
  }
}
