import ConvLabBlocks
import ConvLabCore
import ConvLabData
import ConvLabNetworks
import Foundation
import Testing

/// `train --dtype`: one trainer, generic over the scalar, runs in Float32 or Float64; the
/// checkpoint records which, and a resume in the other dtype is refused.
@Suite(
  "training in Float64 and Float32",
  .enabled(if: FileManager.default.fileExists(atPath: DataSplits.defaultDirectory), "Fashion-MNIST (Debian package dataset-fashion-mnist) is not installed"))
struct TrainingDtypeTests {
  static let spec = "conv 5x5x4 stride 3; relu; dense 10; loss softmaxlog"

  /// The weights `convlab net init --seed 5` writes, through the .npz file both runs start from.
  static func initialWeights(in folder: String) throws -> NPZArchive {
    let network = try Network<Double>(spec: try NetSpec(parsing: spec), input: Shape(28, 28), classes: nil, seed: 5)
    try NetWeights.archive(network).write(to: folder + "/W.npz", compressed: false)
    return try NPZArchive(contentsOf: folder + "/W.npz")
  }

  /// What `Train.train` does with `--init`: a fresh run, the weights loaded, `epochs` epochs saved.
  static func train<S: Scalar>(_: S.Type, folder: String, options: TrainingOptions, data: DataSplits, weights: NPZArchive) throws -> Trainer<S> {
    let run = TrainingRun(folder: folder, data: ["test": "dtype"])
    var trainer = try run.start(spec: try NetSpec(parsing: spec), input: data.train.imageShape, classes: 10, options: options, resume: false, as: S.self)
    try NetWeights.load(weights, into: &trainer.network, name: "W.npz")
    while trainer.epochsDone < options.epochs {
      _ = try trainer.runEpoch(data)
      try run.save(trainer)
    }
    return trainer
  }

  @Test("Float64 and Float32 runs from the same --init weights and seed give the same loss curve")
  func sameCurveInBothPrecisions() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-dtype-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let data = try DataSplits.load(validation: 100, subset: 96, testSubset: 50, seed: 3)
    let weights = try Self.initialWeights(in: dir)
    var options = TrainingOptions()
    options.epochs = 3
    options.batchSize = 32  // 3 steps per epoch, 9 in all, with momentum, weight decay and the cosine schedule
    let double = try Self.train(Double.self, folder: dir + "/f64", options: options, data: data, weights: weights)
    let float = try Self.train(Float.self, folder: dir + "/f32", options: options, data: data, weights: weights)
    #expect(double.records.count == 3 && float.records.count == 3)
    // Float32 rounds every product and sum to 2⁻²⁴ ≈ 6e-8 relative; a loss is a sum of ~10³
    // such terms per image and 9 SGD steps feed each rounding back into the weights, so the
    // curves drift apart by ~1e-6 relative (measured: below 1e-5). 1e-4 leaves room for
    // another BLAS's summation order while a precision bug (a Float16-like step, a wrong cast)
    // would show at 1e-3 or more.
    for (a, b) in zip(double.records, float.records) {
      for (x, y) in [(a.trainLoss, b.trainLoss), (a.validationLoss, b.validationLoss)] {
        #expect(abs(x - y) <= 1e-4 * abs(x), "epoch \(a.epoch): Float64 \(x) vs Float32 \(y)")
      }
      #expect(abs(a.validationAccuracy - b.validationAccuracy) <= 0.011, "epoch \(a.epoch): at most one of 100 validation images flips")
    }
    // The two really ran in different precisions: the curves are not bit-identical.
    #expect(zip(double.records, float.records).contains { $0.trainLoss != $1.trainLoss })
    // The checkpoints say which dtype they hold, and the Float64 run's weights round-trip exactly.
    let (reread, header) = try Checkpoint.read(dir + "/f64/checkpoint.bin", as: Double.self)
    #expect(header.dtype == "float64")
    #expect(try Checkpoint.read(dir + "/f32/checkpoint.bin", as: Float.self).header.dtype == "float32")
    #expect(NetWeights.archive(reread.network).arrays.map(\.array.values) == NetWeights.archive(double.network).arrays.map(\.array.values))
    // Resuming in the other dtype is refused with the fix.
    options.epochs = 4
    let run = TrainingRun(folder: dir + "/f64", data: ["test": "dtype"])
    let error = #expect(throws: ConvLabError.self) {
      try run.start(spec: try NetSpec(parsing: Self.spec), input: data.train.imageShape, classes: 10, options: options, resume: true, as: Float.self)
    }
    // The library names settings plainly; the CLI words them as flags (--resume, --dtype).
    #expect(error?.worded(naming: { "--" + $0.name }) == "--resume: the checkpoint was trained in float64, not float32; resume it with --dtype float64.")
    var resumed = try run.start(spec: try NetSpec(parsing: Self.spec), input: data.train.imageShape, classes: 10, options: options, resume: true, as: Double.self)
    _ = try resumed.runEpoch(data)
    try run.save(resumed)
    #expect(resumed.epochsDone == 4)
    let result = try run.finish(resumed, test: data.test)
    #expect(result.epochs == 4 && result.testLoss.isFinite)
  }

  @Test("one Float64 step changes the weights by exactly −lr · (the gradient net grad computes)")
  func oneStepIsLearningRateTimesGradient() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-dtype-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let data = try DataSplits.load(validation: 100, subset: 64, testSubset: 50, seed: 4)
    let weights = try Self.initialWeights(in: dir)
    var options = TrainingOptions()
    options.epochs = 1
    options.batchSize = 64  // the whole training set: one step
    options.learningRate = 0.1
    options.momentum = 0
    options.weightDecay = 0
    options.schedule = .constant
    _ = try Self.train(Double.self, folder: dir + "/run", options: options, data: data, weights: weights)
    // What `net export` writes, and what `net grad` computes on the same 64 images and labels.
    let after = NetWeights.archive(try Checkpoint.read(dir + "/run/checkpoint.bin", as: Double.self).trainer.network)
    var network = try Network<Double>(spec: try NetSpec(parsing: Self.spec), input: Shape(28, 28), classes: nil, seed: 0)
    try NetWeights.load(weights, into: &network, name: "W.npz")
    let x: Tensor<Double> = data.train.images.converted()
    let labels = Tensor<Double>(shape: Shape(1, 1, 1, data.train.count), storage: data.train.labels.map { Double($0 + 1) })
    let (_, _, grads) = try network.objective(x, .labels(labels))
    let gradient = NetWeights.archive(network, tensors: grads.map { ($0.dzdw, $0.dzdb) })
    #expect(after.names == ["1.w", "1.b", "3.w", "3.b"])
    for name in after.names {
      let w0 = try #require(weights[name]).values
      let w1 = try #require(after[name]).values
      let g = try #require(gradient[name]).values
      // w1 = w0 − lr·g in Double. The batch is summed in the shuffled order, net grad in file
      // order (a few ulps of g), and w0 − w1 cancels |w|/|lr·g| (≤ ~10²) digits of w's
      // 1.1e-16: ~1e-14 relative. 1e-12 is the bar the issue set for this comparison.
      let c = Comparison(zip(w0, w1).map { $0 - $1 }, g.map { 0.1 * $0 })
      #expect(c.relativeError <= 1e-12, "\(name): \(c)")
      #expect(g.contains { $0 != 0 }, "\(name) has a gradient")
    }
  }
}
