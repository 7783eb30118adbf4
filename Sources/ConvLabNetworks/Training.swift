import ConvLabBlocks
import ConvLabCore
import ConvLabData
import ConvLabDevice
import Foundation

/// Mini-batch SGD with momentum and weight decay (Murugan (3.75)–(3.80) is the plain update,
/// μ = λ = 0): v ← μ v − η_e (g + λ w), w ← w + v; the decay applies to filters and weights,
/// not to biases or Xu's β. An optional linear warm-up scales η over the first steps (Goyal
/// et al. 2017's gradual warm-up), so the first, largest gradients are not taken at full step.
public struct TrainingOptions: Codable, Sendable, Equatable {
  public enum Schedule: String, Codable, Sendable, CaseIterable {
    /// η_e = η.
    case constant
    /// η_e = η, then η/10 after half the epochs and η/100 after three quarters.
    case step
    /// η_e = η · ½ (1 + cos(π e / E)).
    case cosine
  }

  public var epochs = 10
  public var batchSize = 64
  public var learningRate = 0.05
  public var momentum = 0.9
  public var weightDecay = 5e-4
  public var schedule = Schedule.cosine
  public var seed: UInt64 = 1
  /// Mirror each training image left–right with probability ½ (seeded by epoch and batch):
  /// clothes look the same mirrored, so this doubles the data without changing the labels.
  public var flipHorizontally = false
  /// Epochs of linear learning-rate warm-up (0: none). Step t (0-based, counted over the whole
  /// run) of an epoch with B batches takes η_e · min(1, (t + 1) / (w · B)).
  public var warmupEpochs = 0.0

  public init() {}

  enum CodingKeys: String, CodingKey { case epochs, batchSize, learningRate, momentum, weightDecay, schedule, seed, flipHorizontally, warmupEpochs }

  /// Checkpoints written before `flipHorizontally` existed read as `false`.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    epochs = try c.decode(Int.self, forKey: .epochs)
    batchSize = try c.decode(Int.self, forKey: .batchSize)
    learningRate = try c.decode(Double.self, forKey: .learningRate)
    momentum = try c.decode(Double.self, forKey: .momentum)
    weightDecay = try c.decode(Double.self, forKey: .weightDecay)
    schedule = try c.decode(Schedule.self, forKey: .schedule)
    seed = try c.decode(UInt64.self, forKey: .seed)
    flipHorizontally = try c.decodeIfPresent(Bool.self, forKey: .flipHorizontally) ?? false
    // Runs saved before warm-up existed trained without it.
    warmupEpochs = try c.decodeIfPresent(Double.self, forKey: .warmupEpochs) ?? 0
  }

  /// The learning rate of epoch e (0-based).
  public func learningRate(epoch e: Int) -> Double {
    switch schedule {
    case .constant: return learningRate
    case .step: return learningRate * (e >= epochs * 3 / 4 ? 0.01 : e >= epochs / 2 ? 0.1 : 1)
    case .cosine: return learningRate * 0.5 * (1 + Double.cos(Double.pi * Double(e) / Double(max(epochs, 1))))
    }
  }

  /// The learning rate of batch b (0-based) of epoch e (0-based) when an epoch has `batches`
  /// batches: the epoch's rate η_e times the linear warm-up factor
  /// min(1, (t + 1) / (w · B)), t = e · B + b, w = `warmupEpochs`, B = `batches`. The first
  /// step takes η_e / (w · B), the rate grows by that much each step and is η_e from step
  /// w · B − 1 on; with w = 0 every step takes η_e.
  public func learningRate(epoch e: Int, batch b: Int, batches: Int) -> Double {
    let rate = learningRate(epoch: e)
    let warmupSteps = warmupEpochs * Double(batches)
    guard warmupSteps > 0 else { return rate }
    let t = Double(e) * Double(batches) + Double(b)
    return rate * min(1, (t + 1) / warmupSteps)
  }

  public func validate() throws {
    guard epochs >= 1 else { throw ConvLabError.outOfRange(subject: "training", setting: "epochs", value: "\(epochs)", allowed: "at least 1") }
    guard batchSize >= 1 else { throw ConvLabError.outOfRange(subject: "training", setting: "batch", value: "\(batchSize)", allowed: "at least 1") }
    guard learningRate > 0, learningRate.isFinite else { throw ConvLabError.outOfRange(subject: "training", setting: "lr", value: "\(learningRate)", allowed: "a positive number") }
    guard momentum >= 0, momentum < 1 else { throw ConvLabError.outOfRange(subject: "training", setting: "momentum", value: "\(momentum)", allowed: "in [0, 1)") }
    guard weightDecay >= 0, weightDecay.isFinite else { throw ConvLabError.outOfRange(subject: "training", setting: "weight-decay", value: "\(weightDecay)", allowed: "non-negative") }
    guard warmupEpochs >= 0, warmupEpochs <= Double(epochs) else {
      throw ConvLabError.outOfRange(subject: "training", setting: "warmup", value: "\(warmupEpochs)", allowed: "between 0 and the number of epochs (\(epochs))")
    }
  }
}

/// One epoch's results (a row of metrics.csv).
public struct EpochRecord: Codable, Sendable, Equatable {
  public var epoch: Int
  public var learningRate: Double
  public var trainLoss: Double
  public var trainAccuracy: Double
  public var validationLoss: Double
  public var validationAccuracy: Double
  public var seconds: Double
  public var elapsedSeconds: Double
  public var imagesPerSecond: Double

  public static let csvHeader = ["epoch", "learning_rate", "train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "seconds", "elapsed_seconds", "images_per_second"]
  public var csvRow: [String] {
    [String(epoch)] + [learningRate, trainLoss, trainAccuracy, validationLoss, validationAccuracy, seconds, elapsedSeconds, imagesPerSecond].map { String(format: "%.6g", $0) }
  }
}

/// Where training stands inside an epoch (for progress bars).
public struct BatchProgress: Sendable {
  public var epoch: Int, epochs: Int, batch: Int, batches: Int
  public var loss: Double, accuracy: Double, imagesPerSecond: Double, elapsed: Double
  /// This batch alone: its mean loss (before the update), the learning rate of its step, and
  /// the global gradient norm ‖g‖₂ over every parameter (NaN when the step ran on a device).
  public var batchLoss: Double, learningRate: Double, gradientNorm: Double
}

/// A network with its optimizer state; `epochsDone` and `records` make a run resumable.
public struct Trainer<S: Scalar>: Sendable {
  public var network: Network<S>
  public var options: TrainingOptions
  /// Momentum buffers, one (w, b) pair per layer.
  public var velocity: [(w: Tensor<S>?, b: Tensor<S>?)]
  public var epochsDone = 0
  public var records: [EpochRecord] = []
  /// Set by `useDevice`: the steps run there, and the host copy is refreshed every epoch.
  public private(set) var device: DeviceTraining<S>?
  /// ‖g‖₂ over every parameter of the last host step (before weight decay); NaN on a device.
  public private(set) var lastGradientNorm = Double.nan

  public init(network: Network<S>, options: TrainingOptions) {
    self.network = network
    self.options = options
    velocity = network.chain.layers.map { l in
      (l.parameters.w.map { Tensor(shape: $0.shape) }, l.parameters.b.map { Tensor(shape: $0.shape) })
    }
  }

  /// Moves training to a device (`--device cuda`); the host network stays the reference copy
  /// that checkpoints save.
  public mutating func useDevice(_ engine: any ComputeEngine) throws {
    device = try DeviceTraining(network, velocity: velocity, engine: engine)
  }

  /// Whether weight decay applies to a layer's weights: not to Xu's β (a gain, not a filter).
  static func decays(_ block: any Block) -> Bool { !(block is Subsample) }

  /// The order of training images in epoch e: a permutation seeded by (seed, e), so a resumed
  /// run sees the same batches as an uninterrupted one.
  public func order(epoch e: Int, count: Int) -> [Int] {
    var rng = SeededGenerator(seed: options.seed &* 0x9E37_79B9 &+ UInt64(e) &+ 1)
    var order = Array(0..<count)
    order.shuffle(using: &rng)
    return order
  }

  /// Trains one epoch, then measures the validation set.
  public mutating func runEpoch(_ data: DataSplits, progress: (BatchProgress) -> Void = { _ in }) throws -> EpochRecord {
    let e = epochsDone
    let mu = S(options.momentum)
    let lambda = S(options.weightDecay)
    let order = self.order(epoch: e, count: data.train.count)
    let batches = (order.count + options.batchSize - 1) / options.batchSize
    let start = Date()
    var lossSum = 0.0
    var correct = 0
    var seen = 0
    for b in 0..<batches {
      let indices = order[(b * options.batchSize)..<min(order.count, (b + 1) * options.batchSize)]
      var images: Tensor<S> = data.train.subset(indices).images.converted()
      if options.flipHorizontally { Self.flipSomeImages(&images, seed: options.seed &+ UInt64(e) &* 1_000_003 &+ UInt64(b)) }
      let labels = indices.map { data.train.labels[$0] }
      let rate = options.learningRate(epoch: e, batch: b, batches: batches)
      let result = try step(images, labels: labels, eta: S(rate), mu: mu, lambda: lambda)
      guard result.loss.isFinite else {
        throw ConvLabError.worded(
          "the loss became \(result.loss) in epoch \(e + 1), batch \(b + 1); lower the learning rate (\(setting: "lr") \(options.learningRate)) or warm it up longer (\(setting: "warmup")).")
      }
      lossSum += result.loss * Double(indices.count)
      correct += result.correct
      seen += indices.count
      let elapsed = Date().timeIntervalSince(start)
      progress(
        BatchProgress(
          epoch: e + 1, epochs: options.epochs, batch: b + 1, batches: batches, loss: lossSum / Double(seen),
          accuracy: Double(correct) / Double(seen), imagesPerSecond: Double(seen) / max(elapsed, 1e-9), elapsed: elapsed,
          batchLoss: result.loss, learningRate: rate, gradientNorm: lastGradientNorm))
    }
    if let device { try device.download(into: &network, velocity: &velocity) }
    let seconds = Date().timeIntervalSince(start)
    let validation = try evaluate(data.validation)
    epochsDone += 1
    let record = EpochRecord(
      epoch: epochsDone, learningRate: options.learningRate(epoch: e), trainLoss: lossSum / Double(seen), trainAccuracy: Double(correct) / Double(seen),
      validationLoss: validation.loss, validationAccuracy: validation.accuracy, seconds: seconds,
      elapsedSeconds: (records.last?.elapsedSeconds ?? 0) + seconds, imagesPerSecond: Double(seen) / seconds)
    records.append(record)
    return record
  }

  /// Mirrors each image of the batch left–right with probability ½ (column j ↔ W − 1 − j).
  public static func flipSomeImages(_ x: inout Tensor<S>, seed: UInt64) {
    var rng = SeededGenerator(seed: seed)
    let s = x.shape
    let plane = s.h * s.w
    for n in 0..<s.n where Bool.random(using: &rng) {
      for d in 0..<s.d {
        let base = (n * s.d + d) * plane
        for j in 0..<s.w / 2 {
          for i in 0..<s.h { x.storage.swapAt(base + j * s.h + i, base + (s.w - 1 - j) * s.h + i) }
        }
      }
    }
  }

  /// One training step on a batch: forward, backward, SGD update. Returns the batch's mean
  /// loss and how many it classified correctly (before the update).
  @discardableResult
  public mutating func step(_ x: Tensor<S>, labels: [Int], eta: S, mu: S, lambda: S) throws -> (loss: Double, correct: Int) {
    if let device { return try device.step(network, x, labels: labels, eta: eta, mu: mu, lambda: lambda) }
    let result = try network.lossAndGradients(x, labels: labels)
    lastGradientNorm = Self.globalNorm(result.gradients)
    if result.loss.isFinite { update(result.gradients, eta: eta, mu: mu, lambda: lambda) }
    return (result.loss, result.correct)
  }

  /// The global gradient norm ‖g‖₂ = (Σ_l ‖∂z/∂w_l‖² + ‖∂z/∂b_l‖²)^½, summed in Double.
  static func globalNorm(_ grads: [Gradients<S>]) -> Double {
    var sum = 0.0
    for g in grads {
      for t in [g.dzdw, g.dzdb] { if let t { sum += t.storage.reduce(0.0) { $0 + Double($1) * Double($1) } } }
    }
    return sum.squareRoot()
  }

  /// v ← μ v − η (g + λ w), w ← w + v, per parameter tensor.
  mutating func update(_ grads: [Gradients<S>], eta: S, mu: S, lambda: S) {
    for l in grads.indices {
      var p = network.chain.layers[l].parameters
      let decays = Self.decays(network.chain.layers[l].block)
      if var w = p.w, let g = grads[l].dzdw, var v = velocity[l].w {
        Self.step(&w, &v, g, eta: eta, mu: mu, lambda: decays ? lambda : 0)
        p.w = w
        velocity[l].w = v
      }
      if var b = p.b, let g = grads[l].dzdb, var v = velocity[l].b {
        Self.step(&b, &v, g, eta: eta, mu: mu, lambda: 0)
        p.b = b
        velocity[l].b = v
      }
      network.chain.layers[l].parameters = p
    }
  }

  static func step(_ w: inout Tensor<S>, _ v: inout Tensor<S>, _ g: Tensor<S>, eta: S, mu: S, lambda: S) {
    w.storage.withUnsafeMutableBufferPointer { wp in
      v.storage.withUnsafeMutableBufferPointer { vp in
        g.storage.withUnsafeBufferPointer { gp in
          for i in 0..<wp.count {
            vp[i] = mu * vp[i] - eta * (gp[i] + lambda * wp[i])
            wp[i] += vp[i]
          }
        }
      }
    }
  }

  /// Mean loss and accuracy on a dataset, in batches of `batch` images.
  public func evaluate(_ data: Dataset, batch: Int = 500) throws -> (loss: Double, accuracy: Double) {
    guard data.count > 0 else { return (.nan, .nan) }
    var lossSum = 0.0
    var correct = 0
    for start in stride(from: 0, to: data.count, by: batch) {
      let part = data.subset(start..<min(data.count, start + batch))
      let images: Tensor<S> = part.images.converted()
      let scores = try device?.scores(images) ?? network.scores(images)
      let p = network.lossParameters(labels: part.labels)
      lossSum += Double(try network.loss.forward(scores, p).storage[0] * network.objectiveScale(batch: part.count)) * Double(part.count)
      correct += Network<S>.correct(scores, part.labels)
    }
    return (lossSum / Double(data.count), Double(correct) / Double(data.count))
  }
}
