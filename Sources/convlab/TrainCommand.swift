import ArgumentParser
import ConvLabCUDA
import ConvLabCore
import ConvLabData
import ConvLabDevice
import ConvLabFigures
import ConvLabNetworks
import ConvLabPlot
import Foundation

/// Options shared by `train` and `experiment`: the data and the optimizer.
struct TrainingArguments: ParsableArguments {
  @Option(help: "IDX folder (train-images, train-labels, t10k-images, t10k-labels; plain or .gz).")
  var data = DataSplits.defaultDirectory
  @Option(help: "Epochs to train (with --resume: the new total).")
  var epochs = 10
  @Option(help: "Mini-batch size (train: 64; experiment: 100, the paper's).")
  var batch: Int?
  @Option(help: "Learning rate η (train: 0.05; experiment: 0.02).")
  var lr: Double?
  @Option(help: "Momentum μ.")
  var momentum = 0.9
  @Option(name: .customLong("weight-decay"), help: "Weight decay λ (on filters and weights).")
  var weightDecay = 5e-4
  @Option(help: "Learning-rate schedule.")
  var schedule: TrainingOptions.Schedule = .cosine
  @Option(help: "Epochs of linear learning-rate warm-up from η/steps to η (0: none; Docs/training-and-figures.md says why 1).")
  var warmup = 1.0
  @Option(help: "Seed of the initialization, the validation split and the batch order.")
  var seed: UInt64 = 1
  @Flag(help: "Mirror each training image left–right with probability ½ (data augmentation).")
  var flip = false
  @Option(help: "Train on the first K training images only (quick runs).")
  var subset: Int?
  @Option(help: "Training images held out for validation (default 10000, or K/5 with --subset K).")
  var validation: Int?
  @Option(name: .customLong("test-subset"), help: "Test on the first K test images only.")
  var testSubset: Int?
  @Option(help: "cpu (the fast path), cuda (the GPU: parameters and activations stay in device memory) or host (the GPU's code run on the CPU: slow, for checking).")
  var device: DeviceChoice = .cpu

  /// The engine for --device, or nil for the CPU's fast path.
  func engine() throws -> (any ComputeEngine)? {
    switch device {
    case .cpu: return nil
    case .cuda: return try CUDAEngine()
    case .host: return HostEngine()
    }
  }

  /// The optimizer settings, with the command's defaults where --batch or --lr is not given.
  func options(defaultBatch: Int = 64, defaultLearningRate: Double = 0.05) throws -> TrainingOptions {
    var o = TrainingOptions()
    o.epochs = epochs
    o.batchSize = batch ?? defaultBatch
    o.learningRate = lr ?? defaultLearningRate
    o.momentum = momentum
    o.weightDecay = weightDecay
    o.schedule = schedule
    o.seed = seed
    o.flipHorizontally = flip
    o.warmupEpochs = warmup
    try o.validate()
    return o
  }

  var validationCount: Int { validation ?? (subset.map { max(100, min(10000, $0 / 5)) } ?? 10000) }

  func load() throws -> DataSplits {
    if let k = testSubset, k < 1 { throw ConvLabError("--test-subset must be at least 1.") }
    if let k = subset, k < 1 { throw ConvLabError("--subset must be at least 1.") }
    let splits = try DataSplits.load(directory: data, validation: validationCount, subset: subset, testSubset: testSubset, seed: seed)
    // A subset larger than the data would silently train on less than asked.
    let available = splits.train.count + splits.validation.count
    if let k = subset, k > available {
      throw ConvLabError("--subset \(k) asks for more training images than \(data) has (\(available)); use at most \(available) or leave --subset out.")
    }
    if let k = testSubset, k > splits.test.count {
      throw ConvLabError("--test-subset \(k) asks for more test images than \(data) has (\(splits.test.count)).")
    }
    return splits
  }

  var dataIdentity: [String: String] {
    ["folder": data, "validation": String(validationCount), "subset": subset.map(String.init) ?? "all", "seed": String(seed)]
  }
}

struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a network on Fashion-MNIST (or any MNIST-format data) with SGD + momentum.",
    discussion: """
      Networks: \(Models.named.map(\.name).joined(separator: ", ")), or a spec such as \
        "conv 5x5x6 pad 2; relu; pool max 2; dense 10; loss softmaxlog" (see --list-nets). \
      The run folder gets checkpoint.bin (every epoch), best.bin (best validation accuracy), \
      metrics.csv/.json, net.txt, result.json and curves.{dat,gp,png,svg}.
      """)

  @Option(help: "A network name or a spec.")
  var net = "lenet5"
  @OptionGroup var training: TrainingArguments
  @Option(help: "Run folder (default runs/NET).")
  var out: String?
  @Flag(help: "Continue the run saved in --out from its last checkpoint.")
  var resume = false
  @Flag(help: "Draw the training curves in the terminal at the end (gnuplot dumb).")
  var plot = false
  @Flag(name: .customLong("log-steps"), help: "Write steps.csv in the run folder: every step's loss, learning rate and gradient norm.")
  var logSteps = false
  @Flag(name: .customLong("list-nets"), help: "List the named networks and exit.")
  var listNets = false
  @Option(name: .customLong("init"), help: "Start from these weights (.npz, keys <i>.w and <i>.b as convlab net init writes them) instead of the seeded initialization.")
  var initialWeights: String?
  @Option(help: "float32 (default: the speed of training) or float64 (the same steps in Double: for comparing with an outside reference). A run resumes only in the dtype it started in.")
  var dtype: NetPrecision = .float32

  func run() throws {
    if listNets {
      for m in Models.named { print("\(Terminal.bold(m.name.padding(toLength: 24, withPad: " ", startingAt: 0))) \(m.about)\n  \(Terminal.dim(m.spec))") }
      return
    }
    let spec = try Models.spec(net)
    let options = try training.options()
    if initialWeights != nil, resume { throw ConvLabError("--init starts a new run; --resume continues one from its checkpoint: give one of them.") }
    let initial = try initialWeights.map { path in (path: path, weights: try NPZArchive(contentsOf: path)) }
    let folder = out ?? "runs/" + (Models.named.first { $0.name == net.lowercased() }?.name ?? "custom")
    let data = try training.load()
    print("data: \(data.source): \(data.train.count) training, \(data.validation.count) validation, \(data.test.count) test images, \(data.train.classes) classes")
    let run = TrainingRun(folder: folder, data: training.dataIdentity)
    let engine = try training.engine()
    let result: TrainingRun.Result
    switch dtype {
    case .float32: result = try Self.train(spec: spec, options: options, data: data, run: run, resume: resume, label: net, engine: engine, initial: initial, logSteps: logSteps)
    case .float64: result = try Self.train(spec: spec, options: options, data: data, run: run, resume: resume, label: net, engine: engine, initial: initial, logSteps: logSteps, as: Double.self)
    }
    print(
      "test accuracy: \(String(format: "%.1f%%", result.testAccuracy * 100)) (best validation model: epoch \(result.bestEpoch), validation \(String(format: "%.1f%%", result.bestValidationAccuracy * 100)); final model \(String(format: "%.1f%%", result.finalTestAccuracy * 100)))"
    )
    let records = try Self.records(in: folder)
    let title = net.count < 30 ? net : "custom network"
    try Gnuplot.render(TrainingFigures.curves(records: records, title: title), into: folder)
    print("saved: \(folder)/ (checkpoint.bin, best.bin, metrics.csv, metrics.json, result.json, curves.png)")
    if plot {
      if let text = try Gnuplot.text(TrainingFigures.curves(records: records, title: title, panels: [.accuracy]), width: 90, height: 24) {
        print(text)
      } else {
        print(Gnuplot.missing)
      }
    }
  }

  static func records(in folder: String) throws -> [EpochRecord] {
    try JSONDecoder().decode([EpochRecord].self, from: readFile(folder + "/metrics.json"))
  }

  /// Trains (or resumes) one run in Float32 with progress, printing one line per epoch.
  static func train(
    spec: NetSpec, options: TrainingOptions, data: DataSplits, run: TrainingRun, resume: Bool, label: String,
    engine: (any ComputeEngine)?, initial: (path: String, weights: NPZArchive)? = nil, logSteps: Bool = false
  ) throws -> TrainingRun.Result {
    try train(spec: spec, options: options, data: data, run: run, resume: resume, label: label, engine: engine, initial: initial, logSteps: logSteps, as: Float.self)
  }

  /// Trains (or resumes) one run computing in `S` (`--dtype`), printing one line per epoch.
  static func train<S: Scalar>(
    spec: NetSpec, options: TrainingOptions, data: DataSplits, run: TrainingRun, resume: Bool, label: String,
    engine: (any ComputeEngine)?, initial: (path: String, weights: NPZArchive)?, logSteps: Bool, as _: S.Type
  ) throws -> TrainingRun.Result {
    if let initial {
      // Check the weights against the network before the run folder is created.
      var probe = try Network<S>(spec: spec, input: data.train.imageShape, classes: data.train.classes, seed: 0)
      try NetWeights.load(initial.weights, into: &probe, name: initial.path)
    }
    var trainer = try run.start(spec: spec, input: data.train.imageShape, classes: data.train.classes, options: options, resume: resume, as: S.self)
    if let initial {
      try NetWeights.load(initial.weights, into: &trainer.network, name: initial.path)
      print("initial weights: \(initial.path)")
    }
    if resume { print("resuming \(run.folder) after epoch \(trainer.epochsDone) of \(options.epochs)") }
    if let engine {
      try trainer.useDevice(engine)
      print("device: \(engine.name)")
    }
    print("network: \(spec.description)\(S.singlePrecision != nil ? "" : " (in \(S.precisionName))")")
    print(
      "parameters: \(trainer.network.parameterCount); batch \(options.batchSize), lr \(options.learningRate) (\(options.schedule.rawValue)), momentum \(options.momentum), weight decay \(options.weightDecay), warm-up \(options.warmupEpochs) epochs, seed \(options.seed)\(options.flipHorizontally ? ", random left–right flips" : "")"
    )
    var steps = try logSteps ? StepLog(folder: run.folder, epochsDone: trainer.epochsDone) : nil
    while trainer.epochsDone < options.epochs {
      var progress = Progress("epoch \(trainer.epochsDone + 1)/\(options.epochs)")
      let record = try trainer.runEpoch(data) { p in
        steps?.add(p)
        let eta = p.elapsed / Double(p.batch) * Double(p.batches - p.batch)
        progress.update(
          Double(p.batch) / Double(p.batches),
          String(format: "loss %.4f  acc %.1f%%  %.0f img/s  ETA %@", p.loss, p.accuracy * 100, p.imagesPerSecond, Progress.clock(eta)))
      }
      progress.finish()
      try run.save(trainer)
      try steps?.write()
      print(
        String(
          format: "epoch %d/%d  lr %.4g  train loss %.4f acc %.2f%%  validation loss %.4f acc %.2f%%  %.1f s (%.0f img/s)",
          record.epoch, options.epochs, record.learningRate, record.trainLoss, record.trainAccuracy * 100,
          record.validationLoss, record.validationAccuracy * 100, record.seconds, record.imagesPerSecond))
    }
    return try run.finish(trainer, test: data.test)
  }
}

/// steps.csv of `train --log-steps`: one row per step (epoch, batch, learning rate, the batch's
/// loss, the gradient norm), rewritten atomically after every epoch; a resumed run keeps the
/// rows of the epochs its checkpoint holds.
struct StepLog {
  static let header = "epoch,batch,learning_rate,loss,gradient_norm"
  let path: String
  var rows: [String]

  init(folder: String, epochsDone: Int) throws {
    path = folder + "/steps.csv"
    rows = []
    guard epochsDone > 0, FileManager.default.fileExists(atPath: path) else { return }
    let text = String(decoding: try readFile(path), as: UTF8.self)
    rows = text.split(separator: "\n").dropFirst().map(String.init).filter { row in
      Int(row.prefix { $0 != "," }).map { $0 <= epochsDone } ?? false
    }
  }

  mutating func add(_ p: BatchProgress) {
    rows.append("\(p.epoch),\(p.batch),\(String(format: "%.6g,%.6g,%.6g", p.learningRate, p.batchLoss, p.gradientNorm))")
  }

  func write() throws {
    try writeAtomically(Data(([Self.header] + rows).joined(separator: "\n").appending("\n").utf8), to: path)
  }
}
