import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// The claim inventory of the five papers (`convlab audit`, Notes/ERRATA.md): every claim
/// checked on numbers, one verdict per claim.
///
/// Two sources feed it: each paper's claims file (`Claims/*.swift`) and every checked step of
/// the step-by-step derivations (`convlab derive`), so a derivation and the audit can never
/// disagree about a formula. A claims file's entry takes precedence over a derivation step at
/// the same location, so no location gets two lines.
public enum Audit {
  /// The whole inventory, on the seeded instance `seed`, in paper order.
  public static func claims(seed: UInt64 = 1) throws -> [Claim] {
    var all: [Claim] = []
    for paper in Paper.allCases {
      let files: [Claim]
      switch paper {
      case .xu: files = try XuClaims.claims(seed: seed)
      case .murugan: files = try MuruganClaims.claims(seed: seed)
      case .vardhan: files = try VardhanClaims.claims(seed: seed)
      case .milisavljevic: files = try MilisavljevicClaims.claims(seed: seed)
      case .matConvNet: files = try MatConvNetClaims.claims(seed: seed)
      }
      // The symbolic worked examples that no claims file judges (WorkedExampleClaims).
      let own = files + (try WorkedExampleClaims.claims(paper, seed: seed))
      let taken = Set(own.map(\.location))
      let fromSteps = try fromDerivations(paper, seed: seed)
      // A step that holds at a location some claim judges otherwise is one reading of that claim
      // (e.g. Xu (13) read as a correlation), already checked there: no second, contradictory line.
      let flagged = Set((own + fromSteps).filter { $0.verdict != .correct }.map(\.location))
      let derived = fromSteps.filter { !taken.contains($0.location) && !($0.verdict == .correct && flagged.contains($0.location)) }
      all += uniqueIdentifiers(own + derived)
    }
    return all
  }

  /// Claims sharing an identifier get a counter ("matconvnet-§6.1", "matconvnet-§6.1-2").
  static func uniqueIdentifiers(_ claims: [Claim]) -> [Claim] {
    var seen: [String: Int] = [:]
    return claims.map { c in
      let n = (seen[c.id] ?? 0) + 1
      seen[c.id] = n
      guard n > 1 else { return c }
      return Claim(
        c.paper, section: c.section, location: c.location, kind: c.kind, id: "\(c.id)-\(n)", printed: c.printed,
        verdict: c.verdict, intended: c.intended, note: c.note, readings: c.readings)
    }
  }

  /// φ(x) of one image for an FH×FW filter, stride 1, no padding.
  static func im2row(_ x: Tensor<Double>, kh: Int, kw: Int) throws -> Matrix<Double> {
    try Im2Row(geometry: FilterGeometry(kh: kh, kw: kw), h: x.shape.h, w: x.shape.w, d: x.shape.d).phi(x)
  }

  static func trace(_ m: Matrix<Double>) -> Double { (0..<min(m.rows, m.cols)).reduce(0) { $0 + m[$1, $1] } }

  /// A claim from a location written as "§5.2", "(6.1)" or "§3.1.5, App. A": the section is
  /// read off the location (or the paper's equation numbering).
  static func entry(
    _ paper: Paper, _ location: String, _ claim: String, _ verdict: Claim.Verdict = .correct, corrected: String? = nil,
    against: String, printed: ([Double], [Double]), correctedValues: [Double]? = nil, tolerance: Double = 1e-9,
    kind: Claim.Kind? = nil, note: String? = nil
  ) -> Claim {
    let place = Claim.location(paper, location)
    var readings = [Reading("as printed", claim, against: against, value: printed.0, truth: printed.1, tolerance: tolerance)]
    if let values = correctedValues, let c = corrected { readings.append(Reading("corrected", c, against: against, value: values, truth: printed.1, tolerance: tolerance)) }
    return Claim(
      paper, section: section(paper, place), location: place, kind: kind ?? (place.hasPrefix("(") ? .equation : .prose), printed: claim,
      verdict: verdict, intended: corrected, note: note, readings: readings)
  }

  // MARK: Every checked step of the derivations

  /// Each paper's derivations (`convlab derive …`) are claims too: a step that holds as printed
  /// is a correct claim; a printed form that fails carries its own verdict and its intended
  /// reading with its own numbers. Steps that show ConvLab's correction ("corrected") are the
  /// intended reading of a printed claim, not claims of the paper.
  static func fromDerivations(_ paper: Paper, seed: UInt64) throws -> [Claim] {
    var out: [Claim] = []
    for d in Derivations.all where d.id.hasPrefix(paper.rawValue.lowercased() + "-") {
      let derivation = try d.build(Derivations.Instance(seed: seed))
      for step in derivation.steps {
        guard let check = step.check else { continue }
        if check.expectedToHold && step.formula.contains("corrected") { continue }
        // A formula may mention another paper's section ("MatConvNet §6.1"): only this paper's numbers locate it.
        let own = ownText(step.formula, paper: paper)
        // A step that only compares two of ConvLab's implementations ("the same through the conv
        // block") checks ConvLab, not a printed claim of the paper.
        if check.expectedToHold && reference(in: own) == nil && step.formula.contains("block") { continue }
        let location = Claim.location(paper, reference(in: own) ?? d.reference.replacingOccurrences(of: paper.rawValue + " ", with: ""))
        let printedName = check.expectedToHold ? "as printed" : check.printedReading
        let first = Reading(printedName, step.formula, against: check.against, check.comparison, tolerance: check.tolerance)
        let kind: Claim.Kind = location.hasPrefix("(") ? .equation : location.hasPrefix("Table") ? .table : location.hasPrefix("text") ? .example : .display
        let ownSection = section(paper, location)
        let stepSection = ownSection == "—" ? section(paper, normalized(d.reference.replacingOccurrences(of: paper.rawValue + " ", with: ""))) : ownSection
        out.append(
          Claim(
            paper, section: stepSection, location: location, kind: kind, printed: step.formula,
            verdict: check.claimVerdict, intended: check.otherReadings.first?.formula, note: check.note,
            readings: [first] + check.otherReadings))
      }
    }
    return out
  }

  /// An equation number as the papers print it: "16", "3.69", Vardhan's "a1-2", "b-2.3".
  public static let equationNumber = "(?:[0-9]+(?:\\.[0-9]+)?|[ab][0-9]*-[0-9]+(?:\\.[0-9]+)?)"

  /// The five papers' names, as a regular-expression alternation.
  static let paperNames = "(?:" + Paper.allCases.map(\.rawValue).joined(separator: "|") + ")"

  /// A step's formula with the citations of papers other than `paper` removed ("MatConvNet §6.1"
  /// in a Xu step), so that only `paper`'s own numbers locate the step.
  public static func ownText(_ formula: String, paper: Paper) -> String {
    guard paper != .matConvNet else { return formula }
    return formula.replacingOccurrences(of: "MatConvNet (§[0-9.]*[0-9]|\\(\(equationNumber)\\)(–\\(\(equationNumber)\\))?|eq\\. [0-9.]+)", with: "", options: .regularExpression)
  }

  /// The location named in a step's formula, normalized: "Xu (6)" → "(6)", "Murugan (3.39)–(3.40)"
  /// → "(3.39)–(3.40)", "text after Xu (15)" → "text after (15)", "Table 1 (sigmoid)", "App. A",
  /// "§3.1.5" (the older form, "eq." before the number, is read too).
  public static func reference(in text: String) -> String? {
    let textAfter = "text after (?:eqs?\\. ?|\(paperNames) )?\\(?[0-9.]+\\)?"
    if let r = text.range(of: textAfter, options: .regularExpression) {
      return normalized(String(text[r]).replacingOccurrences(of: paperNames + " ", with: "", options: .regularExpression))
    }
    // An equation: "Xu (6)", "Vardhan App. A (a1-2)", "Xu §3.1.1 (6)", or the older form with "eq.".
    let named = "\(paperNames) (?:App\\. [AB] |§[0-9.]*[0-9] )?\\(\(equationNumber)\\)(?:–\\(\(equationNumber)\\))?"
    let old = "eqs?\\. ?\\(?[a-z]?-?[0-9.]*[0-9]\\)?([–-]\\(?[a-z]?-?[0-9.]*[0-9]\\)?)?"
    for pattern in ["Table [0-9]+( \\([a-zA-Z ]+\\))?", named + "|" + old, "App\\. [AB]", "§[0-9.]*[0-9]([–-][0-9.]*[0-9])?"] {
      if let r = text.range(of: pattern, options: .regularExpression) { return normalized(String(text[r])) }
    }
    return nil
  }

  /// A location in the citation format, without a paper name before its equation number:
  /// "Xu (6)" → "(6)"; "Vardhan App. A (a1-2)" → "(a1-2)" (the equation names its appendix). The
  /// older form, "eq." before the number with or without parentheses ("3.39–3.40" with it), is
  /// rewritten: "(3.39)–(3.40)".
  public static func normalized(_ location: String) -> String {
    var place = location
    // "Vardhan App. A (a1-2)", "Xu §3.1.1 (6)" (a reference found in a formula): the equation.
    let named = "^\(paperNames) (?:App\\. [AB] |§[0-9.]*[0-9] )?(?=\\(\(equationNumber)\\))"
    place = place.replacingOccurrences(of: named, with: "", options: .regularExpression)
    let old = "eqs?\\. ?\\(?[a-z]?-?[0-9.]*[0-9]\\)?([–-]\\(?[a-z]?-?[0-9.]*[0-9]\\)?)?"
    guard let r = place.range(of: old, options: .regularExpression) else { return place }
    let numbers = place[r].replacingOccurrences(of: "eqs. ", with: "").replacingOccurrences(of: "eq. ", with: "").replacingOccurrences(of: "eq.", with: "")
      .replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "")
    let ends = AuditCoverage.splitRange(numbers)
    let formatted = "(\(ends.0))" + (ends.1.map { "–(\($0))" } ?? "")
    return place.replacingCharacters(in: r, with: formatted)
  }

  /// The section a location stands in: its own "§…" if it names one, else the paper's
  /// equation numbering.
  public static func section(_ paper: Paper, _ location: String) -> String {
    if let r = location.range(of: "§[0-9.]*[0-9]", options: .regularExpression) { return String(location[r]) }
    if location.contains("App. A") { return "App. A" }
    if location.contains("App. B") || location.contains("b-") { return "App. B" }
    if location.hasPrefix("Table 1") { return paper == .murugan ? "§2.2" : "§2.1" }
    guard let r = location.range(of: "[0-9]+(\\.[0-9]+)?", options: .regularExpression), let first = AuditCoverage.parse(String(location[r])) else { return "—" }
    let n = first.numbers
    switch paper {
    case .xu:
      let e = n[0]
      return e == 1 ? "§2.1" : e == 2 ? "§2.2.1" : e == 3 ? "§2.2.2" : e <= 6 ? "§3.1.1" : e <= 8 ? "§3.1.2" : e <= 14 ? "§3.1.3" : e <= 18 ? "§3.2" : "§3.2.1.2"
    case .murugan:
      guard n.count == 2 else { return "—" }
      if n[0] == 2 {
        let sections = [1: "§2.1", 2: "§2.3", 3: "§2.5", 4: "§2.5.1", 5: "§2.5.2", 6: "§2.5.3", 7: "§2.5.4", 8: "§2.5.5", 9: "§2.5.6"]
        return sections[n[1]] ?? "§2.5.7"
      }
      return n[1] <= 24 ? "§3.1" : n[1] <= 74 ? "§3.2" : "§3.3"
    case .milisavljevic:
      return "§2"
    case .matConvNet:
      guard n.count == 2 else { return "—" }
      if n[0] == 4 { return "§4.2" }
      if n[0] == 5 { return n[1] <= 2 ? "§5.1" : n[1] == 3 ? "§5.2" : n[1] == 4 ? "§5.2.1" : "§5.3" }
      return n[1] == 1 ? "§6.2" : "§6.3"
    case .vardhan:
      return "—"
    }
  }
}
