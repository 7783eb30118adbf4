import Foundation
import Testing

@Suite struct BenchCommandTests {
  /// `bench conv --json` with a forced kernel: one record with the schema other tools read
  /// (op, path, the shape, medianMs, gflops), labelled with the kernel that ran.
  @Test(arguments: ["gemm", "direct"])
  func convRecordsNameTheKernel(_ path: String) throws {
    let r = try CLI.run(["bench", "conv", "--shape", "4,12,12,1,3,3,3,1,1", "--path", path, "--json", "--repeats", "1"])
    #expect(r.status == 0, "\(r.stderr)")
    let records = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
    #expect(records.count == 1)
    let record = try #require(records.first)
    #expect(record["op"] as? String == "conv-fwd" && record["path"] as? String == path)
    #expect(record["n"] as? Int == 4 && record["h"] as? Int == 12 && record["k"] as? Int == 3 && record["pad"] as? Int == 1)
    #expect((record["median_ms"] as? Double ?? 0) > 0 && (record["gflops"] as? Double ?? 0) > 0)
  }

  @Test(arguments: [
    (["bench", "nosuchpart"], "unknown benchmark"),
    (["bench", "conv", "--shape", "4,12,12,1,3,3,3,1,1", "--path", "bogus"], "is not one of"),
    (["bench", "conv", "--shape", "4,12,12,1,3,3,3,2,1", "--path", "direct"], "direct kernel does not handle"),
    (["bench", "conv"], "needs --shape"),
    (["bench", "torch", "--rounds", "0"], "--rounds must be 1…100"),
  ])
  func badInputIsOneLineAndNonZero(_ arguments: [String], _ message: String) throws {
    try CLI.expectOneLineError(arguments, message)
  }
}
