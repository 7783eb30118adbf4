import ConvLabCore

/// A printed symbolic matrix compared with the computed one, entry by entry and term by term:
/// the evidence for (or against) a worked example of a paper.
///
/// Exact: two entries agree when they are the same polynomial (`Polynomial ==`). A disagreement
/// lists the terms only the printed entry has and the terms only the computed entry has, and,
/// when the printed entry equals some other computed entry, where (a misplaced or mislabelled
/// entry, as in a garbled conversion).
public struct SymbolicComparison: Sendable {
  /// One entry that differs.
  public struct Difference: Sendable, CustomStringConvertible {
    /// 0-based position in the printed matrix.
    public let row: Int, col: Int
    /// nil where the printed matrix has an entry the computed one lacks (or vice versa).
    public let printed: Polynomial?
    /// nil where the computed matrix has no entry at this position.
    public let computed: Polynomial?
    /// Terms of the printed entry that the computed entry does not have (coefficient included).
    public let onlyPrinted: [Term]
    /// Terms of the computed entry that the printed entry does not have.
    public let onlyComputed: [Term]
    /// 0-based positions of computed entries equal to the printed one, if any.
    public let printedEqualsComputedAt: [(row: Int, col: Int)]

    /// One line: position, both entries, the terms only one side has, and where the printed entry belongs.
    public var description: String {
      let position = "(\(row + 1),\(col + 1))"
      guard let printed else { return "\(position): printed nothing, computed \(computed?.unicode ?? "nothing")" }
      guard let computed else { return "\(position): printed \(printed.unicode), computed nothing (the computed matrix is smaller)" }
      var text = "\(position): printed \(printed.unicode), computed \(computed.unicode)"
      let extra = onlyPrinted.map(\.description)
      let missing = onlyComputed.map(\.description)
      if !extra.isEmpty || !missing.isEmpty {
        text += " — printed only: \(extra.isEmpty ? "none" : extra.joined(separator: ", ")); computed only: \(missing.isEmpty ? "none" : missing.joined(separator: ", "))"
      }
      if !printedEqualsComputedAt.isEmpty {
        text += "; the printed entry is the computed entry at " + printedEqualsComputedAt.map { "(\($0.row + 1),\($0.col + 1))" }.joined(separator: ", ")
      }
      return text
    }
  }

  /// Rows and the longest row of the printed matrix.
  public let printedShape: (rows: Int, cols: Int)
  /// Size of the computed matrix.
  public let computedShape: (rows: Int, cols: Int)
  /// Every differing position, printed positions first.
  public let differences: [Difference]
  /// Number of entries compared.
  public let compared: Int

  /// True when the shapes agree and every entry is the same polynomial.
  public var matches: Bool { differences.isEmpty && printedShape == computedShape }

  /// Compares a printed matrix (as typed from the paper; rows may be ragged where the source is
  /// garbled) with the computed one.
  public init(printed: [[Polynomial]], computed: SymbolicMatrix) throws {
    printedShape = (printed.count, printed.map(\.count).max() ?? 0)
    computedShape = (computed.rows, computed.cols)
    var found: [Difference] = []
    var compared = 0
    func terms(_ p: Polynomial, notIn q: Polynomial) -> [Term] {
      let other = Set(q.terms)
      return p.terms.filter { !other.contains($0) }
    }
    for (r, row) in printed.enumerated() {
      for (c, entry) in row.enumerated() {
        compared += 1
        guard r < computed.rows, c < computed.cols else {
          let at = Self.positions(of: entry, in: computed)
          found.append(Difference(row: r, col: c, printed: entry, computed: nil, onlyPrinted: entry.terms, onlyComputed: [], printedEqualsComputedAt: at))
          continue
        }
        let truth = computed[r, c]
        if truth != entry {
          found.append(
            Difference(
              row: r, col: c, printed: entry, computed: truth, onlyPrinted: terms(entry, notIn: truth),
              onlyComputed: terms(truth, notIn: entry), printedEqualsComputedAt: Self.positions(of: entry, in: computed)))
        }
      }
    }
    // Computed entries the printed matrix has no place for.
    for r in 0..<computed.rows {
      for c in 0..<computed.cols where r >= printed.count || c >= printed[r].count {
        found.append(Difference(row: r, col: c, printed: nil, computed: computed[r, c], onlyPrinted: [], onlyComputed: computed[r, c].terms, printedEqualsComputedAt: []))
      }
    }
    differences = found
    self.compared = compared
  }

  /// Compares two matrices of the same kind.
  public init(printed: SymbolicMatrix, computed: SymbolicMatrix) throws {
    try self.init(printed: (0..<printed.rows).map { r in (0..<printed.cols).map { printed[r, $0] } }, computed: computed)
  }

  static func positions(of entry: Polynomial, in m: SymbolicMatrix) -> [(row: Int, col: Int)] {
    guard !entry.isZero else { return [] }
    var out: [(row: Int, col: Int)] = []
    for c in 0..<m.cols { for r in 0..<m.rows where m[r, c] == entry { out.append((r, c)) } }
    return out
  }

  /// "matches (12 entries)" or one line per differing entry.
  public var report: [String] {
    if matches { return ["printed and computed agree exactly (\(compared) entries)"] }
    var lines: [String] = []
    if printedShape != computedShape {
      lines.append("printed \(printedShape.rows)×\(printedShape.cols), computed \(computedShape.rows)×\(computedShape.cols)")
    }
    return lines + differences.map(\.description)
  }
}
