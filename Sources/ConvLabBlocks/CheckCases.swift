import ConvLabCore

/// Seeded random instances of every block for `convlab check` and the tests, including edge
/// cases (1×1 kernels, stride larger than the kernel, asymmetric padding, dilation, groups,
/// non-square sizes). Inputs are drawn away from kinks and ties: ReLU inputs satisfy |x| ≥ 0.05
/// and max-pooling inputs differ pairwise by ≥ 0.05, both ≫ the finite-difference step (≈ 6e-6).
public struct CheckCase: Sendable {
  public let block: any Block
  public let x: Tensor<Double>
  public let parameters: Parameters<Double>
  public let configuration: String

  /// Blocks with a generator.
  public static let blockNames = BlockOptions.blockNames

  public static func random(_ name: String, seed: UInt64) throws -> CheckCase {
    var rng = SeededGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xFFFF))
    func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    let n = int(1...2)
    switch name {
    case "conv":
      let (kh, kw) = (int(1...3), int(1...3))
      let options = Conv(pad: (0..<4).map { _ in int(0...2) }, stride: (int(1...3), int(1...3)), dilate: (int(1...2), int(1...2)))
      let groups = int(1...2), depthPerGroup = int(1...2), filtersPerGroup = int(1...2)
      let extentH = options.dilate.0 * (kh - 1) + 1, extentW = options.dilate.1 * (kw - 1) + 1
      let h = max(1, extentH - options.pad[0] - options.pad[1]) + int(0...3)
      let w = max(1, extentW - options.pad[2] - options.pad[3]) + int(0...3)
      let x = Tensor<Double>.uniform(Shape(h, w, groups * depthPerGroup, n), using: &rng)
      let f = Tensor<Double>.uniform(Shape(kh, kw, depthPerGroup, groups * filtersPerGroup), using: &rng)
      let b: Tensor<Double>? = int(0...1) == 1 ? .uniform(Shape(1, 1, groups * filtersPerGroup), using: &rng) : nil
      let text = "x \(x.shape), f \(f.shape)\(groups > 1 ? " (\(groups) groups)" : "")\(b == nil ? "" : ", bias"), pad \(options.pad.map(String.init).joined(separator: ",")), stride \(options.stride.0),\(options.stride.1), dilate \(options.dilate.0),\(options.dilate.1)"
      return CheckCase(block: options, x: x, parameters: Parameters(w: f, b: b), configuration: text)
    case "pool":
      let size = (int(1...3), int(1...3))
      let pad = [int(0...size.0 - 1), int(0...size.0 - 1), int(0...size.1 - 1), int(0...size.1 - 1)]
      let method = Pool.Method.allCases[int(0...2)]
      let block = Pool(method: method, size: size, pad: pad, stride: (int(1...3), int(1...3)), caffeCeil: int(0...3) == 0)
      let shape = Shape(size.0 + int(0...4), size.1 + int(0...4), int(1...2), n)
      // Distinct values 0.05 apart in random order: no ties, no kinks within the FD step.
      var values = (0..<shape.count).map { 0.05 * Double($0) }
      values.shuffle(using: &rng)
      let x = Tensor<Double>(shape: shape, storage: values.map { $0 - 0.025 * Double(shape.count) })
      let text = "x \(shape), \(method.rawValue) \(size.0)×\(size.1), pad \(pad.map(String.init).joined(separator: ",")), stride \(block.stride.0),\(block.stride.1)\(block.caffeCeil ? ", caffe ceil" : "")"
      return CheckCase(block: block, x: x, parameters: Parameters(), configuration: text)
    case "relu", "sigmoid", "tanh", "softmax":
      let shape = Shape(int(1...4), int(1...4), int(1...3), n)
      var x = Tensor<Double>.uniform(shape, in: -2...2, using: &rng)
      if name == "relu" { x = x.map { abs($0) < 0.05 ? $0 + ($0 >= 0 ? 0.1 : -0.1) : $0 } }
      let leak = name == "relu" && int(0...1) == 1 ? 0.1 : 0
      let block: any Block = try { var o = BlockOptions(); o.leak = leak; return try o.block(named: name) }()
      return CheckCase(block: block, x: x, parameters: Parameters(), configuration: "x \(shape)\(leak > 0 ? ", leak 0.1" : "")")
    case "loss":
      let kind = Loss.Kind.allCases[int(0...1)]
      let shape = Shape(int(1...3), int(1...3), int(2...4), n)
      let x = kind == .log ? Tensor<Double>.uniform(shape, in: 0.1...1, using: &rng) : .uniform(shape, in: -2...2, using: &rng)
      let perPixel = int(0...1) == 1
      let labelShape = perPixel ? Shape(shape.h, shape.w, 1, n) : Shape(1, 1, 1, n)
      let labels = Tensor<Double>(shape: labelShape, storage: (0..<labelShape.count).map { _ in Double(int(1...shape.d)) })
      return CheckCase(block: Loss(kind: kind), x: x, parameters: Parameters(labels: labels),
                       configuration: "\(kind.rawValue), x \(shape), labels \(labelShape)")
    default:
      throw ConvLabError("no check cases for '\(name)'; available: \(blockNames.joined(separator: ", ")).")
    }
  }
}
