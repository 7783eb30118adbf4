import ArgumentParser
import ConvLabBlocks
import ConvLabCore

extension ConvLab {
  /// `convlab block NAME … --x X.npy [--dzdy G.npy] --out DIR` (the contract in MISSION.md).
  struct BlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "block",
      abstract: "Run one block forward (and backward with --dzdy) on .npy files.",
      discussion: "Writes DIR/y.npy and, with --dzdy, DIR/dzdx.npy (+ dzdw.npy, dzdb.npy where the block has them); bnorm also writes moments.npy (D×2: mean, √(σ²+ε)). "
        + "Blocks: \(BlockOptions.blockNames.joined(separator: ", ")). Precision follows x's dtype.")

    @Argument(help: "Block name.") var name: String
    @OptionGroup var options: BlockArguments
    @OptionGroup var files: BlockInputFiles
    @Option(help: "dz/dy (.npy), shaped like y.") var dzdy: String?
    @Option(help: "Output folder (created if missing).") var out: String
    @Option(help: "literal, fast or cuda.") var path: ComputePath = .fast
    @Flag(help: "Also write every output as .csv (H rows, W·D·N columns).") var csv = false
    @OptionGroup var symbolicArguments: SymbolicArguments

    func run() throws {
      if try symbolicArguments.requested() { return try runSymbolic(symbolicArguments) }
      let block = try options.options().block(named: name)
      if try files.isSinglePrecision { try compute(block, Float.self) } else { try compute(block, Double.self) }
    }

    func compute<S: Scalar>(_ block: any Block, _: S.Type) throws {
      let (x, p) = try files.load(S.self)
      let y = try block.evaluate(x, p, path: path)
      var outputs: [(String, Tensor<S>)] = [("y", y)]
      if let bnorm = block as? BatchNorm {
        // MatConvNet's vl_nnbnorm also returns the moments: one row per channel, [μ_k, σ̂_k].
        let m = bnorm.moments(x)
        outputs.append(("moments", Tensor(shape: Shape(m.count, 2), storage: m.map(\.mean) + m.map(\.deviation))))
      }
      if let dzdyPath = dzdy {
        let g: Tensor<S> = try readTensor(dzdyPath)
        guard g.shape == y.shape else { throw ConvLabError.shape(dzdyPath, expected: "y's shape \(y.shape)", got: "\(g.shape)") }
        let grads = try block.gradients(x, p, g, path: path)
        outputs.append(("dzdx", grads.dzdx))
        if let dw = grads.dzdw { outputs.append(("dzdw", dw)) }
        if let db = grads.dzdb { outputs.append(("dzdb", db)) }
      }
      try makeDirectory(out)
      for (file, tensor) in outputs {
        try NPYArray(tensor).write(to: "\(out)/\(file).npy")
        if csv { try CSV.write(tensor, to: "\(out)/\(file).csv") }
      }
      print(outputs.map { "\(out)/\($0.0).npy (\($0.1.shape))" }.joined(separator: "\n"))
    }
  }
}
