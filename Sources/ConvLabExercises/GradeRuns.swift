import ConvLabCore
import ConvLabPlot
import Foundation

/// One `class grade` run: every active student's reports, what was written, and what a grader
/// must know (folders that match nobody, students the grader failed on, changes since the last run).
public struct GradeRun: Sendable {
  /// A submission folder that matches no rostered student (or no exercise), with the nearest
  /// name when one is close (`S05` → `s05`).
  public struct Unmatched: Sendable, Equatable {
    public var folder: String
    public var nearest: String?
    public init(folder: String, nearest: String?) {
      self.folder = folder
      self.nearest = nearest
    }
  }
  /// A part whose status or score differs from the previous run.
  public struct Change: Sendable, Equatable {
    public var student: String
    public var part: String
    public var before: String
    public var after: String
  }
  /// `COURSE/grades/STAMP`; `COURSE/grades/latest` points at it.
  public var folder: String
  public var reports: [String: [GradeReport]]
  public var files: [String]
  /// Diagnosed mistakes of wrong parts.
  public var mistakes: [String: Int]
  /// Parts by status, over every active student.
  public var statuses: [PartResult.Status: Int]
  public var unmatched: [Unmatched]
  /// nil on the first run.
  public var changes: [Change]?
  public var overrides: Int
  /// `student exercise: reason` for every exercise the grader itself failed on.
  public var errors: [String]
}

/// What grades.json keeps of a part, to compare runs.
struct PartRecord: Codable, Equatable {
  var status: String
  var score: Double
  var maxScore: Double
  var diagnosis: String?
  var override: String?

  enum CodingKeys: String, CodingKey {
    case status, score, diagnosis, override
    case maxScore = "max_score"
  }

  var summary: String { "\(status) \(jsonNumber(score))/\(jsonNumber(maxScore))" + (override != nil ? " (override)" : "") }
}

/// grades.json: student → `EXERCISE:PART` → record.
struct RunRecord: Codable {
  var run: String
  var students: [String: [String: PartRecord]]
}

extension Classroom {
  /// Grades SUBMISSIONS/ID/EXERCISE/ for every active student and exercise into a new run
  /// folder COURSE/grades/STAMP (gradebook.csv, parts.csv, feedback/ID.md,
  /// gradescope/ID/results.json, summary.md, changes.md, canvas.csv, moodle.csv, grades.json,
  /// figures), then points COURSE/grades/latest at it. Nothing earlier is overwritten: a run
  /// that fails leaves the previous runs and `latest` as they were.
  ///
  /// Each student's exercise is graded in isolation: an unexpected error becomes that
  /// exercise's `error` status with the reason, and the others are graded. A missing or empty
  /// submissions folder is an error. COURSE/overrides.csv (id, part, score, reason) is applied
  /// and recorded.
  public static func grade(course directory: String, submissions: String, now: Date = Date(), progress: (Int, Int) -> Void = { _, _ in }) throws -> GradeRun {
    try CourseLock.hold(directory) {
      try gradeLocked(course: directory, submissions: submissions, now: now, progress: progress)
    }
  }

  static func gradeLocked(course directory: String, submissions: String, now: Date, progress: (Int, Int) -> Void) throws -> GradeRun {
    let classroom = try Classroom.open(directory)
    let course = try Course(directory: directory)
    let entries = try submissionEntries(submissions)
    let students = classroom.active
    let overrides = try Overrides.read((directory as NSString).appendingPathComponent(Overrides.file), classroom: classroom)

    // Folders that match nobody.
    var unmatched: [GradeRun.Unmatched] = []
    let ids = students.map(\.id)
    for name in entries where !ids.contains(name) {
      let dropped = classroom.students.contains { $0.id == name && !$0.isActive }
      unmatched.append(.init(folder: name + (dropped ? " (dropped student)" : ""), nearest: dropped ? nil : nearest(name, among: ids)))
    }
    for id in ids where entries.contains(id) {
      let folder = (submissions as NSString).appendingPathComponent(id)
      for name in (try? visibleEntries(folder)) ?? [] where !classroom.exercises.contains(name) {
        unmatched.append(.init(folder: "\(id)/\(name)", nearest: nearest(name, among: classroom.exercises).map { "\(id)/\($0)" }))
      }
    }

    var reports: [String: [GradeReport]] = [:]
    var errors: [String] = []
    for (k, student) in students.enumerated() {
      var studentReports: [GradeReport] = []
      for id in classroom.exercises {
        var report = gradeOne(student: student.id, exercise: id, course: course, classroom: classroom, submissions: submissions, errors: &errors)
        overrides.apply(to: &report)
        studentReports.append(report)
      }
      reports[student.id] = studentReports
      progress(k + 1, students.count)
    }

    let grades = (directory as NSString).appendingPathComponent("grades")
    try makeDirectory(grades)
    let previous = previousRun(grades)
    let record = RunRecord(
      run: "",
      students: reports.mapValues { rs in
        Dictionary(
          uniqueKeysWithValues: rs.flatMap { r in
            r.parts.map { ("\(r.exercise):\($0.name)", PartRecord(status: $0.status.rawValue, score: $0.score, maxScore: $0.maxScore, diagnosis: $0.diagnosis, override: $0.override)) }
          })
      })
    let changes = previous.map { diff($0, record, students: ids) }

    var mistakes: [String: Int] = [:]
    var statuses: [PartResult.Status: Int] = [:]
    for p in reports.values.joined().flatMap(\.parts) {
      statuses[p.status, default: 0] += 1
      if p.status == .wrong { mistakes[p.diagnosis ?? "unknown", default: 0] += 1 }
    }
    let name = runName(now, in: grades)
    let temporary = (grades as NSString).appendingPathComponent(".\(name).partial-\(ProcessInfo.processInfo.processIdentifier)")
    var run = GradeRun(
      folder: (grades as NSString).appendingPathComponent(name), reports: reports, files: [], mistakes: mistakes, statuses: statuses,
      unmatched: unmatched, changes: changes, overrides: overrides.applied(reports), errors: errors)
    do {
      try makeDirectory(temporary)
      var withName = record
      withName.run = name
      run.files = try writeRun(run, record: withName, classroom: classroom, into: temporary)
      guard rename(temporary, run.folder) == 0 else { throw ConvLabError("cannot create the grade run \(run.folder): \(String(cString: strerror(errno))).") }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
    try pointLatest(grades, at: name)
    return run
  }

  /// One student's exercise: missing, invalid (not a folder), graded, or `error` with the reason.
  static func gradeOne(student: String, exercise id: String, course: Course, classroom: Classroom, submissions: String, errors: inout [String]) -> GradeReport {
    let folder = "\(submissions)/\(student)/\(id)"
    let specs: [PartSpec]
    do {
      specs = try Exercises.named(id).instance(seed: 1).parts.map { part in
        var spec = part.spec
        spec.maxScore = classroom.policy.points(exercise: id, part: spec)
        return spec
      }
    } catch {
      errors.append("\(student) \(id): \(error)")
      return GradeReport(exercise: id, student: student, parts: [])
    }
    func all(_ status: PartResult.Status, _ feedback: String) -> GradeReport {
      GradeReport(
        exercise: id, student: student,
        parts: specs.map {
          PartResult(name: $0.name, status: status, score: 0, maxScore: $0.maxScore, diagnosis: nil, feedback: feedback, grid: nil)
        })
    }
    var info = stat()
    guard lstat(folder, &info) == 0 else { return all(.missing, "No submission: there is no folder \(student)/\(id).") }
    guard info.st_mode & S_IFMT == S_IFDIR else { return all(.invalid, "\(student)/\(id) is not a folder (a file or a link); hand in a folder with one file per part.") }
    do {
      return try Exercises.grade(packet: "\(course.directory)/packets/\(student)/\(id)", submission: folder, course: course, policy: classroom.policy)
    } catch {
      // Never shown with the instructor's folders: the student sees the reason in course terms.
      let reason = "\(error)".replacingOccurrences(of: course.directory, with: "COURSE").replacingOccurrences(of: submissions, with: "SUBMISSIONS")
      errors.append("\(student) \(id): \(reason)")
      return all(.error, "The grader could not grade this exercise (\(reason)); your instructor has been told. This is not a mark against you.")
    }
  }

  /// The visible entries of the submissions folder; an error when it is missing, not a
  /// folder, or empty (so that a wrong path never grades everyone as missing).
  static func submissionEntries(_ submissions: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: submissions, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw ConvLabError("the submissions folder \(submissions) does not exist or is not a folder; nothing was graded and earlier grades are unchanged.")
    }
    let entries = try visibleEntries(submissions)
    guard !entries.isEmpty else {
      throw ConvLabError("the submissions folder \(submissions) is empty; nothing was graded and earlier grades are unchanged.")
    }
    return entries
  }

  static func visibleEntries(_ folder: String) throws -> [String] {
    do {
      return try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
    } catch {
      throw ConvLabError("cannot list the folder \(folder): \(error.localizedDescription)")
    }
  }

  /// `2026-12-01T22-58-03Z`, with `-2`, `-3`, … when a run of that second exists.
  static func runName(_ now: Date, in grades: String) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd'T'HH-mm-ss'Z'"
    let base = formatter.string(from: now)
    var name = base
    var k = 1
    while FileManager.default.fileExists(atPath: (grades as NSString).appendingPathComponent(name)) {
      k += 1
      name = "\(base)-\(k)"
    }
    return name
  }

  /// Replaces the symlink grades/latest atomically (a new link, then rename over the old one).
  static func pointLatest(_ grades: String, at name: String) throws {
    let latest = (grades as NSString).appendingPathComponent("latest")
    let temporary = (grades as NSString).appendingPathComponent(".latest-\(ProcessInfo.processInfo.processIdentifier)")
    unlink(temporary)
    guard symlink(name, temporary) == 0, rename(temporary, latest) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw ConvLabError("the run \(name) was written, but \(latest) could not be pointed at it: \(reason).")
    }
  }

  /// The run `latest` points at, if any.
  static func previousRun(_ grades: String) -> RunRecord? {
    let path = (grades as NSString).appendingPathComponent("latest/grades.json")
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return try? JSONDecoder().decode(RunRecord.self, from: data)
  }

  static func diff(_ old: RunRecord, _ new: RunRecord, students: [String]) -> [GradeRun.Change] {
    var changes: [GradeRun.Change] = []
    for id in students {
      let before = old.students[id] ?? [:]
      let after = new.students[id] ?? [:]
      for part in Set(before.keys).union(after.keys).sorted() where before[part] != after[part] {
        changes.append(.init(student: id, part: part, before: before[part]?.summary ?? "not graded", after: after[part]?.summary ?? "not graded"))
      }
    }
    for id in old.students.keys.sorted() where !students.contains(id) {
      changes.append(.init(student: id, part: "all", before: "graded", after: "not graded (dropped)"))
    }
    return changes
  }
}
