import ArgumentParser
import ConvLabBlocks
import ConvLabCUDA
import ConvLabChecks
import ConvLabCore
import ConvLabDevice
import ConvLabNetworks

extension ConvLab {
  /// `convlab check [BLOCK|all] [--cases N] [--seed S]`.
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check every block three ways (literal, fast, finite differences) on random configurations.",
      discussion:
        "Tolerances (Double): literal vs fast ≤ \(ThreeWayCheck.literalTolerance); against central finite differences ≤ \(ThreeWayCheck.finiteDifferenceTolerance). Exits non-zero on any failure.")

    @Argument(help: "A block name, all, net (explicit Jacobian chain vs backprop on small networks), or training (with --path cuda|host: LeNet-5 SGD steps on the device vs the CPU).")
    var target = CheckTarget(argument: "all")!
    @Option(help: "Random configurations per block.") var cases = 10
    @Option(help: "Seed of the first configuration.") var seed: UInt64 = 1
    @Option(help: "training only: SGD steps to compare.") var steps = 200
    @Option(help: "training only: images per batch.") var batch = 32
    @Option(help: "fast: literal vs fast vs finite differences; cuda: the GPU vs the literal and fast paths; host: the same device code with the GPU's kernels compiled for the CPU.")
    var path: BackpropPath = .fast
    @OptionGroup var options: BlockArguments

    func validate() throws {
      let given = try options.given().keys.sorted()
      if !given.isEmpty, !target.isBlock {
        throw ValidationError("block options (\(given.map { "--" + $0 }.joined(separator: ", "))) need one block to check, e.g. convlab check conv --pad 1; '\(target)' is not a block.")
      }
      guard cases >= 1 else { throw ValidationError("--cases must be at least 1, got \(cases).") }
      if target.rawValue == "training" {
        guard path != .fast else { throw ValidationError("check training compares a device with the CPU: use --path cuda or --path host.") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps).") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch).") }
      }
    }

    func run() throws {
      // Block options fix those parts of each random configuration (one block only).
      let fixed = try options.options()
      let target = self.target.rawValue
      if target == "net" { return try checkNetworks() }
      if target == "training" { return try checkTraining() }
      let names = target == "all" ? CheckCase.blockNames : [target]
      if path != .fast { return try checkDevice(names, fixed: fixed) }
      print("block    literal↔fast  fast↔FD     configuration")
      var failures = 0
      var total = 0
      for name in names {
        for k in 0..<cases {
          let c = try CheckCase.random(name, seed: seed &+ UInt64(k), fixed: fixed)
          let report = try ThreeWayCheck(c.block, x: c.x, c.parameters, configuration: c.configuration, seed: seed &+ UInt64(k))
          total += 1
          if !report.passed { failures += 1 }
          // A long configuration continues under its column.
          print(
            Terminal.wrap(
              "\(Terminal.verdict(report.passed)) \(name.padding(toLength: 7, withPad: " ", startingAt: 0)) "
                + "\(MatrixFormat.pad(formatScientific(report.literalVsFast), 9))    \(MatrixFormat.pad(formatScientific(report.versusFiniteDifferences), 9))   \(c.configuration)",
              hanging: 35))
        }
      }
      print("\n\(total - failures) passed, \(failures) failed")
      if failures > 0 { throw ExitCode.failure }
    }
  }
}

extension ConvLab.Check {
  /// `convlab check --path cuda|host`: the device path against the literal and fast paths.
  func checkDevice(_ names: [String], fixed: BlockOptions) throws {
    let engine: any ComputeEngine = path == .cuda ? try CUDAEngine() : HostEngine()
    print("device: \(engine.name)")
    print(
      Terminal.wrap(
        "tolerances: Double ≤ \(DeviceCheck.doubleTolerance) of the literal and fast paths; Float32 ≤ \(DeviceCheck.floatTolerance) of the literal path (or 4× the CPU Float32 error where that is larger: ill-conditioned cases)\n",
        hanging: 2))
    print("block    f64↔literal  f64↔fast    f32↔literal  configuration")
    var failures = 0
    var total = 0
    for name in names {
      for k in 0..<cases {
        let c = try CheckCase.random(name, seed: seed &+ UInt64(k), fixed: fixed)
        total += 1
        do {
          let r = try DeviceCheck(c.block, x: c.x, c.parameters, configuration: c.configuration, seed: seed &+ UInt64(k), engine: engine)
          if !r.passed { failures += 1 }
          print(
            Terminal.wrap(
              "\(Terminal.verdict(r.passed)) \(name.padding(toLength: 7, withPad: " ", startingAt: 0)) "
                + "\(MatrixFormat.pad(formatScientific(r.doubleVsLiteral), 9))    \(MatrixFormat.pad(formatScientific(r.doubleVsFast), 9))   "
                + "\(MatrixFormat.pad(formatScientific(r.floatVsLiteral), 9))    \(c.configuration)", hanging: 48))
        } catch let error as ConvLabError {
          failures += 1
          print(Terminal.wrap("\(Terminal.verdict(false)) \(name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(error.forCLI)", hanging: 10))
        }
      }
    }
    print("\n\(total - failures) passed, \(failures) failed")
    if failures > 0 { throw ExitCode.failure }
  }

  /// `convlab check training --path cuda|host`: LeNet-5 trained step by step on the device and
  /// on the CPU from one seed, in Float64 and Float32 (`TrainingAgreement`).
  func checkTraining() throws {
    let engine: any ComputeEngine = path == .cuda ? try CUDAEngine() : HostEngine()
    print("device: \(engine.name)")
    print(
      Terminal.wrap(
        "LeNet-5, seed \(seed), batches of \(batch) seeded random images labelled by their brightest of 10 bands, SGD η 0.02, μ 0.9, λ 5e-4; the same steps on the CPU (fast path) and the device.",
        hanging: 2))
    print(Terminal.wrap("After step 1 the two must agree to rounding (weights: Float64 ≤ 1e-12, Float32 ≤ 1e-4 relative); later steps show how SGD amplifies it.\n", hanging: 2))
    let marks = Set([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].filter { $0 <= steps } + [steps])
    var passed = true
    for (label, tolerance, run) in [
      ("Float64", 1e-12, { try TrainingAgreement.run(Double.self, engine: engine, steps: steps, compareAfter: marks, batch: batch, seed: seed) }),
      ("Float32", 1e-4, { try TrainingAgreement.run(Float.self, engine: engine, steps: steps, compareAfter: marks, batch: batch, seed: seed) }),
    ]
      as [(String, Double, () throws -> [TrainingAgreement.Step])]
    {
      print(Terminal.bold(label))
      print("   step   CPU loss            device loss         loss rel. diff   weights rel. diff")
      let rows = try run()
      for r in rows {
        print(
          String(
            format: "  %5d   %-18.12g  %-18.12g  %@        %@", r.step, r.cpuLoss, r.deviceLoss,
            MatrixFormat.pad(formatScientific(r.loss), 9), MatrixFormat.pad(formatScientific(r.weights), 9)))
      }
      let first = rows.first?.weights ?? .infinity
      let ok = first <= tolerance
      passed = passed && ok
      print("\(Terminal.verdict(ok)) step 1: weights agree to \(formatScientific(first)) (tolerance \(formatScientific(tolerance)))\n")
    }
    if !passed { throw ExitCode.failure }
  }

  /// `convlab check net`.
  func checkNetworks() throws {
    var failed = 0
    for check in try NetworkCheck.examples(seed: seed) {
      print(Terminal.bold(check.name))
      print(Terminal.wrap("  block Jacobians d vec x_l / d (vec x_{l−1})ᵀ (what backprop never forms, MatConvNet §2.3):", hanging: 2))
      var total = 0
      for (name, rows, cols) in check.blockJacobians {
        total += rows * cols
        print("    \(name.padding(toLength: 4, withPad: " ", startingAt: 0)) \(MatrixFormat.pad("\(rows)", 5)) × \(cols)  \(JacobianBudget.formatBytes(Double(rows * cols * 8)))")
      }
      print("    total \(JacobianBudget.formatBytes(Double(total * 8))); backprop keeps only vectors the size of each x_l.")
      print(
        "  product of explicit Jacobians vs backprop dz/dx₀   \(Terminal.verdict(check.productVsBackprop.passes(ThreeWayCheck.literalTolerance))) \(formatScientific(check.productVsBackprop.relativeError))"
      )
      print(
        "  backprop dz/dx₀ vs finite differences              \(Terminal.verdict(check.backpropVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance))) \(formatScientific(check.backpropVsFiniteDifferences.relativeError))\n"
      )
      if !check.passed { failed += 1 }
    }
    if failed > 0 { throw ExitCode.failure }
  }
}
