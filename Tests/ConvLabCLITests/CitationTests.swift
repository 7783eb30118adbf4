import Foundation
import Testing

/// One citation format (issue 18 item 5): every citation of the five papers in Sources/, Docs/
/// and Notes/ parses and names an equation, section, table or figure that exists in that paper.
///
/// The papers' numbering comes from scripts/paper-references.json, which
/// `python3 scripts/citations.py --table` builds from the papers' text; the grammar below is the
/// script's (keep the two in step). `python3 scripts/citations.py --check` lists the same
/// problems, `--fix` rewrites the old forms (`Xu eq. (16)`, `eq. 16`, `Murugan 3.69`).
@Suite struct CitationTests {
  /// The repository root (three levels above this file).
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// One paper's numbered things, as read from its text.
  struct PaperReferences: Decodable {
    let equations: Set<String>
    let sections: Set<String>
    let tables: Set<String>
    let figures: Set<String>
    let appendices: Set<String>
    let chapters: Set<String>
  }

  static func loadTable() throws -> [String: PaperReferences] {
    let data = try Data(contentsOf: root.appendingPathComponent("scripts/paper-references.json"))
    return try JSONDecoder().decode([String: PaperReferences].self, from: data)
  }

  // The grammar of scripts/citations.py (CITATION, CITATION_LIKE, BARE_EQ).
  static let paper = "(?<paper>Xu|Murugan|Milisavljevic|Vardhan|MatConvNet)"
  static let eq = "(?:[0-9]+(?:\\.[0-9]+)?|[ab][0-9]*-[0-9]+(?:\\.[0-9]+)?)"
  static let sec = "[0-9]+(?:\\.[0-9]+)*"
  static let num = "[0-9]+(?:\\.[0-9]+)?"
  static let ref =
    "(?:\\((?<eq>\(eq))\\)(?:–\\((?<eq2>\(eq))\\))?"
    + "|§(?<sec>\(sec))(?:–§?(?<sec2>\(sec)))?"
    + "|Tables? (?<table>\(num))(?:–(?<table2>\(num)))?"
    + "|Figs?\\. (?<fig>\(num))(?:–(?<fig2>\(num)))?"
    + "|App\\. (?<app>[AB])"
    + "|ch\\. (?<ch>[0-9]+))"
    + "(?: \\((?<sub>\(eq))\\)(?:–\\((?<sub2>\(eq))\\))?)?"
  static let citation = "\\b\(paper) \(ref)(?![0-9A-Za-z.]*[0-9])"
  static let citationLike =
    "\\b\(paper)(?:'s)?[ \\t]+(?=[Ee]qs?\\b|[Ee]quations?\\b|§|\\([0-9ab]|Tables?\\b|Figs?\\b|App\\b|ch\\."
    + "|[0-9]+\\.[0-9]+(?![0-9.×%–-]|[ \\t]*(?:ms|µs|s|GB|MB)\\b))"
  static let bareEquation = "\\b(?:[Ee]qs?\\.|[Ee]quations?)[ \\t]*\\(?(?:[0-9]|[ab][0-9]*-)"

  /// The three patterns, compiled once per test.
  struct Checker {
    let table: [String: PaperReferences]
    let citation: Regex<AnyRegexOutput>
    let like: Regex<AnyRegexOutput>
    let bare: Regex<AnyRegexOutput>

    init() throws {
      table = try CitationTests.loadTable()
      citation = try Regex(CitationTests.citation)
      like = try Regex(CitationTests.citationLike)
      bare = try Regex(CitationTests.bareEquation)
    }

    /// The problems of one line: (column, text, what is wrong).
    func problems(in line: String) -> [(Int, String, String)] {
      CitationTests.problems(in: line, table: table, citation: citation, like: like, bare: bare)
    }
  }

  static func problems(
    in line: String, table: [String: PaperReferences], citation: Regex<AnyRegexOutput>,
    like: Regex<AnyRegexOutput>, bare: Regex<AnyRegexOutput>
  ) -> [(Int, String, String)] {
    var out: [(Int, String, String)] = []
    var parsedStarts = Set<String.Index>()
    func column(_ i: String.Index) -> Int { line.distance(from: line.startIndex, to: i) + 1 }
    for m in line.matches(of: citation) {
      parsedStarts.insert(m.range.lowerBound)
      guard let name = m.output["paper"]?.substring.map(String.init), let refs = table[name] else { continue }
      let checks: [(String, KeyPath<PaperReferences, Set<String>>, String)] = [
        ("eq", \.equations, "equation"), ("eq2", \.equations, "equation"), ("sub", \.equations, "equation"),
        ("sub2", \.equations, "equation"), ("sec", \.sections, "section §"), ("sec2", \.sections, "section §"),
        ("table", \.tables, "table "), ("table2", \.tables, "table "), ("fig", \.figures, "figure "),
        ("fig2", \.figures, "figure "), ("app", \.appendices, "appendix "), ("ch", \.chapters, "chapter "),
      ]
      for (group, set, what) in checks {
        if let value = m.output[group]?.substring.map(String.init), !refs[keyPath: set].contains(value) {
          out.append((column(m.range.lowerBound), String(line[m.range]), "\(name) has no \(what)\(what.hasSuffix(" ") || what.hasSuffix("§") ? "" : " ")\(value)"))
        }
      }
    }
    for m in line.matches(of: like) where !parsedStarts.contains(m.range.lowerBound) {
      out.append((column(m.range.lowerBound), String(line[m.range.lowerBound...].prefix(32)), "does not parse as a citation"))
    }
    for m in line.matches(of: bare) {
      out.append((column(m.range.lowerBound), String(line[m.range.lowerBound...].prefix(24)), "an equation without its paper's name"))
    }
    return out
  }

  @Test func theTableHoldsThePapersNumbering() throws {
    let table = try Self.loadTable()
    #expect(Set(table.keys) == ["Xu", "Murugan", "Milisavljevic", "Vardhan", "MatConvNet"])
    // Read off the papers by eye: Xu numbers (1)–(22), Murugan (Eq. 2.1)–(Eq. 3.80), Vardhan's
    // appendices a1-1…b-2.3, MatConvNet's sections 1.1–6.6.3 and its equation (5.3).
    #expect(table["Xu"]?.equations == Set((1...22).map(String.init)))
    #expect(table["Murugan"]?.equations.isSuperset(of: (1...80).map { "3.\($0)" }) == true)
    #expect(table["Vardhan"]?.equations.isSuperset(of: ["a1-1", "a1-2", "a1-3", "a2-1", "a2-2", "a2-3", "b-1", "b-2.1", "b-2.2", "b-2.3"]) == true)
    #expect(table["MatConvNet"]?.sections.isSuperset(of: ["4.6.3", "5.2.1", "6.1", "6.6.3"]) == true)
    #expect(table["MatConvNet"]?.equations.contains("5.3") == true)
    #expect(table["Vardhan"]?.sections.contains("3.1.5") == true)
    #expect(table["Milisavljevic"]?.tables == Set((1...5).map(String.init)))
  }

  /// The checker itself on lines whose verdict is known.
  @Test(arguments: [
    ("Xu (16), Murugan (3.69)–(3.71), MatConvNet §6.1, MatConvNet (5.3), Vardhan §3.1.5, Milisavljevic (2)", 0),
    ("Vardhan App. A (a1-2), Xu Table 1, Milisavljevic Fig. 8, MatConvNet ch. 5, Vardhan §3.1.5–3.1.6", 0),
    ("the subscripts of dᵥZ/dᵥK and ₙZ are notation, not citations; Xu's 1516 parameters; Milisavljevic 1.7–2.0×", 0),
    ("Xu eq. (16)", 2),  // does not parse, and an equation without a name
    ("by eq. 16 and eq. (3.69)", 2),
    ("Murugan 3.69", 1),
    ("Xu (23)", 1),  // Xu has 22 numbered equations
    ("MatConvNet §7.1", 1),
    ("Vardhan (a3-1)", 1),
  ])
  func theCheckerFlagsExactlyTheBadCitations(line: String, expected: Int) throws {
    let found = try Checker().problems(in: line)
    #expect(found.count == expected, "\(found)")
  }

  /// Every citation in the sources, the documentation and the generated notes (Notes/ is what
  /// `make notes` writes from the audit and the derivations, so it is their output too).
  @Test func everyCitationInSourcesDocsAndNotesParsesAndExists() throws {
    let checker = try Checker()
    var problems: [String] = []
    let extensions = ["swift", "md", "c", "h", "cu", "py", "sh", "txt"]
    for folder in ["Sources", "Docs", "Notes"] {
      let base = Self.root.appendingPathComponent(folder)
      guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
      for case let url as URL in walker where extensions.contains(url.pathExtension) {
        let text = try String(contentsOf: url, encoding: .utf8)
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
          for (column, snippet, problem) in checker.problems(in: String(line)) {
            problems.append("\(folder)\(url.path.dropFirst(base.path.count)):\(k + 1):\(column): \(problem): \(snippet)")
          }
        }
      }
    }
    #expect(problems.isEmpty, "\(problems.count) citations (python3 scripts/citations.py --fix, then --check):\n\(problems.prefix(30).joined(separator: "\n"))")
  }
}
