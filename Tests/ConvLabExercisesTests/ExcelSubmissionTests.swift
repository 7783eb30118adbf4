import ConvLabCore
import ConvLabExercises
import Foundation
import Testing

/// Issue 17: a correct answer saved by Excel (UTF-8 BOM, CRLF line ends) grades correct.
@Suite("Spreadsheet submissions")
struct ExcelSubmissionTests {
  @Test("a correct CSV with a BOM and CRLF line ends grades correct, like the plain file")
  func excelSavedCSVGradesCorrect() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let course = try Course(directory: folder + "/course", create: true)
    try Exercises.newPacket("relu-backward", student: "ada", course: course, to: folder + "/p")
    let (_, parts) = try Packet.read(folder + "/p")
    let answer = try Exercises.named("relu-backward").solve(parts[0]).answer
    let plain = CSV.encode(answer)
    // Excel's "CSV UTF-8" format: bytes EF BB BF first, every line ended by CR LF.
    let excel = Data([0xEF, 0xBB, 0xBF]) + Data(plain.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    for (label, data) in [("plain", Data(plain.utf8)), ("excel", excel)] {
      let sub = folder + "/sub-" + label
      try makeDirectory(sub)
      try writeAtomically(data, to: sub + "/\(parts[0].spec.name).csv")
      let report = try Exercises.grade(packet: folder + "/p", submission: sub, course: course)
      #expect(report.parts[0].status == .correct, "\(label): \(report.parts[0].feedback)")
    }
  }
}
