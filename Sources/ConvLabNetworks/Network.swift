import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// A trainable network: a chain of blocks with their parameters (built from a `NetSpec` with
/// seeded initialization), a loss on the class scores, and optional masks that pin some weights
/// to zero (LeNet's S2→C3 table: Xu (1) sums only over i ∈ M_j, which is a full convolution
/// whose filters f_{ij} are zero for the unconnected pairs).
public struct Network<S: Scalar>: Sendable {
  public let spec: NetSpec
  /// One image's shape (N = 1).
  public let inputShape: Shape
  public let classes: Int
  public var chain: Chain<S>
  /// Per layer: a 0/1 mask shaped like w, or nil when every weight is free.
  public let masks: [Tensor<S>?]
  /// Per layer: its output shape for one image.
  public let shapes: [Shape]
  public let loss: any Block

  /// Builds the layers for `input` images (H×W×D) and `classes` outputs (nil: as many as the
  /// last layer gives), initializing weights
  /// with He's normal rule (σ = √(2 / fan-in), halved after a max+average pool) from `seed`, biases at 0, and Xu's β at 1/n²
  /// (so the β-layer starts as an average).
  public init(spec: NetSpec, input: Shape, classes: Int?, seed: UInt64) throws {
    var rng = SeededGenerator(seed: seed)
    var shape = Shape(input.h, input.w, input.d, 1)
    var layers: [Chain<S>.Layer] = []
    var masks: [Tensor<S>?] = []
    var shapes: [Shape] = []
    // Max+average pooling (Milisavljevic §3) sums two poolings, roughly doubling the scale of
    // what it passes on; the next weighted layer starts that much smaller, so activations keep
    // the scale He's rule intends (without it the 4-layer network diverges from the first step).
    var gain = 1.0
    for (l, layer) in spec.layers.enumerated() {
      var p = Parameters<S>()
      var mask: Tensor<S>? = nil
      let block: any Block
      switch layer {
      case .conv(let fh, let fw, let k, let pad, let stride, let dilate, let table, let flip):
        block =
          flip
          ? FlippedConv(pad: pad, stride: (stride[0], stride[1]), dilate: (dilate[0], dilate[1]))
          : Conv(pad: pad, stride: (stride[0], stride[1]), dilate: (dilate[0], dilate[1]))
        // Training keeps each filter bank three times (weights, gradient, momentum); the output
        // is at most (H + padding)·(W + padding)·K per image. Both are checked before the filters
        // are drawn, so `conv 5x5x99999999` is refused at once instead of filling memory first.
        try MemoryLimit.check(elements: [fh, fw, shape.d, k, 3], bytesPerElement: MemoryLayout<S>.size, "the filters of layer \(l + 1) (\(fh)×\(fw)×\(shape.d)×\(k))")
        let padded = try Size.product([try Size.sum([shape.h, pad[0], pad[1]], "layer \(l + 1)"), try Size.sum([shape.w, pad[2], pad[3]], "layer \(l + 1)"), k], "the output of layer \(l + 1)")
        try MemoryLimit.check(elements: [padded], bytesPerElement: MemoryLayout<S>.size, "the output of layer \(l + 1) (up to \(padded) values per image)")
        if table {
          guard shape.d == LeNetTable.inputMaps, k == LeNetTable.outputMaps else {
            throw ConvLabError("layer \(l + 1): the LeNet table connects \(LeNetTable.inputMaps) maps to \(LeNetTable.outputMaps), but this conv maps \(shape.d) to \(k).")
          }
          mask = Tensor(shape: Shape(fh, fw, shape.d, k)) { _, _, i, j in LeNetTable.connected(i, j) ? 1 : 0 }
        }
        let fanIn = fh * fw * (table ? 3 : shape.d)  // C3's maps read 3, 4 or 6 inputs; 3 is the smallest
        var w = Tensor<S>.normal(Shape(fh, fw, shape.d, k), sigma: gain * (2 / Double(fanIn)).squareRoot(), using: &rng)
        gain = 1
        if let m = mask { w = w.zipWith(m, *) }
        p.w = w
        p.b = Tensor(shape: Shape(1, k))
      case .pool(let method, let size, let stride, let pad, let ceil):
        block = Pool(method: method, size: (size[0], size[1]), pad: pad, stride: (stride[0], stride[1]), caffeCeil: ceil)
        if method == .maxavg { gain /= 2 }
      case .subsample(let n):
        block = Subsample(n: n)
        p.w = Tensor(shape: Shape(1, shape.d), repeating: S(1 / Double(n * n)))
        p.b = Tensor(shape: Shape(1, shape.d))
      case .relu(let leak): block = ReLU(leak: leak)
      case .sigmoid: block = Sigmoid()
      case .tanh: block = Tanh()
      case .dense(let k):
        block = Dense()
        let inputs = shape.h * shape.w * shape.d
        try MemoryLimit.check(elements: [k, inputs], bytesPerElement: MemoryLayout<S>.size, "the weights of layer \(l + 1) (\(k)×\(inputs))")
        p.w = Tensor.normal(Shape(k, inputs), sigma: gain * (2 / Double(inputs)).squareRoot(), using: &rng)
        gain = 1
        p.b = Tensor(shape: Shape(1, k))
      }
      do {
        shape = try block.outputShape(shape, p)
        try MemoryLimit.check(elements: shape.dims, bytesPerElement: MemoryLayout<S>.size, "the output of layer \(l + 1) (\(shape) per image)")
      } catch let error as ConvLabError {
        throw ConvLabError("layer \(l + 1) (\(block.name)) on a \(shape) input: \(error.description)")
      }
      layers.append(Chain.Layer(block, p))
      masks.append(mask)
      shapes.append(shape)
    }
    let classes = classes ?? shape.d
    guard shape.h == 1, shape.w == 1, shape.d == classes else {
      throw ConvLabError("the network ends in \(shape) per image but the loss needs 1×1×\(classes) class scores; end with 'dense \(classes)'.")
    }
    var options = BlockOptions()
    options.loss = spec.loss
    self.loss = try options.block(named: "loss")
    self.spec = spec
    self.inputShape = Shape(input.h, input.w, input.d, 1)
    self.classes = classes
    self.chain = Chain(layers)
    self.masks = masks
    self.shapes = shapes
  }

  /// The number of trainable parameters (masked weights do not count: LeNet's C3 has 1516).
  public var parameterCount: Int { chain.layers.indices.reduce(0) { $0 + parameterCount(layer: $1) } }

  /// Layer l's trainable parameters: its biases and its unmasked weights.
  func parameterCount(layer l: Int) -> Int {
    let p = chain.layers[l].parameters
    let w = masks[l].map { $0.storage.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } } ?? (p.w?.count ?? 0)
    return w + (p.b?.count ?? 0)
  }

  /// Per layer: its text, output shape per image, and parameter count.
  public var summary: [(layer: String, output: Shape, parameters: Int)] {
    let items = spec.description.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
    return chain.layers.indices.map { l in (items[l], shapes[l], parameterCount(layer: l)) }
  }

  /// The loss's auxiliary input for a batch: labels 1…C (multi-class losses), ±1 per class
  /// (binary losses: one-vs-rest), or a one-hot target (regression losses).
  public func lossParameters(labels: [Int]) -> Parameters<S> {
    let b = labels.count
    if let kind = (loss as? Loss)?.kind, !kind.isBinary {
      return Parameters(labels: Tensor(shape: Shape(1, 1, 1, b), storage: labels.map { S($0 + 1) }))
    }
    let oneHot = Tensor<S>(shape: Shape(1, 1, classes, b)) { _, _, c, n in c == labels[n] ? 1 : 0 }
    if loss is Loss { return Parameters(labels: oneHot.map { 2 * $0 - 1 }) }
    return Parameters(target: oneHot)
  }

  /// The factor that turns the loss block's value into a mean over the batch's images:
  /// MatConvNet's losses sum over images (MatConvNet §6.6) and so do Murugan's l2 and l1
  /// (Murugan (2.6), (2.7)), so they are divided by N; the other regression losses already
  /// average over all entries.
  public func objectiveScale(batch: Int) -> S {
    if loss is Loss { return 1 / S(batch) }
    if let kind = (loss as? RegressionLoss)?.kind, kind == .l2 || kind == .l1 { return 1 / S(batch) }
    return 1
  }

  /// Class scores (1×1×C×N) for a batch.
  public func scores(_ x: Tensor<S>) throws -> Tensor<S> {
    try chain.forward(x).last!
  }

  /// Mean loss over the batch, the number classified correctly, and every layer's gradients
  /// (masked weights get zero gradient).
  public func lossAndGradients(_ x: Tensor<S>, labels: [Int]) throws -> (loss: Double, correct: Int, gradients: [Gradients<S>]) {
    let values = try chain.forward(x)
    let scores = values.last!
    let p = lossParameters(labels: labels)
    let scale = objectiveScale(batch: labels.count)
    let z = try loss.forward(scores, p).storage[0] * scale
    let dzdScores = try loss.backward(scores, p, Tensor(shape: Shape(1, 1), storage: [scale])).dzdx
    var (_, grads) = try chain.backward(values, dzdy: dzdScores, inputGradient: false)
    for l in grads.indices { if let m = masks[l], let g = grads[l].dzdw { grads[l].dzdw = g.zipWith(m, *) } }
    return (Double(z), Self.correct(scores, labels), grads)
  }

  /// How many images' highest score is at their label.
  public static func correct(_ scores: Tensor<S>, _ labels: [Int]) -> Int {
    let c = scores.shape.d
    var hits = 0
    for n in 0..<labels.count {
      var best = 0
      for k in 1..<c where scores.storage[n * c + k] > scores.storage[n * c + best] { best = k }
      if best == labels[n] { hits += 1 }
    }
    return hits
  }
}
