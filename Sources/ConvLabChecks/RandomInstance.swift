import ConvLabBlocks
import ConvLabCore

/// Seeded random inputs for any block, drawn away from the points where a block is not
/// differentiable, so that finite differences (step ≈ 6e-6) never straddle a kink:
/// ReLU inputs and hinge margins satisfy |·| ≥ 0.05, max-pooling inputs differ pairwise by
/// ≥ 0.05, |x − x̄| ≥ 0.05 for pdist and L1-type losses, probabilities stay in [0.05, 0.95].
public enum RandomInstance {
  /// x of `shape` for `block`, and every parameter the block needs that `given` lacks.
  /// `filter` sets the filter shape of conv/convt (or the output count of dense).
  public static func make(
    for block: any Block, shape: Shape, filter: Shape? = nil, given: Parameters<Double> = Parameters(),
    using rng: inout SeededGenerator
  ) throws -> (x: Tensor<Double>, parameters: Parameters<Double>) {
    var x = Tensor<Double>.uniform(shape, in: -1...1, using: &rng)
    var p = given
    switch block {
    case is Conv, is FlippedConv:
      if p.w == nil { p.w = .uniform(filter ?? Shape(2, 2, shape.d, 2), using: &rng) }
    case is ConvTranspose:
      if p.w == nil {
        let f = filter ?? Shape(2, 2, 2, shape.d)
        p.w = .uniform(Shape(f.h, f.w, f.d, shape.d), using: &rng)
      }
    case is Pool:
      var values = (0..<shape.count).map { 0.05 * Double($0) - 0.025 * Double(shape.count) }
      values.shuffle(using: &rng)
      x = Tensor(shape: shape, storage: values)
    case is Subsample, is BatchNorm:
      if p.w == nil { p.w = .uniform(Shape(1, 1, shape.d), in: 0.5...1.5, using: &rng) }
      if p.b == nil { p.b = .uniform(Shape(1, 1, shape.d), using: &rng) }
    case is Dense:
      if p.w == nil { p.w = .uniform(Shape(filter?.n ?? 3, shape.h * shape.w * shape.d), using: &rng) }
    case is ReLU:
      x = x.map(awayFromZero)
    case is PDist:
      if p.target == nil {
        var offsets = Tensor<Double>.uniform(shape, in: -1...1, using: &rng).map(awayFromZero)
        offsets = offsets.zipWith(x, +)
        p.target = offsets
      }
    case let loss as Loss:
      lossInstance(loss, shape: shape, x: &x, p: &p, using: &rng)
    case let loss as RegressionLoss:
      regressionInstance(loss, shape: shape, x: &x, p: &p, using: &rng)
    default:
      break
    }
    return (x, p)
  }

  /// v moved 0.1 further from zero when it is within 0.05 of it (a kink of ReLU, |·| or a hinge).
  private static func awayFromZero(_ v: Double) -> Double { abs(v) < 0.05 ? v + (v >= 0 ? 0.1 : -0.1) : v }

  /// Labels for a classification loss, and x kept off its kinks: c = ±1 for the binary losses
  /// (hinge margin |1 − cx| ≥ 0.05, probabilities in [0.05, 0.95]), a class 1…D per image otherwise.
  private static func lossInstance(_ loss: Loss, shape: Shape, x: inout Tensor<Double>, p: inout Parameters<Double>, using rng: inout SeededGenerator) {
    if loss.kind.isBinary {
      if p.labels == nil { p.labels = Tensor(shape: shape, storage: (0..<shape.count).map { _ in Bool.random(using: &rng) ? 1 : -1 }) }
      if loss.kind == .binarylog { x = .uniform(shape, in: 0.05...0.95, using: &rng) }
      // Keep the hinge margin 1 − cx at least 0.05 away from zero.
      if let c = p.labels, loss.kind == .hinge { x = x.zipWith(c) { v, c in abs(1 - c * v) < 0.05 ? v + 0.1 * c : v } }
      return
    }
    if p.labels == nil {
      p.labels = Tensor(shape: Shape(1, 1, 1, shape.n), storage: (0..<shape.n).map { _ in Double(Int.random(in: 1...shape.d, using: &rng)) })
    }
    if loss.kind == .log { x = .uniform(shape, in: 0.05...1, using: &rng) }
    if loss.kind == .mhinge { x = x.map { 1 - awayFromZero(1 - $0) } }
    if loss.kind == .mshinge {
      // Distinct channel values 0.1 apart keep the runner-up unique and the margin off zero.
      var values = (0..<shape.count).map { 0.1 * Double($0) - 0.05 * Double(shape.count) + 0.05 }
      values.shuffle(using: &rng)
      x = Tensor(shape: shape, storage: values)
    }
  }

  /// A target for a regression loss in the loss's domain, and x kept off its kinks
  /// (|x − y| ≥ 0.05 for L1/MAE/MAPE, |(y − x)/y| ≥ 0.05 for MAPE).
  private static func regressionInstance(
    _ loss: RegressionLoss, shape: Shape, x: inout Tensor<Double>, p: inout Parameters<Double>, using rng: inout SeededGenerator
  ) {
    switch loss.kind {
    case .bce:
      x = .uniform(shape, in: 0.05...0.95, using: &rng)
      if p.target == nil { p.target = .uniform(shape, in: 0...1, using: &rng) }
    case .msle:
      x = .uniform(shape, in: 0...2, using: &rng)
      if p.target == nil { p.target = .uniform(shape, in: 0...2, using: &rng) }
    case .mape:
      if p.target == nil { p.target = Tensor<Double>.uniform(shape, in: 0.2...2, using: &rng).map { Bool.random(using: &rng) ? $0 : -$0 } }
    default:
      if p.target == nil { p.target = .uniform(shape, in: -1...1, using: &rng) }
    }
    if [.l1, .mae, .mape].contains(loss.kind), let y = p.target { x = x.zipWith(y) { $1 + awayFromZero($0 - $1) } }
    if loss.kind == .mape, let y = p.target { x = x.zipWith(y) { abs(($1 - $0) / $1) < 0.05 ? $0 + 0.1 * $1 : $0 } }
  }
}
