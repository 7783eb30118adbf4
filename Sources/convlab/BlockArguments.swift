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
  @Option(help: "Loss: softmaxlog or log.") var loss = "softmaxlog"

  func options() throws -> BlockOptions {
    var o = BlockOptions()
    o.pad = try BlockOptions.parsePad(pad)
    o.stride = try BlockOptions.parsePair(stride, option: "--stride")
    o.dilate = try BlockOptions.parsePair(dilate, option: "--dilate")
    guard let m = Pool.Method(rawValue: method) else { throw ConvLabError("--method '\(method)' is not one of max, avg, maxavg.") }
    o.method = m
    o.poolSize = try poolSize.map { try BlockOptions.parsePair($0, option: "--pool-size") }
    o.caffeCeil = ceil
    o.leak = leak
    guard let l = Loss.Kind(rawValue: loss) else { throw ConvLabError("--loss '\(loss)' is not one of \(Loss.Kind.allCases.map(\.rawValue).joined(separator: ", ")).") }
    o.loss = l
    return o
  }
}

/// The input files of a block.
struct BlockInputFiles: ParsableArguments {
  @Option(help: "Input x (.npy, H×W×D×N).") var x: String
  @Option(help: "Filters or weights w (.npy).") var w: String?
  @Option(help: "Biases b (.npy).") var b: String?
  @Option(help: "Class labels, 1-based (.npy).") var labels: String?
  @Option(help: "Target x̄ (.npy).") var target: String?

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
    return (input, p)
  }
}

extension ComputePath: ExpressibleByArgument {}
extension Variable: ExpressibleByArgument {}
