import ConvLabCore
import Foundation

/// A receptive-field transformation along one axis (MatConvNet §5.1, MatConvNet (5.1)): output sample
/// i″ (1-based) depends on the inputs i ∈ α(i″ − 1) + β + [−(Δ − 1)/2, (Δ − 1)/2].
///
/// α is the stride, β the offset of the first window's centre, Δ the window size. β and Δ may be
/// fractional (conv transpose), so they are Doubles; for filters they are halves of integers.
public struct ReceptiveField: Hashable, Sendable, CustomStringConvertible {
  public var alpha: Double
  public var beta: Double
  public var delta: Double

  public init(alpha: Double, beta: Double, delta: Double) {
    self.alpha = alpha
    self.beta = beta
    self.delta = delta
  }

  /// The identity transformation (a 1 × 1 filter such as ReLU): α = β = Δ = 1 (§5.2).
  public static let identity = ReceptiveField(alpha: 1, beta: 1, delta: 1)

  /// A simple filter or pooling window: α = S, β = (H′ + 1)/2 − P⁻, Δ = H′ (MatConvNet §5.2),
  /// with the dilated extent D(H′ − 1) + 1 in place of H′.
  public static func filter(_ axis: FilterAxis) -> ReceptiveField {
    let h = Double(axis.extent)
    return ReceptiveField(alpha: Double(axis.stride), beta: (h + 1) / 2 - Double(axis.padBefore), delta: h)
  }

  /// Convolution transpose with upsampling U, filter H′ and top crop C⁻ (MatConvNet §5.3):
  /// α = 1/U, β = (2C⁻ − H′ + 1)/(2U) + 1, Δ = (H′ − 1)/U + 1.
  public static func convTranspose(size: Int, upsample: Int, cropBefore: Int) -> ReceptiveField {
    let u = Double(upsample)
    let h = Double(size)
    let c = Double(cropBefore)
    return ReceptiveField(alpha: 1 / u, beta: (2 * c - h + 1) / (2 * u) + 1, delta: (h - 1) / u + 1)
  }

  /// The transposed transformation (MatConvNet §5.4): α̂ = 1/α, β̂ = (1 + α − β)/α,
  /// Δ̂ = (Δ + α − 1)/α.
  public var transposed: ReceptiveField {
    ReceptiveField(alpha: 1 / alpha, beta: (1 + alpha - beta) / alpha, delta: (delta + alpha - 1) / alpha)
  }

  /// h = g ∘ f, with `self` = f applied first and `next` = g after it (MatConvNet §5.5):
  /// α_h = α_f α_g, β_h = α_f(β_g − 1) + β_f, Δ_h = α_f(Δ_g − 1) + Δ_f.
  public func then(_ next: ReceptiveField) -> ReceptiveField {
    ReceptiveField(alpha: alpha * next.alpha, beta: alpha * (next.beta - 1) + beta, delta: alpha * (next.delta - 1) + delta)
  }

  /// The overlay of two compatible fields over the same input (MatConvNet §5.6): the
  /// smallest sliding window enclosing both. Throws when the strides differ.
  public func overlaid(with other: ReceptiveField) throws -> ReceptiveField {
    guard alpha == other.alpha else {
      throw ConvLabError("receptive fields with strides \(alpha) and \(other.alpha) cannot be overlaid; MatConvNet §5.6 requires equal strides.")
    }
    let a = min(beta - (delta - 1) / 2, other.beta - (other.delta - 1) / 2)
    let b = max(beta + (delta - 1) / 2, other.beta + (other.delta - 1) / 2)
    return ReceptiveField(alpha: alpha, beta: (a + b) / 2, delta: b - a + 1)
  }

  /// The 1-based input range [first, last] of output sample i″ (may extend into padding).
  public func inputRange(ofOutput i: Int) -> ClosedRange<Double> {
    let centre = alpha * Double(i - 1) + beta
    return (centre - (delta - 1) / 2)...(centre + (delta - 1) / 2)
  }

  public var description: String { "α=\(Self.format(alpha)) β=\(Self.format(beta)) Δ=\(Self.format(delta))" }

  /// 3, 5/2 or 0.333: exact halves shown as fractions.
  public static func format(_ v: Double) -> String {
    // Int(v) traps beyond ±2⁶³; a deep stack of strides reaches that, so huge values print as %g.
    guard v.isFinite, abs(v) < 1e15 else { return String(format: "%.3g", v) }
    if v == v.rounded() { return String(Int(v)) }
    if (2 * v) == (2 * v).rounded() { return "\(Int((2 * v).rounded()))/2" }
    return String(format: "%.3g", v)
  }
}
