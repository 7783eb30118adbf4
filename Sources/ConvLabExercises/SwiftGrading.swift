import ConvLabCore
import Foundation

/// Compiles and runs a student's Swift function with a time limit. Every failure of the
/// student's code (compile error, crash, hang, malformed output) becomes a verdict on the
/// part, never an error of the grader.
public enum SwiftRunner {
  static let compileSeconds = 300.0
  /// The largest Student.swift accepted (1 MiB).
  static let maxSourceBytes = 1 << 20
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

  /// The last `n` non-empty lines of a log.
  static func tail(_ text: String, _ n: Int = 6) -> String {
    text.split(separator: "\n").suffix(n).joined(separator: " | ")
  }

  /// Grades the student's package at `submission` on `cases`.
  static func grade(_ exercise: SwiftExercise, spec: PartSpec, submission: String, cases: [Part], runSeconds: Double, credit: PartialCredit = .standard) throws -> PartResult {
    func verdict(_ status: PartResult.Status, _ diagnosis: String?, _ text: String) -> PartResult {
      PartResult(name: spec.name, status: status, score: 0, maxScore: spec.maxScore, diagnosis: diagnosis, feedback: text, grid: nil)
    }
    let candidates = [submission + "/Sources/Exercise/Student.swift", submission + "/Student.swift"]
    guard let source = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      return verdict(.invalid, nil, "no Sources/Exercise/Student.swift in your submission (make one with `convlab exercise init-swift \(exercise.id) --student ID DIR`).")
    }
    guard let swiftc else {
      throw ConvLabError("swiftc is not on PATH (or set SWIFTC): the Swift exercises need the Swift toolchain to grade.")
    }
    // The submission is data: a link or a device node is refused, never followed (a link to
    // the course secret must not be compiled, quoted or echoed).
    let code: Data
    do { code = try readFile(source, maxBytes: maxSourceBytes, name: "Student.swift", followLinks: false) } catch let e as ConvLabError {
      return verdict(.invalid, nil, e.description)
    }
    let scratch = try Sandbox.Scratch()
    defer { scratch.remove() }
    let work = scratch.work
    try writeAtomically(code, to: work + "/Student.swift")
    try writeAtomically(Data(SwiftExercise.supportSource.utf8), to: work + "/Support.swift")
    try writeAtomically(Data(exercise.mainSource.utf8), to: work + "/main.swift")
    let toolchain = Sandbox.toolchainRoot(swiftc)
    let compile = try Sandbox.run(
      swiftc, ["-Onone", "-module-name", "Exercise", "-o", "exercise", "Support.swift", "Student.swift", "main.swift"],
      input: nil, scratch: scratch, limits: .compile, toolchain: toolchain, timeout: compileSeconds)
    if compile.timedOut {
      return verdict(.wrong, "compile-error", "Compiling your Student.swift took longer than \(Int(compileSeconds)) s and was stopped.")
    }
    if compile.status != 0 {
      let log = tail(String(decoding: compile.stderr, as: UTF8.self).replacingOccurrences(of: work + "/", with: "").replacingOccurrences(of: "/work/", with: ""))
      return verdict(.invalid, "compile-error", "Your Student.swift does not compile: \(log)")
    }
    let executable = Sandbox.isolation == .sandboxed ? "/work/exercise" : work + "/exercise"
    let run = try Sandbox.run(
      executable, [], input: Data(SwiftExercise.casesText(cases).utf8), scratch: scratch,
      limits: .run(seconds: runSeconds), toolchain: toolchain, timeout: runSeconds)
    if run.truncated {
      return verdict(.wrong, "crash", "Your program wrote more than \(Sandbox.outputCap >> 20) MiB of output or \(Sandbox.scratchCap >> 20) MiB of files and was stopped; print only the results.")
    }
    if run.timedOut {
      return verdict(.wrong, "timeout", Mistakes.named("timeout").feedback + " (limit \(Int(runSeconds)) s for \(cases.count) instances)")
    }
    if run.status != 0 || run.signaled {
      return verdict(.wrong, "crash", Mistakes.named("crash").feedback + " " + tail(String(decoding: run.stderr, as: UTF8.self), 3))
    }
    // The program's output is untrusted text: StudentOutput bounds every size before allocating.
    let outputs: [Tensor<Double>]
    do { outputs = try StudentOutput.parse(run.stdout, expected: cases.count, maxBytes: Sandbox.outputCap) } catch let e as ConvLabError {
      return verdict(.invalid, nil, "Your program's output cannot be read: \(e.description)")
    }
    var results: [PartResult] = []
    for (part, output) in zip(cases, outputs) {
      let solution = try exercise.solve(part)
      if output.shape != solution.answer.shape {
        return verdict(.invalid, nil, "your function returned shape \(output.shape) where dz/dx has shape \(solution.answer.shape) (shaped like x).")
      }
      if let bad = output.storage.firstIndex(where: { !$0.isFinite }) {
        return verdict(.invalid, nil, "your function returned \(output.storage[bad]) at entry \(bad + 1) (vec order); every entry must be finite.")
      }
      results.append(Grader.grade(spec, solution, submitted: output))
    }
    let right = results.filter { $0.status == .correct }.count
    guard let first = results.firstIndex(where: { $0.status != .correct }) else {
      return PartResult(
        name: spec.name, status: .correct, score: spec.maxScore, maxScore: spec.maxScore, diagnosis: nil,
        feedback: "Correct on all \(results.count) instances.", grid: nil)
    }
    var result = results[first]
    // Partial credit counts instances here (each is right or wrong as a whole), capped by the course policy.
    result.score = credit.mode == .off ? 0 : (spec.maxScore * credit.cap * Double(right) / Double(results.count) * 100).rounded(.down) / 100
    result.feedback = "Wrong on \(results.count - right) of \(results.count) instances; on instance \(first + 1): " + result.feedback
    return result
  }
}
