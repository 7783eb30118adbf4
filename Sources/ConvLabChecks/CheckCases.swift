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
    let kind = try BlockKind(named: name)
    try kind.check(options: fixed.given)
    var draw = Draw(seed: seed &* 0x9E37_79B9 &+ UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xFFFF), fixed: fixed)
    // Exhaustive over BlockKind: a new block does not compile until it has check cases.
    switch kind {
    case .conv: draw.conv()
    case .convt: draw.convt()
    case .pool: draw.pool()
    case .subsample: draw.subsample()
    case .dense: draw.dense()
    case .relu: draw.relu()
    case .normalize: draw.normalize()
    case .bnorm: draw.bnorm()
    case .spnorm: draw.spnorm()
    case .dropout: draw.dropout()
    case .pdist: draw.pdist()
    case .loss: draw.loss()
    case .sigmoid, .tanh, .softmax: draw.fix()
    }
    let block = try draw.options.block(named: name)
    let instance = try RandomInstance.make(for: block, shape: draw.shape, filter: draw.filter, given: draw.given, using: &draw.rng)
    return CheckCase(
      block: block, x: instance.x, parameters: instance.parameters,
      configuration: (["x \(draw.shape)"] + draw.text).joined(separator: ", "))
  }

  /// One configuration being drawn: the generator, the options and input shape so far, the
  /// parameters drawn here (the rest come from `RandomInstance`) and the description's parts.
  /// The draws happen in a fixed order, so a seed always gives the same case.
  struct Draw {
    var rng: SeededGenerator
    let fixed: BlockOptions
    let n: Int
    var options = BlockOptions()
    var shape: Shape
    var filter: Shape? = nil
    var given = Parameters<Double>()
    var text: [String] = []

    init(seed: UInt64, fixed: BlockOptions) {
      var rng = SeededGenerator(seed: seed)
      let n = Int.random(in: 1...2, using: &rng)
      let h = Int.random(in: 1...4, using: &rng)
      let w = Int.random(in: 1...4, using: &rng)
      let d = Int.random(in: 1...3, using: &rng)
      (self.rng, self.fixed, self.n, self.shape) = (rng, fixed, n, Shape(h, w, d, n))
    }

    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }

    mutating func pick<T>(_ values: [T]) -> T { values[int(0...values.count - 1)] }

    /// Copies the fixed options over the random ones.
    mutating func fix() {
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

    /// conv: its random options, input and parameters.
    mutating func conv() {
      let (kh, kw) = (int(1...3), int(1...3))
      options.pad = (0..<4).map { _ in int(0...2) }
      options.stride = (int(1...3), int(1...3))
      options.dilate = (int(1...2), int(1...2))
      fix()  // true convolution (--flip) only when asked for: it has no device implementation
      let groups = int(1...2)
      let depth = int(1...2)
      let perGroup = int(1...2)
      let extent = (options.dilate.0 * (kh - 1) + 1, options.dilate.1 * (kw - 1) + 1)
      shape = Shape(max(1, extent.0 - options.pad[0] - options.pad[1]) + int(0...3), max(1, extent.1 - options.pad[2] - options.pad[3]) + int(0...3), groups * depth, n)
      let f = Shape(kh, kw, depth, groups * perGroup)
      filter = f
      if int(0...1) == 1 { given.b = .uniform(Shape(1, 1, groups * perGroup), using: &rng) }
      text =
        [
          "f \(f)" + (groups > 1 ? " (\(groups) groups)" : ""), "pad \(options.pad.map(String.init).joined(separator: ","))",
          "stride \(options.stride.0),\(options.stride.1)", "dilate \(options.dilate.0),\(options.dilate.1)",
        ] + (options.flip ? ["flip"] : []) + (given.b == nil ? [] : ["bias"])
    }

    /// convt: its random options, input and parameters.
    mutating func convt() {
      options.upsample = (int(1...3), int(1...3))
      options.numGroups = int(1...2)
      fix()
      let f = Shape(int(1...4), int(1...4), int(1...2), options.numGroups * int(1...2))
      options.crop = [int(0...(f.h - 1) / 2), int(0...(f.h - 1) / 2), int(0...(f.w - 1) / 2), int(0...(f.w - 1) / 2)]
      if fixed.given.contains("crop") { options.crop = fixed.crop }
      shape = Shape(int(1...3), int(1...3), f.n, n)
      filter = f
      if int(0...1) == 1 { given.b = .uniform(Shape(1, 1, options.numGroups * f.d), using: &rng) }
      text =
        [
          "f \(f)", "upsample \(options.upsample.0),\(options.upsample.1)", "crop \(options.crop.map(String.init).joined(separator: ","))",
          "groups \(options.numGroups)",
        ] + (given.b == nil ? [] : ["bias"])
    }

    /// pool: its random options, input and parameters.
    mutating func pool() {
      options.poolSize = (int(1...3), int(1...3))
      let drawn = options.poolSize ?? (1, 1)
      options.pad = [int(0...drawn.0 - 1), int(0...drawn.0 - 1), int(0...drawn.1 - 1), int(0...drawn.1 - 1)]
      options.method = pick(Pool.Method.allCases)
      options.stride = (int(1...3), int(1...3))
      options.caffeCeil = int(0...3) == 0
      fix()
      let size = options.poolSize ?? drawn
      shape = Shape(size.0 + int(0...4), size.1 + int(0...4), int(1...2), n)
      text =
        [
          "\(options.method.rawValue) \(size.0)×\(size.1)", "pad \(options.pad.map(String.init).joined(separator: ","))",
          "stride \(options.stride.0),\(options.stride.1)",
        ] + (options.caffeCeil ? ["caffe ceil"] : [])
    }

    /// subsample: its random options, input and parameters.
    mutating func subsample() {
      let drawn = int(1...3)
      options.poolSize = (drawn, drawn)
      fix()
      let k = options.poolSize?.0 ?? drawn
      shape = Shape(k * int(1...3), k * int(1...3), int(1...3), n)
      text = ["n \(k)"]
    }

    /// dense: its random options, input and parameters.
    mutating func dense() {
      let outputs = int(1...4)
      filter = Shape(1, 1, 1, outputs)
      given.b = int(0...1) == 1 ? .uniform(Shape(outputs, 1), using: &rng) : nil
      text = ["\(outputs) outputs"] + (given.b == nil ? [] : ["bias"])
    }

    /// relu: its random options, input and parameters.
    mutating func relu() {
      options.leak = pick([0, 0.1])
      fix()
      if options.leak > 0 { text = ["leak 0.1"] }
    }

    /// normalize: its random options, input and parameters.
    mutating func normalize() {
      options.param = [Double(int(1...4)), pick([1, 2]), pick([0.1, 0.5]), pick([0.5, 0.75])]
      fix()
      shape = Shape(int(1...3), int(1...3), int(1...5), n)
      text = ["N,κ,α,β = \((options.param ?? []).map { MatrixFormat.number($0) }.joined(separator: ","))"]
    }

    /// bnorm: its random options, input and parameters.
    mutating func bnorm() {
      shape = Shape(int(1...3), int(1...3), int(1...3), n)
      if shape.h * shape.w * shape.n == 1 { shape = Shape(2, shape.w, shape.d, n) }
      options.epsilon = pick([1e-4, 1e-2])
      fix()
      text = ["ε \(options.epsilon)"]
    }

    /// spnorm: its random options, input and parameters.
    mutating func spnorm() {
      options.param = [Double(int(1...3)), Double(int(1...3)), pick([0.5, 1]), pick([0.5, 0.75])]
      fix()
      text = ["PH,PW,α,β = \((options.param ?? []).map { MatrixFormat.number($0) }.joined(separator: ","))"]
    }

    /// dropout: its random options, input and parameters.
    mutating func dropout() {
      options.rate = pick([0.2, 0.5])
      options.seed = UInt64(int(1...1000))
      fix()
      text = ["rate \(options.rate)"]
    }

    /// pdist: its random options, input and parameters.
    mutating func pdist() {
      options.p = pick([1, 1.5, 2, 3])
      options.noRoot = int(0...1) == 1
      fix()
      text = ["p \(options.p)"] + (options.noRoot ? ["noroot"] : [])
    }

    /// loss: its random options, input and parameters.
    mutating func loss() {
      options.loss = pick(BlockOptions.lossNames)
      options.topK = int(1...3)
      fix()
      shape = Shape(int(1...3), int(1...3), int(2...4), n)
      text = [options.loss]
    }
  }
}
