import ConvLabCore
import Foundation
import Testing

/// python3 with NumPy, or nil (the reference tests then skip, saying why).
private let python: String? = {
  for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
    let candidate = "\(dir)/python3"
    guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: candidate)
    p.arguments = ["-c", "import numpy"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { continue }
    p.waitUntilExit()
    if p.terminationStatus == 0 { return candidate }
  }
  return nil
}()

/// scripts/net_reference.py in this checkout.
private let referenceScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("scripts/net_reference.py").path

private func runPython(_ arguments: [String]) throws -> (status: Int32, output: String) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: python ?? "/usr/bin/python3")
  p.arguments = arguments
  let out = Pipe()
  p.standardOutput = out
  p.standardError = out
  try p.run()
  let data = out.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// `net grad` on the weights a reference script's `setup` wrote to `dir` (W.npz by `np.savez`,
/// Wc.npz by `np.savez_compressed`) against its gradients in ref.npz: the same keys, each to
/// 1e-10 relative (Float64 throughout; the two sides differ by summation order only) and of the
/// same shape (the scalar loss may be stored as 1 or 1×1), read by ConvLab's reader; then `compare(G.npz)` runs the script's own reader on ConvLab's file.
func expectNetGradMatchesReference(
  in dir: String, spec: String, goal: String,
  compare: (String) throws -> (status: Int32, output: String)
) throws {
  for weights in ["W.npz", "Wc.npz"] {
    let r = try CLI.run([
      "net", "grad", "--net", spec, "--weights", "\(dir)/\(weights)", "--x", "\(dir)/x.npy",
      "--\(goal)", "\(dir)/\(goal).npy", "--out", "\(dir)/G.npz",
    ])
    try #require(r.status == 0, "\(r.stderr)")
    let reference = try NPZArchive(contentsOf: "\(dir)/ref.npz")
    let got = try NPZArchive(contentsOf: "\(dir)/G.npz")
    #expect(Set(got.names) == Set(reference.names), "\(spec)")
    #expect(reference.names.count >= 4, "loss, x and at least one parameter pair")
    for name in reference.names {
      let a = try #require(reference[name])
      let b = try #require(got[name], "\(name) missing")
      #expect(a.shape == b.shape || (a.values.count == b.values.count && name == "loss"), "\(name): \(a.shape) vs \(b.shape)")
      let c = Comparison(a.values, b.values)
      #expect(c.relativeError <= 1e-10, "\(spec) [\(weights)] \(name): \(c)")
    }
    let checked = try compare("\(dir)/G.npz")
    #expect(checked.status == 0, "\(checked.output)")
  }
}

@Suite("convlab net, and strict block options on the command line")
struct NetCommandTests {
  /// Issue 20's acceptance: networks defined outside ConvLab (weights from NumPy's savez and
  /// savez_compressed, spec items counted from 1) get their loss and every gradient in Float64
  /// matching a hand-coded NumPy backprop (scripts/net_reference.py) to 1e-10 relative; NumPy
  /// reads ConvLab's G.npz back. Both sides are Float64 sums of the same terms in different
  /// orders, so the differences are round-off, ~1e-15; 1e-10 is the bar.
  static let networks: [(spec: String, input: String, images: String, goal: String)] = [
    ("conv 3x3x4 pad 1; relu; pool max 2; conv 3x3x6 stride 2 dilate 1 pad 0,1,1,0; tanh; pool avg 2 stride 1 pad 1; dense 5; loss softmaxlog", "9x8x2", "3", "labels"),
    ("conv 2x3x3 dilate 2 flip; sigmoid; subsample 2; leaky 0.2; pool maxavg 2x1 stride 2,1; dense 4; loss mse", "10x10", "2", "target"),
    ("lenet5", "28x28", "2", "labels"),
    ("conv 3x3x2 stride 2; tanh; dense 3; loss l2", "7x7x3", "4", "target"),
  ]

  @Test(
    .enabled(if: python != nil, "python3 with numpy is not installed, so the independent NumPy reference cannot run"),
    arguments: 0..<networks.count)
  func gradientsMatchAnIndependentNumPyBackprop(index: Int) throws {
    let (spec, input, images, goal) = Self.networks[index]
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let setup = try runPython([referenceScript, "setup", dir, "--spec", spec, "--input", input, "--images", images, "--seed", "\(index + 1)"])
    try #require(setup.status == 0, "\(setup.output)")
    try expectNetGradMatchesReference(in: dir, spec: spec, goal: goal) { got in
      // NumPy's reader on ConvLab's file.
      let compare = try runPython([referenceScript, "compare", "\(dir)/ref.npz", got])
      return (compare.status, compare.output)
    }
  }

  @Test func initGradAndCheckRunOnAnInitializedNetwork() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let spec = "conv 3x3x2 pad 1; relu; pool avg 2; dense 3; loss softmaxlog"
    var r = try CLI.run(["net", "init", "--net", spec, "--input", "4x4", "--out", "\(dir)/W.npz", "--compressed"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("\(dir)/W.npz: 1.w 3×3×1×2, 1.b 2, 4.w 3×8, 4.b 3\n"))
    try NPYArray(shape: [4, 4, 1, 2], values: (0..<32).map { Double($0 % 7) / 7 }).write(to: "\(dir)/x.npy")
    try NPYArray(shape: [2], values: [3, 1]).write(to: "\(dir)/c.npy")
    r = try CLI.run(["net", "grad", "--net", spec, "--weights", "\(dir)/W.npz", "--x", "\(dir)/x.npy", "--labels", "\(dir)/c.npy", "--out", "\(dir)/G.npz"])
    #expect(r.status == 0, "\(r.stderr)")
    let g = try NPZArchive(contentsOf: "\(dir)/G.npz")
    #expect(g.names == ["loss", "x", "1.w", "1.b", "4.w", "4.b"])
    #expect(g["x"]?.shape == [4, 4, 1, 2] && g["loss"]?.shape == [])
    r = try CLI.run(["net", "check", "--net", spec, "--weights", "\(dir)/W.npz", "--x", "\(dir)/x.npy", "--labels", "\(dir)/c.npy"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("all passed"))
    #expect(r.stdout.contains("diagonal 32"))  // the relu's Jacobian, 32 entries per image
  }

  /// The round trip: a trained run exported as .npz, a new run started from those weights,
  /// and its gradients computed from the exported file.
  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"), "Fashion-MNIST (Debian package dataset-fashion-mnist) is not installed"))
  func trainExportInitRoundTrip() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let spec = "conv 5x5x4 stride 3; relu; dense 10; loss softmaxlog"
    var r = try CLI.run(["train", "--net", spec, "--subset", "300", "--epochs", "1", "--test-subset", "100", "--out", "\(dir)/run"])
    try #require(r.status == 0, "\(r.stderr)")
    r = try CLI.run(["net", "export", "\(dir)/run", "--out", "\(dir)/W.npz"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("\(dir)/W.npz: weights after epoch 1 of \(dir)/run/checkpoint.bin: 1.w, 1.b, 3.w, 3.b"))
    let exported = try NPZArchive(contentsOf: "\(dir)/W.npz")
    #expect(exported["1.w"]?.shape == [5, 5, 1, 4] && exported["3.w"]?.shape == [10, 8 * 8 * 4])  // (28 − 5)/3 + 1 = 8
    r = try CLI.run(["train", "--net", spec, "--init", "\(dir)/W.npz", "--subset", "300", "--epochs", "1", "--test-subset", "100", "--out", "\(dir)/again"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("initial weights: \(dir)/W.npz"))
    try CLI.expectOneLineError(
      ["train", "--net", "conv 3x3x4; relu; dense 10", "--init", "\(dir)/W.npz", "--subset", "300", "--out", "\(dir)/bad"],
      "\(dir)/W.npz['1.w'] has shape 5×5×1×4 but item 1 (conv) needs 3×3×1×4.")
    #expect(!FileManager.default.fileExists(atPath: "\(dir)/bad"), "a refused --init leaves no run folder")
  }

  @Test func netErrorsAreOneLine() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data("not a zip".utf8).write(to: URL(fileURLWithPath: "\(dir)/W.npz"))
    try NPYArray(shape: [4, 4, 1, 1], values: Array(repeating: 0, count: 16)).write(to: "\(dir)/x.npy")
    try CLI.expectOneLineError(
      ["net", "grad", "--net", "dense 3", "--weights", "\(dir)/W.npz", "--x", "\(dir)/x.npy", "--labels", "\(dir)/x.npy", "--out", "\(dir)/G.npz"],
      "\(dir)/W.npz is not a zip archive")
    try CLI.expectOneLineError(["net", "init", "--net", "conv 3x3x2; dense 2", "--input", "9223372036854775807x2", "--out", "\(dir)/W.npz"], "--input")
    try CLI.expectOneLineError(["net", "check", "--net", "dense 2"], "needs --x X.npy or --input")
    #expect(!FileManager.default.fileExists(atPath: "\(dir)/G.npz"))
  }

  @Test func blockJacobianAndCheckTakeTheSameOptionsStrictly() throws {
    try CLI.expectOneLineError(["block", "pool", "--pool-size", "2", "--dilate", "2", "--x", "x.npy", "--out", "o"], "pool does not take --dilate; its options are")
    try CLI.expectOneLineError(["jacobian", "pool", "--pool-size", "2", "--leak", "0.1", "--x", "4x4"], "pool does not take --leak")
    try CLI.expectOneLineError(["check", "pool", "--dilate", "2"], "pool does not take --dilate")
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "4x4", "--k", "2x2", "--pad", "1", "--pad", "2"], "--pad is given 2 times")
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "4x4", "--k", "2x2", "--pad", "9223372036854775807"], "--pad '9223372036854775807' should be one integer or four")
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "4x4", "--k", "9223372036854775807x1"], "--k '9223372036854775807x1' has a dimension of 9223372036854775807")
    try CLI.expectOneLineError(["jacobian", "convt", "--x", "2x2", "--upsample", "9223372036854775807"], "--upsample")
    try CLI.expectOneLineError(["jacobian", "convt", "--x", "2x2", "--crop", "9223372036854775807"], "--crop")
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "4x4", "--k", "2x2", "--stride", "9223372036854775807"], "--stride")
    try CLI.expectOneLineError(["jacobian", "conv", "--x", "4x4", "--k", "2x2", "--dilate", "9223372036854775807"], "--dilate")
    try CLI.expectOneLineError(["jacobian", "relu", "--x", "4x4", "--w", "w.npy"], "relu does not read --w")
    let r = try CLI.run(["check", "conv", "--flip", "--pad", "1", "--cases", "2"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("pad 1,1,1,1") && r.stdout.contains("flip"))
  }

  @Test func jacobianPdistTakesATarget() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try NPYArray(shape: [2, 2], values: [1, 2, 3, 4]).write(to: "\(dir)/x.npy")
    try NPYArray(shape: [2, 2], values: [0, 3, 1, 5]).write(to: "\(dir)/t.npy")
    let r = try CLI.run(["jacobian", "pdist", "--x", "\(dir)/x.npy", "--target", "\(dir)/t.npy", "--out", "\(dir)/J.npy"])
    #expect(r.status == 0, "\(r.stderr)")
    // pdist with p = 2 over channels (D = 1 here): y_ij = |x_ij − t_ij|, so J = diag(sign(x − t)) = diag(1, −1, 1, −1).
    let j = try NPYArray(contentsOf: "\(dir)/J.npy")
    #expect(j.shape == [4, 4])
    #expect(j.values == [1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1])
  }
}
