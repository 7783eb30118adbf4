import RealModule

/// A small, fast, seedable generator (SplitMix64), so every "random" instance in ConvLab is
/// reproducible from its seed on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A standard normal sample (Box–Muller).
  public mutating func normal() -> Double {
    let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
    let u2 = Double.random(in: 0..<1, using: &self)
    return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * .pi * u2)
  }
}

extension Tensor {
  /// A tensor of independent uniform samples in `range`.
  public static func uniform(_ shape: Shape, in range: ClosedRange<Double> = -1...1, using rng: inout SeededGenerator) -> Tensor {
    Tensor(shape: shape, storage: (0..<shape.count).map { _ in S(Double.random(in: range, using: &rng)) })
  }

  /// A tensor of independent normal samples with standard deviation `sigma`.
  public static func normal(_ shape: Shape, sigma: Double = 1, using rng: inout SeededGenerator) -> Tensor {
    Tensor(shape: shape, storage: (0..<shape.count).map { _ in S(sigma * rng.normal()) })
  }
}

extension Matrix {
  /// A matrix of independent uniform samples in `range`.
  public static func uniform(_ rows: Int, _ cols: Int, in range: ClosedRange<Double> = -1...1, using rng: inout SeededGenerator) -> Matrix {
    Matrix(rows: rows, cols: cols, storage: (0..<rows * cols).map { _ in S(Double.random(in: range, using: &rng)) })
  }
}
