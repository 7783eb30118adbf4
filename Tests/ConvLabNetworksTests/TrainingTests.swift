import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabData
import ConvLabNetworks
import Foundation
import Testing

@Suite("network specs and models")
struct SpecTests {
  @Test("specs parse and print back to the same spec")
  func roundTrip() throws {
    for (_, text, _) in Models.named {
      let spec = try NetSpec(parsing: text)
      #expect(try NetSpec(parsing: spec.description) == spec)
    }
    let s = try NetSpec(parsing: "conv 3x3x8 pad 1,0,1,0 stride 2,1 dilate 2; leaky 0.1; pool maxavg 3x2 stride 1 ceil; dense 10; loss mse")
    #expect(s.layers.count == 4 && s.loss == "mse")
    #expect(try NetSpec(parsing: s.description) == s)
  }

  @Test(
    "mistakes in a spec are one sentence naming the item",
    arguments: [
      ("conv 5x5; dense 10", "item 1"),
      ("conv 5x5x6; bogus; dense 10", "unknown layer 'bogus'"),
      ("pool median 2; dense 10", "not max, avg or maxavg"),
      ("loss softmaxlog; dense 10", "last item"),
      ("dense 10; loss classerror", "not a trainable loss"),
      ("conv 5x5x6 pad", "needs a value"),
      ("", "empty"),
    ])
  func badSpecs(_ text: String, _ message: String) {
    let error = #expect(throws: ConvLabError.self) { try NetSpec(parsing: text) }
    #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
  }

  @Test("LeNet-5: Xu's shapes, C3 has 1516 parameters through the S2→C3 table")
  func lenet() throws {
    let net = try Network<Float>(spec: try Models.spec("lenet5"), input: Shape(28, 28), classes: 10, seed: 1)
    let summary = net.summary
    #expect(summary[0].output == Shape(28, 28, 6))  // C1 (on the 32×32 padded input)
    #expect(summary[2].output == Shape(14, 14, 6))  // S2
    #expect(summary[4].output == Shape(10, 10, 16) && summary[4].parameters == 1516)  // C3 (Xu §2.1)
    #expect(summary[6].output == Shape(5, 5, 16))  // S4
    #expect(summary[8].output == Shape(1, 1, 120))  // C5
    // C1 156, S2 12, C3 1516, S4 32, C5 48120, F6 10164, output 850.
    #expect(net.parameterCount == 156 + 12 + 1516 + 32 + 48120 + 10164 + 850)
  }

  @Test("the Milisavljevic variants all build on 28×28 inputs")
  func milisavljevicShapes() throws {
    let reductions: [Models.Reduction] = [
      .none, .pool(.max, [2]), .pool(.avg, [3]), .pool(.maxavg, [2, 2, 3, 3]), .stride(2), .stride(3), .stride(4),
      .dilation(offset: 1, constant: false), .dilation(offset: 2, constant: false), .dilation(offset: 3, constant: false), .dilation(offset: 2, constant: true),
    ]
    for r in reductions {
      for filters in [[16, 16, 16, 16], [16, 32, 64, 128]] {
        _ = try Network<Float>(spec: try NetSpec(parsing: Models.milisavljevic(r, filters: filters)), input: Shape(28, 28), classes: 10, seed: 1)
      }
    }
  }

  @Test("a network that does not end in class scores is refused with the fix")
  func wrongEnding() throws {
    let error = #expect(throws: ConvLabError.self) { try Network<Float>(spec: try NetSpec(parsing: "conv 5x5x6; relu"), input: Shape(28, 28), classes: 10, seed: 1) }
    #expect(error?.description.contains("dense 10") == true)
  }
}

@Suite("training")
struct TrainingTests {
  /// The gradient the trainer uses (mean loss over the batch, masked weights) against central
  /// differences of the same mean loss, in Double: agreement to 1e-6 relative (ThreeWayCheck's
  /// finite-difference tolerance; the step is ∛ε·max(1,|w|), error ~1e-9 for smooth losses).
  @Test("the trainer's gradients match finite differences, with the LeNet table mask")
  func gradients() throws {
    let spec = try NetSpec(parsing: "conv 3x3x6 pad 1; tanh; subsample 2; sigmoid; conv 3x3x16 table lenet; tanh; dense 4; loss softmaxlog")
    let net = try Network<Double>(spec: spec, input: Shape(8, 8), classes: 4, seed: 3)
    var rng = SeededGenerator(seed: 5)
    let x = Tensor<Double>.normal(Shape(8, 8, 1, 3), using: &rng)
    let labels = [0, 3, 2]
    let result = try net.lossAndGradients(x, labels: labels)
    for layer in [0, 2, 4, 6] {
      let w = try #require(net.chain.layers[layer].parameters.w)
      let numeric = try FiniteDifferences.jacobian(at: w.storage) { values in
        var n = net
        n.chain.layers[layer].parameters.w = Tensor(shape: w.shape, storage: values)
        return [try n.lossAndGradients(x, labels: labels).loss]
      }
      var fd = Tensor(shape: w.shape, storage: numeric.storage)
      if let m = net.masks[layer] { fd = fd.zipWith(m, *) }  // pinned weights are not trained
      let g = try #require(result.gradients[layer].dzdw)
      #expect(relativeError(g, fd) < ThreeWayCheck.finiteDifferenceTolerance, "layer \(layer + 1)")
    }
    // Masked entries get exactly zero gradient.
    let m = try #require(net.masks[4])
    let g = try #require(result.gradients[4].dzdw)
    #expect(zip(m.storage, g.storage).allSatisfy { $0 != 0 || $1 == 0 })
  }

  static func data() throws -> DataSplits {
    try DataSplits.load(validation: 500, subset: 3000, testSubset: 1000, seed: 1)
  }

  @Test("a short run on a subset lowers the loss and beats chance (10%) by a wide margin")
  func shortRun() throws {
    let data = try Self.data()
    var options = TrainingOptions()
    options.epochs = 2
    options.learningRate = 0.05
    var trainer = Trainer(network: try Network<Float>(spec: try Models.spec("vardhan"), input: data.train.imageShape, classes: 10, seed: 1), options: options)
    let before = try trainer.evaluate(data.validation)
    _ = try trainer.runEpoch(data)
    let second = try trainer.runEpoch(data)
    let test = try trainer.evaluate(data.test)
    #expect(second.validationLoss < before.loss * 0.5, "loss \(before.loss) → \(second.validationLoss)")
    #expect(test.accuracy > 0.6, "test accuracy \(test.accuracy)")
    #expect(trainer.records.map(\.epoch) == [1, 2])
  }

  @Test("checkpoint and resume give the same weights as an uninterrupted run")
  func resume() throws {
    let data = try DataSplits.load(validation: 200, subset: 600, testSubset: 200, seed: 2)
    let spec = try Models.spec("lenet5")
    var options = TrainingOptions()
    options.epochs = 2
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-resume-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let identity = ["folder": "fashion", "subset": "600"]
    // Uninterrupted: two epochs.
    var straight = Trainer(network: try Network<Float>(spec: spec, input: data.train.imageShape, classes: 10, seed: options.seed), options: options)
    _ = try straight.runEpoch(data)
    _ = try straight.runEpoch(data)
    // Interrupted: one epoch, saved; a new process would read the checkpoint and continue.
    let run = TrainingRun(folder: folder, data: identity)
    var first = try run.start(spec: spec, input: data.train.imageShape, classes: 10, options: options, resume: false)
    _ = try first.runEpoch(data)
    try run.save(first)
    var resumed = try run.start(spec: spec, input: data.train.imageShape, classes: 10, options: options, resume: true)
    #expect(resumed.epochsDone == 1)
    _ = try resumed.runEpoch(data)
    for (a, b) in zip(straight.network.chain.layers, resumed.network.chain.layers) {
      #expect(a.parameters.w == b.parameters.w && a.parameters.b == b.parameters.b)
    }
    #expect(straight.records.map(\.trainLoss) == resumed.records.map(\.trainLoss))
    // A resume with other data or other hyper-parameters is refused.
    #expect(throws: ConvLabError.self) { try TrainingRun(folder: folder, data: ["folder": "other"]).start(spec: spec, input: data.train.imageShape, classes: 10, options: options, resume: true) }
    var changed = options
    changed.learningRate = 0.1
    #expect(throws: ConvLabError.self) { try run.start(spec: spec, input: data.train.imageShape, classes: 10, options: changed, resume: true) }
    #expect(throws: ConvLabError.self) { try run.start(spec: spec, input: data.train.imageShape, classes: 10, options: options, resume: false) }
  }

  @Test("a damaged checkpoint is a one-line error")
  func damagedCheckpoint() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-ckpt-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var options = TrainingOptions()
    options.epochs = 1
    let t = Trainer(network: try Network<Float>(spec: try Models.spec("fc"), input: Shape(28, 28), classes: 10, seed: 1), options: options)
    try Checkpoint.write(t, data: [:], to: path)
    let whole = try readFile(path)
    try whole.prefix(whole.count - 8).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: ConvLabError.self) { try Checkpoint.read(path, as: Float.self) }
    #expect(error?.description.contains("damaged") == true)
  }
}

@Suite struct AugmentationTests {
  /// Each image is either untouched or exactly mirrored (x[i, j] = x′[i, W−1−j]); the same seed
  /// mirrors the same images, so applying it twice restores the batch; about half are mirrored.
  @Test func flipsMirrorWholeImagesAndRepeatWithTheSeed() {
    var rng = SeededGenerator(seed: 9)
    let x = Tensor<Float>.uniform(Shape(5, 6, 2, 40), using: &rng)
    var y = x
    Trainer<Float>.flipSomeImages(&y, seed: 42)
    var mirrored = 0
    for n in 0..<x.shape.n {
      let same = (0..<x.shape.d).allSatisfy { d in (0..<6).allSatisfy { j in (0..<5).allSatisfy { i in y[i, j, d, n] == x[i, j, d, n] } } }
      let flipped = (0..<x.shape.d).allSatisfy { d in (0..<6).allSatisfy { j in (0..<5).allSatisfy { i in y[i, j, d, n] == x[i, 5 - j, d, n] } } }
      #expect(same || flipped, "image \(n) is neither itself nor its mirror")
      if flipped { mirrored += 1 }
    }
    #expect(mirrored > 8 && mirrored < 32, "\(mirrored) of 40 mirrored")
    Trainer<Float>.flipSomeImages(&y, seed: 42)
    #expect(y == x)
  }
}
