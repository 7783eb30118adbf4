import ConvLabCore
import Foundation

/// A class: a roster, the exercises it was given, its grading policy, and (in GradeRuns.swift)
/// grading of everyone's submissions. Stored as COURSE/course.json.
public struct Classroom: Codable, Sendable {
  public struct Student: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// For the Gradescope autograder and gradebook exports (roster columns `email`, `sid`).
    public var email: String?
    public var sid: String?
    /// Dropped students keep their packets and past grades but are no longer graded.
    public var dropped: Bool?

    public init(id: String, name: String, email: String? = nil, sid: String? = nil, dropped: Bool? = nil) {
      self.id = id
      self.name = name
      self.email = email
      self.sid = sid
      self.dropped = dropped
    }

    public var isActive: Bool { dropped != true }
  }
  public var exercises: [String]
  public var students: [Student]
  public var policy: CoursePolicy

  public init(exercises: [String], students: [Student], policy: CoursePolicy = CoursePolicy()) {
    self.exercises = exercises
    self.students = students
    self.policy = policy
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case exercises, students, policy }

  public init(from decoder: any Decoder) throws {
    try rejectUnknownKeys(decoder, CodingKeys.allCases.map(\.rawValue), "the course")
    let c = try decoder.container(keyedBy: CodingKeys.self)
    exercises = try c.decode([String].self, forKey: .exercises)
    students = try c.decode([Student].self, forKey: .students)
    policy = try c.decodeIfPresent(CoursePolicy.self, forKey: .policy) ?? CoursePolicy()
  }

  static let file = "course.json"

  /// The students still graded.
  public var active: [Student] { students.filter(\.isActive) }

  // MARK: Roster

  /// Header words that mark a roster's first row as a header rather than a student.
  static let headerWords: Set<String> = ["id", "student", "name", "email", "e-mail", "sid", "student id", "login", "username", "full name"]

  /// Reads a roster CSV: a header row naming an `id` column (and optionally `name`, `email`,
  /// `sid`), or rows of `id[,name]` without a header. A UTF-8 byte-order mark and CRLF line ends
  /// (a spreadsheet's export) are accepted; a header without an `id` column is an error, never
  /// a student.
  public static func readRoster(_ path: String) throws -> [Student] {
    var text = String(decoding: try readFile(path), as: UTF8.self)
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    var rows = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
      .filter { !$0.allSatisfy(\.isEmpty) }
    guard let header = rows.first?.map({ $0.lowercased() }) else { throw ConvLabError("\(path) lists no students.") }
    var idColumn = 0
    var nameColumn: Int? = header.count > 1 ? 1 : nil
    var emailColumn: Int? = nil
    var sidColumn: Int? = nil
    if header.contains(where: headerWords.contains) {
      guard let i = header.firstIndex(where: { $0 == "id" || $0 == "student" }) else {
        throw ConvLabError("\(path) has a header row (\(rows[0].joined(separator: ", "))) but no `id` column; add one (each id names a student's packet folder).")
      }
      idColumn = i
      nameColumn = header.firstIndex { $0 == "name" || $0 == "full name" }
      emailColumn = header.firstIndex { $0 == "email" || $0 == "e-mail" }
      sidColumn = header.firstIndex { $0 == "sid" || $0 == "student id" }
      rows.removeFirst()
    }
    func cell(_ row: [String], _ column: Int?) -> String? {
      column.flatMap { $0 < row.count && !row[$0].isEmpty ? row[$0] : nil }
    }
    var students: [Student] = []
    for (k, row) in rows.enumerated() {
      guard idColumn < row.count, !row[idColumn].isEmpty else { throw ConvLabError("\(path), student row \(k + 1) has no id.") }
      let id = row[idColumn]
      try validateStudentID(id)
      guard !students.contains(where: { $0.id == id }) else { throw ConvLabError("\(path) lists student '\(id)' twice.") }
      students.append(Student(id: id, name: cell(row, nameColumn) ?? id, email: cell(row, emailColumn), sid: cell(row, sidColumn)))
    }
    guard !students.isEmpty else { throw ConvLabError("\(path) lists no students.") }
    return students
  }

  // MARK: The course folder

  /// Creates the course folder: secret, course.json (with `policy`), and every student's
  /// packets under COURSE/packets/ID/EXERCISE. `progress` is called after each student.
  @discardableResult
  public static func initialize(roster: String, exercises ids: [String], out: String, policy: CoursePolicy = CoursePolicy(), progress: (Int, Int) -> Void = { _, _ in }) throws -> Classroom {
    let exercises = try ids.map { try Exercises.named($0) }
    guard Set(ids).count == ids.count else { throw ConvLabError.worded("\(setting: "exercises") lists an exercise twice (\(ids.joined(separator: ","))).") }
    try policy.validate(exercises: ids)
    let students = try readRoster(roster)
    return try CourseLock.hold(out) {
      guard !FileManager.default.fileExists(atPath: (out as NSString).appendingPathComponent(file)) else {
        throw ConvLabError("\(out) already holds a course; add students with `convlab exercise class add` (its secret must not change once packets are out).")
      }
      let course = try Course(directory: out, create: true)
      let classroom = Classroom(exercises: exercises.map(\.id), students: students, policy: policy)
      for (k, student) in students.enumerated() {
        try writePackets(student.id, classroom: classroom, course: course)
        progress(k + 1, students.count)
      }
      try classroom.save(out)
      return classroom
    }
  }

  static func writePackets(_ student: String, classroom: Classroom, course: Course) throws {
    for id in classroom.exercises {
      let exercise = try Exercises.named(id)
      try Packet.write(
        exercise, student: student, instance: try Exercises.instance(exercise, student: student, course: course),
        to: "\(course.directory)/packets/\(student)/\(id)", exam: classroom.policy.exam)
    }
  }

  /// Writes course.json atomically.
  public func save(_ course: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try writeAtomically(try encoder.encode(self) + Data("\n".utf8), to: (course as NSString).appendingPathComponent(Self.file))
  }

  /// Reads and validates COURSE/course.json.
  public static func open(_ course: String) throws -> Classroom {
    let path = (course as NSString).appendingPathComponent(file)
    let classroom: Classroom
    do { classroom = try JSONDecoder().decode(Classroom.self, from: try readFile(path)) } catch let e as ConvLabError { throw e } catch DecodingError.dataCorrupted(let context) {
      throw ConvLabError("\(path) is not valid JSON: \(context.debugDescription)")
    } catch DecodingError.typeMismatch(_, let context) {
      throw ConvLabError("\(path): the setting \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type (\(context.debugDescription)).")
    } catch {
      throw ConvLabError("\(path) is not a ConvLab course file: \(error)")
    }
    for id in classroom.exercises { _ = try Exercises.named(id) }
    try classroom.policy.validate(exercises: classroom.exercises)
    return classroom
  }

  /// `class add`: new students (from a roster file's rows) get packets from the same secret;
  /// a dropped student listed again is re-activated with the same instances. Returns the ids added.
  @discardableResult
  public static func add(course directory: String, students new: [Student]) throws -> [String] {
    try CourseLock.hold(directory) {
      var classroom = try Classroom.open(directory)
      let course = try Course(directory: directory)
      var added: [String] = []
      for student in new {
        try validateStudentID(student.id)
        if let k = classroom.students.firstIndex(where: { $0.id == student.id }) {
          guard !classroom.students[k].isActive else { continue }
          classroom.students[k].dropped = nil
        } else {
          classroom.students.append(student)
        }
        try writePackets(student.id, classroom: classroom, course: course)
        added.append(student.id)
      }
      try classroom.save(directory)
      return added
    }
  }

  /// `class drop`: the students stay in course.json (and in past grade runs) but are no longer
  /// graded. An id that is not on the roster is an error naming the nearest one.
  public static func drop(course directory: String, ids: [String]) throws {
    try CourseLock.hold(directory) {
      var classroom = try Classroom.open(directory)
      for id in ids {
        guard let k = classroom.students.firstIndex(where: { $0.id == id }) else {
          let hint = nearest(id, among: classroom.students.map(\.id)).map { " (did you mean \($0)?)" } ?? ""
          throw ConvLabError("'\(id)' is not on the roster of \(directory)\(hint).")
        }
        classroom.students[k].dropped = true
      }
      try classroom.save(directory)
    }
  }

  /// The candidate closest to `name` when it is close: equal ignoring case, `_` for `-`, and
  /// surrounding spaces, or within two edits that leave its digits alone.
  static func nearest(_ name: String, among candidates: [String]) -> String? {
    func norm(_ s: String) -> String { s.lowercased().replacingOccurrences(of: "_", with: "-").trimmingCharacters(in: .whitespaces) }
    if let same = candidates.first(where: { norm($0) == norm(name) }) { return same }
    // Digits are identities (s05 is not a typo of s01): only names with the same digits are near.
    let scored = candidates.filter { $0.filter(\.isNumber) == name.filter(\.isNumber) }
      .map { ($0, editDistance(norm($0), norm(name))) }.filter { $0.1 <= 2 }
    return scored.min { $0.1 < $1.1 }?.0
  }

  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...b.count {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return previous[b.count]
  }
}
