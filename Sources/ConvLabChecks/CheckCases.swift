import ConvLabBlocks
import ConvLabCore

/// Seeded random configurations of every block for `convlab check` and the tests, including
/// edge cases (1×1 kernels, stride larger than the kernel, asymmetric padding, dilation, groups,
/// Caffe ceil pooling, non-square sizes), with inputs from `RandomInstance`.
public struct CheckCase: Sendable {
  public let block: any Block
  public let x: Tensor<Double>
  public let parameters: Parameters<Double>
  public let configuration: String

  /// Blocks with a generator.
  public static let blockNames = BlockOptions.blockNames

  /// A seeded random configuration of block `name`; options given in `fixed` (as text, see
  /// `BlockOptions.given`) replace the random draws, and the input is sized to fit them.
  public static func random(_ name: String, seed: UInt64, fixed: BlockOptions = BlockOptions()) throws -> CheckCase {
    try BlockKind(named: name).check(options: fixed.given)
    var rng = SeededGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xFFFF))
    func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    func pick<T>(_ values: [T]) -> T { values[int(0...values.count - 1)] }
    let n = int(1...2)
    var options = BlockOptions()
    var shape = Shape(int(1...4), int(1...4), int(1...3), n)
    var filter: Shape? = nil
    var given = Parameters<Double>()
    var text: [String] = []
    /// Copies the fixed options over the random ones.
    func fix() {
      for key in fixed.given {
        switch key {
        case "pad": options.pad = fixed.pad
        case "stride": options.stride = fixed.stride
        case "dilate": options.dilate = fixed.dilate
        case "flip": options.flip = fixed.flip
        case "method": options.method = fixed.method
        case "pool-size": options.poolSize = fixed.poolSize
        case "ceil": options.caffeCeil = fixed.caffeCeil
        case "leak": options.leak = fixed.leak
        case "loss": options.loss = fixed.loss
        case "topk": options.topK = fixed.topK
        case "upsample": options.upsample = fixed.upsample
        case "crop": options.crop = fixed.crop
        case "num-groups": options.numGroups = fixed.numGroups
        case "param": options.param = fixed.param
        case "epsilon": options.epsilon = fixed.epsilon
        case "p": options.p = fixed.p
        case "noroot": options.noRoot = fixed.noRoot
        case "rate": options.rate = fixed.rate
        case "mask-seed": options.seed = fixed.seed
        default: break
        }
      }
    }
    // Exhaustive over BlockKind: a new block does not compile until it has check cases.
    switch try BlockKind(named: name) {
    case .conv:
      let (kh, kw) = (int(1...3), int(1...3))
      options.pad = (0..<4).map { _ in int(0...2) }
      options.stride = (int(1...3), int(1...3))
      options.dilate = (int(1...2), int(1...2))
      fix()  // true convolution (--flip) only when asked for: it has no device implementation
      let groups = int(1...2), depth = int(1...2), perGroup = int(1...2)
      let extent = (options.dilate.0 * (kh - 1) + 1, options.dilate.1 * (kw - 1) + 1)
      shape = Shape(max(1, extent.0 - options.pad[0] - options.pad[1]) + int(0...3), max(1, extent.1 - options.pad[2] - options.pad[3]) + int(0...3), groups * depth, n)
      filter = Shape(kh, kw, depth, groups * perGroup)
      if int(0...1) == 1 { given.b = .uniform(Shape(1, 1, groups * perGroup), using: &rng) }
      text = ["f \(filter!)" + (groups > 1 ? " (\(groups) groups)" : ""), "pad \(options.pad.map(String.init).joined(separator: ","))",
              "stride \(options.stride.0),\(options.stride.1)", "dilate \(options.dilate.0),\(options.dilate.1)"] + (options.flip ? ["flip"] : []) + (given.b == nil ? [] : ["bias"])
    case .convt:
      options.upsample = (int(1...3), int(1...3))
      options.numGroups = int(1...2)
      fix()
      let f = Shape(int(1...4), int(1...4), int(1...2), options.numGroups * int(1...2))
      options.crop = [int(0...(f.h - 1) / 2), int(0...(f.h - 1) / 2), int(0...(f.w - 1) / 2), int(0...(f.w - 1) / 2)]
      if fixed.given.contains("crop") { options.crop = fixed.crop }
      shape = Shape(int(1...3), int(1...3), f.n, n)
      filter = f
      if int(0...1) == 1 { given.b = .uniform(Shape(1, 1, options.numGroups * f.d), using: &rng) }
      text = ["f \(f)", "upsample \(options.upsample.0),\(options.upsample.1)", "crop \(options.crop.map(String.init).joined(separator: ","))",
              "groups \(options.numGroups)"] + (given.b == nil ? [] : ["bias"])
    case .pool:
      options.poolSize = (int(1...3), int(1...3))
      let drawn = options.poolSize ?? (1, 1)
      options.pad = [int(0...drawn.0 - 1), int(0...drawn.0 - 1), int(0...drawn.1 - 1), int(0...drawn.1 - 1)]
      options.method = pick(Pool.Method.allCases)
      options.stride = (int(1...3), int(1...3))
      options.caffeCeil = int(0...3) == 0
      fix()
      let size = options.poolSize ?? drawn
      shape = Shape(size.0 + int(0...4), size.1 + int(0...4), int(1...2), n)
      text = ["\(options.method.rawValue) \(size.0)×\(size.1)", "pad \(options.pad.map(String.init).joined(separator: ","))",
              "stride \(options.stride.0),\(options.stride.1)"] + (options.caffeCeil ? ["caffe ceil"] : [])
    case .subsample:
      let drawn = int(1...3)
      options.poolSize = (drawn, drawn)
      fix()
      let k = options.poolSize?.0 ?? drawn
      shape = Shape(k * int(1...3), k * int(1...3), int(1...3), n)
      text = ["n \(k)"]
    case .dense:
      filter = Shape(1, 1, 1, int(1...4))
      given.b = int(0...1) == 1 ? .uniform(Shape(filter!.n, 1), using: &rng) : nil
      text = ["\(filter!.n) outputs"] + (given.b == nil ? [] : ["bias"])
    case .relu:
      options.leak = pick([0, 0.1])
      fix()
      if options.leak > 0 { text = ["leak 0.1"] }
    case .normalize:
      options.param = [Double(int(1...4)), pick([1, 2]), pick([0.1, 0.5]), pick([0.5, 0.75])]
      fix()
      shape = Shape(int(1...3), int(1...3), int(1...5), n)
      text = ["N,κ,α,β = \(options.param!.map { MatrixFormat.number($0) }.joined(separator: ","))"]
    case .bnorm:
      shape = Shape(int(1...3), int(1...3), int(1...3), n)
      if shape.h * shape.w * shape.n == 1 { shape = Shape(2, shape.w, shape.d, n) }
      options.epsilon = pick([1e-4, 1e-2])
      fix()
      text = ["ε \(options.epsilon)"]
    case .spnorm:
      options.param = [Double(int(1...3)), Double(int(1...3)), pick([0.5, 1]), pick([0.5, 0.75])]
      fix()
      text = ["PH,PW,α,β = \(options.param!.map { MatrixFormat.number($0) }.joined(separator: ","))"]
    case .dropout:
      options.rate = pick([0.2, 0.5])
      options.seed = UInt64(int(1...1000))
      fix()
      text = ["rate \(options.rate)"]
    case .pdist:
      options.p = pick([1, 1.5, 2, 3])
      options.noRoot = int(0...1) == 1
      fix()
      text = ["p \(options.p)"] + (options.noRoot ? ["noroot"] : [])
    case .loss:
      options.loss = pick(BlockOptions.lossNames)
      options.topK = int(1...3)
      fix()
      shape = Shape(int(1...3), int(1...3), int(2...4), n)
      text = [options.loss]
    case .sigmoid, .tanh, .softmax:
      fix()
    }
    let block = try options.block(named: name)
    let instance = try RandomInstance.make(for: block, shape: shape, filter: filter, given: given, using: &rng)
    return CheckCase(block: block, x: instance.x, parameters: instance.parameters,
                     configuration: (["x \(shape)"] + text).joined(separator: ", "))
  }
}
