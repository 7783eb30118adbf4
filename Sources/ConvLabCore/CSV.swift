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

  /// Parses rows of numbers separated by commas, semicolons, tabs or spaces; blank lines and
  /// lines starting with `#` are skipped. Every row must have the same number of values.
  public static func decode(_ text: String, name: String = "the file") throws -> Matrix<Double> {
    var rows: [[Double]] = []
    for (lineNumber, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      let fields = trimmed.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "\t" })
      var row: [Double] = []
      for (column, field) in fields.enumerated() {
        guard let value = Double(field), value.isFinite else {
          throw ConvLabError("\(name), line \(lineNumber + 1), entry \(column + 1): '\(field)' is not a finite number.")
        }
        row.append(value)
      }
      if let first = rows.first, first.count != row.count {
        throw ConvLabError("\(name), line \(lineNumber + 1) has \(row.count) values but the first row has \(first.count).")
      }
      rows.append(row)
    }
    guard !rows.isEmpty else { throw ConvLabError("\(name) contains no numbers.") }
    return Matrix(rows)
  }

  /// Reads a CSV file into a matrix.
  public static func read(_ path: String) throws -> Matrix<Double> {
    guard let text = String(data: try readFile(path), encoding: .utf8) else {
      throw ConvLabError("\(path) is not a text file.")
    }
    return try decode(text, name: path)
  }
}
