import ConvLabCore
import Foundation
import Testing

@Suite("convlab exercise")
struct ExerciseCommandTests {
  /// exercise.json's `block` and `options` are `convlab block`'s own: running that command on
  /// the packet's inputs gives answers that grade as correct.
  @Test func packetAnswersRecomputedWithConvlabBlockGradeCorrect() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let new = try CLI.run(["exercise", "new", "conv-backward", "--student", "ada", "--course", dir + "/course", "--out", dir + "/p"])
    #expect(new.status == 0, "\(new.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: try readFile(dir + "/p/exercise.json")) as? [String: Any])
    let parts = try #require(json["parts"] as? [[String: Any]])
    let first = parts[0]
    let options = try #require(first["options"] as? [String: String])
    let inputs = try #require(first["inputs"] as? [String: String])
    var args = ["block", try #require(first["block"] as? String)]
    for (k, v) in options.sorted(by: { $0.key < $1.key }) { args += ["--\(k)", v] }
    for (k, v) in inputs.sorted(by: { $0.key < $1.key }) { args += ["--\(k)", dir + "/p/" + v] }
    args += ["--out", dir + "/sub"]
    let block = try CLI.run(args)
    #expect(block.status == 0, "\(block.stderr)")
    let grade = try CLI.run(["exercise", "grade", dir + "/p", dir + "/sub", "--course", dir + "/course", "--json"])
    #expect(grade.status == 0, "\(grade.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(grade.stdout.utf8)) as? [String: Any])
    #expect((report["score"] as? Double) == 5 && (report["max_score"] as? Double) == 5, "\(grade.stdout)")
    // The student's self-check needs no course and says the same.
    let check = try CLI.run(["exercise", "check", dir + "/p", dir + "/sub"])
    #expect(check.status == 0 && check.stdout.contains("5 / 5"), "\(check.stdout)")
  }

  @Test func errorsAreOneLine() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for args in [["exercise", "new", "nope", "--student", "a", "--course", dir + "/c", "--out", dir + "/p"],
                 ["exercise", "new", "relu-backward", "--student", "a/b", "--course", dir + "/c", "--out", dir + "/p"],
                 ["exercise", "grade", dir + "/missing", dir + "/sub", "--course", dir + "/c"],
                 ["exercise", "init-swift", "relu-backward", "--student", "a", dir + "/pkg"]] {
      let r = try CLI.run(args)
      #expect(r.status != 0 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("Error"), "\(args): \(r.stderr)")
    }
  }

  @Test func listShowsEveryKind() throws {
    let r = try CLI.run(["exercise", "list"])
    #expect(r.status == 0)
    for kind in ["by-hand", "swift", "geometry", "spot-the-error"] { #expect(r.stdout.contains(kind)) }
  }
}
