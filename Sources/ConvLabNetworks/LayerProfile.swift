import ConvLabBlocks
import ConvLabChecks
import ConvLabCore

/// Where one CPU training step's time goes, layer by layer: each block's forward and backward
/// timed on its own (median of repeats), on the values a real step computes, so that
/// `convlab bench --profile` can say which layer a performance change must attack.
public struct LayerProfile: Sendable {
  public struct Row: Sendable {
    /// 1-based layer number and the block's name (the loss is the last row).
    public let layer: Int, name: String
    /// The layer's output shape for the whole batch.
    public let output: Shape
    /// Median seconds of forward and backward (backward without dz/dx for the first layer, as in training).
    public let forward: Double, backward: Double
  }

  public let rows: [Row]

  /// Times every layer of `network` on the batch `x` with `labels`.
  public init<S: Scalar>(_ network: Network<S>, _ x: Tensor<S>, labels: [Int], repeats: Int = 7) throws {
    let values = try network.chain.forward(x)
    let p = network.lossParameters(labels: labels)
    let scale = network.objectiveScale(batch: labels.count)
    let scores = values[values.count - 1]
    let dzdScores = try network.loss.backward(scores, p, Tensor(shape: Shape(1, 1), storage: [scale])).dzdx
    // dz/dy of every layer from one real backward pass: layer l's is layer l + 1's dz/dx.
    let grads = try network.chain.backward(values, dzdy: dzdScores).layers
    let dzdy = grads.indices.map { l in l + 1 < grads.count ? grads[l + 1].dzdx : dzdScores }
    var rows: [Row] = []
    for (l, layer) in network.chain.layers.enumerated() {
      let forward = try Benchmark.median(repeats: repeats) { _ = try layer.block.forward(values[l], layer.parameters) }
      let backward = try Benchmark.median(repeats: repeats) {
        _ = try layer.block.backward(values[l], layer.parameters, dzdy[l], inputGradient: l > 0)
      }
      rows.append(Row(layer: l + 1, name: layer.block.name, output: values[l + 1].shape, forward: forward, backward: backward))
    }
    let lossForward = try Benchmark.median(repeats: repeats) { _ = try network.loss.forward(scores, p) }
    let lossBackward = try Benchmark.median(repeats: repeats) {
      _ = try network.loss.backward(scores, p, Tensor(shape: Shape(1, 1), storage: [scale]))
    }
    rows.append(Row(layer: rows.count + 1, name: network.loss.name, output: Shape(1, 1), forward: lossForward, backward: lossBackward))
    self.rows = rows
  }

  /// The sum of every row's forward and backward time.
  public var total: Double { rows.reduce(0) { $0 + $1.forward + $1.backward } }

  /// One line per layer (ms and share of the total), then the total.
  public var lines: [String] {
    let total = self.total
    func ms(_ s: Double) -> String { MatrixFormat.pad(String(format: "%.3f", s * 1e3), 9) }
    var out = ["layer  block      output            forward ms  backward ms   share"]
    for r in rows {
      let output = "\(r.output.h)×\(r.output.w)×\(r.output.d)×\(r.output.n)"
      out.append(
        "\(MatrixFormat.pad(String(r.layer), 5))  \(r.name.padding(toLength: 9, withPad: " ", startingAt: 0))  "
          + "\(output.padding(toLength: 16, withPad: " ", startingAt: 0))  \(ms(r.forward))   \(ms(r.backward))  "
          + MatrixFormat.pad(String(format: "%.0f%%", 100 * (r.forward + r.backward) / total), 6))
    }
    out.append("sum of the layers: \(String(format: "%.3f", total * 1e3)) ms (the SGD update and allocation are not included)")
    return out
  }
}
