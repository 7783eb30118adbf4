import ConvLabBlocks
import ConvLabCore
import Testing

/// Inputs the fuzz target `blockoptions` (Fuzz/, Docs/robustness.md) found crashing, kept as
/// regression tests: each must be a one-line ConvLabError.
@Suite("Block options: fuzz regressions")
struct BlockOptionsFuzzRegressionTests {
  @Test(
    "a window count too large for Int is refused, not trapped in Int(_:)",
    arguments: [
      ("normalize", String(repeating: "1", count: 130) + "5,1,0.0001,0.75"),  // the crashing input: N ≈ 1.1e130
      ("normalize", "1e19,1,0.0001,0.75"),
      ("normalize", "1048577,1,0.0001,0.75"),
      ("spnorm", "3,1e300,1,0.5"),
      ("spnorm", "9.3e18,3,1,0.5"),
    ])
  func hugeParamIsAnError(block: String, param: String) {
    let error = #expect(throws: ConvLabError.self) { _ = try BlockOptions(["param": param]).block(named: block) }
    #expect(error?.description.contains("between 1 and 1048576") == true, "\(error?.description ?? "")")
    #expect(error?.description.contains("\n") == false)
  }

  @Test("the largest accepted window still builds")
  func boundaryAccepted() throws {
    _ = try BlockOptions(["param": "1048576,1,0.0001,0.75"]).block(named: "normalize")
    _ = try BlockOptions(["param": "1048576,1048576,1,0.5"]).block(named: "spnorm")
  }
}
