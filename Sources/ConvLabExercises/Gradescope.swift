import ConvLabCore
import Foundation

/// Gradescope's autograder: the `results.json` format, the run inside Gradescope's container,
/// and the bundle (`autograder.zip`) an instructor uploads.
///
/// Gradescope unpacks the zip into /autograder/source, runs `setup.sh` once when it builds the
/// image, and for every submission copies `run_autograder` to /autograder and runs it with the
/// student's files in /autograder/submission and their identity in
/// /autograder/submission_metadata.json; it reads /autograder/results/results.json.
public enum Gradescope {
  // MARK: results.json

  /// `{"score", "output", "tests": [{"name", "score", "max_score", "status", "output", "visibility"}]}`:
  /// one test per part with the result's visibility from the policy, and for a wrong part a
  /// zero-point test with the ✓/✗ entry map under `visibility.entries`.
  public static func results(_ reports: [GradeReport], policy: CoursePolicy, note: String? = nil) -> String {
    var tests: [String] = []
    for r in reports {
      for p in r.parts {
        let name = jsonString("\(r.exercise): \(p.name)")
        tests.append(
          "{\"name\": \(name), \"score\": \(jsonNumber(p.score)), \"max_score\": \(jsonNumber(p.maxScore)), \"status\": \"\(p.status == .correct ? "passed" : "failed")\", \"output\": \(jsonString(output(p))), \"visibility\": \"\(policy.visibility.result)\"}"
        )
        if let grid = p.grid, p.status == .wrong {
          tests.append(
            "{\"name\": \(jsonString("\(r.exercise): \(p.name), entries (✓ right, ✗ off)")), \"score\": 0, \"max_score\": 0, \"status\": \"failed\", \"output\": \(jsonString(grid)), \"visibility\": \"\(policy.visibility.entries)\"}"
          )
        }
      }
    }
    let score = reports.reduce(0) { $0 + $1.score }
    let maxScore = reports.reduce(0) { $0 + $1.maxScore }
    var output = "Total: \(jsonNumber(score)) / \(jsonNumber(maxScore)). " + Tolerance.sentence
    if let note { output = note + "\n\n" + output }
    return "{\"score\": \(jsonNumber(score)), \"output\": \(jsonString(output)), \"tests\": [\n  \(tests.joined(separator: ",\n  "))\n]}\n"
  }

  /// The part's text, its status said once.
  static func output(_ p: PartResult) -> String {
    switch p.status {
    case .wrong: return "Wrong (diagnosis: \(p.diagnosis ?? "unknown")). " + p.feedback
    case .invalid: return "Invalid file. " + p.feedback
    default: return p.feedback
    }
  }

  /// results.json for a run that graded nothing (the student is unknown, say): score 0 and the
  /// message, visible.
  public static func message(_ text: String) -> String {
    "{\"score\": 0, \"output\": \(jsonString(text)), \"tests\": []}\n"
  }

  // MARK: Inside Gradescope

  /// The bundle's description of itself: `source/autograder.json`.
  struct Manifest: Codable {
    var exercises: [String]
  }

  /// What `autograde` did: the student found (nil when unknown) and the results written.
  public struct Outcome: Sendable {
    public var student: String?
    public var results: String
    public var score: Double
  }

  /// Grades /autograder (or `root`): finds the student of submission_metadata.json on the
  /// course roster by `email` or `sid`, grades submission/ (PART.npy|csv for a one-exercise
  /// bundle, EXERCISE/PART.… for several) and writes results/results.json. An unknown student
  /// or an unreadable metadata file gives results.json with a message and score 0 (Gradescope
  /// shows it), never a crash.
  public static func autograde(root: String) throws -> Outcome {
    let resultsFolder = (root as NSString).appendingPathComponent("results")
    try makeDirectory(resultsFolder)
    let out = (resultsFolder as NSString).appendingPathComponent("results.json")
    let source = (root as NSString).appendingPathComponent("source")
    let courseFolder = (source as NSString).appendingPathComponent("course")
    let manifest: Manifest
    let classroom: Classroom
    let course: Course
    do {
      manifest = try JSONDecoder().decode(Manifest.self, from: try readFile((source as NSString).appendingPathComponent("autograder.json")))
      classroom = try Classroom.open(courseFolder)
      course = try Course(directory: courseFolder)
    } catch {
      // The bundle itself is broken: the instructor must rebuild it; the student sees that.
      let text = "The autograder is misconfigured (\(error)); your instructor has to rebuild it. Your submission was received."
      try writeAtomically(Data(message(text).utf8), to: out)
      return Outcome(student: nil, results: out, score: 0)
    }
    let users = metadataUsers((root as NSString).appendingPathComponent("submission_metadata.json"))
    guard let student = find(users, in: classroom.active) else {
      let who = users.map { u in [u.email, u.sid].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ") }.filter { !$0.isEmpty }.joined(separator: "; ")
      let text =
        "ConvLab could not find you on this course's roster (Gradescope gave \(who.isEmpty ? "no email or student id" : who)). Your submission was received but not graded; ask your instructor to add you with `convlab exercise class add` and rebuild the autograder."
      try writeAtomically(Data(message(text).utf8), to: out)
      return Outcome(student: nil, results: out, score: 0)
    }
    let submission = (root as NSString).appendingPathComponent("submission")
    var reports: [GradeReport] = []
    for id in manifest.exercises {
      var folder = (submission as NSString).appendingPathComponent(id)
      var isDirectory: ObjCBool = false
      if manifest.exercises.count == 1, !(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) {
        folder = submission
      }
      reports.append(gradeExercise(id, student: student.id, course: course, policy: classroom.policy, folder: folder))
    }
    let text = results(reports, policy: classroom.policy, note: "Graded as \(student.name) (\(student.id)).")
    try writeAtomically(Data(text.utf8), to: out)
    return Outcome(student: student.id, results: out, score: reports.reduce(0) { $0 + $1.score })
  }

  static func gradeExercise(_ id: String, student: String, course: Course, policy: CoursePolicy, folder: String) -> GradeReport {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
      let specs = (try? Exercises.named(id).instance(seed: 1).parts.map(\.spec)) ?? []
      return GradeReport(
        exercise: id, student: student,
        parts: specs.map {
          PartResult(
            name: $0.name, status: .missing, score: 0, maxScore: policy.points(exercise: id, part: $0), diagnosis: nil, feedback: "No submission: upload a folder \(id)/ with one file per part.",
            grid: nil)
        })
    }
    do {
      return try Exercises.grade(exercise: id, student: student, course: course, submission: folder, policy: policy)
    } catch {
      let specs = (try? Exercises.named(id).instance(seed: 1).parts.map(\.spec)) ?? []
      let reason = "\(error)".replacingOccurrences(of: course.directory, with: "COURSE")
      return GradeReport(
        exercise: id, student: student,
        parts: specs.map {
          PartResult(
            name: $0.name, status: .error, score: 0, maxScore: policy.points(exercise: id, part: $0), diagnosis: nil,
            feedback: "The grader could not grade this exercise (\(reason)); tell your instructor. This is not a mark against you.", grid: nil)
        })
    }
  }

  struct User {
    var email: String?
    var sid: String?
  }

  /// The `users` of Gradescope's submission_metadata.json (several for a group submission).
  static func metadataUsers(_ path: String) -> [User] {
    guard let data = FileManager.default.contents(atPath: path),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let users = json["users"] as? [[String: Any]]
    else { return [] }
    return users.map { u in
      User(
        email: (u["email"] as? String).map { $0.trimmingCharacters(in: .whitespaces) },
        sid: (u["sid"] as? String) ?? (u["sid"] as? Int).map(String.init))
    }
  }

  /// The first user found on the roster: by email (case-insensitive), else by `sid`.
  static func find(_ users: [User], in students: [Classroom.Student]) -> Classroom.Student? {
    for u in users {
      if let email = u.email?.lowercased(), !email.isEmpty, let s = students.first(where: { $0.email?.lowercased() == email }) { return s }
      if let sid = u.sid, !sid.isEmpty, let s = students.first(where: { $0.sid == sid }) { return s }
    }
    return nil
  }

  // MARK: The bundle

  static let setup = """
    #!/usr/bin/env bash
    # ConvLab autograder setup (Gradescope runs this once, when it builds the image).
    # The convlab binary is self-contained (static Swift runtime, OpenBLAS in bin/lib): nothing to install.
    set -euo pipefail
    root="${AUTOGRADER_ROOT:-/autograder}"
    chmod 0755 "$root/source/bin/convlab" "$root/source/run_autograder"
    "$root/source/bin/convlab" exercise list >/dev/null

    """

  static let runAutograder = """
    #!/usr/bin/env bash
    # ConvLab autograder: grades /autograder/submission and writes /autograder/results/results.json.
    # AUTOGRADER_ROOT replaces /autograder (to run the bundle locally).
    set -euo pipefail
    root="${AUTOGRADER_ROOT:-/autograder}"
    exec "$root/source/bin/convlab" exercise autograde --root "$root"

    """

  /// Writes `out` (a zip, atomically): setup.sh, run_autograder, autograder.json, the course
  /// (course.json and secret.key; no packets — instances come from the secret) and the
  /// `binary` with its `lib/` folder when it has one. Swift exercises are refused: Gradescope's
  /// image has no Swift toolchain to compile them.
  @discardableResult
  public static func bundle(course directory: String, exercises ids: [String], binary: String, out: String) throws -> [String] {
    let classroom = try Classroom.open(directory)
    _ = try Course(directory: directory)
    guard !ids.isEmpty else { throw ConvLabError.worded("\(setting: "exercises") is empty; name the exercises this Gradescope assignment grades.") }
    for id in ids {
      guard classroom.exercises.contains(id) else {
        throw ConvLabError("\(id) is not an exercise of the course \(directory) (its exercises: \(classroom.exercises.joined(separator: ", "))).")
      }
      guard try Exercises.named(id).kind != .swift else {
        throw ConvLabError("\(id) is a Swift exercise; the Gradescope bundle grades files of numbers only (its image has no Swift toolchain). Grade it with `class grade`.")
      }
    }
    guard Set(ids).count == ids.count else { throw ConvLabError.worded("\(setting: "exercises") lists an exercise twice.") }
    guard classroom.active.contains(where: { $0.email != nil || $0.sid != nil }) else {
      throw ConvLabError.worded(
        "the roster of \(directory) has no `email` or `sid` column, so Gradescope's students cannot be matched; add one with `class add \(setting: "roster")` or in course.json.")
    }
    guard FileManager.default.isExecutableFile(atPath: binary) else { throw ConvLabError("the binary \(binary) does not exist or is not executable.") }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    var entries: [(path: String, data: Data?, file: String?, mode: UInt16)] = [
      ("setup.sh", Data(setup.utf8), nil, 0o755),
      ("run_autograder", Data(runAutograder.utf8), nil, 0o755),
      ("autograder.json", try encoder.encode(Manifest(exercises: ids)) + Data("\n".utf8), nil, 0o644),
      ("course/course.json", try readFile((directory as NSString).appendingPathComponent(Classroom.file)), nil, 0o644),
      ("course/\(Course.secretFile)", try readFile((directory as NSString).appendingPathComponent(Course.secretFile)), nil, 0o600),
      ("bin/convlab", nil, binary, 0o755),
    ]
    let lib = ((binary as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lib")
    for name in (try? FileManager.default.contentsOfDirectory(atPath: lib))?.sorted() ?? [] where name.contains(".so") {
      entries.append(("bin/lib/\(name)", nil, (lib as NSString).appendingPathComponent(name), 0o644))
    }
    // Files on disk (the binary) are read whole: tens of MB at most.
    let members = try entries.map { ZipFile.Entry($0.path, try $0.data ?? readFile($0.file ?? ""), permissions: $0.mode) }
    let target = URL(fileURLWithPath: out)
    try makeDirectory(target.deletingLastPathComponent().path)
    try writeAtomically(try ZipFile.encode(members, compressed: true), to: target.path)
    return entries.map(\.path)
  }
}
