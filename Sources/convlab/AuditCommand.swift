import ArgumentParser
import ConvLabCore
import ConvLabDerive
import Foundation

struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Check every inventoried claim of the five papers on numbers; exits non-zero if a check no longer reproduces its verdict.",
    discussion: """
      One line per claim, led by its verdict: ✓ correct, ✗ wrong in the source (with a numeric counterexample under the paper's own definitions), ≈ garbled in conversion, ? ambiguous (each reading checked). Under it the printed and intended forms and each reading's relative error against an independent ground truth. The last line says whether every check reproduced its verdict; so does the exit status. Notes/ERRATA.md is `convlab audit --markdown`; `--coverage` lists the claims per paper and section and the sections with none.
      """)

  @Option(help: "Seed of the numeric instances.")
  var seed: UInt64 = 1
  @Option(help: "Only this paper (Xu, Murugan, Vardhan, Milisavljevic, MatConvNet).")
  var paper: String?
  @Flag(help: "Print Markdown: the errata (Notes/ERRATA.md), or with --paper that paper's verdict table.")
  var markdown = false
  @Flag(help: "List the claims per paper and section, and the sections with none.")
  var coverage = false

  func validate() throws {
    if let p = paper, Paper.named(p) == nil {
      throw ValidationError("no audited paper '\(p)'; use Xu, Murugan, Vardhan, Milisavljevic or MatConvNet.")
    }
  }

  func run() throws {
    var claims = try Audit.claims(seed: seed)
    let only = paper.flatMap(Paper.named)
    if let only { claims = claims.filter { $0.paper == only } }
    if coverage {
      for line in AuditReport.coverageMarkdown(claims, paper: only) { print(line) }
      return
    }
    if markdown {
      print(only.map { AuditReport.paperMarkdown(claims, paper: $0) } ?? AuditReport.errataMarkdown(claims))
    } else {
      for line in AuditReport.text(claims, symbol: Self.coloured) { print(line) }
    }
    if claims.contains(where: { !$0.verdictReproduced }) { throw ExitCode.failure }
  }

  /// The verdict's symbol, coloured on a terminal: green ✓, red ✗, dim ≈, bold ?.
  static func coloured(_ v: Claim.Verdict) -> String {
    switch v {
    case .correct: return Terminal.green(v.symbol)
    case .wrong: return Terminal.red(v.symbol)
    case .garbled: return Terminal.dim(v.symbol)
    case .ambiguous: return Terminal.bold(v.symbol)
    }
  }
}
