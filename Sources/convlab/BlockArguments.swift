import ArgumentParser
import ConvLabBlocks
import ConvLabCore

/// Block options shared by `block`, `jacobian` and `check` (MatConvNet's vl_nn* names).
struct BlockArguments: ParsableArguments {
  @Option(help: "Padding P or T,B,L,R (conv, pool).") var pad = "0"
  @Option(help: "Stride S or SH,SW (conv, pool).") var stride = "1"
  @Option(help: "Dilation D or DH,DW (conv).") var dilate = "1"
  @Option(help: "Pooling method: max, avg or maxavg.") var method = "max"
  @Option(name: .customLong("pool-size"), help: "Pooling window P or PH,PW.") var poolSize: String?
  @Flag(help: "Caffe's ceil-mode pooling size (MatConvNet §5.2.1).") var ceil = false
  @Option(help: "ReLU leak.") var leak = 0.0
  @Option(help: "Loss: \(BlockOptions.lossNames.joined(separator: ", ")).") var loss = "softmaxlog"
  @Option(help: "K of topkerror.") var topk = 5
  @Option(help: "Conv transpose upsampling U or UH,UW.") var upsample = "1"
  @Option(help: "Conv transpose crop C or T,B,L,R.") var crop = "0"
  @Option(name: .customLong("num-groups"), help: "Conv transpose filter groups.") var numGroups = 1
  @Option(help: "normalize: N,kappa,alpha,beta; spnorm: PH,PW,alpha,beta.") var param: String?
  @Option(help: "Batch-norm ε.") var epsilon = 1e-4
  @Option(help: "Exponent p of pdist.") var p = 2.0
  @Flag(help: "pdist without the 1/p root.") var noroot = false
  @Option(help: "Dropout rate.") var rate = 0.5
  @Option(name: .customLong("mask-seed"), help: "Seed of dropout's mask when no --mask is given.") var maskSeed: UInt64 = 1

  func options() throws -> BlockOptions {
    var d = [
      "pad": pad, "stride": stride, "dilate": dilate, "method": method, "leak": "\(leak)", "loss": loss,
      "topk": "\(topk)", "upsample": upsample, "crop": crop, "num-groups": "\(numGroups)",
      "epsilon": "\(epsilon)", "p": "\(p)", "rate": "\(rate)", "mask-seed": "\(maskSeed)",
      "ceil": ceil ? "true" : "false", "noroot": noroot ? "true" : "false",
    ]
    d["pool-size"] = poolSize
    d["param"] = param
    return try BlockOptions(d)
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

extension ComputePath: ExpressibleByArgument {}
extension Variable: ExpressibleByArgument {}
