import ConvLabCore
import Foundation
import Testing

/// Golden files: a command's output pinned in `__Snapshots__/NAME.txt` beside this file.
///
/// `CONVLAB_RECORD=1 swift test --filter SnapshotTests` writes the files instead of comparing
/// (review the diff before committing it). A mismatch names the first line that differs.
enum Snapshot {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")

  static var recording: Bool { ProcessInfo.processInfo.environment["CONVLAB_RECORD"] == "1" }

  static func path(_ name: String) -> String { folder.appendingPathComponent(name + ".txt").path }

  /// `text` equals the golden file `name` (or, when recording, becomes it).
  static func expect(_ text: String, matches name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let file = path(name)
    if recording {
      try makeDirectory(folder.path)
      try writeAtomically(Data(text.utf8), to: file)
      return
    }
    guard let golden = FileManager.default.contents(atPath: file).map({ String(decoding: $0, as: UTF8.self) }) else {
      Issue.record("no golden file \(file); record it with CONVLAB_RECORD=1", sourceLocation: sourceLocation)
      return
    }
    guard golden != text else { return }
    let a = golden.split(separator: "\n", omittingEmptySubsequences: false)
    let b = text.split(separator: "\n", omittingEmptySubsequences: false)
    let k = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
    let expected = k < a.count ? String(a[k]) : "(end of file)"
    let got = k < b.count ? String(b[k]) : "(end of output)"
    Issue.record("\(name): line \(k + 1) differs from \(file)\n  golden: \(expected)\n  output: \(got)\n(CONVLAB_RECORD=1 re-records)", sourceLocation: sourceLocation)
  }

  /// Relative errors (`1.2e-16`, `3.4e−10`) replaced by `‹ε›`: their last digits depend on the
  /// BLAS kernel and the CPU's FMA, so golden files pin everything but them.
  static func maskingErrors(_ text: String) -> String {
    text.replacingOccurrences(of: "[0-9]+(\\.[0-9]+)?e[-−+]?[0-9]+", with: "‹ε›", options: .regularExpression)
  }
}
