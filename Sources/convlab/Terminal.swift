import ConvLabCore
import Foundation
import Synchronization

/// Terminal capabilities: colour only on a TTY and never with NO_COLOR set.
enum Terminal {
  static let isTTY = isatty(STDOUT_FILENO) != 0
  static let useColor = isTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

  static func bold(_ s: String) -> String { useColor ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
  static func green(_ s: String) -> String { useColor ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
  static func red(_ s: String) -> String { useColor ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
  static func dim(_ s: String) -> String { useColor ? "\u{1B}[2m\(s)\u{1B}[0m" : s }

  /// ✓ or ✗, coloured on a terminal.
  static func verdict(_ ok: Bool) -> String { ok ? green("✓") : red("✗") }
}

/// Progress of long work: a redrawn bar on a terminal (stderr), plain lines otherwise — at most
/// one per `plainEvery` of the way, so logs stay short.
struct Progress {
  let label: String
  var plainEvery = 0.25
  private var nextPlain = 0.25
  private var lastDraw = Date.distantPast

  init(_ label: String, plainEvery: Double = 0.25) {
    self.label = label
    self.plainEvery = plainEvery
    nextPlain = plainEvery
  }

  /// Shows `fraction` done (0…1) with a status text.
  mutating func update(_ fraction: Double, _ status: String) {
    if Terminal.isTTY {
      let now = Date()
      guard fraction >= 1 || now.timeIntervalSince(lastDraw) > 0.1 else { return }
      lastDraw = now
      let width = 24, filled = Int((fraction * Double(width)).rounded(.down))
      let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: max(0, width - filled))
      FileHandle.standardError.write(Data("\r\u{1B}[2K\(label) \(Terminal.useColor ? Terminal.green(bar) : bar) \(String(format: "%3.0f%%", fraction * 100)) \(status)".utf8))
    } else if fraction + 1e-9 >= nextPlain && fraction < 1 {
      while nextPlain <= fraction + 1e-9 { nextPlain += plainEvery }
      print("\(label) \(String(format: "%3.0f%%", fraction * 100)) \(status)")
    }
  }

  /// Clears the bar (on a terminal) so the next line starts clean.
  func finish() {
    if Terminal.isTTY { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
  }

  /// "m:ss" for an ETA.
  static func clock(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--:--" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }
}

/// A progress bar on stderr for library work that reports through `WorkProgress`: nothing for
/// work that ends within a second; then a bar on a terminal, or a line every quarter otherwise.
/// Standard output stays clean for the result (a Jacobian printed or piped).
final class StderrProgress: Sendable {
  private struct State {
    var start = Date()
    var nextPlain = 0.25
    var lastDraw = Date.distantPast
    var drawn = false
  }
  private let label: String
  private let state = Mutex(State())

  init(_ label: String) { self.label = label }

  /// Runs `body` with this reporter bound to `WorkProgress.report`, clearing the bar after.
  func run<T>(_ body: () throws -> T) rethrows -> T {
    defer { finish() }
    return try WorkProgress.$report.withValue({ [self] in update($0) }, operation: body)
  }

  private func update(_ fraction: Double) {
    state.withLock { s in
      let now = Date(), elapsed = now.timeIntervalSince(s.start)
      guard elapsed > 1, fraction > 0 else { return }
      let eta = Progress.clock(elapsed / fraction * (1 - fraction))
      if Terminal.isTTY {
        guard now.timeIntervalSince(s.lastDraw) > 0.1 else { return }
        s.lastDraw = now
        s.drawn = true
        let width = 24, filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: max(0, width - filled))
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(label) \(bar) \(String(format: "%3.0f%%", fraction * 100)) ETA \(eta)".utf8))
      } else if fraction >= s.nextPlain {
        while s.nextPlain <= fraction { s.nextPlain += 0.25 }
        FileHandle.standardError.write(Data("\(label) \(String(format: "%3.0f%%", fraction * 100)) ETA \(eta)\n".utf8))
      }
    }
  }

  private func finish() {
    if state.withLock({ $0.drawn }) { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
  }
}
