import ConvLabCore
import Foundation

/// How one part was graded.
public struct PartResult: Sendable, Equatable {
  /// `error`: the grader itself failed on this submission (the reason is in `feedback`); never
  /// the student's fault, never silently a zero.
  /// `received`: exam mode's self-check found the file readable and of the right shape (it
  /// does not say whether it is right).
  public enum Status: String, Sendable, Codable, CaseIterable { case correct, wrong, invalid, missing, error, received }
  public var name: String
  public var status: Status
  public var score: Double
  public var maxScore: Double
  /// A `Mistakes` id for a wrong part (`unknown` when nothing matches); nil otherwise.
  public var diagnosis: String?
  public var feedback: String
  /// ✓/✗ per entry in the CSV layout (rows × columns), when the shape was right.
  public var grid: String?
  /// The instructor's reason when `overrides.csv` set this part's score.
  public var override: String? = nil
}

/// The whole submission's grade.
public struct GradeReport: Sendable {
  public var exercise: String
  public var student: String
  public var parts: [PartResult]
  public var score: Double { parts.reduce(0) { $0 + $1.score } }
  public var maxScore: Double { parts.reduce(0) { $0 + $1.maxScore } }

  /// `{"score", "max_score", "parts": [{"name", "status", "score", "max_score", "diagnosis", "feedback"}]}`.
  public var json: String {
    let parts = parts.map { p in
      "{\"name\": \(jsonString(p.name)), \"status\": \"\(p.status.rawValue)\", \"score\": \(jsonNumber(p.score)), \"max_score\": \(jsonNumber(p.maxScore)), \"diagnosis\": \(p.diagnosis.map(jsonString) ?? "null"), \"feedback\": \(jsonString(p.feedback))}"
    }
    return
      "{\"exercise\": \(jsonString(exercise)), \"student\": \(jsonString(student)), \"score\": \(jsonNumber(score)), \"max_score\": \(jsonNumber(maxScore)), \"parts\": [\n  \(parts.joined(separator: ",\n  "))\n]}\n"
  }

  /// The report as text: the total, one block per part with the ✓/✗ grid, then the tolerance
  /// rule once.
  public var text: String { text(tolerance: true) }

  /// The report as text; `tolerance: false` leaves the tolerance sentence to the caller (a
  /// feedback file that holds several reports states it once at the top).
  public func text(tolerance: Bool) -> String {
    var lines = ["\(exercise) — student \(student): \(jsonNumber(score)) / \(jsonNumber(maxScore))"]
    for p in parts {
      let mark = p.status == .correct ? "✓" : p.status == .wrong ? "✗" : "!"
      lines.append("\(mark) \(p.name): \(p.status.rawValue), \(jsonNumber(p.score)) / \(jsonNumber(p.maxScore))\(p.diagnosis.map { " — diagnosis: \($0)" } ?? "")")
      lines.append("  " + p.feedback)
      if let grid = p.grid, p.status == .wrong { lines.append(grid.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")) }
    }
    if tolerance && parts.contains(where: { $0.status == .correct || $0.status == .wrong }) { lines.append(Tolerance.sentence) }
    return lines.joined(separator: "\n")
  }
}

func jsonString(_ s: String) -> String {
  var out = "\""
  for scalar in s.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\t": out += "\\t"
    case "\r": out += "\\r"
    default:
      if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
    }
  }
  return out + "\""
}

func jsonNumber(_ x: Double) -> String {
  x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%.2f", x)
}

/// Reads a submitted part (`NAME.npy` or `NAME.csv`) and grades it.
public enum Grader {
  /// A submission file that could not be used: the message says which file, line and entry;
  /// `missing` when the part has no file at all.
  struct Invalid: Error {
    let message: String
    var missing = false
  }

  /// Grades one part given its solution; `folder` holds the submission's files. Messages name
  /// only the student's own file (`dzdx.csv`), never the folder it was found in.
  public static func grade(_ spec: PartSpec, _ solution: Solution, folder: String, credit: PartialCredit = .standard) -> PartResult {
    let submitted: Tensor<Double>
    do {
      submitted = try read(spec, solution, folder: folder)
    } catch let invalid as Invalid {
      return PartResult(name: spec.name, status: invalid.missing ? .missing : .invalid, score: 0, maxScore: spec.maxScore, diagnosis: nil, feedback: invalid.message, grid: nil)
    } catch {
      return PartResult(name: spec.name, status: .invalid, score: 0, maxScore: spec.maxScore, diagnosis: nil, feedback: "\(error)", grid: nil)
    }
    return grade(spec, solution, submitted: submitted, credit: credit)
  }

  /// Grades a submitted array against the solution and names the closest mistake.
  ///
  /// A wrong part earns `credit.score(...)`: nothing when partial credit is off, else at most
  /// `credit.cap` of the points in proportion to the right entries among those whose true
  /// value is not zero (so an all-zero answer earns nothing).
  public static func grade(_ spec: PartSpec, _ solution: Solution, submitted: Tensor<Double>, credit: PartialCredit = .standard) -> PartResult {
    let answer = solution.answer
    if Tolerance.matches(submitted, answer) {
      return PartResult(
        name: spec.name, status: .correct, score: spec.maxScore, maxScore: spec.maxScore, diagnosis: nil,
        feedback: answer.count == 1 ? "Right." : "All \(answer.count) entries are right.", grid: nil)
    }
    let (id, detail) = diagnose(submitted, solution)
    let mistake = Mistakes.named(id)
    var score = 0.0
    var grid: String? = nil
    var offText = "The shape differs from the expected \(Shape.describe(spec.shape))."
    if submitted.shape == answer.shape {
      let ok = Tolerance.entries(submitted.storage, answer.storage, floor: Tolerance.floor(answer))
      let right = ok.filter { $0 }.count
      grid = Self.grid(ok, shape: answer.shape)
      offText = answer.count == 1 ? "The value is off." : "\(ok.count - right) of \(ok.count) entries are off (✗ below)."
      score = credit.score(maxScore: spec.maxScore, right: ok, truth: answer.storage)
    }
    var feedback = offText + " " + mistake.feedback
    if let detail { feedback += " " + detail }
    if !mistake.reference.isEmpty { feedback += " See " + mistake.reference + "." }
    return PartResult(name: spec.name, status: .wrong, score: score, maxScore: spec.maxScore, diagnosis: id, feedback: feedback, grid: grid)
  }

  /// The catalogue's closest match within tolerance; then the generic sign-flipped and scaled.
  public static func diagnose(_ s: Tensor<Double>, _ solution: Solution) -> (String, String?) {
    var best: (id: String, error: Double)? = nil
    for v in solution.variants where v.value.shape == s.shape && Tolerance.matches(s, v.value) {
      let e = relativeError(s, v.value)
      if best == nil || e < best!.error { best = (v.id, e) }
    }
    if let best { return (best.id, nil) }
    // Layout mistakes the exercise's own catalogue does not list (a C-order reshape of a conv
    // dz/dx, a transposed symmetric-looking matrix).
    for v in Confusions.generic(solution.answer) where v.value.shape == s.shape && Tolerance.matches(s, v.value) { return (v.id, nil) }
    let a = solution.answer
    guard s.shape == a.shape else { return ("unknown", nil) }
    let aa = a.storage.reduce(0) { $0 + $1 * $1 }
    guard aa > 0 else { return ("unknown", nil) }
    let c = zip(s.storage, a.storage).reduce(0) { $0 + $1.0 * $1.1 } / aa
    guard abs(c) > 1e-6, Tolerance.matches(s, a.map { c * $0 }) else { return ("unknown", nil) }
    if abs(c + 1) < 1e-3 { return ("sign-flipped", nil) }
    return ("scaled", "Your answer is the right one times \(describeFactor(c)).")
  }

  /// A factor as a short decimal and, when it is one, a simple fraction.
  public static func describeFactor(_ c: Double) -> String {
    let text = String(format: "%.4g", c)
    for q in 1...16 {
      let p = (c * Double(q)).rounded()
      if p != 0, abs(c * Double(q) - p) < 1e-3 * Double(q) {
        return q == 1 ? text : "\(text) (= \(Int(p))/\(q))"
      }
    }
    return text
  }

  /// ✓/✗ laid out as the CSV layout: H rows, W·D·N columns (at most 40 × 60 shown).
  static func grid(_ ok: [Bool], shape: Shape) -> String {
    let rows = shape.h
    let cols = ok.count / max(1, rows)
    var lines: [String] = []
    for r in 0..<min(rows, 40) {
      var line = ""
      for c in 0..<min(cols, 60) { line += ok[c * rows + r] ? "✓" : "✗" }
      if cols > 60 { line += " …" }
      lines.append(line)
    }
    if rows > 40 { lines.append("… (\(rows - 40) more rows)") }
    return lines.joined(separator: "\n")
  }

  // MARK: Reading a submission

  /// The shapes a submission may have: the answer's, then those of wrong variants whose shape
  /// differs (padding not cropped, a transposed matrix), so that such mistakes are diagnosed
  /// rather than called invalid.
  static func candidateShapes(_ solution: Solution) -> [Shape] {
    var shapes = [solution.answer.shape]
    for v in solution.variants where !shapes.contains(v.value.shape) { shapes.append(v.value.shape) }
    return shapes
  }

  static func read(_ spec: PartSpec, _ solution: Solution, folder: String) throws -> Tensor<Double> {
    let npyName = spec.name + ".npy"
    let csvName = spec.name + ".csv"
    let npy = (folder as NSString).appendingPathComponent(npyName)
    let csv = (folder as NSString).appendingPathComponent(csvName)
    let shapes = candidateShapes(solution)
    let expected = Shape.describe(spec.shape)
    let hasNPY = SubmissionFile.exists(npy)
    let hasCSV = SubmissionFile.exists(csv)
    if hasNPY && hasCSV {
      throw Invalid(message: "both \(npyName) and \(csvName) are in your submission; keep only one of them for part \(spec.name).")
    }
    if hasNPY {
      let data = try SubmissionFile.read(npy, name: npyName)
      let array: NPYArray
      do { array = try NPYArray(data: data, name: npyName) } catch { throw Invalid(message: "\(npyName) could not be read: \(error)") }
      if let bad = array.values.firstIndex(where: { !$0.isFinite }) {
        throw Invalid(message: "\(npyName), entry \(npyIndex(bad, array.shape)) is \(array.values[bad]); every entry must be a finite number.")
      }
      var dims = array.shape
      while dims.count > 2, dims.last == 1 { dims.removeLast() }
      for shape in shapes where dims == shape.trimmedDims || (isVector(dims) && isVector(shape.trimmedDims) && array.values.count == shape.count) {
        return Tensor(shape: shape, storage: array.values)
      }
      throw Invalid(message: "\(npyName) has shape (\(array.shape.map(String.init).joined(separator: ", "))) but the answer is \(expected) (\(spec.layout)).")
    }
    if hasCSV {
      let m: Matrix<Double>
      do { m = try CSV.decode(try SubmissionFile.text(try SubmissionFile.read(csv, name: csvName), name: csvName), name: csvName) } catch let e as Invalid { throw e } catch {
        throw Invalid(message: "\(error)")
      }
      for shape in shapes {
        let rows = shape.h
        let cols = shape.count / max(1, shape.h)
        if m.rows == rows && m.cols == cols { return Tensor(shape: shape, storage: m.storage) }
        if isVector(shape.trimmedDims), m.rows * m.cols == shape.count, m.rows == 1 || m.cols == 1 {
          return Tensor(shape: shape, storage: m.storage)
        }
      }
      throw Invalid(message: "\(csvName) has \(m.rows) row\(m.rows == 1 ? "" : "s") and \(m.cols) column\(m.cols == 1 ? "" : "s") but should have \(spec.layout).")
    }
    throw Invalid(message: "no \(npyName) or \(csvName) in your submission.", missing: true)
  }

  static func isVector(_ dims: [Int]) -> Bool { dims.filter { $0 != 1 }.count <= 1 }

  static func npyIndex(_ linear: Int, _ shape: [Int]) -> String {
    var rest = linear
    var parts: [String] = []
    for d in shape {
      parts.append(String(rest % max(1, d) + 1))
      rest /= max(1, d)
    }
    return "(" + parts.joined(separator: ",") + ") (1-based, column-major)"
  }
}

extension Shape {
  /// `3×4` for trimmed dims.
  static func describe(_ dims: [Int]) -> String { dims.map(String.init).joined(separator: "×") }

  /// A shape from trimmed dims.
  init(dims: [Int]) {
    let d = dims + Array(repeating: 1, count: max(0, 4 - dims.count))
    self.init(d[0], d[1], d[2], d[3])
  }
}

/// How a tensor of this shape is laid out in a CSV file.
public func csvLayout(_ shape: Shape) -> String {
  let rows = shape.h
  let cols = shape.count / max(1, shape.h)
  if shape.d == 1 && shape.n == 1 { return "\(rows) rows × \(cols) columns" }
  return "\(rows) rows × \(cols) columns (MATLAB's reshape(a, \(rows), []): the \(shape.w)-column slices of each channel side by side, in vec order)"
}
