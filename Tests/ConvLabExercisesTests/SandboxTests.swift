import ConvLabCore
import ConvLabExercises
import Foundation
import Testing

/// Whether bubblewrap starts here; the hostile-student suite needs it (CI installs it with
/// `make setup`). Without it, `refusesWithoutTheSandbox` still runs.
let sandboxStarts: Bool = {
  guard SwiftRunner.swiftc != nil, Sandbox.bwrap != nil else { return false }
  guard let scratch = try? Sandbox.Scratch() else { return false }
  defer { scratch.remove() }
  return (try? Sandbox.requireAvailable(scratch: scratch)) != nil
}()

/// A hostile student's Swift submission, graded as a class would grade it: whatever the code
/// tries, it is graded wrong, crash, timeout or invalid; nothing it writes lands outside its
/// scratch folder, no process it starts survives, and the course secret appears in no output.
@Suite("Hostile student code in the sandbox", .enabled(if: sandboxStarts, "needs swiftc and a working bubblewrap (make setup)"))
struct HostileStudentTests {
  /// The function the exercise asks for, around `body`; `body` may use Foundation.
  static func submission(_ body: String, preamble: String = "") -> String {
    """
    import Foundation
    \(preamble)
    func convBackwardData(x: Array4, w: Array4, dzdy: Array4, stride: Int, pad: Int, dilate: Int) -> Array4 {
      \(body)
      return x
    }
    """
  }

  struct Graded {
    var result: PartResult
    var folder: String
    var secret: String
    var seconds: Double
  }

  /// Grades `source` as ada's swift-conv-backward submission in a fresh course; `prepare` may
  /// replace the submitted file (e.g. by a link). Returns the verdict and the course secret.
  func grade(_ source: String, runSeconds: Double = 20, prepare: (String, String) throws -> Void = { _, _ in }) throws -> Graded {
    let folder = try temporaryFolder("hostile")
    let course = try Course(directory: folder + "/course", create: true)
    let secret = try String(contentsOfFile: folder + "/course/" + Course.secretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    try Exercises.newPacket("swift-conv-backward", student: "ada", course: course, to: folder + "/p")
    try SwiftExercise(.convBackward).writePackage(student: "ada", sample: [], to: folder + "/pkg")
    let file = folder + "/pkg/Sources/Exercise/Student.swift"
    try writeAtomically(Data(source.replacingOccurrences(of: "COURSE", with: folder + "/course").utf8), to: file)
    try prepare(file, folder)
    let start = Date()
    let report = try Exercises.grade(packet: folder + "/p", submission: folder + "/pkg", course: course, runSeconds: runSeconds)
    return Graded(result: report.parts[0], folder: folder, secret: secret, seconds: Date().timeIntervalSince(start))
  }

  /// Every text a student could see: the feedback, the diagnosis and the grid.
  func visible(_ r: PartResult) -> String { [r.feedback, r.diagnosis ?? "", r.grid ?? ""].joined(separator: "\n") }

  @Test func readingTheSecretFindsNothingAndLeaksNothing() throws {
    // The worst case: the student knows the course folder's absolute path, and also tries the
    // grader's working folder through /proc. What it found goes to stdout and stderr, then it
    // crashes so that the feedback quotes stderr.
    let g = try grade(
      Self.submission(
        """
        var found = ""
        for path in ["COURSE/secret.key", "/proc/\\(getppid())/cwd/course/secret.key", "/proc/1/cwd/course/secret.key", "/root/.bash_history"] {
          if let s = try? String(contentsOfFile: path, encoding: .utf8) { found += s }
        }
        print("SECRET:" + found)
        FileHandle.standardError.write(Data(("SECRET:" + found + "\\n").utf8))
        exit(3)
        """))
    defer { try? FileManager.default.removeItem(atPath: g.folder) }
    #expect(g.result.status == .wrong && g.result.diagnosis == "crash", "\(g.result.feedback)")
    #expect(!visible(g.result).contains(g.secret), "the secret leaked into the feedback")
  }

  @Test func writingOutsideTheScratchFolderFails() throws {
    let marker = "convlab-escape-\(UUID().uuidString)"
    let g = try grade(
      Self.submission(
        """
        for path in ["COURSE/\(marker)", "/tmp/\(marker)", "/usr/\(marker)", NSHomeDirectory() + "/../\(marker)"] {
          FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        }
        """))
    defer { try? FileManager.default.removeItem(atPath: g.folder) }
    for path in [g.folder + "/course/\(marker)", "/tmp/\(marker)", "/usr/\(marker)", "/\(marker)"] {
      #expect(!FileManager.default.fileExists(atPath: path), "the student wrote \(path)")
    }
    #expect(g.result.status == .wrong)
  }

  @Test func aForkedChildDoesNotOutliveTheTimeLimit() throws {
    // A unique sleep length finds the child in the host's process table.
    let tag = "\(Int.random(in: 100_000...999_999)).5"
    let g = try grade(
      Self.submission(
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "setsid sleep \(tag) & sleep \(tag)"]
        try? p.run()
        while true { usleep(100_000) }
        """), runSeconds: 2)
    defer { try? FileManager.default.removeItem(atPath: g.folder) }
    #expect(g.result.status == .wrong && g.result.diagnosis == "timeout", "\(g.result.feedback)")
    usleep(300_000)
    let survivors =
      (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { pid in
        guard Int(pid) != nil, let cmd = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return false }
        return String(decoding: cmd, as: UTF8.self).contains(tag)
      } ?? []
    #expect(survivors.isEmpty, "processes \(survivors) outlived the sandbox")
  }

  @Test func floodingTheOutputIsStoppedAndBounded() throws {
    let g = try grade(
      Self.submission(
        """
        let line = String(repeating: "9", count: 1 << 16)
        while true { print(line) }
        """), runSeconds: 10)
    defer { try? FileManager.default.removeItem(atPath: g.folder) }
    // The file-size limit stops the program long before the wall-clock limit.
    #expect(g.result.status == .wrong && g.result.diagnosis == "crash", "\(g.result.diagnosis ?? "-"): \(g.result.feedback)")
    #expect(g.result.feedback.count < 2_000)
    #expect(g.seconds < 60)
  }

  @Test func fillingTmpIsStoppedAndTakesNoMemory() throws {
    // Files of 8 MiB (under the 16 MiB file-size limit), as many as it can: /tmp is the scratch
    // folder on disk, and the grader stops the program past 512 MiB.
    let g = try grade(
      Self.submission(
        """
        let chunk = Data(count: 8 << 20)
        var k = 0
        while true {
          FileManager.default.createFile(atPath: "/tmp/fill-\\(k)", contents: chunk)
          k += 1
        }
        """), runSeconds: 20)
    defer { try? FileManager.default.removeItem(atPath: g.folder) }
    #expect(g.result.status == .wrong && g.result.diagnosis == "crash", "\(g.result.diagnosis ?? "-"): \(g.result.feedback)")
    #expect(g.seconds < 60)
  }

  @Test func aForkBombHitsTheProcessLimit() throws {
    let g = try grade(
      Self.submission(
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "b() { b | b & }; b"]
        try? p.run()
        sleep(3)
        """), runSeconds: 6)
    defer { try? FileManager.default.removeItem(atPath: g.folder) }
    #expect(g.result.status == .wrong, "\(g.result.feedback)")
    // The host can still start processes, and the bomb's processes are gone.
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/bin/true")
    try probe.run()
    probe.waitUntilExit()
    #expect(probe.terminationStatus == 0)
  }

  @Test func aSymlinkedSubmissionIsInvalidAndNotFollowed() throws {
    let g = try grade("") { file, folder in
      try FileManager.default.removeItem(atPath: file)
      try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: folder + "/course/" + Course.secretFile)
    }
    defer { try? FileManager.default.removeItem(atPath: g.folder) }
    #expect(g.result.status == .invalid && g.result.feedback.contains("symbolic link"), "\(g.result.feedback)")
    #expect(!visible(g.result).contains(g.secret))
  }

  @Test func theScratchFolderIsPrivateAndRemoved() throws {
    // The program reports its scratch folder's mode and leaves a marker there; after grading, no
    // scratch folder holds the marker (other tests grade at the same time, so their folders may exist).
    let marker = "marker-\(UUID().uuidString)"
    let g = try grade(
      Self.submission(
        """
        let mode = ((try? FileManager.default.attributesOfItem(atPath: "/work"))?[.posixPermissions] as? Int) ?? -1
        FileManager.default.createFile(atPath: "/work/\(marker)", contents: Data())
        FileHandle.standardError.write(Data("MODE:\\(String(mode, radix: 8))\\n".utf8))
        exit(3)
        """))
    defer { try? FileManager.default.removeItem(atPath: g.folder) }
    #expect(g.result.feedback.contains("MODE:700"), "\(g.result.feedback)")
    let base = FileManager.default.temporaryDirectory.path
    let left = try FileManager.default.contentsOfDirectory(atPath: base)
      .filter { $0.hasPrefix(Sandbox.Scratch.prefix) && FileManager.default.fileExists(atPath: "\(base)/\($0)/work/\(marker)") }
    #expect(left.isEmpty, "scratch folders left: \(left)")
  }
}

@Suite("Sandbox set-up")
struct SandboxSetupTests {
  @Test func refusesWithoutTheSandbox() throws {
    let scratch = try Sandbox.Scratch()
    defer { scratch.remove() }
    #expect(throws: ConvLabError.self) {
      _ = try Sandbox.commandLine("/bin/true", [], scratch: scratch, limits: .run(seconds: 1), toolchain: nil, bwrap: nil)
    }
  }

  @Test func staleScratchFoldersOfDeadGradersAreSwept() throws {
    // A pid that cannot be alive: above the kernel's pid_max (at most 2²²).
    let stale = FileManager.default.temporaryDirectory.path + "/\(Sandbox.Scratch.prefix)99999999-abc"
    try makeDirectory(stale + "/work")
    let scratch = try Sandbox.Scratch()
    scratch.remove()
    #expect(!FileManager.default.fileExists(atPath: stale))
  }
}
