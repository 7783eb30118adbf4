import ConvLabCore
import Foundation
import Testing

/// Sizes from options that used to trap or exhaust memory are one-line errors now (issue 17's
/// list); each case names the option and the allowed range.
@Suite("Hostile options")
struct HostileOptionTests {
  @Test(arguments: [
    (["lenet", "--kernel", "9223372036854775807"], "--kernel must be between"),
    (["derive", "xu-bias", "--size=-4"], "--size must be between"),
    (["derive", "xu-bias", "--size", "0"], "--size must be between"),
    (["derive", "xu-bias", "--size", "1"], "xu-bias needs --size between 2 and 64"),
    (["bench", "conv", "--shape", "9223372036854775807,2,2,1,1,1,1,1,0"], "--shape"),
    (["bench", "conv", "--shape", "100000,1000,1000,64,64,3,3,1,1"], "memory limit"),
    (["info", "--max-memory", "lots"], "--max-memory"),
    // Memory is estimated before a network's filters are drawn or a batch is allocated. One
    // folder per case: the cases run in parallel, and a run folder is locked by its first user.
    (["train", "--net", "conv 3x3x4 pad 100000; dense 10", "--subset", "100", "--epochs", "1", "--out", "/tmp/convlab-never-written-1"], "memory limit"),
    (["train", "--net", "conv 5x5x999999; dense 10", "--subset", "100", "--epochs", "1", "--out", "/tmp/convlab-never-written-2"], "memory limit"),
    (["train", "--net", "vardhan", "--subset", "1000000", "--epochs", "1", "--out", "/tmp/convlab-never-written-3"], "--subset 1000000 asks for more"),
  ])
  func optionsAreCheckedBeforeUse(arguments: [String], message: String) throws {
    try CLI.expectOneLineError(arguments, message)
  }

  @Test func aRefusedNetworkLeavesNoRunFolder() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try CLI.expectOneLineError(["train", "--net", "conv 3x3x4 pad 100000; dense 10", "--subset", "100", "--epochs", "1", "--out", dir + "/run"], "memory limit")
    #expect(!FileManager.default.fileExists(atPath: dir + "/run"))
  }

  @Test func aDivergingRunStopsWithTheReason() throws {
    // NaN losses used to surface as an EncodingError of metrics.json.
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try CLI.expectOneLineError(["train", "--net", "vardhan", "--subset", "300", "--epochs", "1", "--lr", "1e8", "--out", dir + "/run"], "lower the learning rate")
  }

  @Test func theMemoryLimitOptionIsHonoured() throws {
    // 64×32×32 Float patches fit in 1 GiB but not in 1 MiB.
    let shape = "64,32,32,1,6,5,5,1,0"
    try CLI.expectOneLineError(["bench", "conv", "--shape", shape, "--max-memory", "1M"], "memory limit")
  }

  @Test func aSecondTrainingRunIntoTheSameFolderFailsAtOnce() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let first = Process()
    first.executableURL = URL(fileURLWithPath: CLI.binary)
    first.arguments = ["train", "--net", "vardhan", "--subset", "3000", "--epochs", "20", "--out", dir + "/run"]
    first.standardOutput = FileHandle.nullDevice
    first.standardError = FileHandle.nullDevice
    try first.run()
    defer {
      first.terminate()
      first.waitUntilExit()
    }
    // The first run has locked its folder once it wrote net.txt.
    let deadline = Date().addingTimeInterval(60)
    while !FileManager.default.fileExists(atPath: dir + "/run/net.txt") && Date() < deadline { usleep(50_000) }
    #expect(first.isRunning)
    try CLI.expectOneLineError(["train", "--net", "vardhan", "--subset", "3000", "--epochs", "1", "--out", dir + "/run"], "in use by another convlab process")
  }

  @Test func twoTrainingRunsIntoOneFolderCannotBothSave() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try writeAtomically(Data("mine".utf8), to: dir + "/notes.txt")
    // A folder with the user's own files is not a place for a new run.
    try CLI.expectOneLineError(["train", "--net", "vardhan", "--subset", "200", "--epochs", "1", "--out", dir], "not empty")
  }
}
