import ConvLabCore
import ConvLabPlot
import Foundation

/// COURSE/overrides.csv: manual scores an instructor sets after looking at a submission.
///
/// ```
/// id,part,score,reason
/// s07,conv-backward:dzdx,2,"answer correct up to a typo in one entry, checked by hand"
/// ```
/// Each line sets one part's score (between 0 and its points); the reason is shown to the
/// student and kept in the run (parts.csv, grades.json). A line naming an unknown student or
/// part is an error: the run stops before anything is written.
struct Overrides {
  static let file = "overrides.csv"
  struct Entry {
    var student: String
    var part: String
    var score: Double
    var reason: String
  }
  var entries: [Entry] = []

  static func read(_ path: String, classroom: Classroom) throws -> Overrides {
    guard FileManager.default.fileExists(atPath: path) else { return Overrides() }
    var text = String(decoding: try readFile(path), as: UTF8.self)
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    var result = Overrides()
    for (k, line) in text.split(whereSeparator: \.isNewline).enumerated() {
      let fields = line.split(separator: ",", maxSplits: 3, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      if k == 0 && fields.first?.lowercased() == "id" { continue }
      if fields.allSatisfy(\.isEmpty) { continue }
      let at = "\(file), line \(k + 1)"
      guard fields.count == 4 else { throw ConvLabError("\(at) should be id,part,score,reason (4 fields), not '\(line)'.") }
      guard classroom.students.contains(where: { $0.id == fields[0] }) else { throw ConvLabError("\(at): '\(fields[0])' is not on the roster.") }
      let pieces = fields[1].split(separator: ":").map(String.init)
      guard pieces.count == 2, classroom.exercises.contains(pieces[0]), try Exercises.partNames(pieces[0]).contains(pieces[1]) else {
        throw ConvLabError("\(at): '\(fields[1])' is not EXERCISE:PART for a part of this course (e.g. \(classroom.exercises[0]):\(try Exercises.partNames(classroom.exercises[0])[0])).")
      }
      guard let score = Double(fields[2]), score.isFinite, score >= 0 else { throw ConvLabError("\(at): score '\(fields[2])' is not a number of points ≥ 0.") }
      var reason = fields[3]
      if reason.hasPrefix("\""), reason.hasSuffix("\""), reason.count >= 2 { reason = String(reason.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") }
      guard !reason.isEmpty else { throw ConvLabError("\(at) gives no reason; the student sees it, so say why the score changed.") }
      result.entries.append(Entry(student: fields[0], part: fields[1], score: score, reason: reason))
    }
    return result
  }

  /// Sets the overridden parts' scores in `report`; a score above the part's points is capped
  /// at its points.
  func apply(to report: inout GradeReport) {
    for e in entries where e.student == report.student {
      for k in report.parts.indices where "\(report.exercise):\(report.parts[k].name)" == e.part {
        let score = min(e.score, report.parts[k].maxScore)
        report.parts[k].score = score
        report.parts[k].override = e.reason
        report.parts[k].feedback += " Score set to \(jsonNumber(score)) by your instructor: \(e.reason)"
      }
    }
  }

  func applied(_ reports: [String: [GradeReport]]) -> Int {
    entries.filter { e in reports[e.student]?.contains { r in r.parts.contains { "\(r.exercise):\($0.name)" == e.part } } ?? false }.count
  }
}

extension Classroom {
  /// Writes every file of a run into `folder`; returns their names.
  static func writeRun(_ run: GradeRun, record: RunRecord, classroom: Classroom, into folder: String) throws -> [String] {
    func write(_ text: String, _ name: String) throws { try writeAtomically(Data(text.utf8), to: (folder as NSString).appendingPathComponent(name)) }
    let students = classroom.active
    let columns = run.reports.values.first.map { rs in rs.flatMap { r in r.parts.map { "\(r.exercise):\($0.name)" } } } ?? []
    let maxTotal = run.reports.values.first.map { $0.reduce(0) { $0 + $1.maxScore } } ?? 0
    var gradebook = [["student", "name"] + columns + ["total", "max"] + PartResult.Status.graded.map(\.rawValue)]
    var parts = [["student", "exercise", "part", "status", "diagnosis", "score", "max_score", "override"]]
    try makeDirectory(folder + "/feedback")
    try makeDirectory(folder + "/gradescope")
    var totals: [Double] = []
    for s in students {
      let rs = run.reports[s.id, default: []]
      let total = rs.reduce(0) { $0 + $1.score }
      totals.append(total)
      let all = rs.flatMap(\.parts)
      gradebook.append(
        [s.id, s.name] + all.map { jsonNumber($0.score) } + [jsonNumber(total), jsonNumber(maxTotal)]
          + PartResult.Status.graded.map { status in String(all.filter { $0.status == status }.count) })
      for r in rs {
        for p in r.parts {
          parts.append([s.id, r.exercise, p.name, p.status.rawValue, p.diagnosis ?? "", jsonNumber(p.score), jsonNumber(p.maxScore), p.override ?? ""])
        }
      }
      try write(feedback(s, rs), "feedback/\(s.id).md")
      try makeDirectory("\(folder)/gradescope/\(s.id)")
      try write(Gradescope.results(rs, policy: classroom.policy), "gradescope/\(s.id)/results.json")
    }
    try write(csv(gradebook), "gradebook.csv")
    try write(csv(parts), "parts.csv")
    try write(csv(canvas(students, totals: totals, maxTotal: maxTotal)), "canvas.csv")
    try write(csv(moodle(students, totals: totals)), "moodle.csv")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeAtomically(try encoder.encode(record) + Data("\n".utf8), to: folder + "/grades.json")
    var files = ["gradebook.csv", "parts.csv", "feedback/", "gradescope/", "canvas.csv", "moodle.csv", "grades.json"]
    if let changes = run.changes {
      try write(changesText(changes), "changes.md")
      files.append("changes.md")
    }
    // A figure that gnuplot cannot draw costs the figure, never the grades.
    var figureNote = ""
    do {
      files += try Gnuplot.render(scoresFigure(totals, maxTotal: maxTotal), into: folder + "/figures").map { "figures/" + $0 }
      files += try Gnuplot.render(mistakesFigure(run.mistakes, statuses: run.statuses), into: folder + "/figures").map { "figures/" + $0 }
    } catch {
      figureNote = "The figures could not be drawn: \(error)"
    }
    try write(summaryText(classroom, run: run, totals: totals, maxTotal: maxTotal, figureNote: figureNote), "summary.md")
    files.append("summary.md")
    return files
  }

  static func csv(_ rows: [[String]]) -> String {
    rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
  }

  static func csvField(_ s: String) -> String {
    s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }

  /// A student's feedback: the total first, the tolerance rule once, then each exercise.
  static func feedback(_ s: Student, _ reports: [GradeReport]) -> String {
    let total = reports.reduce(0) { $0 + $1.score }
    let max = reports.reduce(0) { $0 + $1.maxScore }
    var text = "# Feedback for \(s.name) (\(s.id))\n\nTotal: \(jsonNumber(total)) / \(jsonNumber(max))\n\n"
    text += Tolerance.sentence + "\n\n"
    text += reports.map { "```\n" + $0.text(tolerance: false) + "\n```\n" }.joined(separator: "\n")
    return text
  }

  /// Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then the
  /// assignment column with a "Points Possible" row. Canvas matches rows by SIS User ID (the
  /// roster's `sid`, else the ConvLab id) or SIS Login ID (`email`).
  static func canvas(_ students: [Student], totals: [Double], maxTotal: Double) -> [[String]] {
    let column = "ConvLab exercises"
    var rows = [
      ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
      ["    Points Possible", "", "", "", "", jsonNumber(maxTotal)],
    ]
    for (s, t) in zip(students, totals) { rows.append([s.name, "", s.sid ?? s.id, s.email ?? "", "", jsonNumber(t)]) }
    return rows
  }

  /// Moodle's "Import grades from CSV": map `Email address` (or `ID number`) to the user and
  /// the total to the grade item.
  static func moodle(_ students: [Student], totals: [Double]) -> [[String]] {
    [["Email address", "ID number", "Full name", "ConvLab exercises"]] + zip(students, totals).map { s, t in [s.email ?? "", s.sid ?? s.id, s.name, jsonNumber(t)] }
  }

  static func changesText(_ changes: [GradeRun.Change]) -> String {
    var lines = ["# Changes since the previous run", ""]
    if changes.isEmpty {
      lines.append("No grade changed.")
    } else {
      lines += ["| student | part | before | after |", "|---|---|---|---|"]
      lines += changes.map { "| \($0.student) | \($0.part) | \($0.before) | \($0.after) |" }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func summaryText(_ c: Classroom, run: GradeRun, totals: [Double], maxTotal: Double, figureNote: String) -> String {
    let sorted = totals.sorted()
    let mean = totals.reduce(0, +) / Double(max(1, totals.count))
    let median = sorted.isEmpty ? 0 : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    let dropped = c.students.filter { !$0.isActive }.map(\.id)
    var lines = ["# Class summary", "", "\(c.active.count) students graded, exercises: \(c.exercises.joined(separator: ", ")).", ""]
    if !dropped.isEmpty { lines += ["Dropped (not graded): \(dropped.joined(separator: ", ")).", ""] }
    lines += [
      "Total score: mean \(String(format: "%.2f", mean)), median \(jsonNumber(median)), out of \(jsonNumber(maxTotal)).", "",
      "## Parts by status", "", "| part | correct | wrong | invalid | missing | error |", "|---|---|---|---|---|---|",
    ]
    let columns = run.reports.values.first.map { rs in rs.flatMap { r in r.parts.map { (r.exercise, $0.name) } } } ?? []
    for (exercise, part) in columns {
      let ps = run.reports.values.compactMap { $0.first { $0.exercise == exercise }?.parts.first { $0.name == part } }
      lines.append("| \(exercise):\(part) | " + PartResult.Status.graded.map { s in String(ps.filter { $0.status == s }.count) }.joined(separator: " | ") + " |")
    }
    let all = PartResult.Status.graded.map { s in "\(run.statuses[s, default: 0]) \(s.rawValue)" }
    lines += ["", "All parts: " + all.joined(separator: ", ") + ".", "", "## Diagnosed mistakes (wrong parts)", ""]
    if run.mistakes.isEmpty {
      lines.append("None.")
    } else {
      lines += ["| mistake | parts | where the right form is |", "|---|---|---|"]
      for (id, n) in run.mistakes.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
        lines.append("| `\(id)` | \(n) | \(Mistakes.named(id).reference) |")
      }
    }
    if !run.unmatched.isEmpty {
      lines += ["", "## Submission folders that match no student or exercise (not graded)", ""]
      lines += run.unmatched.map { "- `\($0.folder)`" + ($0.nearest.map { " — did you mean `\($0)`?" } ?? "") }
    }
    if !run.errors.isEmpty {
      lines += ["", "## Grader errors (status `error`, not counted against the student)", ""]
      lines += run.errors.map { "- \($0)" }
    }
    if run.overrides > 0 { lines += ["", "\(run.overrides) score(s) set by overrides.csv (see parts.csv, column override)."] }
    if let changes = run.changes { lines += ["", "\(changes.count) part(s) changed since the previous run (changes.md)."] }
    lines += ["", "Figures: `figures/scores.png` (histogram of totals), `figures/mistakes.png` (wrong parts by diagnosis, and invalid, missing and error parts).", ""]
    if !figureNote.isEmpty { lines += [figureNote, ""] }
    return lines.joined(separator: "\n")
  }

  static func scoresFigure(_ totals: [Double], maxTotal: Double) -> Figure {
    let bins = max(1, Int(maxTotal.rounded(.up)))
    var counts = [Double](repeating: 0, count: bins + 1)
    for t in totals { counts[min(bins, max(0, Int(t.rounded(.down))))] += 1 }
    return Figure(
      name: "scores", title: "Total scores",
      panels: [
        Plot(
          title: "", xlabel: "total score (points, binned down)", ylabel: "students",
          series: [Plot.Series("students", x: counts.indices.map(Double.init), y: counts, style: .boxes)],
          settings: ["set boxwidth 0.8", "set style fill solid 0.6", "set yrange [0:*]", "set key off", integerTicks(counts.max() ?? 0)])
      ], size: (760, 420))
  }

  /// Wrong parts by diagnosis, then the invalid, missing and error parts, so that the figure
  /// counts every part that lost points.
  static func mistakesFigure(_ mistakes: [String: Int], statuses: [PartResult.Status: Int]) -> Figure {
    var bars = mistakes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { (key: $0.key, value: $0.value) }
    for s in [PartResult.Status.invalid, .missing, .error] where statuses[s, default: 0] > 0 {
      bars.append((key: "(\(s.rawValue))", value: statuses[s, default: 0]))
    }
    // gnuplot needs at least one bar; a class without lost points shows "none" at zero.
    if bars.isEmpty { bars = [(key: "none", value: 0)] }
    let tics = bars.enumerated().map { "\"\($1.key)\" \($0)" }.joined(separator: ", ")
    let longest = bars.map(\.key.count).max() ?? 4
    let settings = [
      "set boxwidth 0.8", "set style fill solid 0.6", "set yrange [0:*]", "set key off",
      // Labels rotated downwards need room below and to the right, or the last is clipped.
      "set xtics rotate by -35", "set xtics (\(tics))", "set xrange [-0.6:\(Double(bars.count) - 0.4)]",
      "set bmargin \(max(6, longest * 2 / 3 + 2))", "set rmargin \(max(4, longest / 2 + 2))",
      integerTicks(Double(bars.map(\.value).max() ?? 0)),
    ]
    return Figure(
      name: "mistakes", title: "Parts that lost points",
      panels: [
        Plot(
          title: "", xlabel: "", ylabel: "parts",
          series: [Plot.Series("parts", x: bars.indices.map(Double.init), y: bars.map { Double($0.value) }, style: .boxes)],
          settings: settings)
      ], size: (900, 480))
  }

  /// Whole-number y-ticks (counts are never fractional): a step of 1 up to 10, then wider.
  static func integerTicks(_ maximum: Double) -> String {
    "set ytics \(max(1, Int((maximum / 8).rounded(.up)))); set format y '%.0f'"
  }
}

extension PartResult.Status {
  /// The statuses a class grading run gives (`received` is exam mode's self-check only).
  static let graded: [PartResult.Status] = [.correct, .wrong, .invalid, .missing, .error]
}
