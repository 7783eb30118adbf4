import ArgumentParser
import ConvLabBlocks
import ConvLabCore

/// Block options shared by `block`, `jacobian` and `check` (MatConvNet's vl_nn* names).
///
/// Every option is optional and may be given once: only the options given reach
/// `BlockOptions`, which refuses those the block does not read; a repeated option is an error
/// rather than "the last one wins".
struct BlockArguments: ParsableArguments {
  @Option(help: "Padding P or T,B,L,R (conv, pool; default 0).") var pad: [String] = []
  @Option(help: "Stride S or SH,SW (conv, pool; default 1).") var stride: [String] = []
  @Option(help: "Dilation D or DH,DW (conv; default 1).") var dilate: [String] = []
  @Flag(help: "conv: true convolution, filters rotated by 180° (Xu (14)).") var flip: Int
  @Option(help: "Pooling method (default max).") var method: [Pool.Method] = []
  @Option(name: .customLong("pool-size"), help: "Pooling window P or PH,PW (pool, subsample).") var poolSize: [String] = []
  @Flag(help: "Caffe's ceil-mode pooling size (MatConvNet §5.2.1).") var ceil: Int
  @Option(help: "ReLU leak (default 0).") var leak: [String] = []
  @Option(help: "Loss (default softmaxlog).") var loss: [LossName] = []
  @Option(help: "K of topkerror (default 5).") var topk: [String] = []
  @Option(help: "Conv transpose upsampling U or UH,UW (default 1).") var upsample: [String] = []
  @Option(help: "Conv transpose crop C or T,B,L,R (default 0).") var crop: [String] = []
  @Option(name: .customLong("num-groups"), help: "Conv transpose filter groups (default 1).") var numGroups: [String] = []
  @Option(help: "normalize: N,kappa,alpha,beta; spnorm: PH,PW,alpha,beta.") var param: [String] = []
  @Option(help: "Batch-norm ε (default 1e-4).") var epsilon: [String] = []
  @Option(help: "Exponent p of pdist (default 2).") var p: [String] = []
  @Flag(help: "pdist without the 1/p root.") var noroot: Int
  @Option(help: "Dropout rate (default 0.5).") var rate: [String] = []
  @Option(name: .customLong("mask-seed"), help: "Seed of dropout's mask when no --mask is given (default 1).") var maskSeed: [String] = []

  /// The options given, by name without dashes; a repeated option is an error.
  func given() throws -> [String: String] {
    let valued: [(String, [String])] = [
      ("pad", pad), ("stride", stride), ("dilate", dilate), ("method", method.map(\.rawValue)), ("pool-size", poolSize), ("leak", leak),
      ("loss", loss.map(\.rawValue)), ("topk", topk), ("upsample", upsample), ("crop", crop), ("num-groups", numGroups), ("param", param),
      ("epsilon", epsilon), ("p", p), ("rate", rate), ("mask-seed", maskSeed),
    ]
    var d: [String: String] = [:]
    for (name, values) in valued where !values.isEmpty {
      guard values.count == 1 else { throw ConvLabError("--\(name) is given \(values.count) times (\(values.joined(separator: ", "))); give it once.") }
      d[name] = values[0]
    }
    for (name, count) in [("flip", flip), ("ceil", ceil), ("noroot", noroot)] where count > 0 {
      guard count == 1 else { throw ConvLabError("--\(name) is given \(count) times; give it once.") }
      d[name] = "true"
    }
    return d
  }

  func options() throws -> BlockOptions {
    try BlockOptions(given())
  }
}

/// The input files of a block.
struct BlockInputFiles: ParsableArguments {
  @Option(help: "Input x (.npy, H×W×D×N).") var x: String
  @Option(help: "Filters or weights w (.npy).") var w: String?
  @Option(help: "Biases b (.npy).") var b: String?
  @Option(help: "Class labels, 1-based (.npy).") var labels: String?
  @Option(help: "Target x̄ or y (.npy, pdist and regression losses).") var target: String?
  @Option(help: "Dropout keep mask of 0/1 (.npy).") var mask: String?

  /// The input files given besides x (names without dashes), for `BlockKind.check`.
  var given: [String] {
    [("w", w), ("b", b), ("labels", labels), ("target", target), ("mask", mask)].compactMap { $0.1 == nil ? nil : $0.0 }
  }

  /// Whether x is stored in single precision.
  var isSinglePrecision: Bool {
    get throws { try NPYArray(contentsOf: x).descr == "<f4" }
  }

  func load<S: Scalar>(_: S.Type) throws -> (Tensor<S>, Parameters<S>) {
    let input: Tensor<S> = try readTensor(x)
    var p = Parameters<S>()
    p.w = try w.map { try readTensor($0) }
    p.b = try b.map { try readTensor($0) }
    p.labels = try labels.map { try readTensor($0) }
    p.target = try target.map { try readTensor($0) }
    p.mask = try mask.map { try readTensor($0) }
    return (input, p)
  }
}

extension Variable: ExpressibleByArgument {}
