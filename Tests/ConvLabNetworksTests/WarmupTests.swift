import ConvLabCore
import ConvLabData
import ConvLabNetworks
import Foundation
import Testing

/// The learning-rate warm-up of the default recipe (Docs/training-and-figures.md): step t of B
/// per epoch takes η_e · min(1, (t + 1) / (w · B)). Expected values are worked out by hand
/// below each case, not by the schedule code.
@Suite("learning-rate warm-up")
struct WarmupTests {
  static func options(_ warmup: Double, schedule: TrainingOptions.Schedule = .cosine) -> TrainingOptions {
    var o = TrainingOptions()
    o.epochs = 10
    o.learningRate = 0.05
    o.schedule = schedule
    o.warmupEpochs = warmup
    return o
  }

  /// (warm-up epochs, epoch, batch, batches per epoch, expected η) for η = 0.05, cosine over 10 epochs.
  /// cos(π/10) = 0.95105651629515357, so η_1 = 0.05 · ½ (1 + cos(π/10)) = 0.048776412907378838.
  static let cases: [(Double, Int, Int, Int, Double)] = [
    (1, 0, 0, 100, 0.05 / 100),  // the first step: η / (w B)
    (1, 0, 49, 100, 0.025),  // half way: 50 / 100 of η
    (1, 0, 99, 100, 0.05),  // the last warm-up step reaches η
    (1, 1, 0, 100, 0.048776412907378838),  // after the warm-up: the cosine rate of epoch 1
    (0.5, 0, 24, 100, 0.025),  // half an epoch of warm-up: 25 / 50 of η
    (0.5, 0, 60, 100, 0.05),  // past it
    (2, 1, 0, 100, 0.048776412907378838 * 101 / 200),  // a two-epoch warm-up carries into epoch 1: t = 100
    (0, 0, 0, 100, 0.05),  // no warm-up: every step at the epoch's rate
    (1, 0, 2, 3, 0.05),  // 3 batches: η/3, 2η/3, η
  ]

  @Test("warm-up rates at given steps", arguments: cases)
  func ratesAtSteps(_ c: (Double, Int, Int, Int, Double)) {
    let (w, e, b, batches, expected) = c
    let rate = Self.options(w).learningRate(epoch: e, batch: b, batches: batches)
    // A handful of Double operations from the same inputs: round-off of a few ulps.
    #expect(abs(rate - expected) <= 1e-15 * expected, "warm-up \(w), epoch \(e), batch \(b)/\(batches): \(rate), expected \(expected)")
  }

  @Test("the rate rises monotonically through the warm-up and is the schedule's afterwards")
  func monotoneThenSchedule() {
    for schedule in TrainingOptions.Schedule.allCases {
      let o = Self.options(1.5, schedule: schedule)
      let batches = 40
      let rates = (0..<3).flatMap { e in (0..<batches).map { b in o.learningRate(epoch: e, batch: b, batches: batches) } }
      // Steps 0..<60 are the warm-up: strictly increasing where the epoch's rate is constant
      // (the cosine rate of epoch 1 is 2.4% lower, so its warm-up dips once at the epoch boundary).
      if schedule != .cosine {
        #expect(zip(rates.prefix(59), rates.dropFirst().prefix(59)).allSatisfy { $0 < $1 }, "\(schedule): \(rates.prefix(60))")
      }
      for t in 60..<rates.count {
        #expect(rates[t] == o.learningRate(epoch: t / batches), "\(schedule) step \(t)")
      }
    }
  }

  @Test("the warm-up must lie between 0 and the number of epochs")
  func validation() throws {
    for bad: Double in [-1, 11, .nan, .infinity] {
      let error = #expect(throws: ConvLabError.self) { try Self.options(bad).validate() }
      guard case .outOfRange(_, let setting, _, _)? = error else {
        Issue.record("\(bad): \(String(describing: error))")
        continue
      }
      #expect(setting.name == "warmup")
    }
    try Self.options(0).validate()
    try Self.options(10).validate()
  }

  @Test("options saved before warm-up existed read as no warm-up; a saved warm-up reads back")
  func decoding() throws {
    let old = #"{"epochs":10,"batchSize":64,"learningRate":0.05,"momentum":0.9,"weightDecay":0.0005,"schedule":"cosine","seed":2,"flipHorizontally":false}"#
    let decoded = try JSONDecoder().decode(TrainingOptions.self, from: Data(old.utf8))
    #expect(decoded.warmupEpochs == 0 && decoded.seed == 2)
    let saved = Self.options(0.75)
    #expect(try JSONDecoder().decode(TrainingOptions.self, from: JSONEncoder().encode(saved)) == saved)
  }

  @Test("an epoch trains each step at its warm-up rate and reports the gradient norm")
  func epochUsesStepRates() throws {
    let data = try DataSplits.load(validation: 100, subset: 400, testSubset: 100, seed: 1)
    var o = Self.options(1)
    o.batchSize = 100
    var trainer = Trainer(network: try Network<Float>(spec: try Models.spec("fc"), input: data.train.imageShape, classes: 10, seed: 1), options: o)
    var seen: [BatchProgress] = []
    let record = try trainer.runEpoch(data) { seen.append($0) }
    // 400 training images (the validation images are held out beside them) in batches of 100:
    // rates η/4, 2η/4, 3η/4, η; a few ulps of round-off.
    try #require(data.train.count == 400)
    let expected = [0.0125, 0.025, 0.0375, 0.05]
    #expect(seen.count == 4 && zip(seen, expected).allSatisfy { abs($0.learningRate - $1) <= 1e-15 * $1 }, "\(seen.map(\.learningRate))")
    #expect(record.learningRate == 0.05)
    #expect(seen.allSatisfy { $0.gradientNorm.isFinite && $0.gradientNorm > 0 && $0.batchLoss.isFinite })
  }
}
