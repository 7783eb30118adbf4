import Foundation

/// Plain-text matrices for spreadsheets, Octave (`csvread`) and NumPy (`loadtxt(delimiter=",")`).
public enum CSV {
  /// One line per row, values separated by commas, full round-trip precision.
  public static func encode<S: Scalar>(_ m: Matrix<S>) -> String {
    var text = ""
    for r in 0..<m.rows {
      text += (0..<m.cols).map { "\(m[r, $0])" }.joined(separator: ",")
      text += "\n"
    }
    return text
  }

  /// A tensor as the H × (W·D·N) matrix MATLAB's `reshape(x, H, [])` gives: channels and
  /// images side by side, in vec order.
  public static func encode<S: Scalar>(_ t: Tensor<S>) -> String {
    encode(Matrix(rows: t.shape.h, cols: t.count / max(1, t.shape.h), storage: t.storage))
  }

  /// Writes a matrix atomically.
  public static func write<S: Scalar>(_ m: Matrix<S>, to path: String) throws {
    try writeAtomically(Data(encode(m).utf8), to: path)
  }

  /// Writes a tensor atomically (see `encode(_:)` for the layout).
  public static func write<S: Scalar>(_ t: Tensor<S>, to path: String) throws {
    try writeAtomically(Data(encode(t).utf8), to: path)
  }

  /// The largest CSV file `read` accepts by default: a quarter of the memory limit, at most
  /// 256 MiB (a text matrix expands to a `[Double]` and a parsed copy of each line).
  public static var defaultMaxBytes: Int { min(256 << 20, MemoryLimit.bytes / 4) }

  /// Parses rows of numbers separated by commas, semicolons, tabs or spaces; blank lines and
  /// lines starting with `#` are skipped. Every row must have the same number of values.
  ///
  /// Lines may end in LF, CRLF (Excel, Windows) or CR, and a UTF-8 byte-order mark at the start
  /// is ignored, so a file saved by a spreadsheet reads like the file it was made from.
  public static func decode(_ text: String, name: String = "the file") throws -> Matrix<Double> {
    var rows: [[Double]] = []
    var firstRowLine = 0
    let body = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
    // Swift treats "\r\n" as one Character, so split on every newline Character, not on "\n".
    for (lineNumber, line) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      let fields = trimmed.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "\t" })
      var row: [Double] = []
      row.reserveCapacity(rows.first?.count ?? fields.count)
      for (column, field) in fields.enumerated() {
        guard let value = Double(field), value.isFinite else {
          throw ConvLabError("\(name), line \(lineNumber + 1), entry \(column + 1): '\(field.prefix(40))' is not a finite number.")
        }
        row.append(value)
      }
      if let first = rows.first, first.count != row.count {
        throw ConvLabError("\(name), line \(lineNumber + 1) has \(row.count) values but line \(firstRowLine + 1) (the first row) has \(first.count); every row needs the same number of values.")
      }
      if rows.isEmpty { firstRowLine = lineNumber }
      rows.append(row)
    }
    guard !rows.isEmpty else { throw ConvLabError("\(name) contains no numbers.") }
    return Matrix(rows)
  }

  /// Reads a CSV file into a matrix, refusing files larger than `maxBytes` before reading them.
  public static func read(_ path: String, maxBytes: Int = CSV.defaultMaxBytes) throws -> Matrix<Double> {
    guard let text = String(data: try readFile(path, maxBytes: maxBytes), encoding: .utf8) else {
      throw ConvLabError("\(path) is not a text file (it is not UTF-8).")
    }
    return try decode(text, name: path)
  }
}
