import ConvLabCore
import Foundation

/// The exercise catalogue and the operations on packets.
public enum Exercises {
  /// Every exercise, in the order `convlab exercise list` prints them.
  public static let all: [any Exercise] =
    [
      ConvBackwardExercise(),
      VardhanJacobianExercise(),
      MaxPoolExercise(),
      AvgPoolExercise(),
      SubsampleExercise(),
      ActivationExercise(.relu),
      ActivationExercise(.sigmoid),
      ActivationExercise(.tanh),
      LeakyReLUExercise(),
      SoftmaxJacobianExercise(),
      SoftmaxLogExercise(),
      BatchNormExercise(),
      ChainExercise(),
      OutputSizeExercise(),
      ReceptiveFieldExercise(),
      SpotTheErrorExercise(.muruganSigmoid),
      SpotTheErrorExercise(.xuKronecker),
      SpotTheErrorExercise(.xuExample15),
      SpotTheErrorExercise(.xuBias),
      SwiftExercise(.convBackward),
      SwiftExercise(.maxPoolBackward),
    ] + SymbolicExercise.Task.allCases.map { SymbolicExercise($0) }

  public static func named(_ id: String) throws -> any Exercise {
    guard let e = all.first(where: { $0.id == id }) else {
      throw ConvLabError("unknown exercise '\(id)'; `convlab exercise list` shows the \(all.count) exercises.")
    }
    return e
  }

  /// The instance a course gives a student.
  public static func instance(_ exercise: any Exercise, student: String, course: Course) throws -> Instance {
    try validateStudentID(student)
    return try exercise.instance(seed: course.seed(exercise: exercise.id, student: student))
  }

  /// The part names of an exercise (the same for every instance).
  public static func partNames(_ id: String) throws -> [String] {
    try named(id).instance(seed: 1).parts.map(\.spec.name)
  }

  /// Writes a student's packet (without `block`/`options` in exam mode).
  public static func newPacket(_ id: String, student: String, course: Course, to directory: String, exam: Bool = false) throws {
    let exercise = try named(id)
    try Packet.write(exercise, student: student, instance: try instance(exercise, student: student, course: course), to: directory, exam: exam)
  }

  /// Grades a submission folder against a packet. With a course (the teacher's `grade`), the
  /// instance is regenerated from the secret and must match the packet's inputs; without one
  /// (the student's `check`), the packet's own inputs are used — and for an exam packet only
  /// readability and shape are checked. Swift exercises run on hidden instances: from the
  /// secret when grading, from a public seed when self-checking, with `runSeconds` to run them all.
  public static func grade(packet: String, submission: String, course: Course?, runSeconds: Double = SwiftRunner.runSeconds, policy: CoursePolicy = CoursePolicy()) throws -> GradeReport {
    let (file, packetParts) = try Packet.read(packet)
    let exercise = try named(file.exercise)
    var parts = packetParts
    if let course {
      let regenerated = try instance(exercise, student: file.student, course: course).parts
      // An exam packet carries no options; its inputs alone must match.
      let same =
        regenerated.count == parts.count
        && zip(regenerated, parts).allSatisfy { a, b in
          (file.exam == true || a.spec.options == b.spec.options) && a.inputs.keys.sorted() == b.inputs.keys.sorted() && a.inputs.allSatisfy { b.inputs[$0.key] == $0.value }
        }
      guard same else {
        throw ConvLabError(
          "the packet \(packet) does not match the instance the course \(course.directory) gives student \(file.student) for \(file.exercise): it was made for another course, or its inputs were edited."
        )
      }
      parts = regenerated
    } else if file.exam == true, !(exercise is SwiftExercise) {
      return try checkShapes(file, parts: parts, submission: submission)
    }
    return try grade(exercise, student: file.student, parts: parts, submission: submission, course: course, runSeconds: runSeconds, policy: policy)
  }

  /// Grades a student's submission for exercise `id` from the course secret alone (no packet
  /// needed: the autograder's path).
  public static func grade(exercise id: String, student: String, course: Course, submission: String, runSeconds: Double = SwiftRunner.runSeconds, policy: CoursePolicy = CoursePolicy()) throws
    -> GradeReport
  {
    let exercise = try named(id)
    return try grade(exercise, student: student, parts: try instance(exercise, student: student, course: course).parts, submission: submission, course: course, runSeconds: runSeconds, policy: policy)
  }

  static func grade(_ exercise: any Exercise, student: String, parts: [Part], submission: String, course: Course?, runSeconds: Double, policy: CoursePolicy) throws -> GradeReport {
    guard FileManager.default.fileExists(atPath: submission) else { throw ConvLabError("the submission folder \(submission) does not exist.") }
    var parts = parts
    for k in parts.indices { parts[k].spec.maxScore = policy.points(exercise: exercise.id, part: parts[k].spec) }
    var results: [PartResult] = []
    if let symbolic = exercise as? SymbolicExercise {
      results = parts.map { SymbolicGrader.grade(symbolic, $0, folder: submission) }
    } else if let swift = exercise as? SwiftExercise {
      var cases = parts
      for i in 1...3 {
        let seed = course?.seed(exercise: exercise.id, student: student, label: "hidden-\(i)") ?? selfCheckSeed(exercise.id, student) &+ UInt64(i)
        cases += try exercise.instance(seed: seed).parts
      }
      for part in parts { results.append(try SwiftRunner.grade(swift, spec: part.spec, submission: submission, cases: cases, runSeconds: runSeconds, credit: policy.partialCredit)) }
    } else {
      for part in parts { results.append(Grader.grade(part.spec, try exercise.solve(part), folder: submission, credit: policy.partialCredit)) }
    }
    return GradeReport(exercise: exercise.id, student: student, parts: results)
  }

  /// Exam mode's self-check: each part's file is read as grading reads it (regular file,
  /// numbers, the answer's shape) and reported `received` or `invalid`/`missing`, never right
  /// or wrong.
  static func checkShapes(_ file: PacketFile, parts: [Part], submission: String) throws -> GradeReport {
    guard FileManager.default.fileExists(atPath: submission) else { throw ConvLabError("the submission folder \(submission) does not exist.") }
    let results = parts.map { part -> PartResult in
      let shape = Shape(dims: part.spec.shape)
      let placeholder = Solution(answer: Tensor(shape: shape), variants: [])
      do {
        _ = try Grader.read(part.spec, placeholder, folder: submission)
        return PartResult(
          name: part.spec.name, status: .received, score: 0, maxScore: part.spec.maxScore, diagnosis: nil,
          feedback: "Readable, with the right shape \(Shape.describe(part.spec.shape)). This is an exam: whether it is right is known only after grading.", grid: nil)
      } catch let invalid as Grader.Invalid {
        return PartResult(name: part.spec.name, status: invalid.missing ? .missing : .invalid, score: 0, maxScore: part.spec.maxScore, diagnosis: nil, feedback: invalid.message, grid: nil)
      } catch {
        return PartResult(name: part.spec.name, status: .invalid, score: 0, maxScore: part.spec.maxScore, diagnosis: nil, feedback: "\(error)", grid: nil)
      }
    }
    return GradeReport(exercise: file.exercise, student: file.student, parts: results)
  }
}
