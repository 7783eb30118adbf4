import ConvLabCore
import Foundation
import Testing

/// python3 with NumPy and HIPS autograd (`pip install autograd`), or nil.
private let autogradPython: String? = {
  for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
    let candidate = "\(dir)/python3"
    guard FileManager.default.isExecutableFile(atPath: candidate),
      let r = try? CLI.runProgram(candidate, ["-c", "import numpy, autograd"]), r.status == 0
    else { continue }
    return candidate
  }
  return nil
}()

/// scripts/net_reference_autograd.py in this checkout.
private let autogradScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("scripts/net_reference_autograd.py").path

/// Issue 20's acceptance against an independent automatic differentiation: the four networks of
/// `NetCommandTests.networks` (LeNet-5 at 28×28 among them), weights and data written by NumPy
/// (`np.savez` and `np.savez_compressed`), the forward pass written once in autograd.numpy and
/// differentiated by autograd's reverse mode. Opt-in: the suite runs only where python3 has
/// autograd, and says so when it is skipped.
@Suite(
  "convlab net grad against autograd (needs python3 with autograd)",
  .enabled(if: autogradPython != nil, "python3 with numpy and autograd is not installed (pip install autograd), so the autograd reference cannot run"))
struct NetAutogradTests {
  /// Loss, dz/dx and every dz/dw in Float64 agree with autograd to 1e-10 relative (the issue's
  /// bar; both sides are Float64 sums of the same terms in other orders, so the measured
  /// differences are round-off, below 1e-14). autograd also agrees with the hand-coded NumPy
  /// backprop of scripts/net_reference.py to 1e-10, so three independent derivations agree.
  @Test(arguments: 0..<NetCommandTests.networks.count)
  func gradientsMatchAutograd(index: Int) throws {
    let python = try #require(autogradPython)
    let (spec, input, images, goal) = NetCommandTests.networks[index]
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let setup = try CLI.runProgram(python, [autogradScript, "setup", dir, "--spec", spec, "--input", input, "--images", images, "--seed", "\(index + 11)"])
    try #require(setup.status == 0, "\(setup.stdout)\(setup.stderr)")
    let cross = try CLI.runProgram(python, [autogradScript, "crosscheck", dir, "--spec", spec])
    #expect(cross.status == 0, "autograd vs hand-coded NumPy backprop: \(cross.stdout)\(cross.stderr)")
    try expectNetGradMatchesReference(in: dir, spec: spec, goal: goal) { got in
      let compare = try CLI.runProgram(python, [autogradScript, "compare", "\(dir)/ref.npz", got])
      return (compare.status, compare.stdout)
    }
  }
}
