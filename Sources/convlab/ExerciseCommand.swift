import ArgumentParser
import ConvLabCore
import ConvLabExercises
import Foundation

struct ExerciseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exercise",
    abstract: "Classroom gradient-check exercises: per-student instances, grading, and a diagnosis of the mistake.",
    discussion: """
      A teacher makes a course (`class init`), hands out packets (README.md, inputs as .npy/.csv, exercise.json), \
      and grades submissions (`grade`, `class grade`); a student checks their own work with `check`. Wrong answers \
      are matched against a catalogue of known mistakes (missing-flip, stride-not-dilated, …) and the feedback \
      names the paper's equation, never the answer.
      """,
    subcommands: [List.self, New.self, InitSwift.self, Check.self, Grade.self, Class.self, GradescopeBundle.self, Autograde.self])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the exercises.")
    func run() throws {
      let rows = Exercises.all.map { e in
        [e.id, e.kind.rawValue, (try? e.instance(seed: 1).parts.map(\.spec.name).joined(separator: ",")) ?? "?", "\(e.title) — \(e.citation)"]
      }
      let header = ["id", "kind", "parts", "about"]
      // Each column as wide as its longest entry, two spaces between columns.
      let widths = (0..<3).map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
      func line(_ cells: [String]) -> String {
        (0..<3).map { cells[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + cells[3]
      }
      // The "about" text wraps under its own column where that leaves room for it, else it goes
      // on the lines under the row, indented.
      let about = widths.reduce(0, +) + 6
      let width = Terminal.width
      print(Terminal.bold(line(header)))
      for row in rows {
        if Terminal.displayWidth(line(row)) <= width || about + 24 <= width {
          print(Terminal.wrap(line(row), hanging: about))
        } else {
          print(line(Array(row.prefix(3)) + [""]).trimmingCharacters(in: .whitespaces))
          print(Terminal.wrap("    " + row[3]))
        }
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
      try CourseLock.hold(course) {
        let c = try Course(directory: course, create: true)
        // A course made by `class init` decides exam mode for every packet.
        var exam = false
        if FileManager.default.fileExists(atPath: course + "/course.json") { exam = try Classroom.open(course).policy.exam }
        try Exercises.newPacket(exercise, student: student, course: c, to: out, exam: exam)
      }
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
    @OptionGroup var sandbox: SandboxOption
    func run() throws {
      sandbox.apply()
      show(try Exercises.grade(packet: packet, submission: submission, course: nil), json: json)
    }
  }

  struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The teacher's grade: regenerates the instance from the course secret and grades the submission.")
    @Argument(help: "The packet folder.") var packet: String
    @Argument(help: "The submission folder.") var submission: String
    @Option(help: "Course folder (default: the one above the packet).") var course: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var sandbox: SandboxOption
    func run() throws {
      sandbox.apply()
      guard let folder = course ?? Course.locate(from: packet) else {
        throw ConvLabError("no course folder above \(packet); pass --course DIR (grading needs the course secret).")
      }
      show(try Exercises.grade(packet: packet, submission: submission, course: try Course(directory: folder)), json: json)
    }
  }

  static func show(_ report: GradeReport, json: Bool) {
    if json {
      print(report.json, terminator: "")
    } else {
      var text = report.text
      if Terminal.useColor {
        text = text.replacingOccurrences(of: "✓", with: Terminal.green("✓")).replacingOccurrences(of: "✗", with: Terminal.red("✗"))
      }
      print(text)
    }
  }

  struct GradescopeBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "gradescope",
      abstract: "Build a Gradescope autograder (autograder.zip) that grades the given exercises of a course.",
      discussion: """
        The zip holds setup.sh, run_autograder, the course (course.json and secret.key) and a convlab binary. For Gradescope's \
        image use the self-contained binary of scripts/gradescope_bundle.sh (static Swift runtime, OpenBLAS bundled): pass it \
        with --binary. Students are matched by the roster's `email` or `sid` column.
        """)
    @Argument(help: "The course folder.") var course: String
    @Option(help: "Comma-separated exercise ids this assignment grades.") var exercises: String
    @Option(help: "The zip to write.") var out: String
    @Option(help: "The convlab binary to bundle (default: this one); a lib/ folder beside it is bundled too.") var binary: String?
    func run() throws {
      let ids = exercises.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      let path = binary ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
      let entries = try Gradescope.bundle(course: course, exercises: ids, binary: path, out: out)
      print("wrote \(out): \(entries.joined(separator: ", "))")
      if binary == nil {
        print("note: this convlab binary needs the Swift runtime; for Gradescope build a self-contained one with scripts/gradescope_bundle.sh")
      }
    }
  }

  struct Autograde: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Gradescope's run_autograder step: grade ROOT/submission, write ROOT/results/results.json.", shouldDisplay: false)
    @Option(help: "The autograder root (Gradescope's /autograder).") var root: String = ProcessInfo.processInfo.environment["AUTOGRADER_ROOT"] ?? "/autograder"
    func run() throws {
      let outcome = try Gradescope.autograde(root: root)
      print("\(outcome.student.map { "graded \($0): \(outcome.score) points" } ?? "student not on the roster; results say so"); wrote \(outcome.results)")
    }
  }
}

/// `--no-sandbox`: run Swift submissions without bubblewrap (resource limits still apply) —
/// only for code the grader trusts, e.g. an instructor's reference solution.
struct SandboxOption: ParsableArguments {
  @Flag(name: .customLong("no-sandbox"), help: "Run Swift submissions without the bubblewrap sandbox (trusted code only; resource limits still apply).")
  var noSandbox = false

  func apply() {
    if noSandbox { Sandbox.isolation = .trusted }
  }
}
