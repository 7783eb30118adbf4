import Foundation

/// Facts about the machine that `convlab info` reports: external programs and optional
/// run-time libraries.
public enum SystemInfo {
  /// The full path of an executable on PATH, or nil.
  public static func which(_ program: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for folder in path.split(separator: ":") {
      let candidate = "\(folder)/\(program)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// Runs a program and returns its standard output (and error), or nil if it cannot start.
  public static func run(_ executable: String, _ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  /// gnuplot's path and version line, or nil when gnuplot is not installed.
  public static var gnuplot: (path: String, version: String)? {
    guard let path = which("gnuplot") else { return nil }
    let version = run(path, ["--version"])?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown version"
    return (path, version)
  }

  /// Physical/logical processors available to this process.
  public static var processorCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}
