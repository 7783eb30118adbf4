import Foundation

/// Which checks of the audit cover each numbered equation (and each section of the manual's
/// chapters 4–6 and Vardhan's derivation) — so that "every numbered equation is checked" is a
/// claim the test suite verifies, not a hope.
public enum AuditCoverage {
  /// One numbered equation (or section) and what covers it.
  public struct Item: Sendable {
    public let paper: String
    public let label: String
    /// Locations of the audit entries that cover it.
    public let coveredBy: [String]
    /// Why it is not a computable claim, when it is not.
    public let notComputable: String?
    public var isCovered: Bool { !coveredBy.isEmpty || notComputable != nil }
  }

  /// Every numbered equation of the five papers (Murugan's §2–3, Xu's (1)–(22), the manual's
  /// numbered equations), plus the sections whose equations are unnumbered.
  public static let labels: [(paper: String, labels: [String])] = [
    ("Xu", (1...22).map(String.init) + ["Table 1"]),
    ("Murugan", (1...15).map { "2.\($0)" } + (1...80).map { "3.\($0)" } + ["Table 1"]),
    ("Vardhan", ["§2", "§3", "§3.1", "§3.1.1", "§3.1.2", "§3.1.3", "§3.1.4", "§3.1.5", "§3.1.6", "§3.2", "App. A", "App. B", "b-1", "b-2.1", "b-2.2", "b-2.3"]),
    ("Milisavljevic", ["1", "2"]),
    ("MatConvNet", ["§2.3", "§2.3.1", "4.1", "§4.1", "§4.2", "§4.3", "§4.4", "§4.5.1", "§4.5.2", "§4.5.3", "§4.5.4", "§4.6.1", "§4.6.2", "§4.6.3",
                    "5.1", "5.2", "5.3", "5.4", "§5.2", "§5.2.1", "§5.3", "§5.4", "§5.5", "§5.6",
                    "6.1", "6.2", "§6.1", "§6.2", "§6.3", "§6.4.1", "§6.4.2", "§6.5.1", "§6.5.2", "§6.5.3", "§6.5.4", "§6.6.1", "§6.6.2", "§6.6.3"]),
  ]

  /// Numbered equations that make no computable claim, and why.
  public static let notComputable: [String: String] = [
    "Murugan 2.3": "a template, L = (1/t) Σ (yᵢ, (σ(x), w, b)), with no operation defined",
    "Murugan 2.15": "empty in the conversion (only the number survives)",
    "Murugan 3.14": "empty in the conversion (only the number survives)",
    "Murugan 3.24": "empty in the conversion (only the number survives)",
    "Vardhan §3": "the definition of the update rule K := K − α∇J (checked as Murugan eq. 3.75–3.79)",
  ]

  /// The coverage of `entries`.
  public static func items(_ entries: [AuditEntry]) -> [Item] {
    labels.flatMap { paper, labels in
      labels.map { label in
        let reason = notComputable["\(paper) \(label)"]
        let locations = reason != nil ? [] : entries.filter { $0.paper == paper && covers($0.location, label) }.map(\.location)
        return Item(paper: paper, label: label, coveredBy: locations, notComputable: reason)
      }
    }
  }

  /// Whether an entry's location ("eq. 3.28–3.38", "eq. (15)–(18)", "§3.1.1–3.1.2, App. A",
  /// "eq. b-1–b-2.3") names `label` ("3.29", "16", "§3.1.2", "b-2.2", "Table 1").
  public static func covers(_ location: String, _ label: String) -> Bool {
    if label.hasPrefix("Table") || label.hasPrefix("App.") { return location.contains(label) }
    guard let target = parse(label) else { return false }
    let pattern = "(§|b-)?[0-9]+(\\.[0-9]+)*(\\)?\\s*[–-]\\s*\\(?(§|b-)?[0-9]+(\\.[0-9]+)*)?"
    // Table, figure and example numbers are not equation numbers.
    let text = location.replacingOccurrences(of: "(Table|Fig\\.|Example|App\\.) [0-9A-Z]+([–-][0-9]+)?", with: "", options: .regularExpression)
      .replacingOccurrences(of: "eqs. ", with: "").replacingOccurrences(of: "eq. ", with: "")
    var search = text.startIndex..<text.endIndex
    while let r = text.range(of: pattern, options: .regularExpression, range: search) {
      search = r.upperBound..<text.endIndex
      let ends = splitRange(String(text[r]).replacingOccurrences(of: ")", with: "").replacingOccurrences(of: "(", with: ""))
      guard let first = parse(ends.0) else { continue }
      let last = ends.1.flatMap { end -> (prefix: String, numbers: [Int])? in
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
    for p in ["§", "b-"] where t.hasPrefix(p) { prefix = p; t.removeFirst(p.count) }
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
