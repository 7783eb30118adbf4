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
  @Flag(help: "Show which checks cover each numbered equation; exits non-zero if one is uncovered.")
  var coverage = false

  func run() throws {
    var entries = try Audit.entries(seed: seed)
    if let p = paper {
      entries = entries.filter { $0.paper.lowercased() == p.lowercased() }
      guard !entries.isEmpty else { throw ConvLabError("no audited paper '\(p)'; use Xu, Murugan, Vardhan, Milisavljevic or MatConvNet.") }
    }
    if coverage {
      let items = AuditCoverage.items(entries).filter { paper == nil || $0.paper.lowercased() == paper?.lowercased() }
      for item in items {
        let what = item.notComputable.map { "not computable: \($0)" } ?? (item.coveredBy.isEmpty ? Terminal.red("NOT COVERED") : "\(item.coveredBy.count) check(s): \(Array(Set(item.coveredBy)).sorted().joined(separator: "; "))")
        print("\(Terminal.verdict(item.isCovered)) \(item.paper) \(item.label.padding(toLength: 8, withPad: " ", startingAt: 0)) \(what)")
      }
      let missing = items.filter { !$0.isCovered }
      print("\(items.count) numbered equations and sections: \(items.filter { !$0.coveredBy.isEmpty }.count) checked, \(items.filter { $0.notComputable != nil }.count) not computable, \(missing.count) uncovered")
      if !missing.isEmpty { throw ExitCode.failure }
      return
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
    let items = AuditCoverage.items(entries)
    lines += ["## Coverage of the numbered equations", "",
              "\(items.count) numbered equations and sections; \(items.filter { !$0.coveredBy.isEmpty }.count) are checked above, \(items.filter { $0.notComputable != nil }.count) make no computable claim:", ""]
    for item in items where item.notComputable != nil { lines.append("- \(item.paper) \(item.label): \(item.notComputable ?? "")") }
    for item in items where !item.isCovered { lines.append("- \(item.paper) \(item.label): NOT COVERED") }
    lines.append("")
    lines += ["## Claims checked and correct", "", "| paper | location | claim | against | rel. error |", "| --- | --- | --- | --- | --- |"]
    for e in entries where e.verdict == .correct {
      lines.append("| \(e.paper) | \(e.location) | \(e.claim.replacingOccurrences(of: "|", with: "\\|")) | \(e.against) | \(error(e.printed)) |")
    }
    return lines.joined(separator: "\n")
  }
}
