import ConvLabCore

/// What the claim inventory covers: claims per paper and section (`convlab audit --coverage`),
/// the sections with none, and the numbered equations no claim names.
public enum AuditCoverage {
  /// Every section of the five papers, in reading order, with the reason where a section makes
  /// no checkable claim (nil where it does).
  public static let sections: [(paper: Paper, sections: [(name: String, noClaims: String?)])] = [
    (
      .xu,
      [
        ("§1", "introduction, no formulas"), ("§2.1", nil), ("§2.2.1", nil), ("§2.2.2", nil), ("§3", nil), ("§3.1.1", nil), ("§3.1.2", nil),
        ("§3.1.3", nil), ("§3.2", nil), ("§3.2.1.1", nil), ("§3.2.1.2", nil),
      ]
    ),
    (
      .murugan,
      [
        ("§1", "introduction, no formulas"), ("§2.1", nil), ("§2.2", nil), ("§2.3", nil), ("§2.4", nil),
        ("§2.5", "Murugan (2.3), a template L = (1/t) Σ (yᵢ, (σ(x), w, b)) with no operation defined"), ("§2.5.1", nil), ("§2.5.2", nil), ("§2.5.3", nil), ("§2.5.4", nil), ("§2.5.5", nil),
        ("§2.5.6", nil), ("§2.5.7", nil),
        ("§3.1", nil), ("§3.2", nil), ("§3.3", nil), ("§4", nil),
      ]
    ),
    (
      .vardhan,
      [
        ("§1", nil), ("§2", nil), ("§3", nil), ("§3.1", nil), ("§3.1.1", nil), ("§3.1.2", nil),
        ("§3.1.3", nil), ("§3.1.4", nil),
        ("§3.1.5", nil), ("§3.1.6", nil), ("§3.2", nil), ("App. A", nil), ("App. B", nil),
      ]
    ),
    (.milisavljevic, [("Abstract", nil), ("§1", nil), ("§2", nil), ("§3", nil), ("§4", nil), ("§5", nil), ("§6", nil)]),
    (
      .matConvNet,
      [
        ("§1.1", nil), ("§1.2", nil), ("§1.3", nil), ("§1.4", nil), ("§1.5", nil), ("§1.6", "acknowledgments, nothing checkable"),
        ("§2.1", nil), ("§2.2.1", nil), ("§2.2.2", nil), ("§2.3", nil), ("§2.3.1", nil), ("§3.1", nil), ("§3.1.1", nil), ("§3.1.2", nil),
        ("§3.2", "MATLAB code that needs the downloaded model imagenet-vgg-f.mat; no size or formula is stated"),
        ("§3.3", "prose: points to examples/cnn_train"), ("§3.4", nil), ("§4.1", nil), ("§4.2", nil), ("§4.3", nil), ("§4.4", nil), ("§4.5.1", nil), ("§4.5.2", nil), ("§4.5.3", nil),
        ("§4.5.4", nil), ("§4.6.1", nil), ("§4.6.2", nil), ("§4.6.3", nil), ("§5.1", nil), ("§5.2", nil), ("§5.2.1", nil), ("§5.3", nil), ("§5.4", nil),
        ("§5.5", nil), ("§5.6", nil), ("§6.1", nil), ("§6.2", nil), ("§6.3", nil), ("§6.4", nil), ("§6.4.1", nil), ("§6.4.2", nil), ("§6.5.1", nil), ("§6.5.2", nil),
        ("§6.5.3", nil), ("§6.5.4", nil), ("§6.6", nil), ("§6.6.1", nil), ("§6.6.2", nil), ("§6.6.3", nil),
      ]
    ),
  ]

  /// The claims of one section.
  public struct Section: Sendable {
    /// The paper.
    public let paper: Paper
    /// The section's number as the paper prints it ("§3.1.5", "App. B").
    public let name: String
    /// The section's claims, in inventory order.
    public let claims: [Claim]
    /// Why the section has no checkable claim, where it has none by nature.
    public let noClaims: String?
    /// How many of its claims are not correct as printed.
    public var errata: Int { claims.filter { $0.verdict != .correct }.count }
  }

  /// Claims per paper and section, every section of `sections` listed (those with none too).
  /// A claim spanning sections ("§2.1, §2.3") counts in each.
  public static func bySection(_ claims: [Claim]) -> [Section] {
    sections.flatMap { paper, list in
      list.map { name, reason in
        Section(paper: paper, name: name, claims: claims.filter { $0.paper == paper && names($0.section).contains(name) }, noClaims: reason)
      }
    }
  }

  /// "§2.1, §2.3" → ["§2.1", "§2.3"].
  public static func names(_ section: String) -> [String] { section.components(separatedBy: ", ").map { $0.trimmingCharacters(in: .whitespaces) } }

  /// Every numbered equation of the papers that number theirs (Xu (1)–(22), Murugan (2.1)–(3.80),
  /// Milisavljevic (1)–(2), the manual's (2.1)–(6.2)).
  public static let numbered: [(paper: Paper, labels: [String])] = [
    (.xu, (1...22).map(String.init)),
    (.murugan, (1...15).map { "2.\($0)" } + (1...80).map { "3.\($0)" }),
    (.milisavljevic, ["1", "2"]),
    (.matConvNet, ["2.1", "2.2", "4.1", "5.1", "5.2", "5.3", "5.4", "5.5", "6.1", "6.2"]),
  ]

  /// Numbered equations that make no computable claim, and why.
  public static let notComputable: [String: String] = [
    "Murugan (2.3)": "a template, L = (1/t) Σ (yᵢ, (σ(x), w, b)), with no operation defined",
    "Murugan (2.15)": "empty in the conversion (only the number survives)",
    "Murugan (3.14)": "empty in the conversion (only the number survives)",
    "Murugan (3.24)": "empty in the conversion (only the number survives)",
  ]

  /// The numbered equations that no claim's location names (and that are not `notComputable`).
  public static func uncoveredEquations(_ claims: [Claim]) -> [(paper: Paper, label: String)] {
    numbered.flatMap { paper, labels in
      labels.filter { label in
        notComputable["\(paper.rawValue) (\(label))"] == nil && !claims.contains { $0.paper == paper && covers($0.location, label) }
      }.map { (paper, $0) }
    }
  }

  /// Whether an entry's location ("(3.28)–(3.38)", "(15)–(18)", "§3.1.1–3.1.2, App. A",
  /// "(b-1)–(b-2.3)"; the older form with "eq." too) names `label` ("3.29", "16", "§3.1.2", "b-2.2", "Table 1").
  public static func covers(_ location: String, _ label: String) -> Bool {
    if label.hasPrefix("Table") || label.hasPrefix("App.") { return location.contains(label) }
    guard let target = parse(label) else { return false }
    let pattern = "(§|b-)?[0-9]+(\\.[0-9]+)*(\\)?\\s*[–-]\\s*\\(?(§|b-)?[0-9]+(\\.[0-9]+)*)?"
    // Table, figure and example numbers are not equation numbers.
    let text = location.replacingOccurrences(of: "text (after|before) (eq\\. )?\\([0-9.]+\\)", with: "", options: .regularExpression)
      .replacingOccurrences(of: "(Table|Fig\\.|Example|App\\.) [0-9A-Z]+([–-][0-9]+)?", with: "", options: .regularExpression)
      .replacingOccurrences(of: "eqs. ", with: "").replacingOccurrences(of: "eq. ", with: "")
    var search = text.startIndex..<text.endIndex
    while let r = text.range(of: pattern, options: .regularExpression, range: search) {
      search = r.upperBound..<text.endIndex
      let ends = splitRange(String(text[r]).replacingOccurrences(of: ")", with: "").replacingOccurrences(of: "(", with: ""))
      guard let first = parse(ends.0) else { continue }
      let last =
        ends.1.flatMap { end -> (prefix: String, numbers: [Int])? in
          // "§3.1.1–3.1.2" and "b-1–b-2.3": the second end inherits the first's prefix.
          guard let p = parse(end) else { return nil }
          return p.prefix.isEmpty ? (first.prefix, p.numbers) : p
        } ?? first
      guard first.prefix == target.prefix, last.prefix == target.prefix else { continue }
      if compare(first.numbers, target.numbers) <= 0 && compare(target.numbers, last.numbers) <= 0 { return true }
    }
    return false
  }

  /// "a–b" → ("a", "b"); "b-1–b-2.3" keeps the "b-" prefixes; "a" → ("a", nil).
  static func splitRange(_ token: String) -> (String, String?) {
    if let dash = token.range(of: "–") {
      return (String(token[..<dash.lowerBound]).trimmingCharacters(in: .whitespaces), String(token[dash.upperBound...]).trimmingCharacters(in: .whitespaces))
    }
    // A hyphen used as a range dash, not the one in "b-1".
    let chars = Array(token)
    for k in chars.indices where chars[k] == "-" && k > 0 && chars[k - 1] != "b" {
      return (String(chars[..<k]).trimmingCharacters(in: .whitespaces), String(chars[(k + 1)...]).trimmingCharacters(in: .whitespaces))
    }
    return (token.trimmingCharacters(in: .whitespaces), nil)
  }

  /// "§3.1.2" → ("§", [3, 1, 2]); "b-2.1" → ("b-", [2, 1]); "16" → ("", [16]).
  static func parse(_ text: String) -> (prefix: String, numbers: [Int])? {
    var t = text.trimmingCharacters(in: .whitespaces)
    var prefix = ""
    for p in ["§", "b-"] where t.hasPrefix(p) {
      prefix = p
      t.removeFirst(p.count)
    }
    while t.hasSuffix(".") { t.removeLast() }
    let numbers = t.split(separator: ".").map { Int($0) }
    guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else { return nil }
    return (prefix, numbers.compactMap { $0 })
  }

  /// Lexicographic comparison of version-like numbers: −1, 0 or 1.
  static func compare(_ a: [Int], _ b: [Int]) -> Int {
    for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
  }
}
