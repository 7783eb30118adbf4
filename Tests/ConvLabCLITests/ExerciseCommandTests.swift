import ConvLabCore
import Foundation
import Testing

@Suite("convlab exercise")
struct ExerciseCommandTests {
  /// exercise.json's `block` and `options` are `convlab block`'s own: running that command on
  /// the packet's inputs gives answers that grade as correct.
  @Test func packetAnswersRecomputedWithConvlabBlockGradeCorrect() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let new = try CLI.run(["exercise", "new", "conv-backward", "--student", "ada", "--course", dir + "/course", "--out", dir + "/p"])
    #expect(new.status == 0, "\(new.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: try readFile(dir + "/p/exercise.json")) as? [String: Any])
    let parts = try #require(json["parts"] as? [[String: Any]])
    let first = parts[0]
    let options = try #require(first["options"] as? [String: String])
    let inputs = try #require(first["inputs"] as? [String: String])
    var args = ["block", try #require(first["block"] as? String)]
    for (k, v) in options.sorted(by: { $0.key < $1.key }) { args += ["--\(k)", v] }
    for (k, v) in inputs.sorted(by: { $0.key < $1.key }) { args += ["--\(k)", dir + "/p/" + v] }
    args += ["--out", dir + "/sub"]
    let block = try CLI.run(args)
    #expect(block.status == 0, "\(block.stderr)")
    let grade = try CLI.run(["exercise", "grade", dir + "/p", dir + "/sub", "--course", dir + "/course", "--json"])
    #expect(grade.status == 0, "\(grade.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(grade.stdout.utf8)) as? [String: Any])
    #expect((report["score"] as? Double) == 5 && (report["max_score"] as? Double) == 5, "\(grade.stdout)")
    // The student's self-check needs no course and says the same.
    let check = try CLI.run(["exercise", "check", dir + "/p", dir + "/sub"])
    #expect(check.status == 0 && check.stdout.contains("5 / 5"), "\(check.stdout)")
  }

  @Test func errorsAreOneLine() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for args in [
      ["exercise", "new", "nope", "--student", "a", "--course", dir + "/c", "--out", dir + "/p"],
      ["exercise", "new", "relu-backward", "--student", "a/b", "--course", dir + "/c", "--out", dir + "/p"],
      ["exercise", "grade", dir + "/missing", dir + "/sub", "--course", dir + "/c"],
      ["exercise", "init-swift", "relu-backward", "--student", "a", dir + "/pkg"],
    ] {
      let r = try CLI.run(args)
      #expect(r.status != 0 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("Error"), "\(args): \(r.stderr)")
    }
  }

  @Test func listShowsEveryKindInAlignedColumns() throws {
    let r = try CLI.run(["exercise", "list"])
    #expect(r.status == 0)
    for kind in ["by-hand", "swift", "geometry", "spot-the-error"] { #expect(r.stdout.contains(kind)) }
    // Every row's kind column starts where the header's does.
    let lines = r.stdout.split(separator: "\n").map(String.init)
    let column = try #require(lines[0].range(of: "kind")).lowerBound.utf16Offset(in: lines[0])
    // (Lines that start with a space continue a row's description.)
    for line in lines.dropFirst() where !line.hasPrefix(" ") {
      let kind = try #require(["by-hand", "swift", "geometry", "spot-the-error"].compactMap { line.range(of: " \($0) ") }.first)
      #expect(kind.lowerBound.utf16Offset(in: line) + 1 == column, "\(line)")
    }
  }

  /// The right answer of a packet's part, computed by `convlab block` from exercise.json's recipe.
  static func blockAnswer(packet: String, part: Int, into folder: String) throws -> String {
    let json = try #require(try JSONSerialization.jsonObject(with: try readFile(packet + "/exercise.json")) as? [String: Any])
    let spec = try #require((json["parts"] as? [[String: Any]])?[part])
    var args = ["block", try #require(spec["block"] as? String)]
    for (k, v) in try #require(spec["options"] as? [String: String]).sorted(by: { $0.key < $1.key }) { args += ["--\(k)", v] }
    for (k, v) in try #require(spec["inputs"] as? [String: String]).sorted(by: { $0.key < $1.key }) { args += ["--\(k)", packet + "/" + v] }
    let r = try CLI.run(args + ["--out", folder])
    #expect(r.status == 0, "\(r.stderr)")
    return folder + "/" + (try #require(spec["answer"] as? String)) + ".npy"
  }

  /// Issue 22: the Gradescope autograder built from a course runs from its zip, end to end, for
  /// a correct, a wrong, an invalid and an unknown student.
  @Test func gradescopeAutograderRunsFromItsZip() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try writeAtomically(Data("id,name,email,sid\ns01,Ann,ann@school.edu,101\ns02,Bob,bob@school.edu,102\ns03,Cy,cy@school.edu,103\n".utf8), to: dir + "/roster.csv")
    let exercises = ["relu-backward", "maxpool-backward"]
    let initialize = try CLI.run(["exercise", "class", "init", "--roster", dir + "/roster.csv", "--exercises", exercises.joined(separator: ","), "--out", dir + "/course"])
    #expect(initialize.status == 0, "\(initialize.stderr)")
    let bundle = try CLI.run(["exercise", "gradescope", dir + "/course", "--exercises", exercises.joined(separator: ","), "--out", dir + "/autograder.zip"])
    #expect(bundle.status == 0, "\(bundle.stderr)")
    let secret = String(decoding: try readFile(dir + "/course/secret.key"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)

    /// Unzips into a fresh /autograder, runs setup.sh and run_autograder, returns results.json.
    func autograde(_ name: String, email: String, sid: String, files: (String) throws -> Void) throws -> [String: Any] {
      let root = dir + "/" + name
      try makeDirectory(root + "/submission")
      let unzip = try CLI.runProgram("/usr/bin/unzip", ["-q", dir + "/autograder.zip", "-d", root + "/source"])
      #expect(unzip.status == 0, "\(unzip.stderr)")
      let setup = try CLI.runProgram("/bin/bash", [root + "/source/setup.sh"], environment: ["AUTOGRADER_ROOT": root])
      #expect(setup.status == 0, "\(setup.stderr)")
      try files(root + "/submission")
      let metadata = #"{"id": 1, "users": [{"email": "\#(email)", "name": "X", "sid": "\#(sid)"}], "assignment": {"title": "HW"}}"#
      try writeAtomically(Data(metadata.utf8), to: root + "/submission_metadata.json")
      let run = try CLI.runProgram(root + "/source/run_autograder", [], environment: ["AUTOGRADER_ROOT": root])
      #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
      let text = String(decoding: try readFile(root + "/results/results.json"), as: UTF8.self)
      #expect(!text.contains(secret) && !text.contains(dir), "\(text)")
      return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
    func submit(_ student: String, _ transform: @escaping ([Double]) -> [Double]) -> (String) throws -> Void {
      { submission in
        for exercise in exercises {
          try makeDirectory(submission + "/" + exercise)
          let answer = try NPYArray(contentsOf: try Self.blockAnswer(packet: "\(dir)/course/packets/\(student)/\(exercise)", part: 0, into: dir + "/block-\(student)-\(exercise)"))
          try NPYArray(shape: answer.shape, values: transform(answer.values)).write(to: "\(submission)/\(exercise)/dzdx.npy")
        }
      }
    }
    func tests(_ json: [String: Any]) -> [[String: Any]] { json["tests"] as? [[String: Any]] ?? [] }

    let correct = try autograde("correct", email: "ANN@school.edu", sid: "", files: submit("s01", { $0 }))
    #expect(correct["score"] as? Double == 3 && tests(correct).count == 2, "\(correct)")
    #expect(tests(correct).allSatisfy { $0["status"] as? String == "passed" && $0["visibility"] as? String == "visible" })
    #expect((correct["output"] as? String)?.contains("Total: 3 / 3") == true)

    let wrong = try autograde("wrong", email: "", sid: "102", files: submit("s02", { $0.map { -$0 } }))
    #expect(wrong["score"] as? Double == 0, "\(wrong)")
    let graded = tests(wrong).filter { ($0["max_score"] as? Double ?? 0) > 0 }
    #expect(graded.count == 2 && graded.allSatisfy { ($0["output"] as? String)?.hasPrefix("Wrong (diagnosis: sign-flipped).") == true }, "\(graded)")
    // The ✓/✗ map of entries is its own test, shown after the due date (the default policy).
    #expect(tests(wrong).filter { $0["visibility"] as? String == "after_due_date" }.count == 2)

    let invalid = try autograde("invalid", email: "cy@school.edu", sid: "103") { submission in
      for exercise in exercises {
        try makeDirectory(submission + "/" + exercise)
        try writeAtomically(Data("1,nan\n".utf8), to: "\(submission)/\(exercise)/dzdx.csv")
      }
    }
    #expect(invalid["score"] as? Double == 0 && tests(invalid).count == 2, "\(invalid)")
    #expect(tests(invalid).allSatisfy { ($0["output"] as? String)?.hasPrefix("Invalid file. dzdx.csv, line 1") == true }, "\(tests(invalid))")

    let unknown = try autograde("unknown", email: "eve@elsewhere.org", sid: "999", files: submit("s01", { $0 }))
    #expect(unknown["score"] as? Double == 0 && tests(unknown).isEmpty)
    #expect((unknown["output"] as? String)?.contains("could not find you") == true && (unknown["output"] as? String)?.contains("eve@elsewhere.org") == true)
  }

  /// Two writers on one course: the second fails at once in one line (never a second secret).
  @Test func aSecondWriterFailsInOneLine() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try makeDirectory(dir + "/course")
    let fd = open(dir + "/course/.convlab.lock", O_RDWR | O_CREAT, 0o600)
    #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
    defer { close(fd) }
    try CLI.expectOneLineError(["exercise", "new", "relu-backward", "--student", "a", "--course", dir + "/course", "--out", dir + "/p"], "another convlab command is writing to the course")
    #expect(!FileManager.default.fileExists(atPath: dir + "/course/secret.key"))
  }

  /// `class grade` with a wrong submissions path exits non-zero and leaves the grades alone.
  @Test func gradingAMissingSubmissionsFolderFails() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try writeAtomically(Data("id\ns01\n".utf8), to: dir + "/roster.csv")
    #expect(try CLI.run(["exercise", "class", "init", "--roster", dir + "/roster.csv", "--exercises", "relu-backward", "--out", dir + "/course"]).status == 0)
    try CLI.expectOneLineError(["exercise", "class", "grade", dir + "/course", "--submissions", dir + "/does-not-exist"], "does not exist")
    #expect(!FileManager.default.fileExists(atPath: dir + "/course/grades/latest"))
  }
}
