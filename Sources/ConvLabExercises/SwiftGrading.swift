import ConvLabCore
import Foundation

/// Compiles and runs a student's Swift function with a time limit. Every failure of the
/// student's code (compile error, crash, hang, malformed output) becomes a verdict on the
/// part, never an error of the grader.
public enum SwiftRunner {
  static let compileSeconds = 300.0
  /// The default limit on running the student's program on all instances.
  public static let runSeconds = 20.0

  /// `swiftc`: $SWIFTC, else the first on PATH.
  public static var swiftc: String? {
    if let s = ProcessInfo.processInfo.environment["SWIFTC"], FileManager.default.isExecutableFile(atPath: s) { return s }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
      let path = "\(dir)/swiftc"
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
  }

  struct Outcome {
    var status: Int32
    var timedOut: Bool
    var signaled: Bool
    var stdout: String
    var stderr: String
  }

  /// Runs `executable` with `arguments`, standard input from `input`, killing it after `timeout` seconds.
  static func execute(_ executable: String, _ arguments: [String], input: String? = nil, in folder: String, timeout: Double) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    let outPath = folder + "/.stdout", errPath = folder + "/.stderr"
    guard FileManager.default.createFile(atPath: outPath, contents: nil), FileManager.default.createFile(atPath: errPath, contents: nil),
          let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
      throw ConvLabError("cannot create output files in \(folder).")
    }
    process.standardOutput = out
    process.standardError = err
    if let input {
      let inPath = folder + "/.stdin"
      try writeAtomically(Data(input.utf8), to: inPath)
      process.standardInput = FileHandle(forReadingAtPath: inPath)
    } else {
      process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    var timedOut = false
    if process.isRunning {
      timedOut = true
      kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
    try? out.close()
    try? err.close()
    let text = { (p: String) in String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: p))) ?? Data(), as: UTF8.self) }
    return Outcome(status: process.terminationStatus, timedOut: timedOut, signaled: process.terminationReason == .uncaughtSignal,
                   stdout: text(outPath), stderr: text(errPath))
  }

  /// The last `n` non-empty lines of a log.
  static func tail(_ text: String, _ n: Int = 6) -> String {
    text.split(separator: "\n").suffix(n).joined(separator: " | ")
  }

  /// Grades the student's package at `submission` on `cases`.
  static func grade(_ exercise: SwiftExercise, spec: PartSpec, submission: String, cases: [Part], runSeconds: Double) throws -> PartResult {
    func verdict(_ status: PartResult.Status, _ diagnosis: String?, _ text: String) -> PartResult {
      PartResult(name: spec.name, status: status, score: 0, maxScore: spec.maxScore, diagnosis: diagnosis, feedback: text, grid: nil)
    }
    let candidates = [submission + "/Sources/Exercise/Student.swift", submission + "/Student.swift"]
    guard let source = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      return verdict(.invalid, nil, "no Sources/Exercise/Student.swift in the submission \(submission) (make one with `convlab exercise init-swift \(exercise.id) --student ID DIR`). (An invalid part costs no attempt.)")
    }
    guard let swiftc else {
      throw ConvLabError("swiftc is not on PATH (or set SWIFTC): the Swift exercises need the Swift toolchain to grade.")
    }
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-grade-\(UUID().uuidString)").path
    try makeDirectory(work)
    defer { try? FileManager.default.removeItem(atPath: work) }
    try writeAtomically(try readFile(source), to: work + "/Student.swift")
    try writeAtomically(Data(SwiftExercise.supportSource.utf8), to: work + "/Support.swift")
    try writeAtomically(Data(exercise.mainSource.utf8), to: work + "/main.swift")
    let compile = try execute(swiftc, ["-Onone", "-module-name", "Exercise", "-o", "exercise", "Support.swift", "Student.swift", "main.swift"], in: work, timeout: compileSeconds)
    if compile.timedOut {
      return verdict(.wrong, "compile-error", "Compiling your Student.swift took longer than \(Int(compileSeconds)) s and was stopped.")
    }
    if compile.status != 0 {
      let log = tail(compile.stderr.replacingOccurrences(of: work + "/", with: ""))
      return verdict(.invalid, "compile-error", "Your Student.swift does not compile: \(log) (An invalid part costs no attempt.)")
    }
    let run = try execute(work + "/exercise", [], input: SwiftExercise.casesText(cases), in: work, timeout: runSeconds)
    if run.timedOut {
      return verdict(.wrong, "timeout", Mistakes.named("timeout").feedback + " (limit \(Int(runSeconds)) s for \(cases.count) instances)")
    }
    if run.status != 0 || run.signaled {
      return verdict(.wrong, "crash", Mistakes.named("crash").feedback + " " + tail(run.stderr, 3))
    }
    // Parse "out SHAPE" / values pairs.
    let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var outputs: [Tensor<Double>] = []
    var k = 0
    while k + 1 < lines.count, lines[k].hasPrefix("out ") {
      let dims = lines[k].split(separator: " ").dropFirst().compactMap { Int($0) }
      let values = lines[k + 1].split(separator: " ").map { Double(String($0)) ?? .nan }
      let shape = Shape(dims: dims)
      guard dims.count == 4, shape.count == values.count else {
        return verdict(.invalid, nil, "your function returned an array whose shape \(dims) does not match its \(values.count) values. (An invalid part costs no attempt.)")
      }
      outputs.append(Tensor(shape: shape, storage: values))
      k += 2
    }
    guard outputs.count == cases.count else {
      return verdict(.wrong, "crash", "The program printed \(outputs.count) results for \(cases.count) instances (does Student.swift print to standard output?).")
    }
    var results: [PartResult] = []
    for (part, output) in zip(cases, outputs) {
      let solution = try exercise.solve(part)
      if output.shape != solution.answer.shape {
        return verdict(.invalid, nil, "your function returned shape \(output.shape) where dz/dx has shape \(solution.answer.shape) (shaped like x). (An invalid part costs no attempt.)")
      }
      if let bad = output.storage.firstIndex(where: { !$0.isFinite }) {
        return verdict(.invalid, nil, "your function returned \(output.storage[bad]) at entry \(bad + 1) (vec order); every entry must be finite. (An invalid part costs no attempt.)")
      }
      results.append(Grader.grade(spec, solution, submitted: output))
    }
    let right = results.filter { $0.status == .correct }.count
    guard let first = results.firstIndex(where: { $0.status != .correct }) else {
      return PartResult(name: spec.name, status: .correct, score: spec.maxScore, maxScore: spec.maxScore, diagnosis: nil,
                        feedback: "Correct on all \(results.count) instances. " + Tolerance.sentence, grid: nil)
    }
    var result = results[first]
    result.score = (spec.maxScore * 0.5 * Double(right) / Double(results.count) * 100).rounded(.down) / 100
    result.feedback = "Wrong on \(results.count - right) of \(results.count) instances; on instance \(first + 1): " + result.feedback
    return result
  }
}
