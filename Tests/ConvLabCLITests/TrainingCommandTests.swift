import ConvLabCore
import Foundation
import Testing

@Suite(.serialized) struct TrainingCommandTests {
  @Test func aQuickRunEndsWithTheTestAccuracyLineAndWritesTheRunFolder() throws {
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let out = folder + "/run"
    let r = try CLI.run(["train", "--net", "vardhan", "--subset", "1000", "--epochs", "1", "--test-subset", "500", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    let last = r.stdout.split(separator: "\n").last { $0.hasPrefix("test accuracy:") }
    #expect(last != nil, "\(r.stdout)")
    // Not a TTY: plain progress lines, no escape codes.
    #expect(r.stdout.contains("epoch 1/1  25%") && !r.stdout.contains("\u{1B}["))
    for f in ["checkpoint.bin", "best.bin", "metrics.csv", "metrics.json", "result.json", "net.txt", "curves.dat", "curves.gp"] {
      #expect(FileManager.default.fileExists(atPath: out + "/" + f), "\(f)")
    }
    // Continuing for one more epoch reads the checkpoint; a second run into the folder without --resume is refused.
    let resumed = try CLI.run(["train", "--net", "vardhan", "--subset", "1000", "--epochs", "2", "--test-subset", "500", "--out", out, "--resume"])
    #expect(resumed.status == 0 && resumed.stdout.contains("resuming \(out) after epoch 1 of 2") && resumed.stdout.contains("epoch 2/2"), "\(resumed.stderr)")
    let again = try CLI.run(["train", "--net", "vardhan", "--subset", "1000", "--epochs", "1", "--out", out])
    #expect(again.status != 0 && again.stderr.contains("--resume"))
  }

  @Test func theMilisavljevicExperimentPrintsItsTableBesideThePapersAndReusesFinishedRuns() throws {
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let arguments = ["experiment", "milisavljevic", "--tables", "2", "--subset", "300", "--validation", "100", "--test-subset", "200", "--epochs", "1", "--out", folder]
    let r = try CLI.run(arguments)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("Table 2: stride (Table 2)"))
    for row in ["stride 2", "stride 3", "stride 4"] {
      // Our accuracy, then the paper's EMNIST accuracy (Table 2: 0.877, 0.874, 0.867).
      #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix(row) && $0.contains(["stride 2": "0.877", "stride 3": "0.874", "stride 4": "0.867"][row]!) }, "\(r.stdout)")
    }
    #expect(FileManager.default.fileExists(atPath: folder + "/tables.txt"))
    #expect(FileManager.default.fileExists(atPath: folder + "/table2.gp"))
    let again = try CLI.run(arguments)
    #expect(again.status == 0 && again.stdout.components(separatedBy: "reusing").count == 4, "\(again.stdout)")
  }

  @Test(arguments: [
    (["train", "--net", "nosuchnet"], "unknown network"),
    (["train", "--net", "conv 5x5x6; relu", "--subset", "100", "--epochs", "1"], "end with 'dense 10'"),
    (["train", "--data", "/nonexistent"], "does not exist"),
    (["train", "--epochs", "0"], "--epochs"),
    (["train", "--schedule", "zigzag"], "--schedule"),
    (["train", "--resume", "--out", "/tmp/convlab-no-such-run", "--subset", "100"], "does not exist"),
    (["experiment", "nobody"], "'nobody' is invalid for '<name>'. Please provide one of 'milisavljevic'."),
    (["train", "--device", "tpu"], "'tpu' is invalid for '--device <device>'. Please provide one of 'cpu', 'cuda' or 'host'."),
    (["jacobian", "conv", "--x", "a.npy", "--k", "2x2"], "--k sizes the filters of a random instance"),
    (["jacobian", "frobnicate", "--x", "3x3"], "'frobnicate' is invalid for '<name>'. Please provide one of conv, convt, pool"),
  ])
  func badInputIsOneLineAndNonZero(_ arguments: [String], _ message: String) throws {
    try CLI.expectOneLineError(arguments, message)
  }
}
