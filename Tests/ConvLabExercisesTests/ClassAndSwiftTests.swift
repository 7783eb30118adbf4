import ConvLabCore
import ConvLabExercises
import Foundation
import Testing

@Suite("A whole class")
struct ClassTests {
  /// 30 students with planted mistakes: the gradebook, results.json and the mistake counts
  /// must say exactly what was planted.
  @Test func classRoundTrip() throws {
    let folder = try temporaryFolder("class")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let ids = (1...30).map { String(format: "s%02d", $0) }
    try writeAtomically(Data((["id,name"] + ids.map { "\($0),Student \($0)" }).joined(separator: "\n").utf8), to: folder + "/roster.csv")
    let exercises = ["relu-backward", "maxpool-backward", "output-size"]
    try Classroom.initialize(roster: folder + "/roster.csv", exercises: exercises, out: folder + "/course")
    for (i, id) in ids.enumerated() {
      for ex in exercises {
        let (_, parts) = try Packet.read("\(folder)/course/packets/\(id)/\(ex)")
        let e = try Exercises.named(ex)
        let sub = "\(folder)/submissions/\(id)/\(ex)"
        if i % 5 == 3 && ex == "relu-backward" { continue }  // nothing handed in
        try makeDirectory(sub)
        for part in parts {
          let s = try e.solve(part)
          var value = s.answer
          switch (i % 5, ex, part.spec.name) {
          case (1, "relu-backward", _): value = s.variants.first { $0.id == "missing-activation-derivative" }!.value
          case (2, "maxpool-backward", _): value = s.variants.first { $0.id == "maxpool-ties-all" }!.value
          case (2, "output-size", "conv"): value = s.variants.first { $0.id == "ceil-floor-swapped" }!.value
          case (4, "maxpool-backward", _): value = s.answer.map { -$0 }
          default: break
          }
          if i % 5 == 4 && ex == "relu-backward" {
            try writeAtomically(Data("nan\n".utf8), to: "\(sub)/\(part.spec.name).csv")
          } else {
            try NPYArray(value).write(to: "\(sub)/\(part.spec.name).npy")
          }
        }
      }
    }
    let summary = try Classroom.grade(course: folder + "/course", submissions: folder + "/submissions")
    #expect(summary.mistakes == ["missing-activation-derivative": 6, "maxpool-ties-all": 6, "ceil-floor-swapped": 6, "sign-flipped": 6])
    // 6 students handed in no relu-backward, 6 an unreadable one: both counted, apart.
    #expect(summary.statuses[.missing] == 6 && summary.statuses[.invalid] == 6, "\(summary.statuses)")
    let grades = folder + "/course/grades/latest"
    let csv = String(decoding: try readFile(grades + "/gradebook.csv"), as: UTF8.self).split(separator: "\n")
    #expect(csv.count == 31)
    #expect(csv[0] == "student,name,relu-backward:dzdx,maxpool-backward:dzdx,output-size:conv,output-size:pool,total,max,correct,wrong,invalid,missing,error")
    for (i, id) in ids.enumerated() {
      let row = csv[i + 1].split(separator: ",").map(String.init)
      let total = Double(row[6]) ?? -1
      #expect(row[0] == id && row[7] == "5")
      switch i % 5 {
      case 0: #expect(total == 5)
      case 3, 4: #expect(row[2] == "0" && total < 5)
      // Partial credit is at most half a wrong part's points, over the entries whose true value is
      // not zero (so it can be 0 on an instance): relu (1 point) wrong leaves 4 to 4.5; maxpool
      // (2 points) and the conv output size (1 point, two entries) wrong leave 2 to 3.5.
      case 1: #expect(total >= 4 && total <= 4.5, "\(id): \(total)")
      default: #expect(total >= 2 && total <= 3.5, "\(id): \(total) \(row)")
      }
      let data = try readFile("\(grades)/gradescope/\(id)/results.json")
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let tests = try #require(json["tests"] as? [[String: Any]])
      #expect(tests.filter { ($0["max_score"] as? Double ?? 0) > 0 }.count == 4)
      #expect(tests.allSatisfy { ["name", "score", "max_score", "status", "output", "visibility"].allSatisfy($0.keys.contains) })
      #expect(abs(((json["score"] as? Double) ?? -1) - total) < 0.011)
      #expect(FileManager.default.fileExists(atPath: "\(grades)/feedback/\(id).md"))
    }
    let summaryText = String(decoding: try readFile(grades + "/summary.md"), as: UTF8.self)
    #expect(summaryText.contains("| `maxpool-ties-all` | 6 |"))
    #expect(summaryText.contains("| relu-backward:dzdx | 12 | 6 | 6 | 6 | 0 |"), "\(summaryText)")
    for name in ["scores", "mistakes"] {
      #expect(FileManager.default.fileExists(atPath: "\(grades)/figures/\(name).gp"))
      if SystemInfo.gnuplot != nil { #expect(FileManager.default.fileExists(atPath: "\(grades)/figures/\(name).png")) }
    }
  }

  @Test func rosterErrorsAreOneLine() throws {
    let folder = try temporaryFolder("roster")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try writeAtomically(Data("id,name\na/b,Eve\n".utf8), to: folder + "/bad.csv")
    #expect(throws: ConvLabError.self) { try Classroom.readRoster(folder + "/bad.csv") }
    try writeAtomically(Data("id\nx1\nx1\n".utf8), to: folder + "/twice.csv")
    #expect(throws: ConvLabError.self) { try Classroom.readRoster(folder + "/twice.csv") }
    try writeAtomically(Data("x1,Ann\nx2\n".utf8), to: folder + "/plain.csv")
    #expect(try Classroom.readRoster(folder + "/plain.csv").map(\.id) == ["x1", "x2"])
  }
}

/// The Swift exercise end to end: the package is written, a student's file is compiled with the
/// harness and run on hidden instances; compile errors, crashes and hangs are verdicts.
@Suite("Swift exercises", .enabled(if: SwiftRunner.swiftc != nil, "needs swiftc on PATH"))
struct SwiftExerciseTests {
  static let right = """
    func convBackwardData(x: Array4, w: Array4, dzdy: Array4, stride: Int, pad: Int, dilate: Int) -> Array4 {
      var dzdx = Array4(shape: x.shape)
      for k in 0..<dzdy.shape[2] { for jj in 0..<dzdy.shape[1] { for ii in 0..<dzdy.shape[0] {
        for d in 0..<w.shape[2] { for j in 0..<w.shape[1] { for i in 0..<w.shape[0] {
          let r = stride * ii + dilate * i - pad, c = stride * jj + dilate * j - pad
          if r >= 0 && r < x.shape[0] && c >= 0 && c < x.shape[1] { dzdx[r, c, d] += TAP * dzdy[ii, jj, k] }
        } } }
      } } }
      return dzdx
    }
    """

  /// `runSeconds` defaults to 120, not the course's 20: the whole suite runs its tests in parallel
  /// on two cores, and a right or diagnosable submission (unoptimized conv loops over every
  /// instance) once took over 20 s there and was graded "timeout". The timeout test sets its own.
  func grade(_ source: String, runSeconds: Double = 120) throws -> PartResult {
    let folder = try temporaryFolder("swift")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let course = try Course(directory: folder + "/course", create: true)
    try Exercises.newPacket("swift-conv-backward", student: "ada", course: course, to: folder + "/p")
    #expect(FileManager.default.fileExists(atPath: folder + "/p/sample.txt"))
    let exercise = SwiftExercise(.convBackward)
    try exercise.writePackage(student: "ada", sample: [], to: folder + "/pkg")
    #expect(throws: ConvLabError.self) { try exercise.writePackage(student: "ada", sample: [], to: folder + "/pkg") }
    try writeAtomically(Data(source.utf8), to: folder + "/pkg/Sources/Exercise/Student.swift")
    return try Exercises.grade(packet: folder + "/p", submission: folder + "/pkg", course: course, runSeconds: runSeconds).parts[0]
  }

  @Test func rightImplementationIsCorrect() throws {
    let r = try grade(Self.right.replacingOccurrences(of: "TAP", with: "w[i, j, d, k]"))
    #expect(r.status == .correct && r.score == 4, "\(r.feedback)")
  }

  @Test func unflippedKernelIsDiagnosed() throws {
    let r = try grade(Self.right.replacingOccurrences(of: "TAP", with: "w[w.shape[0] - 1 - i, w.shape[1] - 1 - j, d, k]"))
    #expect(r.status == .wrong && r.diagnosis == "missing-flip", "\(r.feedback)")
  }

  @Test func theStubIsWrongNotAnError() throws {
    let r = try grade(SwiftExercise(.convBackward).stub(student: "ada"))
    #expect(r.status == .wrong && r.score == 0)
  }

  @Test func compileErrorCrashAndHangAreVerdicts() throws {
    let broken = try grade("func convBackwardData(x: Array4, w: Array4, dzdy: Array4, stride: Int, pad: Int, dilate: Int) -> Array4 { return 1 }")
    #expect(broken.status == .invalid && broken.diagnosis == "compile-error" && broken.feedback.contains("error"), "\(broken.feedback)")
    let crash = try grade("func convBackwardData(x: Array4, w: Array4, dzdy: Array4, stride: Int, pad: Int, dilate: Int) -> Array4 { var a = x; a.values[a.values.count] = 1; return a }")
    #expect(crash.status == .wrong && crash.diagnosis == "crash", "\(crash.feedback)")
    let hang = try grade(
      "func convBackwardData(x: Array4, w: Array4, dzdy: Array4, stride: Int, pad: Int, dilate: Int) -> Array4 { var s = 0; while s >= 0 { s = (s &+ 1) % 7 }; return x }", runSeconds: 2)
    #expect(hang.status == .wrong && hang.diagnosis == "timeout", "\(hang.feedback)")
  }
}
