import ArgumentParser
import ConvLabBlocks
import ConvLabCore
import ConvLabNetworks

extension ConvLab {
  /// `convlab check [BLOCK|all] [--cases N] [--seed S]`.
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check every block three ways (literal, fast, finite differences) on random configurations.",
      discussion: "Tolerances (Double): literal vs fast ≤ \(ThreeWayCheck.literalTolerance); against central finite differences ≤ \(ThreeWayCheck.finiteDifferenceTolerance). Exits non-zero on any failure.")

    @Argument(help: "A block name, all, or net (explicit Jacobian chain vs backprop on small networks).") var target = "all"
    @Option(help: "Random configurations per block.") var cases = 10
    @Option(help: "Seed of the first configuration.") var seed: UInt64 = 1

    func run() throws {
      guard cases >= 1 else { throw ConvLabError("--cases must be at least 1, got \(cases).") }
      if target == "net" { return try checkNetworks() }
      let names = target == "all" ? CheckCase.blockNames : [target]
      guard names.allSatisfy(CheckCase.blockNames.contains) else {
        throw ConvLabError("unknown block '\(target)'; available: \(CheckCase.blockNames.joined(separator: ", ")), all, net.")
      }
      print("block    literal↔fast  fast↔FD     configuration")
      var failures = 0, total = 0
      for name in names {
        for k in 0..<cases {
          let c = try CheckCase.random(name, seed: seed &+ UInt64(k))
          let report = try ThreeWayCheck(c.block, x: c.x, c.parameters, configuration: c.configuration, seed: seed &+ UInt64(k))
          total += 1
          if !report.passed { failures += 1 }
          print("\(Terminal.verdict(report.passed)) \(name.padding(toLength: 7, withPad: " ", startingAt: 0)) "
            + "\(MatrixFormat.pad(formatScientific(report.literalVsFast), 9))    \(MatrixFormat.pad(formatScientific(report.versusFiniteDifferences), 9))   \(c.configuration)")
        }
      }
      print("\n\(total - failures) passed, \(failures) failed")
      if failures > 0 { throw ExitCode.failure }
    }
  }
}

extension ConvLab.Check {
  /// `convlab check net`.
  func checkNetworks() throws {
    var failed = 0
    for check in try NetworkCheck.examples(seed: seed) {
      print(Terminal.bold(check.name))
      print("  block Jacobians d vec x_l / d (vec x_{l−1})ᵀ (what backprop never forms, MatConvNet §2.3):")
      var total = 0
      for (name, rows, cols) in check.blockJacobians {
        total += rows * cols
        print("    \(name.padding(toLength: 4, withPad: " ", startingAt: 0)) \(MatrixFormat.pad("\(rows)", 5)) × \(cols)  \(JacobianBudget.formatBytes(Double(rows * cols * 8)))")
      }
      print("    total \(JacobianBudget.formatBytes(Double(total * 8))); backprop keeps only vectors the size of each x_l.")
      print("  product of explicit Jacobians vs backprop dz/dx₀   \(Terminal.verdict(check.productVsBackprop.passes(ThreeWayCheck.literalTolerance))) \(formatScientific(check.productVsBackprop.relativeError))")
      print("  backprop dz/dx₀ vs finite differences              \(Terminal.verdict(check.backpropVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance))) \(formatScientific(check.backpropVsFiniteDifferences.relativeError))\n")
      if !check.passed { failed += 1 }
    }
    if failed > 0 { throw ExitCode.failure }
  }
}
