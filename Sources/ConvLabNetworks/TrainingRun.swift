import ConvLabCore
import ConvLabData
import Foundation
import Synchronization

/// A training run in a folder: `checkpoint.bin` after every epoch (atomic), `best.bin` for the
/// epoch with the best validation accuracy (Milisavljevic §4 picks the model that way),
/// `metrics.csv` and `metrics.json` with one record per epoch, `net.txt` with the spec, and at
/// the end `result.json` with the test accuracy of the best model.
public struct TrainingRun: Sendable {
  public let folder: String
  /// What identifies the data (folder, validation size, subset, seed); a resume must match it.
  public let data: [String: String]

  /// The run folder's lock, held from `start` for as long as any copy of this run exists: a
  /// second `train` into the same `--out` fails at once instead of overwriting this one.
  private final class Held: Sendable { let lock = Mutex<FolderLock?>(nil) }
  private let held = Held()

  public var checkpointPath: String { folder + "/checkpoint.bin" }
  public var bestPath: String { folder + "/best.bin" }

  public init(folder: String, data: [String: String]) {
    self.folder = folder
    self.data = data
  }

  /// A fresh Float32 trainer, or (with `resume`) the one saved in the folder; see
  /// `start(spec:input:classes:options:resume:as:)`.
  public func start(spec: NetSpec, input: Shape, classes: Int, options: TrainingOptions, resume: Bool) throws -> Trainer<Float> {
    try start(spec: spec, input: input, classes: classes, options: options, resume: resume, as: Float.self)
  }

  /// A fresh trainer computing in `S` (Float32 or Float64: the same code, `--dtype`), or (with
  /// `resume`) the one saved in the folder with `options.epochs` as the new total. Refuses to
  /// overwrite an existing run without `resume`, and to resume a checkpoint in another dtype.
  public func start<S: Scalar>(
    spec: NetSpec, input: Shape, classes: Int, options: TrainingOptions, resume: Bool,
    as _: S.Type
  ) throws -> Trainer<S> {
    try options.validate()
    let created = !resume && !FileManager.default.fileExists(atPath: folder)
    if !resume { try makeDirectory(folder) }
    if FileManager.default.fileExists(atPath: folder), held.lock.withLock({ $0 == nil }) {
      let lock = try Self.lock(folder)
      held.lock.withLock { $0 = lock }
    }
    let exists = FileManager.default.fileExists(atPath: checkpointPath)
    if resume {
      guard exists else { throw ConvLabError.worded("\(setting: "resume"): \(checkpointPath) does not exist; start the run without \(setting: "resume").") }
      var (trainer, header) = try Checkpoint.read(checkpointPath, as: S.self)
      guard header.precision == Checkpoint.dtype(S.self) else {
        throw ConvLabError.worded("\(setting: "resume"): the checkpoint was trained in \(header.precision), not \(Checkpoint.dtype(S.self)); resume it with \(setting: "dtype") \(header.precision).")
      }
      guard header.spec == spec.description else {
        throw ConvLabError.worded("\(setting: "resume"): the checkpoint trains \"\(header.spec)\", not \"\(spec.description)\".")
      }
      guard header.data == data else {
        throw ConvLabError.worded("\(setting: "resume"): the checkpoint was trained on other data (\(Self.describe(header.data))); this run uses \(Self.describe(data)).")
      }
      var saved = header.options
      saved.epochs = options.epochs
      guard saved == options else {
        throw ConvLabError.worded(
          "\(setting: "resume") continues with the saved hyper-parameters; only \(setting: "epochs") may change (saved: batch \(header.options.batchSize), lr \(header.options.learningRate), momentum \(header.options.momentum), weight decay \(header.options.weightDecay), schedule \(header.options.schedule.rawValue), warm-up \(header.options.warmupEpochs) epochs, seed \(header.options.seed))."
        )
      }
      guard trainer.epochsDone < options.epochs else {
        throw ConvLabError.worded("\(setting: "resume"): the run already has \(trainer.epochsDone) epochs; ask for more with \(setting: "epochs").")
      }
      trainer.options = options
      return trainer
    }
    // net.txt alone is a run stopped before its first epoch ended: starting again is safe.
    let present = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0 != "net.txt" }
    if exists || !present.isEmpty {
      throw ConvLabError.worded(
        exists
          ? "\(folder) already holds a run; continue it with \(setting: "resume") or choose another \(setting: "out")."
          : "\(folder) is not empty (\(present.sorted().prefix(3).joined(separator: ", "))); choose a new or empty folder for \(setting: "out").")
    }
    // A network refused here (too large for memory) leaves no folder behind that this call made.
    let network: Network<S>
    do {
      network = try Network<S>(spec: spec, input: input, classes: classes, seed: options.seed)
      try Self.checkBatchMemory(network, batch: options.batchSize)
    } catch {
      if created { try? FileManager.default.removeItem(atPath: folder) }
      throw error
    }
    try writeAtomically(Data((spec.description + "\n").utf8), to: folder + "/net.txt")
    return Trainer(network: network, options: options)
  }

  /// A training step holds every layer's output and its gradient for the whole batch, plus
  /// the input and scratch of about the same size: refuse a batch whose activations alone would
  /// not fit in the memory limit, before the first step allocates them.
  static func checkBatchMemory<S: Scalar>(_ network: Network<S>, batch: Int) throws {
    let what = "training with batch \(batch)"
    let perImage = try Size.sum(try ([network.inputShape] + network.shapes).map { try $0.checkedCount(what) }, what)
    try MemoryLimit.check(elements: [perImage, batch, 3], bytesPerElement: MemoryLayout<S>.size, "\(what) (\(perImage) activations per image)")
  }

  /// The folder's lock, shared by every run object of this process on the same folder (a test
  /// resumes a run while the first object lives; the lock is against other processes).
  private static let locks = Mutex<[String: WeakLock]>([:])
  private struct WeakLock: @unchecked Sendable { weak var lock: FolderLock? }

  static func lock(_ folder: String) throws -> FolderLock {
    let key = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
    return try locks.withLock { table in
      if let lock = table[key]?.lock { return lock }
      let lock = try FolderLock(folder, purpose: "a training run")
      table[key] = WeakLock(lock: lock)
      return lock
    }
  }

  static func describe(_ d: [String: String]) -> String { d.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }

  /// Saves the epoch just finished: metrics, the checkpoint, and the best model so far.
  public func save<S: Scalar>(_ trainer: Trainer<S>) throws {
    let rows = [EpochRecord.csvHeader] + trainer.records.map(\.csvRow)
    try writeAtomically(Data((rows.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n").utf8), to: folder + "/metrics.csv")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    if let bad = trainer.records.last, ![bad.trainLoss, bad.validationLoss].allSatisfy(\.isFinite) {
      throw ConvLabError.worded(
        "training diverged in epoch \(bad.epoch): the \(bad.trainLoss.isFinite ? "validation" : "training") loss is \(bad.trainLoss.isFinite ? bad.validationLoss : bad.trainLoss); metrics.csv has every epoch, and the last good checkpoint is kept; try a smaller \(setting: "lr")."
      )
    }
    try writeAtomically(try encoder.encode(trainer.records), to: folder + "/metrics.json")
    if let last = trainer.records.last, last.validationAccuracy >= trainer.records.map(\.validationAccuracy).max()! {
      try Checkpoint.write(trainer, data: data, to: bestPath)
    }
    try Checkpoint.write(trainer, data: data, to: checkpointPath)
  }

  /// The summary written to result.json when a run ends.
  public struct Result: Codable, Sendable {
    public var spec: String
    public var parameters: Int
    public var epochs: Int
    public var bestEpoch: Int
    public var bestValidationAccuracy: Double
    public var testAccuracy: Double
    public var testLoss: Double
    public var finalTestAccuracy: Double
    public var averageEpochSeconds: Double
    public var secondsToBest: Double
  }

  /// Tests the best-validation model (and the final one) and writes result.json.
  public func finish<S: Scalar>(_ trainer: Trainer<S>, test: Dataset) throws -> Result {
    let best = try Checkpoint.read(bestPath, as: S.self).trainer
    let bestTest = try best.evaluate(test)
    let finalTest = try trainer.evaluate(test)
    let records = trainer.records
    guard let bestRecord = records.first(where: { $0.epoch == best.epochsDone }) else {
      throw ConvLabError("\(bestPath) does not belong to this run (epoch \(best.epochsDone) has no record).")
    }
    let result = Result(
      spec: trainer.network.spec.description, parameters: trainer.network.parameterCount, epochs: trainer.epochsDone,
      bestEpoch: best.epochsDone, bestValidationAccuracy: bestRecord.validationAccuracy,
      testAccuracy: bestTest.accuracy, testLoss: bestTest.loss, finalTestAccuracy: finalTest.accuracy,
      averageEpochSeconds: records.map(\.seconds).reduce(0, +) / Double(records.count),
      secondsToBest: bestRecord.elapsedSeconds)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeAtomically(try encoder.encode(result), to: folder + "/result.json")
    return result
  }
}
