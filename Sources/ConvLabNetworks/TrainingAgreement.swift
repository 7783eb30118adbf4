import ConvLabBlocks
import ConvLabCore
import ConvLabDevice

/// "Training on the GPU gives the same curve as the CPU for the same seed, to rounding",
/// measured step by step (`convlab check training --path cuda`): LeNet-5 from one seed, trained
/// on the CPU's fast path and on a device with the same batches and the same SGD steps, in
/// Float64 and in Float32. The two differ only in the order of their sums, so the first step
/// agrees to the precision's rounding (~1e-16 or ~1e-7); SGD then amplifies the difference
/// step by step, as it would between two CPUs whose BLAS kernels add in different orders —
/// which is why the comparison is made per step, not only by the end of an epoch.
public enum TrainingAgreement {
  public struct Step: Sendable {
    public let step: Int
    public let cpuLoss: Double
    public let deviceLoss: Double
    /// The largest relative difference of any layer's weights or biases after the step
    /// (‖a − b‖∞ / ‖a‖∞, `Comparison`).
    public let weights: Double

    public var loss: Double { abs(cpuLoss - deviceLoss) / max(abs(cpuLoss), .leastNormalMagnitude) }
  }

  /// A learnable task on random images, so that SGD makes progress (and its dynamics show): the
  /// label is which of ten horizontal bands of the 28×28 image is brightest on average.
  static func brightestBand(_ images: Tensor<Double>, image: Int) -> Int {
    var sums = [Double](repeating: 0, count: 10)
    var counts = [Double](repeating: 0, count: 10)
    for j in 0..<28 {
      for i in 0..<28 {
        sums[i * 10 / 28] += images.storage[i + 28 * j + 784 * image]
        counts[i * 10 / 28] += 1
      }
    }
    return (0..<10).max { sums[$0] / counts[$0] < sums[$1] / counts[$1] } ?? 0
  }

  /// `steps` SGD steps (batch `batch`, η 0.02, μ 0.9, λ 5e-4) on seeded random images, labelled
  /// by `brightestBand`;
  /// the weights are compared after the steps listed in `compareAfter` (each costs a download).
  public static func run<S: Scalar>(
    _: S.Type, engine: any ComputeEngine, steps: Int, compareAfter: Set<Int>, batch: Int = 32,
    seed: UInt64 = 1
  ) throws -> [Step] {
    let network = try Network<S>(spec: try Models.spec("lenet5"), input: Shape(28, 28, 1), classes: 10, seed: seed)
    var options = TrainingOptions()
    options.batchSize = batch
    var cpu = Trainer(network: network, options: options)
    var device = Trainer(network: network, options: options)
    try device.useDevice(engine)
    var rng = SeededGenerator(seed: seed &+ 1000)
    var out: [Step] = []
    for step in 1...max(1, steps) {
      let images = Tensor<Double>.uniform(Shape(28, 28, 1, batch), using: &rng)
      let x: Tensor<S> = images.converted()
      let labels = (0..<batch).map { brightestBand(images, image: $0) }
      let a = try cpu.step(x, labels: labels, eta: 0.02, mu: 0.9, lambda: 5e-4)
      let b = try device.step(x, labels: labels, eta: 0.02, mu: 0.9, lambda: 5e-4)
      guard compareAfter.contains(step) else { continue }
      try device.device?.download(into: &device.network, velocity: &device.velocity)
      var worst = 0.0
      for (l, layer) in cpu.network.chain.layers.enumerated() {
        let other = device.network.chain.layers[l].parameters
        for (p, q) in [(layer.parameters.w, other.w), (layer.parameters.b, other.b)] {
          guard let p, let q else { continue }
          worst = max(worst, Comparison(p.storage.map(Double.init), q.storage.map(Double.init)).relativeError)
        }
      }
      out.append(Step(step: step, cpuLoss: a.loss, deviceLoss: b.loss, weights: worst))
    }
    return out
  }
}
