import ArgumentParser
import ConvLabCore
import ConvLabExercises
import Foundation

struct ExerciseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exercise",
    abstract: "Classroom gradient-check exercises: per-student instances, grading, and a diagnosis of the mistake.",
    discussion: """
      A teacher makes a course (`class init`), hands out packets (README.md, inputs as .npy/.csv, exercise.json),
      and grades submissions (`grade`, `class grade`); a student checks their own work with `check`. Wrong answers
      are matched against a catalogue of known mistakes (missing-flip, stride-not-dilated, …) and the feedback
      names the paper's equation, never the answer.
      """,
    subcommands: [List.self, New.self, InitSwift.self, Check.self, Grade.self, Class.self])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the exercises.")
    func run() throws {
      print(Terminal.bold("id                        kind            parts  about"))
      for e in Exercises.all {
        let parts = (try? e.instance(seed: 1).parts.map(\.spec.name).joined(separator: ",")) ?? "?"
        print(e.id.padding(toLength: 26, withPad: " ", startingAt: 0) + e.kind.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
              + parts.padding(toLength: 22, withPad: " ", startingAt: 0) + " \(e.title) — \(e.citation)")
      }
    }
  }

  struct New: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write one student's packet (creates the course secret if the course folder has none).")
    @Argument(help: "Exercise id (see `convlab exercise list`).") var exercise: String
    @Option(help: "Student id.") var student: String
    @Option(help: "Course folder (holds the secret).") var course: String
    @Option(help: "Packet folder to write.") var out: String
    func run() throws {
      let c = try Course(directory: course, create: true)
      try Exercises.newPacket(exercise, student: student, course: c, to: out)
      print("wrote \(out)/README.md, exercise.json and the inputs for \(student)")
    }
  }

  struct InitSwift: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init-swift", abstract: "Write the Swift package a student fills in for a swift-* exercise.")
    @Argument(help: "A swift-* exercise id.") var exercise: String
    @Option(help: "Student id.") var student: String
    @Argument(help: "Folder for the package.") var directory: String
    func run() throws {
      guard let e = try Exercises.named(exercise) as? SwiftExercise else {
        throw ConvLabError("\(exercise) is not a Swift exercise; the Swift ones are \(Exercises.all.filter { $0.kind == .swift }.map(\.id).joined(separator: ", ")).")
      }
      try e.writePackage(student: student, sample: [], to: directory)
      print("wrote \(directory)/Sources/Exercise/Student.swift: fill in the function; `swift run --package-path \(directory) Exercise < PACKET/sample.txt` runs it on your instance")
    }
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The student's self-check of a submission against their packet (exits 0 once graded).")
    @Argument(help: "The packet folder.") var packet: String
    @Argument(help: "The submission folder (PART.npy or PART.csv per part; the package for swift-* exercises).") var submission: String
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
      show(try Exercises.grade(packet: packet, submission: submission, course: nil), json: json)
    }
  }

  struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The teacher's grade: regenerates the instance from the course secret and grades the submission.")
    @Argument(help: "The packet folder.") var packet: String
    @Argument(help: "The submission folder.") var submission: String
    @Option(help: "Course folder (default: the one above the packet).") var course: String?
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
      guard let folder = course ?? Course.locate(from: packet) else {
        throw ConvLabError("no course folder above \(packet); pass --course DIR (grading needs the course secret).")
      }
      show(try Exercises.grade(packet: packet, submission: submission, course: try Course(directory: folder)), json: json)
    }
  }

  static func show(_ report: GradeReport, json: Bool) {
    if json { print(report.json, terminator: "") } else {
      var text = report.text
      if Terminal.useColor {
        text = text.replacingOccurrences(of: "✓", with: Terminal.green("✓")).replacingOccurrences(of: "✗", with: Terminal.red("✗"))
      }
      print(text)
    }
  }

  struct Class: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A whole class: make every packet, grade every submission.", subcommands: [Init.self, GradeAll.self])

    struct Init: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Create the course secret and every student's packets (COURSE/packets/ID/EXERCISE).")
      @Option(help: "Roster CSV (an `id` column, optionally `name`).") var roster: String
      @Option(help: "Comma-separated exercise ids.") var exercises: String
      @Option(help: "New course folder.") var out: String
      func run() throws {
        let ids = exercises.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var progress = Progress("packets")
        let c = try Classroom.initialize(roster: roster, exercises: ids, out: out) { done, total in
          progress.update(Double(done) / Double(total), "\(done)/\(total) students")
        }
        progress.finish()
        print("course \(out): \(c.students.count) students × \(c.exercises.count) exercises; packets in \(out)/packets/ID/EXERCISE; keep \(out)/\(Course.secretFile) private")
      }
    }

    struct GradeAll: ParsableCommand {
      static let configuration = CommandConfiguration(commandName: "grade", abstract: "Grade SUBMISSIONS/ID/EXERCISE for everyone: gradebook, feedback, Gradescope results, summary figures.")
      @Argument(help: "The course folder.") var course: String
      @Option(help: "Folder of submissions, one subfolder per student id, one per exercise inside.") var submissions: String
      func run() throws {
        var progress = Progress("grading")
        let summary = try Classroom.grade(course: course, submissions: submissions) { done, total in
          progress.update(Double(done) / Double(total), "\(done)/\(total) students")
        }
        progress.finish()
        print("wrote \(course)/grades/: \(summary.files.joined(separator: ", "))")
        if !summary.mistakes.isEmpty {
          print("mistakes: " + summary.mistakes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
      }
    }
  }
}
