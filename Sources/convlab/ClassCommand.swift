import ArgumentParser
import ConvLabCore
import ConvLabExercises
import Foundation

extension ExerciseCommand {
  struct Class: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "A whole class: make every packet, change the roster, grade every submission.",
      subcommands: [Init.self, Add.self, Drop.self, GradeAll.self, Regrade.self])

    struct Init: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Create the course secret, course.json and every student's packets (COURSE/packets/ID/EXERCISE).")
      @Option(help: "Roster CSV (an `id` column, optionally `name`, `email`, `sid`).") var roster: String
      @Option(help: "Comma-separated exercise ids.") var exercises: String
      @Option(help: "New course folder.") var out: String
      @Option(help: "A JSON file with the course policy (weights, partial_credit, visibility, exam).") var policy: String?
      @Flag(help: "Exam mode: packets without block/options; `check` gives only shape and validity.") var exam = false
      func run() throws {
        let ids = exercises.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var p = CoursePolicy()
        if let policy {
          do { p = try JSONDecoder().decode(CoursePolicy.self, from: try readFile(policy)) } catch let e as ConvLabError { throw e } catch {
            throw ConvLabError("\(policy) is not a course policy: \(error)")
          }
        }
        if exam { p.exam = true }
        var progress = Progress("packets")
        let c = try Classroom.initialize(roster: roster, exercises: ids, out: out, policy: p) { done, total in
          progress.update(Double(done) / Double(total), "\(done)/\(total) students")
        }
        progress.finish()
        print(
          "course \(out): \(c.students.count) students × \(c.exercises.count) exercises\(c.policy.exam ? " (exam mode)" : ""); packets in \(out)/packets/ID/EXERCISE; keep \(out)/\(Course.secretFile) private"
        )
      }
    }

    struct Add: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Add students (or re-activate dropped ones): packets from the same secret.")
      @Argument(help: "The course folder.") var course: String
      @Option(help: "A roster CSV; its students not yet on the course are added.") var roster: String?
      @Option(help: "One student id to add.") var student: String?
      @Option(help: "The student's name (with --student).") var name: String?
      @Option(help: "The student's email (with --student).") var email: String?
      @Option(help: "The student's id in the school's system (with --student).") var sid: String?
      func validate() throws {
        guard (roster == nil) != (student == nil) else { throw ValidationError("give either --roster FILE or --student ID.") }
      }
      func run() throws {
        let students = try roster.map { try Classroom.readRoster($0) } ?? [Classroom.Student(id: student ?? "", name: name ?? student ?? "", email: email, sid: sid)]
        let added = try Classroom.add(course: course, students: students)
        print(added.isEmpty ? "no new students (all are on the roster already)" : "added \(added.joined(separator: ", ")): packets in \(course)/packets/ID/EXERCISE")
      }
    }

    struct Drop: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Drop students: kept in course.json and past grade runs, no longer graded.")
      @Argument(help: "The course folder.") var course: String
      @Argument(help: "Student ids.") var ids: [String]
      func run() throws {
        try Classroom.drop(course: course, ids: ids)
        print("dropped \(ids.joined(separator: ", ")); their packets and earlier grades are kept")
      }
    }

    struct GradeAll: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "grade", abstract: "Grade SUBMISSIONS/ID/EXERCISE for everyone into a new run COURSE/grades/STAMP (COURSE/grades/latest points at it).")
      @Argument(help: "The course folder.") var course: String
      @Option(help: "Folder of submissions, one subfolder per student id, one per exercise inside.") var submissions: String
      @OptionGroup var sandbox: SandboxOption
      func run() throws {
        sandbox.apply()
        try ExerciseCommand.Class.grade(course: course, submissions: submissions, listChanges: false)
      }
    }

    struct Regrade: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Grade again (after overrides.csv or new submissions) and list every part whose grade changed.")
      @Argument(help: "The course folder.") var course: String
      @Option(help: "Folder of submissions.") var submissions: String
      @OptionGroup var sandbox: SandboxOption
      func run() throws {
        sandbox.apply()
        try ExerciseCommand.Class.grade(course: course, submissions: submissions, listChanges: true)
      }
    }

    static func grade(course: String, submissions: String, listChanges: Bool) throws {
      var progress = Progress("grading")
      let run = try Classroom.grade(course: course, submissions: submissions) { done, total in
        progress.update(Double(done) / Double(total), "\(done)/\(total) students")
      }
      progress.finish()
      print("wrote \(run.folder) (\(course)/grades/latest): \(run.files.filter { !$0.hasPrefix("figures/") || $0.hasSuffix(".png") }.joined(separator: ", "))")
      print("parts: " + [PartResult.Status.correct, .wrong, .invalid, .missing, .error].map { "\(run.statuses[$0, default: 0]) \($0.rawValue)" }.joined(separator: ", "))
      if !run.mistakes.isEmpty {
        print("mistakes: " + run.mistakes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
      }
      for u in run.unmatched { print("not graded: \(submissions)/\(u.folder) matches no student or exercise" + (u.nearest.map { " (did you mean \($0)?)" } ?? "")) }
      for e in run.errors { print("grader error: \(e)") }
      if run.overrides > 0 { print("overrides applied: \(run.overrides)") }
      if let changes = run.changes {
        print("\(changes.count) part(s) changed since the previous run")
        if listChanges {
          let width = changes.map { "\($0.student) \($0.part)".count }.max() ?? 0
          for c in changes { print("  " + "\(c.student) \(c.part)".padding(toLength: width, withPad: " ", startingAt: 0) + "  \(c.before) → \(c.after)") }
        }
      } else if listChanges {
        print("no earlier run to compare with")
      }
    }
  }
}
