import ArgumentParser
import ConvLabBlocks
import ConvLabCUDA
import ConvLabCore
import ConvLabDevice
import Foundation

extension ConvLab {
  /// `convlab block NAME … --x X.npy [--dzdy G.npy] --out DIR` (the contract in Docs/blocks-and-jacobians.md).
  struct BlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "block",
      abstract: "Run one block forward (and backward with --dzdy) on .npy files.",
      discussion: "Writes DIR/y.npy and, with --dzdy, DIR/dzdx.npy (+ dzdw.npy, dzdb.npy where the block has them); bnorm also writes moments.npy (D×2: mean, √(σ²+ε)). "
        + "Blocks: \(BlockOptions.blockNames.joined(separator: ", ")). Precision follows x's dtype.")

    @Argument(help: "Block name.") var name: BlockName
    @OptionGroup var options: BlockArguments
    @OptionGroup var files: BlockInputFiles
    @Option(help: "dz/dy (.npy), shaped like y.") var dzdy: String?
    @Option(help: "Output folder (created if missing).") var out: String
    @Option(help: "Which implementation computes the block.") var path: BlockPath = .fast
    @Flag(help: "Also write every output as .csv (H rows, W·D·N columns).") var csv = false
    @OptionGroup var symbolicArguments: SymbolicArguments

    func run() throws {
      if try symbolicArguments.requested() { return try runSymbolic(symbolicArguments) }
      let block = try options.options().block(named: name.rawValue)
      try BlockKind(named: name.rawValue).check(options: [String](), inputs: files.given)
      if try files.isSinglePrecision { try compute(block, Float.self) } else { try compute(block, Double.self) }
    }

    func compute<S: Scalar>(_ block: any Block, _: S.Type) throws {
      let (x, p) = try files.load(S.self)
      // y, and with --dzdy the gradients too, must fit before anything is computed.
      _ = try block.checkedOutputShape(x.shape, p, backward: dzdy != nil)
      let path = try self.path.computePath()
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
      // The outputs appear as a whole or not at all, and never beside files of an earlier call
      // (a rerun without --dzdy must not leave the old gradients next to the new y).
      var files: [String: Data] = [:]
      for (file, tensor) in outputs {
        files["\(file).npy"] = NPYArray(tensor).encoded()
        if csv { files["\(file).csv"] = Data(CSV.encode(tensor).utf8) }
      }
      let managed = Set(["y", "moments", "dzdx", "dzdw", "dzdb"].flatMap { ["\($0).npy", "\($0).csv"] })
      try OutputFolder.publish(files, to: out, managed: managed, what: "the outputs of block \(name)")
      print(outputs.map { "\(out)/\($0.0).npy (\($0.1.shape))" }.joined(separator: "\n"))
    }
  }
}

/// `--path` of `convlab block`: the CPU's two paths, or the GPU.
enum BlockPath: String, CaseIterable, ExpressibleByArgument {
  case literal, fast, cuda

  /// The block layer's path; for cuda the GPU engine is made here (its absence is one line
  /// saying why: no driver, no GPU, no NVRTC) and handed to the blocks.
  func computePath() throws -> ComputePath {
    switch self {
    case .literal: return .literal
    case .fast: return .fast
    case .cuda: return .device(DeviceAccelerator(engine: try CUDAEngine()))
    }
  }
}
