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

  /// The width output is fitted to: $COLUMNS (as swift-argument-parser's help reads it), else
  /// the terminal's width, else 80. Widths under 20 are taken as 20.
  static var width: Int {
    if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c.trimmingCharacters(in: .whitespaces)), n > 0 {
      return max(20, n)
    }
    var size = winsize()
    if isTTY, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return max(20, Int(size.ws_col)) }
    return 80
  }

  /// Display columns of `s`: characters, less ANSI colour sequences.
  static func displayWidth(_ s: String) -> Int {
    var count = 0
    var inEscape = false
    for c in s.unicodeScalars {
      if inEscape {
        if c == "m" { inEscape = false }
      } else if c == "\u{1B}" {
        inEscape = true
      } else {
        count += 1
      }
    }
    // Combining marks (the vector arrow of x⃗) take no column of their own.
    return count - s.unicodeScalars.filter { $0.properties.generalCategory == .nonspacingMark || $0.properties.generalCategory == .enclosingMark }.count
  }

  /// Prose wrapped at word boundaries to `width` columns. Each line of `text` is wrapped on its
  /// own; its continuation lines are indented like the line itself plus `hanging` spaces. A word
  /// longer than the width stays whole on a line of its own.
  static func wrap(_ text: String, width: Int = Terminal.width, hanging: Int = 0) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
      let line = String(line)
      guard displayWidth(line) > width else { return line }
      let indent = String(line.prefix { $0 == " " })
      let continuation = String(repeating: " ", count: min(indent.count + hanging, width / 2))
      var lines: [String] = []
      var current = indent
      for word in line.dropFirst(indent.count).split(separator: " ", omittingEmptySubsequences: false) {
        let w = String(word)
        let atStart = current == indent && lines.isEmpty || current == continuation && !lines.isEmpty
        if atStart {
          current += w
        } else if displayWidth(current) + 1 + displayWidth(w) <= width {
          current += " " + w
        } else {
          lines.append(current)
          current = continuation + w
        }
      }
      lines.append(current)
      return lines.joined(separator: "\n")
    }.joined(separator: "\n")
  }

  /// A matrix rendered with as many columns as fit in `width` (at most `maxCols`), the middle
  /// ones elided with ⋯; with `wide`, `maxCols` columns whatever the width. Returns the drawing
  /// and, when columns were left out to fit, a one-line note saying how many.
  static func fitted<S: Scalar>(
    _ m: Matrix<S>, rowLabels: [String]? = nil, colLabels: [String]? = nil, maxRows: Int, maxCols: Int,
    wide: Bool, width: Int = Terminal.width
  ) -> (text: String, note: String?) {
    var cols = min(maxCols, m.cols)
    func draw(_ c: Int) -> String { MatrixFormat.render(m, rowLabels: rowLabels, colLabels: colLabels, maxRows: maxRows, maxCols: c) }
    var text = draw(cols)
    func widest(_ s: String) -> Int { s.split(separator: "\n").map { displayWidth(String($0)) }.max() ?? 0 }
    if wide { return (text, nil) }
    while cols > 2, widest(text) > width {
      cols -= 1
      text = draw(cols)
    }
    guard cols < min(maxCols, m.cols) else { return (text, nil) }
    let hidden = m.cols - cols
    return (text, "(\(hidden) of \(m.cols) columns elided to fit \(width) columns; --wide prints them all)")
  }
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
      let width = 24
      let filled = Int((fraction * Double(width)).rounded(.down))
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
    return try WorkProgress.reporting({ [self] in update($0) }, body)
  }

  private func update(_ fraction: Double) {
    state.withLock { s in
      let now = Date()
      let elapsed = now.timeIntervalSince(s.start)
      guard elapsed > 1, fraction > 0 else { return }
      let eta = Progress.clock(elapsed / fraction * (1 - fraction))
      if Terminal.isTTY {
        guard now.timeIntervalSince(s.lastDraw) > 0.1 else { return }
        s.lastDraw = now
        s.drawn = true
        let width = 24
        let filled = Int((fraction * Double(width)).rounded(.down))
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
