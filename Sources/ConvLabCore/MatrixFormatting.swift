import Foundation

/// Text rendering of numbers and matrices for terminals and notes: aligned columns, bracket
/// characters (⎡ ⎢ ⎣), compact numbers, and elision of large matrices.
public enum MatrixFormat {
  /// Compact: integers without a decimal point, otherwise 4 significant digits.
  public static func number(_ v: Double, digits: Int = 4) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v > 0 ? "∞" : "−∞" }
    if v == v.rounded(), abs(v) < 1e6 { return String(Int(v)).replacingOccurrences(of: "-", with: "−") }
    let text = String(format: "%.\(digits)g", v)
    return text.replacingOccurrences(of: "-", with: "−")
  }

  /// A matrix with bracket characters, right-aligned columns, optional row/column labels, and
  /// at most `maxRows` × `maxCols` entries shown (the middle is elided with ⋯ and ⋮).
  public static func render<S: Scalar>(
    _ m: Matrix<S>, rowLabels: [String]? = nil, colLabels: [String]? = nil,
    maxRows: Int = 24, maxCols: Int = 12, digits: Int = 4
  ) -> String {
    if m.rows == 0 || m.cols == 0 { return "[ ] (\(m.rows)×\(m.cols))" }
    let rowsShown = shownIndices(m.rows, maxRows)
    let colsShown = shownIndices(m.cols, maxCols)
    var cells: [[String]] = rowsShown.map { r in
      colsShown.map { c in
        guard let r, let c else { return (r == nil && c == nil) ? "⋱" : (r == nil ? "⋮" : "⋯") }
        return number(Double(m[r, c]), digits: digits)
      }
    }
    var header: [String]? = nil
    if let colLabels {
      header = colsShown.map { c in c.map { colLabels[$0] } ?? "⋯" }
    }
    var widths = colsShown.indices.map { k in cells.map { $0[k].count }.max() ?? 1 }
    if let header { for k in widths.indices { widths[k] = max(widths[k], header[k].count) } }
    let labelWidth = rowLabels.map { labels in rowsShown.map { r in r.map { labels[$0].count } ?? 1 }.max() ?? 0 } ?? 0
    var lines: [String] = []
    if let header {
      let text = zip(header, widths).map { pad($0, $1) }.joined(separator: " ")
      lines.append(String(repeating: " ", count: labelWidth + (labelWidth > 0 ? 1 : 0) + 2) + text)
    }
    for (k, r) in rowsShown.enumerated() {
      let open: String
      let close: String
      if rowsShown.count == 1 {
        (open, close) = ("[", "]")
      } else if k == 0 {
        (open, close) = ("⎡", "⎤")
      } else if k == rowsShown.count - 1 {
        (open, close) = ("⎣", "⎦")
      } else {
        (open, close) = ("⎢", "⎥")
      }
      let label = rowLabels.map { labels in pad(r.map { labels[$0] } ?? "⋮", labelWidth) + " " } ?? ""
      let body = zip(cells[k], widths).map { pad($0, $1) }.joined(separator: " ")
      lines.append(label + open + " " + body + " " + close)
    }
    cells.removeAll()
    return lines.joined(separator: "\n")
  }

  /// Row/column indices to show, with nil marking the elided middle.
  static func shownIndices(_ n: Int, _ limit: Int) -> [Int?] {
    if n <= limit { return Array(0..<n) }
    let head = (limit + 1) / 2
    let tail = limit - head
    return Array(0..<head) + [nil] + Array((n - tail)..<n)
  }

  /// Right-aligns `s` in `width` display columns.
  public static func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
  }

  /// The sparsity pattern drawn with Unicode blocks: each character covers a 2×1 cell pair
  /// (▀ top only, ▄ bottom only, █ both, space neither); large matrices are downsampled so the
  /// drawing is at most `maxWidth` characters wide and `maxHeight` lines high.
  public static func sparsity<S: Scalar>(_ m: Matrix<S>, maxWidth: Int = 72, maxHeight: Int = 36) -> String {
    guard m.rows > 0, m.cols > 0 else { return "" }
    let cols = min(m.cols, maxWidth)
    let cellRows = min(m.rows, 2 * maxHeight)
    func occupied(_ cr: Int, _ cc: Int) -> Bool {
      guard cr < cellRows else { return false }
      let r0 = cr * m.rows / cellRows
      let r1 = max(r0 + 1, (cr + 1) * m.rows / cellRows)
      let c0 = cc * m.cols / cols
      let c1 = max(c0 + 1, (cc + 1) * m.cols / cols)
      for c in c0..<c1 { for r in r0..<r1 where m[r, c] != 0 { return true } }
      return false
    }
    var lines: [String] = []
    var cr = 0
    while cr < cellRows {
      var line = "│"
      for cc in 0..<cols {
        switch (occupied(cr, cc), occupied(cr + 1, cc)) {
        case (true, true): line += "█"
        case (true, false): line += "▀"
        case (false, true): line += "▄"
        case (false, false): line += " "
        }
      }
      lines.append(line + "│")
      cr += 2
    }
    let border = String(repeating: "─", count: cols)
    return (["┌" + border + "┐"] + lines + ["└" + border + "┘"]).joined(separator: "\n")
  }
}
