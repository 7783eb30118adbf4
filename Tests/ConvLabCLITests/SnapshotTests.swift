import ConvLabCore
import Foundation
import Testing

/// Every `--help` screen and the key outputs pinned as golden files (Snapshot), and every
/// output fitted to the terminal's width.
@Suite(.serialized) struct SnapshotTests {
  /// The fixed environment of a pinned output: 80 columns, no colour.
  static let environment = ["COLUMNS": "80", "NO_COLOR": "1"]

  /// One node of `convlab --experimental-dump-help` (swift-argument-parser's ToolInfoV0).
  struct CommandInfo: Decodable {
    let commandName: String
    let subcommands: [CommandInfo]?
    let shouldDisplay: Bool?
  }

  struct ToolInfo: Decodable { let command: CommandInfo }

  /// Every command path under `convlab` ([] is the root), hidden ones included, from the parser's
  /// own description of the command tree.
  static func commandPaths() throws -> [[String]] {
    let r = try CLI.run(["--experimental-dump-help"], removing: ["AUTOGRADER_ROOT"])
    let tool = try JSONDecoder().decode(ToolInfo.self, from: Data(r.stdout.utf8))
    func walk(_ c: CommandInfo, _ path: [String]) -> [[String]] {
      [path] + (c.subcommands ?? []).flatMap { walk($0, path + [$0.commandName]) }
    }
    return walk(tool.command, [])
  }

  static func helpName(_ path: [String]) -> String { (["help", "convlab"] + path).joined(separator: "-") }

  @Test func everyHelpScreenMatchesItsGoldenFile() throws {
    let paths = try Self.commandPaths()
    #expect(paths.count >= 25, "the command tree has \(paths.count) commands")
    for path in paths {
      let r = try CLI.run(path + ["--help"], environment: Self.environment, removing: ["AUTOGRADER_ROOT", "CONVLAB_MAX_MEMORY"])
      #expect(r.status == 0, "convlab \(path.joined(separator: " ")) --help: \(r.stderr)")
      try Snapshot.expect(r.stdout, matches: Self.helpName(path))
    }
    // No golden file of a command that no longer exists.
    if !Snapshot.recording {
      let wanted = Set(paths.map { Self.helpName($0) + ".txt" })
      let present = try FileManager.default.contentsOfDirectory(atPath: Snapshot.folder.path).filter { $0.hasPrefix("help-") }
      #expect(Set(present).subtracting(wanted).isEmpty, "stale help snapshots: \(Set(present).subtracting(wanted).sorted())")
    }
  }

  /// Help prose is wrapped by the parser to $COLUMNS (discussions are written without hard line
  /// breaks), so no help line is longer than the width — except the USAGE line, which
  /// swift-argument-parser prints whole as one command line to copy.
  @Test func helpScreensFitEightyAndTwoHundredColumns() throws {
    for width in [80, 200] {
      for path in try Self.commandPaths() {
        let r = try CLI.run(path + ["--help"], environment: ["COLUMNS": "\(width)"], removing: ["AUTOGRADER_ROOT"])
        let widest = r.stdout.split(separator: "\n").filter { !$0.hasPrefix("USAGE:") }.map(\.count).max() ?? 0
        #expect(widest <= width, "convlab \(path.joined(separator: " ")) --help at COLUMNS=\(width): a line of \(widest)")
      }
    }
  }

  /// Key outputs, whole or their first lines; relative errors masked (Snapshot.maskingErrors).
  static let outputs: [(name: String, arguments: [String], firstLines: Int?)] = [
    ("jacobian-conv-3x3-k2x2", ["jacobian", "conv", "--x", "3x3", "--k", "2x2"], nil),
    ("jacobian-conv-6x6-k3x3", ["jacobian", "conv", "--x", "6x6", "--k", "3x3"], nil),
    ("check-conv", ["check", "conv", "--cases", "4"], nil),
    ("derive-xu-input-error-head", ["derive", "xu-input-error", "--all"], 16),
    ("derive-list", ["derive", "--list"], nil),
    ("exercise-list", ["exercise", "list"], nil),
    ("audit-coverage-head", ["audit", "--coverage"], 8),
    ("lenet", ["lenet"], nil),
    ("geometry-lenet", ["geometry", "conv 5x5; pool 2x2 stride 2; conv 5x5; pool 2x2 stride 2", "--input", "32x32"], nil),
    ("notation-list", ["notation", "--list"], nil),
    ("notation-up", ["notation", "up", "--n", "2"], nil),
  ]

  @Test(arguments: outputs.map(\.name))
  func keyOutputMatchesItsGoldenFile(name: String) throws {
    let o = try #require(Self.outputs.first { $0.name == name })
    let r = try CLI.run(o.arguments, environment: Self.environment)
    #expect(r.status == 0, "convlab \(o.arguments.joined(separator: " ")): \(r.stderr)")
    var text = r.stdout
    if let n = o.firstLines { text = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).prefix(n).joined(separator: "\n") + "\n" }
    try Snapshot.expect(Snapshot.maskingErrors(text), matches: name)
  }

  /// Outputs that print prose, tables and matrices, at two widths: no line is longer than
  /// $COLUMNS (the widths are counted in characters; every character here is one column).
  static let fitted: [[String]] = [
    ["jacobian", "conv", "--x", "6x6", "--k", "3x3"],
    ["jacobian", "conv", "--x", "4x4x2", "--k", "2x2"],
    ["jacobian", "pool", "--x", "6x6", "--pool-size", "2", "--stride", "2"],
    ["derive", "xu-input-error", "--all"],
    ["check", "conv", "--cases", "3"],
    ["exercise", "list"],
    ["lenet"],
  ]

  @Test(arguments: fitted, [80, 200])
  func outputFitsTheTerminalWidth(arguments: [String], width: Int) throws {
    let r = try CLI.run(arguments, environment: ["COLUMNS": "\(width)"])
    #expect(r.status == 0, "\(r.stderr)")
    let long = r.stdout.split(separator: "\n").map(String.init).filter { $0.count > width }
    #expect(long.isEmpty, "convlab \(arguments.joined(separator: " ")) at COLUMNS=\(width): \(long.count) lines longer, e.g. \(long.first ?? "")")
  }

  @Test func wideMatricesAreElidedWithANoteAndWidePrintsThemAll() throws {
    let arguments = ["jacobian", "conv", "--x", "6x6", "--k", "3x3"]
    let fitted = try CLI.run(arguments, environment: ["COLUMNS": "80"])
    // 16 × 36: the default 16 columns do not fit 80; the note names how many were left out.
    #expect(fitted.stdout.contains("of 36 columns elided to fit 80 columns; --wide prints them all"), "\(fitted.stdout)")
    let wide = try CLI.run(arguments + ["--wide"], environment: ["COLUMNS": "80"])
    #expect(wide.status == 0)
    #expect(!wide.stdout.contains("elided to fit"))
    #expect((wide.stdout.split(separator: "\n").map(\.count).max() ?? 0) > 80, "--wide keeps the 16 columns whatever the width")
    // At 200 columns the 16 shown columns fit: nothing is elided beyond the usual 16.
    let roomy = try CLI.run(arguments, environment: ["COLUMNS": "200"])
    #expect(!roomy.stdout.contains("elided to fit"))
  }
}
