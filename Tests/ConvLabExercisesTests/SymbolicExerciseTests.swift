import ConvLabCore
import ConvLabExercises
import ConvLabNotation
import Foundation
import Testing

/// The symbolic exercises: exact grading of text grids and diagnoses applied to symbols.
@Suite struct SymbolicExerciseTests {
  static let all = SymbolicExercise.Task.allCases.map { SymbolicExercise($0) }

  func submit(_ text: String, _ exercise: SymbolicExercise, _ part: Part) throws -> PartResult {
    let folder = try temporaryFolder("sym")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try writeAtomically(Data(text.utf8), to: folder + "/\(part.spec.name).txt")
    return SymbolicGrader.grade(exercise, part, folder: folder)
  }

  /// The grid as a student would type it (ASCII, b for β, d for δ).
  func typed(_ m: SymbolicMatrix) -> String {
    (0..<m.rows).map { r in (0..<m.cols).map { m[r, $0].ascii.replacingOccurrences(of: "beta", with: "b").replacingOccurrences(of: "delta", with: "d") }.joined(separator: ", ") }.joined(
      separator: "\n")
  }

  @Test(arguments: SymbolicExercise.Task.allCases, [UInt64(1), 2, 3, 4])
  func rightGridScoresFullMarksAndEveryVariantIsDiagnosed(task: SymbolicExercise.Task, seed: UInt64) throws {
    let e = SymbolicExercise(task)
    for part in try e.instance(seed: seed).parts {
      let (answer, variants) = try e.symbolicSolution(part)
      let right = try submit(typed(answer), e, part)
      #expect(right.status == .correct && right.score == part.spec.maxScore, "\(e.id): \(right.feedback)")
      for v in variants {
        let r = try submit(typed(v.value), e, part)
        #expect(r.status == .wrong && r.diagnosis == v.id, "\(e.id) seed \(seed): \(v.id) diagnosed as \(r.diagnosis ?? "nil")")
      }
    }
  }

  @Test func vardhanSettingGradesTheAppendixAJacobian() throws {
    // The App. A instance (3×4, padding 1, stride (1,2)) typed as the Jacobian of WorkedExamples.
    let e = SymbolicExercise(.kernelJacobian)
    let part = Part(
      spec: PartSpec(
        name: "J", kind: "symbolic", block: nil, options: ["h": "3", "w": "4", "pad": "1", "stride": "1,2"],
        answer: "dᵥZ/dᵥβ", shape: [12, 4], layout: ""), inputs: [:])
    let r = try submit(typed(try WorkedExamples.vardhanJacobianWrtKernel()), e, part)
    #expect(r.status == .correct, "\(r.feedback)")
  }

  @Test func aWrongEntryIsNamedWithoutGivingTheAnswerAway() throws {
    let e = SymbolicExercise(.inputGradient)
    let part = Part(
      spec: PartSpec(
        name: "dEdx", kind: "symbolic", block: nil, options: ["h": "3", "w": "3", "kh": "2", "kw": "2"],
        answer: "∂E/∂x", shape: [3, 3], layout: ""), inputs: [:])
    // Xu's printed ∂E/∂x₂₂ (δ₁₁k₁₂ where δ₁₁k₂₂ belongs) in an otherwise right grid.
    let grid = "d11k11, d11k12 + d12k11, d12k12\nd11k21 + d21k11, d11k12 + d12k21 + d21k12 + d22k11, d12k22 + d22k12\nd21k21, d21k22 + d22k21, d22k22"
    let r = try submit(grid, e, part)
    #expect(r.status == .wrong && r.diagnosis == "unknown")
    #expect(r.feedback.contains("entry (2,2): δ₁₁k₁₂ should not be there; 1 term is missing"), "\(r.feedback)")
    #expect(!r.feedback.contains("k₂₂"))
    #expect(r.grid == "✓ ✓ ✓\n✓ ✗ ✓\n✓ ✓ ✓")
    #expect(r.score > 0 && r.score < 1)
  }

  @Test(arguments: ["a11, b?", "a11, 0\n0", ""])
  func unreadableGridsAreInvalidNotWrong(text: String) throws {
    let e = SymbolicExercise(.convOutput)
    let part = try e.instance(seed: 1).parts[0]
    let r = try submit(text, e, part)
    #expect(r.status == .invalid && r.score == 0, "\(r.feedback)")
  }

  @Test func aMissingFileIsInvalid() throws {
    let e = SymbolicExercise(.convOutput)
    let part = try e.instance(seed: 1).parts[0]
    let folder = try temporaryFolder("sym")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let r = SymbolicGrader.grade(e, part, folder: folder)
    #expect(r.status == .invalid && r.feedback.contains("no Z.txt"))
  }

  @Test func packetsGradeThroughTheCatalogue() throws {
    let folder = try temporaryFolder("sympacket")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let course = try Course(directory: folder + "/course", create: true)
    try Exercises.newPacket("symbolic-conv-output", student: "s01", course: course, to: folder + "/packet")
    let (_, parts) = try Packet.read(folder + "/packet")
    let e = SymbolicExercise(.convOutput)
    try makeDirectory(folder + "/answer")
    try writeAtomically(Data(typed(try e.symbolicSolution(parts[0]).answer).utf8), to: folder + "/answer/Z.txt")
    let report = try Exercises.grade(packet: folder + "/packet", submission: folder + "/answer", course: course)
    #expect(report.score == report.maxScore, "\(report.text)")
  }
}
