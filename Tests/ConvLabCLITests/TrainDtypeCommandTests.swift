import ConvLabCore
import Foundation
import Testing

@Suite("train --dtype, and net check's projections on the command line")
struct TrainDtypeCommandTests {
  /// A Float64 run end to end: checkpoints, a refused resume in Float32, a resume in Float64,
  /// the export, and the same run on the device code (`--device host`) in Float64.
  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"), "Fashion-MNIST (Debian package dataset-fashion-mnist) is not installed"))
  func trainInFloat64ResumeAndExport() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let spec = "conv 5x5x4 stride 3; relu; dense 10; loss softmaxlog"
    let common = ["--net", spec, "--subset", "200", "--test-subset", "50"]
    var r = try CLI.run(["train"] + common + ["--epochs", "1", "--dtype", "float64", "--out", "\(dir)/run"])
    try #require(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("network: \(spec) (in Float64)"))
    #expect(try String(contentsOfFile: "\(dir)/run/checkpoint.bin", encoding: .isoLatin1).contains("\"dtype\":\"float64\""))
    try CLI.expectOneLineError(
      ["train"] + common + ["--epochs", "2", "--resume", "--out", "\(dir)/run"],
      "--resume: the checkpoint was trained in float64, not float32; resume it with --dtype float64.")
    r = try CLI.run(["train"] + common + ["--epochs", "2", "--resume", "--dtype", "float64", "--out", "\(dir)/run"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("resuming \(dir)/run after epoch 1 of 2"))
    let csv = try String(contentsOfFile: "\(dir)/run/metrics.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 3, "a header and two epochs")
    r = try CLI.run(["net", "export", "\(dir)/run", "--out", "\(dir)/W.npz"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("weights after epoch 2"))
    r = try CLI.run(["train"] + common + ["--epochs", "1", "--dtype", "float64", "--device", "host", "--out", "\(dir)/host"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("(in Float64)") && r.stdout.contains("device: "))
    let bad = try CLI.run(["train"] + common + ["--dtype", "float16", "--out", "\(dir)/bad"])
    #expect(bad.status != 0 && bad.stderr.contains("float16"), "\(bad.stderr)")
  }

  /// With a small memory limit (gate = a quarter of it, 1 MiB) LeNet-5's C1, C3, C5 and F6 go
  /// through projections; each projection row shows the explicit, backprop and finite-difference
  /// values of vᵀJu and all of them agree.
  @Test func netCheckShowsAllThreeSidesOfAProjection() throws {
    let r = try CLI.run(
      ["net", "check", "--net", "lenet5", "--input", "28x28", "--images", "1", "--fd-entries", "4"],
      environment: ["CONVLAB_MAX_MEMORY": "4M"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("checked by random projections vᵀJu (literal: J u from the explicit Jacobian built in column blocks under the gate): items 1, 5, 9, 11"))
    let projections = r.stdout.split(separator: "\n").filter { $0.contains("vᵀJu: explicit") }
    #expect(projections.count == 4 * 3, "x, w and b of the 4 projected items")
    #expect(projections.allSatisfy { !$0.contains("—") && $0.contains("explicit↔FD ✓") }, "\(projections)")
    #expect(r.stdout.contains("all passed"))
  }
}
