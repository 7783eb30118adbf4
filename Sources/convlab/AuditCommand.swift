import ArgumentParser
import ConvLabCore
import ConvLabDerive
import Foundation

struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Check the papers' computable claims on numbers; exits non-zero if a verdict stops holding.",
    discussion: """
      Each claim: paper, location, the claim as printed, a verdict (correct / wrong in the source /
      garbled in conversion / ambiguous), the corrected form, and the relative error of the printed
      (and corrected) form against an independent ground truth. Notes/ERRATA.md is generated from
      `convlab audit --markdown`.
      """)

  @Option(help: "Seed of the numeric instances.")
  var seed: UInt64 = 1
  @Option(help: "Only this paper (Xu, Murugan, Vardhan, Milisavljevic, MatConvNet).")
  var paper: String?
  @Flag(help: "Print the errata as Markdown (for Notes/ERRATA.md).")
  var markdown = false

  func run() throws {
    var entries = try Audit.entries(seed: seed)
    if let p = paper {
      entries = entries.filter { $0.paper.lowercased() == p.lowercased() }
      guard !entries.isEmpty else { throw ConvLabError("no audited paper '\(p)'; use Xu, Murugan, Vardhan, Milisavljevic or MatConvNet.") }
    }
    if markdown { print(Self.markdown(entries)) } else { Self.table(entries) }
    let broken = entries.filter { !$0.verdictHolds }
    if !broken.isEmpty {
      FileHandle.standardError.write(Data("audit: \(broken.count) verdict(s) no longer hold: \(broken.map { "\($0.paper) \($0.location)" }.joined(separator: ", "))\n".utf8))
      throw ExitCode.failure
    }
  }

  static func error(_ c: Comparison?) -> String {
    guard let c else { return "—" }
    return c.relativeError.isFinite ? formatScientific(c.relativeError) : "NaN"
  }

  static func table(_ entries: [AuditEntry]) {
    for paper in ["Xu", "Murugan", "Vardhan", "Milisavljevic", "MatConvNet"] {
      let rows = entries.filter { $0.paper == paper }
      guard !rows.isEmpty else { continue }
      print(Terminal.bold("\(paper) (\(rows.count) claims, \(rows.filter { $0.verdict != .correct }.count) not correct as printed)"))
      for e in rows {
        let mark = Terminal.verdict(e.verdictHolds)
        let verdict = e.verdict == .correct ? Terminal.green(e.verdict.rawValue) : Terminal.red(e.verdict.rawValue)
        print("  \(mark) \(e.location.padding(toLength: 16, withPad: " ", startingAt: 0)) \(verdict)  printed vs \(e.against): \(error(e.printed))\(e.correctedEvidence.map { "; corrected: \(error($0))" } ?? "")")
        print("      \(Terminal.dim(e.claim))")
        if let c = e.corrected, e.verdict != .correct { print("      → \(c)") }
      }
      print("")
    }
    let counts = AuditEntry.Verdict.allCases.map { v in "\(entries.filter { $0.verdict == v }.count) \(v.rawValue)" }
    print("\(entries.count) claims: \(counts.joined(separator: ", ")); \(entries.filter(\.verdictHolds).count) verdicts hold")
  }

  static func markdown(_ entries: [AuditEntry]) -> String {
    var lines = ["| paper | claims | correct | wrong in the source | garbled in conversion | ambiguous |", "| --- | --- | --- | --- | --- | --- |"]
    for paper in ["Xu", "Murugan", "Vardhan", "Milisavljevic", "MatConvNet"] {
      let rows = entries.filter { $0.paper == paper }
      guard !rows.isEmpty else { continue }
      lines.append("| \(paper) | \(rows.count) | " + AuditEntry.Verdict.allCases.map { v in String(rows.filter { $0.verdict == v }.count) }.joined(separator: " | ") + " |")
    }
    lines += ["", "## Claims that do not hold as printed", ""]
    for e in entries where e.verdict != .correct {
      lines.append("### \(e.paper) \(e.location) — \(e.verdict.rawValue)")
      lines.append("")
      lines.append("- printed: \(e.claim)")
      if let c = e.corrected { lines.append("- corrected: \(c)") }
      lines.append("- evidence (relative error against \(e.against)): printed \(error(e.printed))\(e.correctedEvidence.map { ", corrected \(error($0))" } ?? "")")
      lines.append("")
    }
    lines += ["## Claims checked and correct", "", "| paper | location | claim | against | rel. error |", "| --- | --- | --- | --- | --- |"]
    for e in entries where e.verdict == .correct {
      lines.append("| \(e.paper) | \(e.location) | \(e.claim.replacingOccurrences(of: "|", with: "\\|")) | \(e.against) | \(error(e.printed)) |")
    }
    return lines.joined(separator: "\n")
  }
}
