import ConvLabCore
import Foundation
import Testing

/// `--symbolic` on the command line: Vardhan App. A as the done criterion of issue 21, panels
/// that fit COLUMNS, LaTeX and JSON, and one-line errors.
@Suite struct SymbolicCommandTests {
  static let appendixA = ["jacobian", "conv", "--x", "3x4", "--k", "2x2", "--pad", "1", "--stride", "1,2", "--symbolic"]

  @Test func appendixAJacobiansArePrintedAsInThePaper() throws {
    let r = try CLI.run(Self.appendixA, environment: ["COLUMNS": "100", "NO_COLOR": "1"])
    #expect(r.status == 0, "\(r.stderr)")
    // dᵥZ/dᵥβ, rows z₂₂ and z₃₂ (Vardhan (a1-3); z₃₂ = a₂₂β₁₁ + a₂₃β₁₂ + a₃₂β₂₁ + a₃₃β₂₂).
    #expect(r.stdout.contains("z₂₂ ⎢ a₁₂ a₂₂ a₁₃ a₂₃ ⎥"))
    #expect(r.stdout.contains("z₃₂ ⎢ a₂₂ a₃₂ a₂₃ a₃₃ ⎥"))
    // dᵥZ/dᵥA, row z₃₂: β₁₁ at a₂₂, β₂₁ at a₃₂, β₁₂ at a₂₃, β₂₂ at a₃₃.
    #expect(r.stdout.contains("z₃₂ ⎢   0   0   0   0 β₁₁ β₂₁   0 β₁₂ β₂₂   0   0   0 ⎥"))
    #expect(r.stdout.contains("numbers of the seeded instance substituted vs the literal Jacobian: ✓"))
    #expect(r.stdout.contains("Vardhan App. A, rep.2 and Vardhan (a1-2): ✓ exactly equal"))
    #expect(r.stdout.contains("(1,2): printed a₁₂β₁₁ + a₁₃β₁₂ + a₂₂β₂₁ + a₂₃β₂₂, computed a₁₂β₂₁ + a₁₃β₂₂"))
    #expect(!r.stdout.contains("✗"))
  }

  @Test func narrowTerminalsGetPanelsNotElisions() throws {
    let r = try CLI.run(Self.appendixA, environment: ["COLUMNS": "40", "NO_COLOR": "1"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("columns 1–8 of 12:") && r.stdout.contains("columns 9–12 of 12:"))
    let widest = r.stdout.split(separator: "\n").filter { $0.contains("⎢") || $0.contains("⎡") }.map(\.count).max() ?? 0
    #expect(widest <= 40)
  }

  @Test func latexAndJSONExport() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["jacobian", "conv", "--x", "3x4", "--k", "2x2", "--pad", "1", "--stride", "1,2", "--wrt", "w", "--symbolic", "--latex", "--export", dir + "/j.json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("\\begin{bmatrix}\n  0 & 0 & 0 & a_{11} \\\\"))
    let json = try #require(try JSONSerialization.jsonObject(with: try readFile(dir + "/j.json")) as? [String: Any])
    let matrices = try #require(json["matrices"] as? [[String: Any]])
    #expect(matrices.count == 2)
    let unicode = try #require(matrices[0]["unicode"] as? [[String]])
    #expect(unicode[6] == ["a₂₂", "a₃₂", "a₂₃", "a₃₃"])
    let ascii = try #require(matrices[0]["ascii"] as? [[String]])
    #expect(ascii[6] == ["a22", "a32", "a23", "a33"])
  }

  @Test func blockForwardInSymbols() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["block", "conv", "--x", "3x4", "--w", "2x2", "--pad", "1", "--stride", "1,2", "--symbolic", "--names", "x,k,z", "--out", dir], environment: ["NO_COLOR": "1"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("x₂₂k₁₁ + x₂₃k₁₂ + x₃₂k₂₁ + x₃₃k₂₂"))
    let json = try #require(try JSONSerialization.jsonObject(with: try readFile(dir + "/y.json")) as? [String: Any])
    #expect((json["matrices"] as? [[String: Any]])?.first?["rows"] as? Int == 4)
  }

  @Test func notationInSymbols() throws {
    let r = try CLI.run(["notation", "xcorr2", "--symbolic"], environment: ["NO_COLOR": "1"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("conv2(A, rot180(K), 'valid') = xcorr2(A, K, 'valid')  (Xu (14))   ✓ equal as polynomials"))
  }

  @Test func mistakesAreOneLineErrors() throws {
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "3x4", "--k", "2x2", "--latex"], "belong to the symbolic mode")
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "3x4x2", "--k", "2x2", "--symbolic"], "single-channel")
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "40x40", "--k", "3x3", "--symbolic"], "at most 65536 entries")
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "3x4", "--k", "2x2", "--symbolic", "--names", "a,a"], "four different letters")
    try CLI.expectOneLineError(["jacobian", "bnorm", "--x", "3x4", "--symbolic"], "no exact symbolic Jacobian")
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "3x4", "--k", "2x2", "--symbolic", "--export", "j.txt"], "give a file ending in .json")
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "3x4", "--k", "2x2", "--symbolic", "--out", "j.npy"], "with --symbolic write the symbols with --export")
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try CLI.expectOneLineError(["block", "relu", "--x", "2x2", "--symbolic", "--out", dir], "is not linear")
  }

  @Test func symbolicExerciseRoundTrip() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let new = try CLI.run(["exercise", "new", "symbolic-input-gradient", "--student", "ada", "--course", dir + "/c", "--out", dir + "/p"])
    #expect(new.status == 0, "\(new.stderr)")
    let readme = String(decoding: try readFile(dir + "/p/README.md"), as: UTF8.self)
    #expect(readme.contains("`PART.txt`") && readme.contains("Grading is exact"))
    try makeDirectory(dir + "/s")
    try writeAtomically(Data("d11k11, 0\n".utf8), to: dir + "/s/dEdx.txt")
    let check = try CLI.run(["exercise", "check", dir + "/p", dir + "/s"])
    #expect(check.status == 0 && check.stdout.contains("0 / 2") && check.stdout.contains("one row of the matrix per line"), "\(check.stdout)")
  }
}
