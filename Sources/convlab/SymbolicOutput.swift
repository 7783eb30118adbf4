import ArgumentParser
import ConvLabBlocks
import ConvLabCore
import ConvLabDerive
import ConvLabNotation
import Foundation

/// The options of the symbolic mode, shared by `notation`, `jacobian` and `block`.
struct SymbolicArguments: ParsableArguments {
  @Flag(help: "Print the matrices in symbols (a₁₁, β₂₁, …) instead of numbers.") var symbolic = false
  @Option(help: "With --symbolic: the letters of input, filter, output[, bias], e.g. a,β or x,k,z (ASCII beta, delta work).") var names: String?
  @Flag(help: "With --symbolic: print LaTeX (bmatrix) for slides.") var latex = false
  @Option(help: "With --symbolic: also write the symbolic matrices to this .json file.") var export: String?

  /// Whether the symbolic mode was asked for; throws a one-line sentence for its options
  /// without --symbolic, or an --export that is not .json.
  func requested() throws -> Bool {
    if !symbolic && (names != nil || latex || export != nil) {
      throw ConvLabError("--names, --latex and --export belong to the symbolic mode; add --symbolic.")
    }
    if let export, !export.hasSuffix(".json") { throw ConvLabError("--export writes JSON; give a file ending in .json, got '\(export)'.") }
    return symbolic
  }

  /// The block's default letters, overridden by --names.
  func names(for block: String) throws -> SymbolicBlocks.Names {
    let defaults = SymbolicBlocks.Names.defaults(for: block)
    return try names.map { try defaults.overridden(by: $0) } ?? defaults
  }
}

/// Printing of symbolic matrices: Unicode subscripts in aligned columns, wrapped into panels
/// that fit the terminal; LaTeX; JSON.
enum SymbolicOutput {
  /// The width to fit: $COLUMNS, else the terminal's, else 80 (Terminal.width).
  static var width: Int { Terminal.width }

  /// The matrix with bracket characters and labels, its columns split into panels no wider than
  /// `width` ("columns 1–6 of 12"), so nothing is elided.
  static func render(_ m: SymbolicMatrix, rowLabels: [String]? = nil, colLabels: [String]? = nil, width: Int = SymbolicOutput.width) -> String {
    if m.rows == 0 || m.cols == 0 { return "[ ] (\(m.rows)×\(m.cols))" }
    let cells = (0..<m.rows).map { r in (0..<m.cols).map { m[r, $0].unicode } }
    let widths = (0..<m.cols).map { c in max(cells.map { $0[c].count }.max() ?? 1, colLabels?[c].count ?? 0) }
    let labelWidth = rowLabels?.map(\.count).max() ?? 0
    let fixed = labelWidth + (labelWidth > 0 ? 1 : 0) + 4
    var panels: [Range<Int>] = []
    var start = 0
    while start < m.cols {
      var end = start + 1
      var used = fixed + widths[start]
      while end < m.cols, used + 1 + widths[end] <= width {
        used += 1 + widths[end]
        end += 1
      }
      panels.append(start..<end)
      start = end
    }
    var blocks: [String] = []
    for panel in panels {
      var lines: [String] = []
      if panels.count > 1 {
        lines.append(panel.count == 1 ? "column \(panel.upperBound) of \(m.cols):" : "columns \(panel.lowerBound + 1)–\(panel.upperBound) of \(m.cols):")
      }
      if let colLabels {
        lines.append(String(repeating: " ", count: fixed - 2) + panel.map { MatrixFormat.pad(colLabels[$0], widths[$0]) }.joined(separator: " "))
      }
      for r in 0..<m.rows {
        let (open, close) = m.rows == 1 ? ("[", "]") : (r == 0 ? ("⎡", "⎤") : (r == m.rows - 1 ? ("⎣", "⎦") : ("⎢", "⎥")))
        let label = rowLabels.map { MatrixFormat.pad($0[r], labelWidth) + " " } ?? ""
        lines.append(label + open + " " + panel.map { MatrixFormat.pad(cells[r][$0], widths[$0]) }.joined(separator: " ") + " " + close)
      }
      blocks.append(lines.joined(separator: "\n"))
    }
    return blocks.joined(separator: "\n\n")
  }

  /// \begin{bmatrix} … \end{bmatrix}, one row per line.
  static func latex(_ m: SymbolicMatrix) -> String {
    let rows = (0..<m.rows).map { r in "  " + (0..<m.cols).map { m[r, $0].latex }.joined(separator: " & ") }
    return "\\begin{bmatrix}\n" + rows.joined(separator: " \\\\\n") + "\n\\end{bmatrix}"
  }

  /// The non-zero pattern as a 0/1 numeric matrix (for the sparsity drawing).
  static func pattern(_ m: SymbolicMatrix) -> Matrix<Double> {
    Matrix(rows: m.rows, cols: m.cols, storage: m.entries.map { $0.isZero ? 0 : 1 })
  }

  /// One matrix as a JSON object: title, size, labels, and every entry as Unicode, LaTeX and
  /// ASCII (row-major lists), plus its terms (coefficient as "p/q", factors with indices).
  static func jsonObject(title: String, _ m: SymbolicMatrix, rowLabels: [String]?, colLabels: [String]?) -> [String: Any] {
    func grid(_ f: (Polynomial) -> String) -> [[String]] { (0..<m.rows).map { r in (0..<m.cols).map { f(m[r, $0]) } } }
    let terms: [[[[String: Any]]]] = (0..<m.rows).map { r in
      (0..<m.cols).map { c in
        m[r, c].terms.map { t in
          [
            "coefficient": "\(t.coefficient.numerator)/\(t.coefficient.denominator)",
            "factors": t.monomial.factors.map { f -> [String: Any] in
              var o: [String: Any] = ["name": f.symbol.name, "indices": f.symbol.indices, "exponent": f.exponent]
              if let fn = f.symbol.function { o["function"] = fn }
              return o
            },
          ] as [String: Any]
        }
      }
    }
    var o: [String: Any] = [
      "title": title, "rows": m.rows, "cols": m.cols, "unicode": grid(\.unicode), "latex": grid(\.latex),
      "ascii": grid(\.ascii), "terms": terms,
    ]
    if let rowLabels { o["rowLabels"] = rowLabels }
    if let colLabels { o["colLabels"] = colLabels }
    return o
  }

  /// Writes the matrices to a .json file atomically.
  static func export(_ objects: [[String: Any]], to path: String) throws {
    let data = try JSONSerialization.data(withJSONObject: ["convlab": "symbolic", "matrices": objects], options: [.prettyPrinted, .sortedKeys])
    try writeAtomically(data, to: path)
  }

  /// Prints one result (grid or LaTeX) with its title and notes.
  static func show(_ r: SymbolicBlocks.Result, latex: Bool) {
    print(Terminal.bold(r.title) + "  \(r.matrix.rows)×\(r.matrix.cols), \(r.matrix.nonzeroCount) non-zeros")
    if latex {
      print(SymbolicOutput.latex(r.matrix))
    } else {
      print(render(r.matrix, rowLabels: r.rowLabels, colLabels: r.colLabels))
    }
    for note in r.notes { print(Terminal.dim(note)) }
  }

  /// An exact check's lines: ✓/✗, and the differing terms; prose wrapped to `width` (nil: not
  /// wrapped, for Markdown).
  static func exactLines(_ check: DerivationStep.ExactCheck, width: Int? = Terminal.width) -> [String] {
    func fit(_ line: String) -> String { width.map { Terminal.wrap(line, width: $0, hanging: 2) } ?? line }
    let c = check.comparison
    if check.expectedToMatch {
      return [fit("\(Terminal.verdict(c.matches)) exactly equal to \(check.against)")] + (c.matches ? [] : c.report.map { fit("    " + $0) })
    }
    var lines = [fit("\(Terminal.verdict(!c.matches)) as printed it differs from \(check.against): \(check.erratum ?? "")")]
    lines += c.report.map { fit("    " + $0) }
    return lines
  }

  /// The width of Markdown notes (Notes/), whatever the terminal: App. A's Jacobians in two panels.
  static let markdownWidth = 100

  /// The symbolic part of a derivation step (for `convlab derive`): fitted to the terminal, or
  /// with `markdown` to the notes' fixed width, unwrapped.
  static func derivationStep(_ step: DerivationStep, markdown: Bool = false) -> String {
    var text = ""
    for m in step.symbolic { text += "\(m.name) =\n\(render(m.value, width: markdown ? markdownWidth : width))\n" }
    if let exact = step.exact { text += exactLines(exact, width: markdown ? nil : Terminal.width).joined(separator: "\n") + "\n" }
    return text
  }
}

extension ConvLab.Jacobian {
  /// `convlab jacobian BLOCK … --symbolic`: the Jacobian in symbols (both Jacobians for conv,
  /// the --wrt one first), checked by substituting the instance's numbers.
  func runSymbolic(_ arguments: SymbolicArguments) throws {
    let block = try options.options().block(named: name.rawValue)
    let (input, p) = try instance(block)
    let names = try arguments.names(for: name.rawValue)
    var variables = [wrt]
    if block is Conv && wrt != .b { variables.append(wrt == .x ? .w : .x) }
    var objects: [[String: Any]] = []
    for (k, v) in variables.enumerated() {
      if k > 0 { print() }
      let result = try SymbolicBlocks.jacobian(block, at: input, p, wrt: v, names: names)
      SymbolicOutput.show(result, latex: arguments.latex)
      if !arguments.latex {
        print("\nsparsity pattern (█ = non-zero):")
        print(MatrixFormat.sparsity(SymbolicOutput.pattern(result.matrix)))
      }
      let check = try SymbolicBlocks.substitutionCheck(result, block, at: input, p, wrt: v, names: names)
      print("numbers of the seeded instance substituted vs the literal Jacobian: \(Terminal.verdict(check.passes(1e-12))) relative error \(formatScientific(check.relativeError))")
      objects.append(SymbolicOutput.jsonObject(title: result.title, result.matrix, rowLabels: result.rowLabels, colLabels: result.colLabels))
    }
    if let examples = try SymbolicBlocks.appendixA(block, at: input, p) {
      print("\n" + Terminal.bold("Vardhan App. A, printed vs computed (term by term, in the paper's letters a, β, z):"))
      for (example, comparison) in examples {
        let check = DerivationStep.ExactCheck(against: example.claim, comparison: comparison, expectedToMatch: example.expectedToMatch, erratum: example.erratum)
        print("  \(example.reference): " + SymbolicOutput.exactLines(check).joined(separator: "\n  "))
      }
    }
    if let path = arguments.export {
      try SymbolicOutput.export(objects, to: path)
      print("\(path): \(objects.count) symbolic matri\(objects.count == 1 ? "x" : "ces")")
    }
  }
}

extension ConvLab.Notation {
  /// `convlab notation OP --symbolic`.
  func runSymbolic(_ arguments: SymbolicArguments) throws {
    guard let op else {
      for name in SymbolicTour.operators { print("  \(name)") }
      return
    }
    let names = try SymbolicBlocks.Names.xu.overridden(by: arguments.names ?? "x,k")
    var objects: [[String: Any]] = []
    print(Terminal.bold(op) + "  (in symbols)\n")
    for step in try SymbolicTour.steps(op, n: n, names: (names.input, names.filter)) {
      var title = step.formula
      if let holds = step.identityHolds { title += "   " + Terminal.verdict(holds) + (holds ? " equal as polynomials" : " not equal") }
      print(title)
      print(arguments.latex ? SymbolicOutput.latex(step.matrix) : SymbolicOutput.render(step.matrix))
      if let remark = step.remark { print(Terminal.dim(remark)) }
      print()
      objects.append(SymbolicOutput.jsonObject(title: step.formula, step.matrix, rowLabels: nil, colLabels: nil))
    }
    if let path = arguments.export { try SymbolicOutput.export(objects, to: path) }
  }
}

extension ConvLab.BlockCommand {
  /// `convlab block NAME --x HxW [--w HxW] --symbolic --out DIR`: the forward output of a
  /// linear block in symbols, printed and written to DIR/y.json.
  func runSymbolic(_ arguments: SymbolicArguments) throws {
    let block = try options.options().block(named: name.rawValue)
    func shape(_ text: String) throws -> Shape {
      text.hasSuffix(".npy") ? (try readTensor(text) as Tensor<Double>).shape : try Shape(parsing: text)
    }
    let names = try arguments.names(for: name.rawValue)
    let result = try SymbolicBlocks.forward(block, x: try shape(files.x), filter: try files.w.map(shape), names: names)
    SymbolicOutput.show(result, latex: arguments.latex)
    let object = SymbolicOutput.jsonObject(title: result.title, result.matrix, rowLabels: result.rowLabels, colLabels: result.colLabels)
    try makeDirectory(out)
    try SymbolicOutput.export([object], to: "\(out)/y.json")
    print("\(out)/y.json (\(result.matrix.rows)×\(result.matrix.cols), symbolic)")
    if let path = arguments.export { try SymbolicOutput.export([object], to: path) }
  }
}
