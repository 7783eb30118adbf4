import ConvLabCore
import ConvLabPlot
import Foundation

/// A class: a roster, the exercises it was given, and grading of everyone's submissions.
public struct Classroom: Codable, Sendable {
  public struct Student: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
  }
  public var exercises: [String]
  public var students: [Student]

  static let file = "course.json"

  /// Reads a roster CSV: a header row naming an `id` column (and optionally `name`), or rows of
  /// `id[,name]` without a header.
  public static func readRoster(_ path: String) throws -> [Student] {
    let text = String(decoding: try readFile(path), as: UTF8.self)
    var rows = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
      .filter { !($0.first ?? "").isEmpty }
    guard let header = rows.first else { throw ConvLabError("\(path) lists no students.") }
    var idColumn = 0, nameColumn: Int? = header.count > 1 ? 1 : nil
    if let i = header.firstIndex(where: { $0.lowercased() == "id" || $0.lowercased() == "student" }) {
      idColumn = i
      nameColumn = header.firstIndex { $0.lowercased() == "name" }
      rows.removeFirst()
    }
    var students: [Student] = []
    for (k, row) in rows.enumerated() {
      guard idColumn < row.count else { throw ConvLabError("\(path), row \(k + 1) has no id column.") }
      let id = row[idColumn]
      try validateStudentID(id)
      guard !students.contains(where: { $0.id == id }) else { throw ConvLabError("\(path) lists student '\(id)' twice.") }
      students.append(Student(id: id, name: nameColumn.flatMap { $0 < row.count ? row[$0] : nil } ?? id))
    }
    guard !students.isEmpty else { throw ConvLabError("\(path) lists no students.") }
    return students
  }

  /// Creates the course folder: secret, course.json, and every student's packets under
  /// COURSE/packets/ID/EXERCISE. `progress` is called after each student.
  @discardableResult
  public static func initialize(roster: String, exercises ids: [String], out: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> Classroom {
    let exercises = try ids.map { try Exercises.named($0) }
    let students = try readRoster(roster)
    guard !FileManager.default.fileExists(atPath: (out as NSString).appendingPathComponent(file)) else {
      throw ConvLabError("\(out) already holds a course; choose a new folder (its secret must not change once packets are out).")
    }
    let course = try Course(directory: out, create: true)
    let classroom = Classroom(exercises: ids, students: students)
    for (k, student) in students.enumerated() {
      for exercise in exercises {
        let folder = "\(out)/packets/\(student.id)/\(exercise.id)"
        try Packet.write(exercise, student: student.id, instance: try Exercises.instance(exercise, student: student.id, course: course), to: folder)
      }
      progress(k + 1, students.count)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeAtomically(try encoder.encode(classroom) + Data("\n".utf8), to: (out as NSString).appendingPathComponent(file))
    return classroom
  }

  public static func open(_ course: String) throws -> Classroom {
    let path = (course as NSString).appendingPathComponent(file)
    do { return try JSONDecoder().decode(Classroom.self, from: try readFile(path)) } catch let e as ConvLabError { throw e } catch {
      throw ConvLabError("\(path) is not a ConvLab course file: \(error.localizedDescription)")
    }
  }

  /// What `class grade` wrote.
  public struct Summary: Sendable {
    public var reports: [String: [GradeReport]]
    public var files: [String]
    public var mistakes: [String: Int]
  }

  /// Grades SUBMISSIONS/ID/EXERCISE/ for every student and exercise, writing into
  /// COURSE/grades: gradebook.csv, feedback/ID.md, gradescope/ID/results.json, summary.md and
  /// the figures scores and mistakes (gnuplot).
  public static func grade(course directory: String, submissions: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> Summary {
    let classroom = try open(directory)
    let course = try Course(directory: directory)
    let out = (directory as NSString).appendingPathComponent("grades")
    try makeDirectory(out + "/feedback")
    var reports: [String: [GradeReport]] = [:]
    var mistakes: [String: Int] = [:]
    var columns: [String] = []
    var rows: [[String]] = []
    var files: [String] = []
    for (k, student) in classroom.students.enumerated() {
      var studentReports: [GradeReport] = []
      for id in classroom.exercises {
        let packet = "\(directory)/packets/\(student.id)/\(id)"
        let folder = "\(submissions)/\(student.id)/\(id)"
        var report: GradeReport
        if FileManager.default.fileExists(atPath: folder) {
          report = try Exercises.grade(packet: packet, submission: folder, course: course)
        } else {
          let (file, _) = try Packet.read(packet)
          report = GradeReport(exercise: id, student: student.id, parts: file.parts.map {
            PartResult(name: $0.name, status: .missing, score: 0, maxScore: $0.maxScore, diagnosis: nil, feedback: "No submission (\(folder) does not exist).", grid: nil)
          })
        }
        for p in report.parts where p.status == .wrong { mistakes[p.diagnosis ?? "unknown", default: 0] += 1 }
        studentReports.append(report)
      }
      reports[student.id] = studentReports
      if columns.isEmpty { columns = studentReports.flatMap { r in r.parts.map { "\(r.exercise):\($0.name)" } } }
      let total = studentReports.reduce(0) { $0 + $1.score }, maxTotal = studentReports.reduce(0) { $0 + $1.maxScore }
      rows.append([student.id, student.name] + studentReports.flatMap { $0.parts.map { jsonNumber($0.score) } } + [jsonNumber(total), jsonNumber(maxTotal)])
      let feedback = "# Feedback for \(student.name) (\(student.id))\n\n" + studentReports.map { "```\n" + $0.text + "\n```\n" }.joined(separator: "\n")
      try writeAtomically(Data(feedback.utf8), to: "\(out)/feedback/\(student.id).md")
      try makeDirectory("\(out)/gradescope/\(student.id)")
      try writeAtomically(Data(gradescope(studentReports).utf8), to: "\(out)/gradescope/\(student.id)/results.json")
      progress(k + 1, classroom.students.count)
    }
    let csv = ([["student", "name"] + columns + ["total", "max"]] + rows).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    try writeAtomically(Data(csv.utf8), to: out + "/gradebook.csv")
    files += ["gradebook.csv", "feedback/", "gradescope/"]
    let totals = classroom.students.map { s in reports[s.id, default: []].reduce(0) { $0 + $1.score } }
    let maxTotal = reports.values.first.map { $0.reduce(0) { $0 + $1.maxScore } } ?? 0
    try writeAtomically(Data(summaryText(classroom, totals: totals, maxTotal: maxTotal, mistakes: mistakes).utf8), to: out + "/summary.md")
    files.append("summary.md")
    files += try Gnuplot.render(scoresFigure(totals, maxTotal: maxTotal), into: out + "/figures").map { "figures/" + $0 }
    files += try Gnuplot.render(mistakesFigure(mistakes), into: out + "/figures").map { "figures/" + $0 }
    return Summary(reports: reports, files: files, mistakes: mistakes)
  }

  static func csvField(_ s: String) -> String {
    s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }

  /// Gradescope's autograder format: `score`, `max_score`, `tests[]`.
  static func gradescope(_ reports: [GradeReport]) -> String {
    var tests: [String] = []
    for r in reports {
      for p in r.parts {
        let output = "\(p.status.rawValue)\(p.diagnosis.map { " (\($0))" } ?? ""): \(p.feedback)" + (p.grid.map { "\n" + $0 } ?? "")
        tests.append("{\"name\": \(jsonString("\(r.exercise): \(p.name)")), \"score\": \(jsonNumber(p.score)), \"max_score\": \(jsonNumber(p.maxScore)), \"status\": \"\(p.status == .correct ? "passed" : "failed")\", \"output\": \(jsonString(output)), \"visibility\": \"visible\"}")
      }
    }
    let score = reports.reduce(0) { $0 + $1.score }, maxScore = reports.reduce(0) { $0 + $1.maxScore }
    return "{\"score\": \(jsonNumber(score)), \"max_score\": \(jsonNumber(maxScore)), \"tests\": [\n  \(tests.joined(separator: ",\n  "))\n]}\n"
  }

  static func summaryText(_ c: Classroom, totals: [Double], maxTotal: Double, mistakes: [String: Int]) -> String {
    let sorted = totals.sorted()
    let mean = totals.reduce(0, +) / Double(max(1, totals.count))
    let median = sorted.isEmpty ? 0 : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    var lines = ["# Class summary", "", "\(c.students.count) students, exercises: \(c.exercises.joined(separator: ", ")).", "",
                 "Total score: mean \(String(format: "%.2f", mean)), median \(jsonNumber(median)), out of \(jsonNumber(maxTotal)).", "",
                 "| mistake | parts | where the right form is |", "|---|---|---|"]
    for (id, n) in mistakes.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
      lines.append("| `\(id)` | \(n) | \(Mistakes.named(id).reference) |")
    }
    lines += ["", "Figures: `figures/scores.png` (histogram of totals), `figures/mistakes.png` (mistake counts).", ""]
    return lines.joined(separator: "\n")
  }

  static func scoresFigure(_ totals: [Double], maxTotal: Double) -> Figure {
    let bins = max(1, Int(maxTotal.rounded(.up)))
    var counts = [Double](repeating: 0, count: bins + 1)
    for t in totals { counts[min(bins, Int(t.rounded(.down)))] += 1 }
    return Figure(name: "scores", title: "Total scores", panels: [
      Plot(title: "", xlabel: "total score (points, binned down)", ylabel: "students",
           series: [Plot.Series("students", x: counts.indices.map(Double.init), y: counts, style: .boxes)],
           settings: ["set boxwidth 0.8", "set style fill solid 0.6", "set yrange [0:*]", "set key off"]),
    ], size: (760, 420))
  }

  static func mistakesFigure(_ mistakes: [String: Int]) -> Figure {
    // gnuplot needs at least one bar; a class without mistakes shows "none" at zero.
    let sorted = mistakes.isEmpty ? [(key: "none", value: 0)] : mistakes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { (key: $0.key, value: $0.value) }
    let tics = sorted.enumerated().map { "\"\($1.key)\" \($0)" }.joined(separator: ", ")
    var settings = ["set boxwidth 0.8", "set style fill solid 0.6", "set yrange [0:*]", "set key off", "set xtics rotate by -35"]
    settings.append("set xtics (\(tics))")
    return Figure(name: "mistakes", title: "Diagnosed mistakes (wrong parts)", panels: [
      Plot(title: "", xlabel: "", ylabel: "parts",
           series: [Plot.Series("parts", x: sorted.indices.map(Double.init), y: sorted.map { Double($0.value) }, style: .boxes)],
           settings: settings),
    ], size: (900, 460))
  }
}
