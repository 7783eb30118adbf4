import ConvLabCore
import Foundation
import Testing

/// Runs the built `convlab` binary (a sibling of the test bundle in .build/<config>/).
struct CLI {
  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  static var binary: String {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    while url.pathComponents.count > 1 {
      let candidate = url.deletingLastPathComponent().appendingPathComponent("convlab").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      url = url.deletingLastPathComponent()
    }
    return ".build/release/convlab"
  }

  static func run(_ arguments: [String], environment: [String: String] = [:], removing: [String] = []) throws -> Result {
    guard FileManager.default.isExecutableFile(atPath: binary) else {
      throw ConvLabError("the convlab binary was not found next to the tests; run `make test` (it builds it first).")
    }
    return try runProgram(binary, arguments, environment: environment.merging(["NO_COLOR": "1"]) { given, _ in given }, removing: removing)
  }

  /// Runs any program (the binary, unzip, bash, a bundle's run_autograder) with the test's
  /// environment plus `environment`, less `removing`.
  static func runProgram(_ program: String, _ arguments: [String], environment: [String: String] = [:], removing: [String] = []) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    for k in removing { env[k] = nil }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
  }

  /// Bad input fails with a non-zero status and one line on stderr that contains `message`.
  static func expectOneLineError(_ arguments: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try run(arguments)
    #expect(r.status != 0, sourceLocation: sourceLocation)
    #expect(r.stderr.contains(message), "\(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
  }

  /// A fresh temporary folder, removed by the caller.
  static func temporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-cli-\(UUID().uuidString)").path
    try makeDirectory(path)
    return path
  }
}
