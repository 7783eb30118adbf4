import ArgumentParser
import ConvLabCore
import ConvLabNotation

extension ConvLab {
  /// `convlab notation OP`: one operator of the papers' notation on a small example.
  struct Notation: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a notation operator (vec, kron, up, rot180, im2row, …) step by step on a small example.",
      discussion: "Operators: " + NotationTour.operators.map { "\($0.name) (\($0.reference))" }.joined(separator: ", "))

    @Argument(help: "The operator; `--list` shows them all.")
    var op: String?

    @Option(help: "Block or kernel size n.")
    var n = 2

    @Option(help: "Seed of the random example.")
    var seed: UInt64 = 1

    @Flag(help: "List the operators.")
    var list = false

    @Flag(help: "Print Markdown (for Notes/); with no operator, every operator.")
    var markdown = false

    @OptionGroup var symbolicArguments: SymbolicArguments

    func run() throws {
      if try symbolicArguments.requested() { return try runSymbolic(symbolicArguments) }
      if markdown {
        let ops = op.map { [$0] } ?? NotationTour.operators.map(\.name)
        for name in ops { print(try markdownTour(name)) }
        return
      }
      guard let op, !list else {
        for entry in NotationTour.operators { print("  \(MatrixFormat.pad(entry.name, 10))  \(entry.reference)") }
        return
      }
      let reference = NotationTour.operators.first { $0.name == op }?.reference ?? ""
      print(Terminal.wrap(Terminal.bold("\(op)") + "  (\(reference))", hanging: 2) + "\n")
      for step in try NotationTour.steps(op, n: n, seed: seed) {
        var title = step.formula
        if let check = step.check {
          title += "   " + Terminal.verdict(check.passes(1e-12)) + " rel. error " + formatScientific(check.relativeError)
        }
        print(Terminal.wrap(title, hanging: 2))
        print(MatrixFormat.render(step.matrix))
        if let remark = step.remark { print(Terminal.dim(Terminal.wrap(remark))) }
        print()
      }
    }

    /// One operator's tour as a Markdown section.
    func markdownTour(_ name: String) throws -> String {
      let reference = NotationTour.operators.first { $0.name == name }?.reference ?? ""
      var text = "## \(name) (\(reference))\n\n"
      for step in try NotationTour.steps(name, n: n, seed: seed) {
        text += "**\(step.formula)**"
        if let check = step.check {
          text += " — \(check.passes(1e-12) ? "✓" : "✗") relative error \(formatScientific(check.relativeError))"
        }
        text += "\n\n```\n\(MatrixFormat.render(step.matrix))\n```\n\n"
        if let remark = step.remark { text += "\(remark)\n\n" }
      }
      return text
    }
  }
}
