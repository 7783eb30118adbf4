import ConvLabBlocks
import ConvLabCore
import ConvLabNotation

/// Output sizes of a convolution (padding, stride, dilation) and of Caffe's ceil-mode pooling
/// (MatConvNet §5.1, MatConvNet (5.3); §5.2.1).
public struct OutputSizeExercise: Exercise {
  public init() {}
  public var id: String { "output-size" }
  public var title: String { "Output sizes: dilated convolution and Caffe's ceil pooling" }
  public var kind: ExerciseKind { .geometry }
  public var citation: String { "MatConvNet §5.1 (MatConvNet (5.3)), §5.2.1" }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let h = rng.int(9...16)
    let w = rng.int(9...16)
    let f = rng.int(3...5)
    let s = rng.int(2...3)
    let p = rng.int(1...2)
    let d = rng.int(1...2)
    let ph = rng.int(7...15)
    let pw = rng.int(7...15)
    let pf = rng.int(2...3)
    let ps = rng.int(2...3)
    let pp = rng.int(0...1)
    let conv = makePart(
      "conv", kind: "geometry", block: "conv", options: ["pad": "\(p)", "stride": "\(s)", "dilate": "\(d)"],
      inputs: ["x": Tensor(shape: Shape(h, w)), "w": Tensor(shape: Shape(f, f))], answer: "shape", answerShape: Shape(1, 2))
    let pool = makePart(
      "pool", kind: "geometry", block: "pool", options: ["method": "max", "pool-size": "\(pf)", "stride": "\(ps)", "pad": "\(pp)", "ceil": "true"],
      inputs: ["x": Tensor(shape: Shape(ph, pw))], answer: "shape", answerShape: Shape(1, 2))
    let task = """
      Part `conv`: a \(f)×\(f) filter with stride \(s), padding \(p) on every side and dilation \(d) slides over a \(h)×\(w) input.
      Part `pool`: Caffe-style (ceil mode) \(pf)×\(pf) max pooling with stride \(ps) and padding \(pp) on a \(ph)×\(pw) input.
      For each, submit the output height and width as one row: `H″,W″`.
      """
    return Instance(parts: [conv, pool], task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    let x = try part.input("x").shape
    let o = try BlockOptionsView(part.spec.options)
    func sizes(_ length: (Int) throws -> Int) throws -> Tensor<Double> {
      Tensor(shape: Shape(1, 2), storage: [Double(try length(x.h)), Double(try length(x.w))])
    }
    if part.spec.name == "conv" {
      let f = try part.input("w").shape.h
      func length(pad: Int, dilate: Int, ceil: Bool) -> (Int) -> Int {
        { n in
          let span = n + 2 * pad - (dilate * (f - 1) + 1)
          return 1 + (ceil ? (span + o.stride - 1) / o.stride : span / o.stride)
        }
      }
      var variants = [
        Variant("padding-ignored", try sizes(length(pad: 0, dilate: o.dilate, ceil: false))),
        Variant("ceil-floor-swapped", try sizes(length(pad: o.pad, dilate: o.dilate, ceil: true))),
      ]
      if o.dilate > 1 { variants.append(Variant("dilation-ignored", try sizes(length(pad: o.pad, dilate: 1, ceil: false)))) }
      return Solution(answer: try sizes(length(pad: o.pad, dilate: o.dilate, ceil: false)), variants: variants)
    }
    func caffe(pad: Int) -> (Int) throws -> Int { { try CaffePooling.outputLength($0, FilterAxis(size: o.poolSize, stride: o.stride, padBefore: pad, padAfter: pad)) } }
    let floorLength = { (n: Int) in 1 + (n + 2 * o.pad - o.poolSize) / o.stride }
    return Solution(
      answer: try sizes(caffe(pad: o.pad)),
      variants: [
        Variant("ceil-floor-swapped", try sizes(floorLength)),
        Variant("padding-ignored", try sizes(caffe(pad: 0))),
      ])
  }
}

/// Square options read back from a part (the geometry exercises use equal sizes on both axes).
struct BlockOptionsView {
  var pad = 0, stride = 1, dilate = 1, poolSize = 1
  init(_ options: [String: String]) throws {
    let o = try BlockOptions(options)
    pad = o.pad[0]
    stride = o.stride.0
    dilate = o.dilate.0
    poolSize = o.poolSize?.0 ?? 1
  }
}

/// The receptive field (size Δ, stride α, offset β) of a three-layer stack
/// (MatConvNet §5.2, §5.5).
public struct ReceptiveFieldExercise: Exercise {
  public init() {}
  public var id: String { "receptive-field" }
  public var title: String { "Receptive field of a layer stack" }
  public var kind: ExerciseKind { .geometry }
  public var citation: String { "MatConvNet §5.2, §5.5" }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let f1 = rng.pick([3, 5])
    let p1 = rng.int(0...2)
    let f2 = rng.int(2...3)
    let s2 = 2
    let f3 = 3
    let d3 = rng.int(1...2)
    let p3 = rng.int(0...1)
    let s3 = rng.int(1...2)
    let net = "conv \(f1)x\(f1) pad \(p1); relu; pool max \(f2) stride \(s2); conv \(f3)x\(f3) dilate \(d3) pad \(p3) stride \(s3)"
    let part = makePart("field", kind: "geometry", block: nil, options: ["net": net], inputs: [:], answer: "value", answerShape: Shape(1, 3), maxScore: 2)
    let task = """
      The stack `\(net)` (MatConvNet notation: pad on every side) maps an input image to a feature map. Give the receptive field of one
      output sample as one row `Δ,α,β`: its size Δ (input pixels per side), its stride α (input pixels between neighbouring outputs)
      and its offset β (the 1-based input coordinate of the centre of output 1's field; MatConvNet §5.2).
      """
    return Instance(parts: [part], task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    guard let net = part.spec.options["net"] else { throw ConvLabError("part '\(part.spec.name)' has no layer stack.") }
    let axes = try LayerStack(parsing: net).layers.filter { $0.kind == .conv || $0.kind == .pool }.map(\.geometry.rows)
    func field(_ transform: (FilterAxis) -> FilterAxis) -> ReceptiveField {
      axes.map(transform).reduce(ReceptiveField.identity) { $0.then(.filter($1)) }
    }
    func vector(_ f: ReceptiveField, stride: Double? = nil) -> Tensor<Double> {
      Tensor(shape: Shape(1, 3), storage: [f.delta, stride ?? f.alpha, f.beta])
    }
    let right = field { $0 }
    var variants = [
      // Extents added without multiplying by the stride accumulated so far.
      Variant("strides-not-multiplied", vector(field { FilterAxis(size: $0.size, stride: 1, padBefore: $0.padBefore, padAfter: $0.padAfter, dilation: $0.dilation) }, stride: right.alpha)),
      Variant("padding-ignored", vector(field { FilterAxis(size: $0.size, stride: $0.stride, dilation: $0.dilation) })),
    ]
    if axes.contains(where: { $0.dilation > 1 }) {
      variants.append(Variant("dilation-ignored", vector(field { FilterAxis(size: $0.size, stride: $0.stride, padBefore: $0.padBefore, padAfter: $0.padAfter) })))
    }
    return Solution(answer: vector(right), variants: variants)
  }
}
