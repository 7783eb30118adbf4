import ConvLabCore
import Foundation

/// The exercise catalogue and the operations on packets.
public enum Exercises {
  /// Every exercise, in the order `convlab exercise list` prints them.
  public static let all: [any Exercise] = [
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

  /// Writes a student's packet.
  public static func newPacket(_ id: String, student: String, course: Course, to directory: String) throws {
    let exercise = try named(id)
    try Packet.write(exercise, student: student, instance: try instance(exercise, student: student, course: course), to: directory)
  }

  /// Grades a submission folder against a packet. With a course (the teacher's `grade`), the
  /// instance is regenerated from the secret and must match the packet's inputs; without one
  /// (the student's `check`), the packet's own inputs are used. Swift exercises run on hidden
  /// instances: from the secret when grading, from a public seed when self-checking, with
  /// `runSeconds` to run them all.
  public static func grade(packet: String, submission: String, course: Course?, runSeconds: Double = SwiftRunner.runSeconds) throws -> GradeReport {
    let (file, packetParts) = try Packet.read(packet)
    let exercise = try named(file.exercise)
    var parts = packetParts
    if let course {
      let regenerated = try instance(exercise, student: file.student, course: course).parts
      let same = regenerated.count == parts.count && zip(regenerated, parts).allSatisfy { a, b in
        a.spec.options == b.spec.options && a.inputs.keys.sorted() == b.inputs.keys.sorted() && a.inputs.allSatisfy { b.inputs[$0.key] == $0.value }
      }
      guard same else {
        throw ConvLabError("the packet \(packet) does not match the instance the course \(course.directory) gives student \(file.student) for \(file.exercise): it was made for another course, or its inputs were edited.")
      }
      parts = regenerated
    }
    guard FileManager.default.fileExists(atPath: submission) else { throw ConvLabError("the submission folder \(submission) does not exist.") }
    var results: [PartResult] = []
    if let symbolic = exercise as? SymbolicExercise {
      results = parts.map { SymbolicGrader.grade(symbolic, $0, folder: submission) }
    } else if let swift = exercise as? SwiftExercise {
      var cases = parts
      for i in 1...3 {
        let seed = course?.seed(exercise: exercise.id, student: file.student, label: "hidden-\(i)") ?? selfCheckSeed(exercise.id, file.student) &+ UInt64(i)
        cases += try exercise.instance(seed: seed).parts
      }
      for part in parts { results.append(try SwiftRunner.grade(swift, spec: part.spec, submission: submission, cases: cases, runSeconds: runSeconds)) }
    } else {
      for part in parts { results.append(Grader.grade(part.spec, try exercise.solve(part), folder: submission)) }
    }
    return GradeReport(exercise: file.exercise, student: file.student, parts: results)
  }
}
