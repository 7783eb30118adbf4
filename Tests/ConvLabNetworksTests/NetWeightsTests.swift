import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabData
import ConvLabNetworks
import Foundation
import Testing

@Suite("your own network: weights files, gradients, the whole-network check")
struct NetWeightsTests {
  @Test func keysCountEverySpecItemFromOne() throws {
    // The issue's example: `conv 5x5x6; relu; dense 10; loss softmaxlog` → 1.w, 1.b, 3.w, 3.b.
    let net = try Network<Double>(spec: try NetSpec(parsing: "conv 5x5x6; relu; dense 10; loss softmaxlog"), input: Shape(8, 8), classes: nil, seed: 1)
    let archive = NetWeights.archive(net)
    #expect(archive.names == ["1.w", "1.b", "3.w", "3.b"])
    #expect(archive["1.w"]?.shape == [5, 5, 1, 6])
    #expect(archive["1.b"]?.shape == [6])
    #expect(archive["3.w"]?.shape == [10, 4 * 4 * 6])
    #expect(net.classes == 10)
  }

  @Test func loadingTheWrittenWeightsGivesTheSameNetwork() throws {
    let spec = try NetSpec(parsing: "conv 3x3x4 pad 1; tanh; subsample 2; sigmoid; dense 3; loss softmaxlog")
    let a = try Network<Double>(spec: spec, input: Shape(6, 6, 2), classes: nil, seed: 4)
    var b = try Network<Double>(spec: spec, input: Shape(6, 6, 2), classes: nil, seed: 99)
    let bytes = try NetWeights.archive(a).encoded(compressed: true)
    try NetWeights.load(try NPZArchive(data: bytes), into: &b, name: "w.npz")
    var rng = SeededGenerator(seed: 2)
    let x = Tensor<Double>.uniform(Shape(6, 6, 2, 3), using: &rng)
    #expect(try a.scores(x) == b.scores(x))
  }

  @Test func wrongKeysAndShapesAreOneSentenceEach() throws {
    let spec = try NetSpec(parsing: "conv 3x3x2; relu; dense 4; loss softmaxlog")
    var net = try Network<Double>(spec: spec, input: Shape(5, 5), classes: nil, seed: 1)
    var archive = NetWeights.archive(net)
    archive["2.w"] = NPYArray(shape: [1], values: [0])
    var error = #expect(throws: ConvLabError.self) { try NetWeights.load(archive, into: &net, name: "w.npz") }
    #expect(error?.description == "w.npz has an array '2.w' that the network does not use; its keys are 1.w, 1.b, 3.w, 3.b (items counted from 1).")
    archive["2.w"] = nil
    archive["3.w"] = NPYArray(shape: [4, 17], values: Array(repeating: 0, count: 68))
    error = #expect(throws: ConvLabError.self) { try NetWeights.load(archive, into: &net, name: "w.npz") }
    #expect(error?.description == "w.npz['3.w'] has shape 4×17 but item 3 (dense) needs 4×18.")
    archive["3.w"] = nil
    error = #expect(throws: ConvLabError.self) { try NetWeights.load(archive, into: &net, name: "w.npz") }
    #expect(error?.description.hasPrefix("w.npz has no array '3.w'") == true)
  }

  @Test func aNonZeroWeightOutsideTheLeNetTableIsRefused() throws {
    var net = try Network<Double>(spec: try Models.spec("lenet5"), input: Shape(28, 28), classes: nil, seed: 1)
    var archive = NetWeights.archive(net)
    var w = try #require(archive["5.w"])
    // S2 map 4 (0-based 3) does not feed C3 map 1 (Xu Table 1, row 4 starts "-").
    w.values[Shape(5, 5, 6, 16).index(0, 0, 3, 0)] = 0.5
    archive["5.w"] = w
    let error = #expect(throws: ConvLabError.self) { try NetWeights.load(archive, into: &net, name: "w.npz") }
    #expect(error?.description.contains("LeNet table leaves unconnected (input map 4 does not feed map 1") == true)
  }

  /// The objective is a mean over images for every loss: the whole batch's value equals the
  /// average of the images' own values, and evaluating in batches of 1 or 4 agrees with it
  /// (issue 20: l2 and l1 were sums, so train and validation losses differed 4×). Float32
  /// sums of 8 values: 1e-5 relative.
  // mape divides by the target, and a one-hot target is mostly zeros: it cannot train on class labels.
  @Test(arguments: NetSpec.trainableLosses.filter { $0 != "mape" })
  func everyLossIsAMeanOverImages(loss: String) throws {
    let spec = try NetSpec(parsing: "conv 3x3x3; relu; dense 4; loss \(loss)")
    let net = try Network<Float>(spec: spec, input: Shape(5, 5), classes: 4, seed: 2)
    var rng = SeededGenerator(seed: 8)
    // Scores must be probabilities for log and binarylog, and targets in (0, 1) for bce; a
    // sigmoid-free network gives any real, so those losses get scores squashed by the data.
    let x = Tensor<Float>.uniform(Shape(5, 5, 1, 8), in: 0.05...0.3, using: &rng)
    let labels = [0, 1, 2, 3, 3, 2, 1, 0]
    let whole = try net.lossAndGradients(x, labels: labels).loss
    guard whole.isFinite else { return }  // log-type losses of negative scores: not this test's concern
    let single = try (0..<8).map { n in try net.lossAndGradients(x.image(n), labels: [labels[n]]).loss }.reduce(0, +) / 8
    #expect(abs(whole - single) <= 1e-5 * max(1, abs(whole)), "\(loss): batch \(whole) vs mean of images \(single)")
    let trainer = Trainer(network: net, options: TrainingOptions())
    let data = Dataset(images: x, labels: labels, classes: 4)
    let byOne = try trainer.evaluate(data, batch: 1).loss
    let byFour = try trainer.evaluate(data, batch: 4).loss
    #expect(abs(byOne - whole) <= 1e-5 * max(1, abs(whole)) && abs(byFour - whole) <= 1e-5 * max(1, abs(whole)), "\(loss): \(byOne), \(byFour), \(whole)")
  }

  /// dz/dx and dz/dw of `objective` against central differences of the same objective in
  /// Double (1e-6: ThreeWayCheck's finite-difference tolerance), with labels given as a plain
  /// vector and as a regression target.
  @Test func objectiveGradientsMatchFiniteDifferences() throws {
    for (text, useTarget) in [
      ("conv 3x3x2 pad 1 flip; sigmoid; pool avg 2; dense 3; loss softmaxlog", false),
      ("conv 2x2x2 stride 2; tanh; dense 3; loss l2", true),
    ] {
      let net = try Network<Double>(spec: try NetSpec(parsing: text), input: Shape(4, 4), classes: nil, seed: 5)
      var rng = SeededGenerator(seed: 6)
      let x = Tensor<Double>.uniform(Shape(4, 4, 1, 2), using: &rng)
      let goal: NetTarget<Double> = useTarget ? .target(.uniform(Shape(3, 2), using: &rng)) : .labels(Tensor(shape: Shape(2, 1), storage: [3, 1]))
      let (_, dzdx, grads) = try net.objective(x, goal)
      let fx = try FiniteDifferences.jacobian(at: x.storage) { [Double(try net.objective(Tensor(shape: x.shape, storage: $0), goal).loss)] }
      #expect(Comparison(dzdx.storage, fx.storage).relativeError < ThreeWayCheck.finiteDifferenceTolerance, "\(text) dz/dx")
      let w = try #require(net.chain.layers[0].parameters.w)
      let fw = try FiniteDifferences.jacobian(at: w.storage) { v in
        var n = net
        n.chain.layers[0].parameters.w = Tensor(shape: w.shape, storage: v)
        return [try n.objective(x, goal).loss]
      }
      #expect(Comparison(try #require(grads[0].dzdw).storage, fw.storage).relativeError < ThreeWayCheck.finiteDifferenceTolerance, "\(text) dz/dw")
    }
  }

  @Test func labelsAndTargetsAreChecked() throws {
    let net = try Network<Double>(spec: try NetSpec(parsing: "dense 3; loss softmaxlog"), input: Shape(2, 2), classes: nil, seed: 1)
    let x = Tensor<Double>(shape: Shape(2, 2, 1, 2))
    var error = #expect(throws: ConvLabError.self) { try net.objective(x, .labels(Tensor(shape: Shape(3, 1), storage: [1, 2, 3]))) }
    #expect(error?.description == "the labels have 3 elements but x holds 2 images; give one 1-based class per image.")
    error = #expect(throws: ConvLabError.self) { try net.objective(x, .labels(Tensor(shape: Shape(2, 1), storage: [1, 4]))) }
    #expect(error?.description == "label 4.0 of image 2 is not a class between 1 and 3.")
    error = #expect(throws: ConvLabError.self) { try net.objective(x, .target(Tensor(shape: Shape(6, 1)))) }
    #expect(error?.description.hasPrefix("the loss softmaxlog compares scores with class labels") == true)
  }

  @Test func specSizesFromOutsideAreBoundedBeforeAllocating() throws {
    var error = #expect(throws: ConvLabError.self) { try NetSpec(parsing: "conv 3x3x4 pad 9223372036854775807; dense 10") }
    #expect(error?.description.contains("between 0 and 1048576") == true)
    error = #expect(throws: ConvLabError.self) { try NetSpec(parsing: "conv 3x3x4 stride 2 stride 3; dense 10") }
    #expect(error?.description == "network spec item 1 'conv 3x3x4 stride 2 stride 3': 'stride' is given twice.")
    error = #expect(throws: ConvLabError.self) { try Network<Float>(spec: try NetSpec(parsing: "conv 5x5x999999; dense 10"), input: Shape(28, 28), classes: 10, seed: 1) }
    #expect(error?.description.contains("memory limit") == true, "\(String(describing: error))")
  }

  @Test func flipParsesPrintsAndBuildsATrueConvolution() throws {
    let spec = try NetSpec(parsing: "conv 3x3x2 flip pad 1; relu; dense 2; loss softmaxlog")
    #expect(spec.description == "conv 3x3x2 pad 1 flip; relu; dense 2; loss softmaxlog")
    #expect(try NetSpec(parsing: spec.description) == spec)
    let net = try Network<Double>(spec: spec, input: Shape(4, 4), classes: nil, seed: 1)
    #expect(net.chain.layers[0].block is FlippedConv)
  }

  /// The whole-network check on a small network with every kind of block, and with the gate
  /// set so low that the conv layers fall back to projections (the output must say so).
  @Test func networkVerificationPassesAndFallsBackToProjections() throws {
    let spec = try NetSpec(parsing: "conv 3x3x3 pad 1; leaky 0.1; pool max 2; conv 2x2x4 flip; sigmoid; subsample 1; tanh; dense 3; loss softmaxlog")
    let net = try Network<Double>(spec: spec, input: Shape(6, 6, 2), classes: nil, seed: 3)
    var rng = SeededGenerator(seed: 4)
    let x = Tensor<Double>.uniform(Shape(6, 6, 2, 2), using: &rng)
    let goal = NetTarget<Double>.labels(Tensor(shape: Shape(2, 1), storage: [2, 3]))
    let full = try NetworkVerification(network: net, x: x, target: goal, fdEntries: 1000)
    #expect(full.passed, "\((full.layers + full.endToEnd).filter { !$0.passed }.map { "\($0.item) \($0.variable) \($0.literalVsBackprop.map { "\($0)" } ?? "") \($0.backpropVsFiniteDifferences)" })")
    #expect(full.projectedItems.isEmpty)
    #expect(full.layers.contains { $0.block == "sigmoid" && $0.form == "diagonal 16" })  // 2×2×4 after conv 2x2x4 on 3×3×3
    // Every weight key appears end to end, plus x.
    #expect(full.endToEnd.map(\.variable) == ["x", "1.w", "1.b", "4.w", "4.b", "6.w", "6.b", "8.w", "8.b"])
    let gated = try NetworkVerification(network: net, x: x, target: goal, fdEntries: 16, jacobianBytes: 4000)
    #expect(gated.passed)
    #expect(gated.projectedItems.contains(1))
    #expect(gated.layers.contains { $0.item == 1 && $0.form == "projection vᵀJu" })
  }

  /// Issue 20's acceptance: `net check` at full LeNet-5 size (28×28, the S2→C3 table, Xu's
  /// trainable subsampling): every explicit product within 1e-9 of backprop, finite differences
  /// within 1e-6, no projection needed. LeNet's relu → subsample → relu puts exact zeros
  /// (kinks) into the second ReLU; those entries are left out of the finite differences, and
  /// the others must still be checked.
  @Test func lenet5AtFullSizePassesTheThreeWayCheck() throws {
    let net = try Network<Double>(spec: try Models.spec("lenet5"), input: Shape(28, 28), classes: nil, seed: 1)
    var rng = SeededGenerator(seed: 2)
    let x = Tensor<Double>.uniform(Shape(28, 28, 1, 1), using: &rng)
    let check = try NetworkVerification(network: net, x: x, target: .labels(Tensor(shape: Shape(1, 1), storage: [7])), fdEntries: 8)
    #expect(check.passed, "\((check.layers + check.endToEnd).filter { !$0.passed }.map { "\($0.item) \($0.variable) \($0.backpropVsFiniteDifferences)" })")
    #expect(check.projectedItems.isEmpty)
    #expect(check.layers.first { $0.item == 2 }?.form == "diagonal 4704")
    // Initial biases are 0, so S2's outputs are exactly 0 wherever C1's ReLU zeroed a whole
    // 2×2 block: every S2 bias then moves ReLU inputs off a kink, and none of them can be
    // checked by finite differences (the row says so). At a generic point (random biases)
    // every array keeps entries away from kinks.
    #expect(check.endToEnd.first { $0.variable == "3.b" }?.checked == 0)
    var generic = net
    for l in generic.chain.layers.indices {
      if let b = generic.chain.layers[l].parameters.b { generic.chain.layers[l].parameters.b = .uniform(b.shape, in: -0.1...0.1, using: &rng) }
    }
    let other = try NetworkVerification(network: generic, x: x, target: .labels(Tensor(shape: Shape(1, 1), storage: [7])), fdEntries: 8)
    #expect(other.passed)
    #expect((other.layers + other.endToEnd).allSatisfy { $0.checked > 0 }, "\((other.layers + other.endToEnd).filter { $0.checked == 0 }.map { "\($0.item) \($0.variable)" })")
  }
}
