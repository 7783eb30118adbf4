import Foundation

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
