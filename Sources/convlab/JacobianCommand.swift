import ArgumentParser
import ConvLabBlocks
import ConvLabCUDA
import ConvLabChecks
import ConvLabCore
import ConvLabDevice

extension ConvLab {
  /// `convlab jacobian NAME … --x X.npy [--wrt x|w|b] [--out J.npy]`, or on a random instance
  /// with `--x 4x4` (a size instead of a file).
  struct Jacobian: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print the explicit Jacobian d vec y / d (vec v)ᵀ of a block, its structure and a three-way check.",
      discussion: "--x takes a .npy file or a size (4x4, 4x4x2); --k gives the filter size for conv on random inputs. "
        + "Matrices wider than the terminal ($COLUMNS, else its width, else 80) show their first and last columns; --wide prints every column. "
        + "Exits non-zero when a comparison fails.")

    @Argument(help: "Block name.") var name: BlockName
    @OptionGroup var options: BlockArguments
    @Option(help: "Input x: a .npy file, or a size HxW[xD[xN]] for a seeded random instance.") var x: String
    @Option(help: "Filter size for a random conv instance: HxW[xD′[xD″]].") var k: String?
    @Option(help: "Filters w (.npy).") var w: String?
    @Option(help: "Biases b (.npy).") var b: String?
    @Option(help: "Labels (.npy).") var labels: String?
    @Option(help: "Target x̄ or y (.npy; pdist and the regression losses).") var target: String?
    @Option(help: "Dropout keep mask of 0/1 (.npy).") var mask: String?
    @Option(help: "Differentiate with respect to x, w or b.") var wrt: Variable = .x
    @Option(help: "Write the Jacobian to this .npy or .csv file instead of printing it.") var out: String?
    @Option(help: "Seed of the random instance.") var seed: UInt64 = 1
    @Flag(help: "Print every entry, however large.") var full = false
    @Flag(help: "Print every column of a matrix, however wide the terminal.") var wide = false
    @Option(help: "Backprop side of the comparison: fast, cuda (the GPU) or host (the GPU's code on the CPU).") var path: BackpropPath = .fast
    @OptionGroup var symbolicArguments: SymbolicArguments

    func validate() throws {
      if k != nil, x.hasSuffix(".npy") {
        throw ValidationError("--k sizes the filters of a random instance; with --x \(x) give the filters as --w FILE.npy.")
      }
      if out != nil, symbolicArguments.symbolic {
        throw ValidationError("--out writes the numeric Jacobian; with --symbolic write the symbols with --export FILE.json.")
      }
      if out != nil, path != .fast {
        throw ValidationError("--out writes the Jacobian without comparing it; --path \(path.rawValue) belongs to the printed comparison.")
      }
    }

    func run() throws {
      if try symbolicArguments.requested() { return try runSymbolic(symbolicArguments) }
      let name = self.name.rawValue
      let block = try options.options().block(named: name)
      let inputs = [("w", w), ("b", b), ("labels", labels), ("target", target), ("mask", mask)].compactMap { $0.1 == nil ? nil : $0.0 }
      try BlockKind(named: name).check(options: [String](), inputs: inputs)
      let (input, p) = try instance(block)
      let j = try StderrProgress("explicit Jacobian").run { try block.jacobian(at: input, p, wrt: wrt) }
      if let out {
        if out.hasSuffix(".csv") { try CSV.write(j, to: out) } else { try NPYArray(j).write(to: out) }
        print("\(out): \(j.rows)×\(j.cols) Jacobian d vec y / d (vec \(wrt.rawValue))ᵀ")
        return
      }
      let y = try block.forward(input, p)
      let varTensor = try block.tensor(wrt, x: input, p)
      print(
        Terminal.wrap(
          Terminal.bold("d vec y / d (vec \(wrt.rawValue))ᵀ") + " of \(name): \(j.rows)×\(j.cols), \(j.nonzeroCount) non-zeros "
            + "(\(String(format: "%.1f", 100 * Double(j.nonzeroCount) / Double(max(1, j.count))))%)", hanging: 2))
      print(Terminal.wrap("structure: \(block.structure(wrt: wrt))", hanging: 2) + "\n")
      let rowLabels = (0..<j.rows).map { y.label("y", at: $0) }
      let colLabels = (0..<j.cols).map { varTensor.label(wrt.rawValue, at: $0) }
      let matrix = Terminal.fitted(
        j, rowLabels: rowLabels, colLabels: colLabels, maxRows: full ? j.rows : 24,
        maxCols: full ? j.cols : 16, wide: wide)
      print(matrix.text)
      if let note = matrix.note { print(Terminal.dim(note)) }
      print("\nsparsity pattern (rows y, columns \(wrt.rawValue); █ = non-zero):")
      // The drawing adds a frame of two columns on each side to its cells.
      print(MatrixFormat.sparsity(j, maxWidth: wide ? 72 : max(8, min(72, Terminal.width - 4))))
      var failed = false
      if let conv = block as? Conv, wrt == .x {
        do {
          let c = Comparison(try conv.kroneckerJacobian(at: input, p), j)
          failed = failed || !c.passes(ThreeWayCheck.literalTolerance)
          print("")
          print(Terminal.wrap("(Fᵀ ⊗ I) H, MatConvNet §6.1, vs column-by-column (Vardhan §3.1.5): \(Terminal.verdict(c.passes(ThreeWayCheck.literalTolerance))) \(c)", hanging: 2))
        } catch let error as ConvLabError {
          // Not an error of the input: the Kronecker form is written for one image and one group.
          print("")
          print(Terminal.wrap("(Fᵀ ⊗ I) H, MatConvNet §6.1: not compared (\(error.forCLI))", hanging: 2))
        }
      }
      let check = try StderrProgress("three-way check").run { try ThreeWayCheck(block, x: input, p, configuration: "", seed: seed) }
      guard let report = check.variables.first(where: { $0.variable == wrt }) else {
        if failed { throw ExitCode.failure }
        return
      }
      print("\nthree-way comparison (relative error, worst entry):")
      print(
        "  literal J vs finite differences          \(Terminal.verdict(report.jacobianVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance))) \(formatScientific(report.jacobianVsFiniteDifferences.relativeError))"
      )
      print(
        "  backprop VJP vs (dz/dy)ᵀ J (literal)      \(Terminal.verdict(report.backpropVsLiteral.passes(ThreeWayCheck.literalTolerance))) \(formatScientific(report.backpropVsLiteral.relativeError))")
      print(
        "  backprop VJP vs finite differences        \(Terminal.verdict(report.backpropVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance))) \(formatScientific(report.backpropVsFiniteDifferences.relativeError))"
      )
      failed =
        failed || !report.jacobianVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance)
        || !report.backpropVsLiteral.passes(ThreeWayCheck.literalTolerance)
        || !report.backpropVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance)
      if path != .fast {
        // The same dz/dy as the three-way check (drawn from --seed), backpropagated on the device.
        let engine: any ComputeEngine = path == .cuda ? try CUDAEngine() : HostEngine()
        var rng = SeededGenerator(seed: seed)
        let dzdy = Tensor<Double>.uniform(y.shape, using: &rng)
        let literal = (Matrix(rows: 1, cols: dzdy.count, storage: dzdy.storage) * j).storage
        if let device = try DeviceAccelerator(engine: engine).backward(block, input, p, dzdy)[wrt] {
          let c = Comparison(device.storage, literal)
          failed = failed || !c.passes(ThreeWayCheck.literalTolerance)
          print(
            Terminal.wrap(
              "  \(path.rawValue) backprop VJP vs (dz/dy)ᵀ J (literal) \(Terminal.verdict(c.passes(ThreeWayCheck.literalTolerance))) \(formatScientific(c.relativeError))   (\(engine.name))",
              hanging: 2))
        }
      }
      if failed { throw ExitCode.failure }
    }

    /// Loads the files, or draws a seeded instance when --x is a size.
    func instance(_ block: any Block) throws -> (Tensor<Double>, Parameters<Double>) {
      var p = Parameters<Double>()
      p.w = try w.map { try readTensor($0) }
      p.b = try b.map { try readTensor($0) }
      p.labels = try labels.map { try readTensor($0) }
      p.target = try target.map { try readTensor($0) }
      p.mask = try mask.map { try readTensor($0) }
      if x.hasSuffix(".npy") { return (try readTensor(x), p) }
      let shape = try Shape(parsing: x, option: "--x")
      var filter = try k.map { try Shape(parsing: $0, option: "--k") }
      // Sizes from the command line: bounded before anything is allocated from them.
      for (what, s) in [("--x", shape)] + (filter.map { [("--k", $0)] } ?? []) {
        for d in s.dims { try Size.within(d, 1...Size.maxExtent, "a dimension of \(what)") }
        try MemoryLimit.check(elements: s.dims, bytesPerElement: 8, "the \(what) array \(s)")
      }
      if let f = filter, block is Conv || block is FlippedConv, k?.split(separator: "x").count ?? 0 < 3 { filter = Shape(f.h, f.w, shape.d, 1) }
      var rng = SeededGenerator(seed: seed)
      let instance = try RandomInstance.make(for: block, shape: shape, filter: filter, given: p, using: &rng)
      return (instance.x, instance.parameters)
    }
  }
}
