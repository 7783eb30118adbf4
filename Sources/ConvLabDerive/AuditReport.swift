import ConvLabCore

extension Claim {
  /// The claim's citation in ConvLab's format: `Xu (6)`, `Murugan (3.69)`, `MatConvNet §5.4 Example 1`,
  /// `Xu, text after (9)`, `Murugan Table 1 (ReLU)`.
  public var citation: String {
    let place = location.replacingOccurrences(of: "eqs. ", with: "").replacingOccurrences(of: "eq. ", with: "")
    return place.hasPrefix("text") ? "\(paper.rawValue), \(place)" : "\(paper.rawValue) \(place)"
  }
}

/// The inventory as text (`convlab audit`) and Markdown (Notes/ERRATA.md and the audit section
/// of each paper's note), rendered in one place so that the notes and the command cannot differ.
public enum AuditReport {
  /// One reading's result: "I read as the identity 1.0e0 fails".
  static func result(_ r: Reading) -> String { "\(r.name): \(r.comparison.relativeErrorText) \(r.holds ? "holds" : "fails")" }

  /// The worst entry of a failing reading: the counterexample in numbers.
  static func counterexample(_ r: Reading) -> String {
    let (a, b) = r.comparison.worstValues
    let at = r.comparison.worstIndex.map { "entry \($0 + 1) of \(r.comparison.count)" } ?? "no entries"
    return
      "\(at): \(MatrixFormat.number(a)) under this reading, \(MatrixFormat.number(b)) for \(r.against) (relative error \(r.comparison.relativeErrorText), tolerance \(formatScientific(r.tolerance)))"
  }

  /// The text of `convlab audit`: per paper a heading, then per claim one line led by the
  /// verdict's symbol, the printed and intended forms under it, and each reading's relative
  /// error. `symbol` decorates the symbol (colour on a terminal).
  public static func text(_ claims: [Claim], symbol: (Claim.Verdict) -> String = { $0.symbol }) -> [String] {
    var lines: [String] = []
    for paper in Paper.allCases {
      let rows = claims.filter { $0.paper == paper }
      guard !rows.isEmpty else { continue }
      lines.append("\(paper.rawValue): \(rows.count) claims — " + counts(rows))
      for c in rows {
        lines.append("\(symbol(c.verdict)) \(c.citation)  (\(c.section), \(c.kind.rawValue))" + (c.verdict == .correct ? "" : " — \(c.verdict.rawValue)"))
        lines.append("    printed   \(c.printed)")
        if let i = c.intended { lines.append("    intended  \(i)") }
        lines.append("    " + c.readings.map(result).joined(separator: "; ") + "   [against \(c.readings.first?.against ?? "")]")
        if let n = c.note { lines.append("    note      \(n)") }
        if !c.verdictReproduced { lines.append("    NOT REPRODUCED: the numbers no longer support this verdict") }
      }
      lines.append("")
    }
    lines.append(summary(claims))
    return lines
  }

  /// "12 ✓ correct, 3 ✗ wrong in the source, 2 ≈ garbled in conversion, 2 ? ambiguous".
  public static func counts(_ claims: [Claim]) -> String {
    Claim.Verdict.allCases.map { v in "\(claims.filter { $0.verdict == v }.count) \(v.symbol) \(v.rawValue)" }.joined(separator: ", ")
  }

  /// The last line of `convlab audit`: the counts and whether every check reproduced its verdict.
  public static func summary(_ claims: [Claim]) -> String {
    let broken = claims.filter { !$0.verdictReproduced }
    let head = "\(claims.count) claims: \(counts(claims)); "
    return broken.isEmpty
      ? head + "every verdict reproduced by its check"
      : head + "\(broken.count) verdict(s) NOT reproduced: " + broken.map(\.citation).joined(separator: ", ")
  }

  static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }

  /// Notes/ERRATA.md (after its header): counts per paper, every erratum with its readings and
  /// counterexample, the correct claims, and the claims per section.
  public static func errataMarkdown(_ claims: [Claim]) -> String {
    var lines = ["| paper | claims | ✓ correct | ✗ wrong in the source | ≈ garbled in conversion | ? ambiguous |", "| --- | --- | --- | --- | --- | --- |"]
    for paper in Paper.allCases {
      let rows = claims.filter { $0.paper == paper }
      lines.append("| \(paper.rawValue) | \(rows.count) | " + Claim.Verdict.allCases.map { v in String(rows.filter { $0.verdict == v }.count) }.joined(separator: " | ") + " |")
    }
    lines += ["", summary(claims) + ".", "", "## Claims that do not hold as printed", ""]
    for c in claims where c.verdict != .correct {
      lines += ["### \(c.verdict.symbol) \(c.citation) — \(c.verdict.rawValue) (\(c.section), \(c.kind.rawValue))", ""]
      lines.append("- printed: \(c.printed)")
      if let i = c.intended { lines.append("- intended: \(i)") }
      for r in c.readings { lines.append("- reading *\(r.name)* (`\(r.formula)`): relative error \(r.comparison.relativeErrorText) against \(r.against) — \(r.holds ? "holds" : "fails")") }
      if let r = c.counterexample { lines.append("- counterexample (\(r.name)): \(counterexample(r))") }
      if let n = c.note { lines.append("- note: \(n)") }
      lines.append("")
    }
    lines += ["## Claims checked and correct", "", "| claim | section | kind | printed | against | rel. error |", "| --- | --- | --- | --- | --- | --- |"]
    for c in claims where c.verdict == .correct {
      lines.append(
        "| \(cell(c.citation)) | \(c.section) | \(c.kind.rawValue) | \(cell(c.printed)) | \(cell(c.readings.first?.against ?? "")) | "
          + c.readings.map { $0.comparison.relativeErrorText }.joined(separator: ", ") + " |")
    }
    lines += ["", "## Claims per section", ""] + coverageMarkdown(claims)
    return lines.joined(separator: "\n")
  }

  /// The claims per paper and section, and the sections with none.
  public static func coverageMarkdown(_ claims: [Claim], paper: Paper? = nil) -> [String] {
    var lines = ["| paper | section | claims | not correct as printed |", "| --- | --- | --- | --- |"]
    for s in AuditCoverage.bySection(claims) where paper == nil || s.paper == paper {
      lines.append("| \(s.paper.rawValue) | \(s.name) | \(s.claims.isEmpty ? "none" + (s.noClaims.map { " (\($0))" } ?? "") : String(s.claims.count)) | \(s.errata) |")
    }
    let uncovered = AuditCoverage.uncoveredEquations(claims).filter { paper == nil || $0.paper == paper }
    lines += ["", "Numbered equations no claim names: " + (uncovered.isEmpty ? "none." : uncovered.map { "\($0.paper.rawValue) (\($0.label))" }.joined(separator: ", ") + ".")]
    return lines
  }

  /// The audit section of a paper's note: every claim of `paper` as one table row.
  public static func paperMarkdown(_ claims: [Claim], paper: Paper) -> String {
    let rows = claims.filter { $0.paper == paper }
    var lines = [
      "## The audit's verdicts", "",
      "Generated from the claim inventory (`convlab audit --paper \(paper.rawValue) --markdown`): "
        + counts(rows) + ". Notes/ERRATA.md gives each erratum's counterexample.", "",
      "| | claim | section | printed | intended | readings (relative error) |", "| --- | --- | --- | --- | --- | --- |",
    ]
    for c in rows {
      lines.append(
        "| \(c.verdict.symbol) | \(cell(c.citation)) | \(c.section) | \(cell(c.printed)) | \(cell(c.intended ?? "")) | "
          + cell(c.readings.map(result).joined(separator: "; ")) + " |")
    }
    return lines.joined(separator: "\n")
  }
}
