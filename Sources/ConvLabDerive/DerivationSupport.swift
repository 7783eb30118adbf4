import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Small tools the derivations of every paper share.
enum Support {
  /// A matrix as a column vector.
  static func column(_ values: [Double]) -> Matrix<Double> { Matrix(rows: values.count, cols: 1, storage: values) }

  /// ∇f at m by central differences, shaped like m (the independent check of gradients).
  static func gradient(at m: Matrix<Double>, _ f: (Matrix<Double>) throws -> Double) rethrows -> Matrix<Double> {
    let g = try FiniteDifferences.vjp(at: m.storage, cotangent: [1]) { v in [try f(Matrix(rows: m.rows, cols: m.cols, storage: v))] }
    return Matrix(rows: m.rows, cols: m.cols, storage: g)
  }

  /// The Jacobian d vec f / d (vec m)ᵀ by central differences.
  static func jacobian(at m: Matrix<Double>, _ f: (Matrix<Double>) throws -> Matrix<Double>) rethrows -> Matrix<Double> {
    try FiniteDifferences.jacobian(at: m.storage) { v in try f(Matrix(rows: m.rows, cols: m.cols, storage: v)).storage }
  }

  static func map(_ m: Matrix<Double>, _ f: (Double) -> Double) -> Matrix<Double> { Matrix(rows: m.rows, cols: m.cols, storage: m.storage.map(f)) }
  static func inner(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double { zip(a.storage, b.storage).reduce(0) { $0 + $1.0 * $1.1 } }
  static func sum(_ m: Matrix<Double>) -> Double { m.storage.reduce(0, +) }
  static func sigmoid(_ v: Double) -> Double { Sigmoid().value(v) }
  static func relu(_ v: Double) -> Double { max(0, v) }

  /// Binary cross-entropy −Σᵢ [yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)] (Murugan (3.23) without its 1/t).
  static func crossEntropy(_ y: Matrix<Double>, _ p: Matrix<Double>) -> Double {
    var total = 0.0
    for (target, value) in zip(y.storage, p.storage) { total -= target * log(value) + (1 - target) * log(1 - value) }
    return total
  }
  static func reluSlope(_ v: Double) -> Double { v > 0 ? 1 : 0 }

  /// A tensor's single channel as a matrix, and back.
  static func tensor(_ m: Matrix<Double>) -> Tensor<Double> { Tensor(shape: Shape(m.rows, m.cols), storage: m.storage) }

  /// Max pooling of one channel with non-overlapping n × n windows (the switches' forward pass).
  static func maxPool(_ x: Matrix<Double>, _ n: Int) -> Matrix<Double> {
    Matrix(rows: x.rows / n, cols: x.cols / n) { r, c in
      (0..<n).flatMap { p in (0..<n).map { q in x[r * n + p, c * n + q] } }.max() ?? 0
    }
  }

  /// Values that are all different (0.1 apart, shuffled, offset so that none is within 0.025 of 0): no ties, no ReLU kinks.
  static func distinct(_ rows: Int, _ cols: Int, _ rng: inout SeededGenerator, offset: Double = 0.025) -> Matrix<Double> {
    var v = (0..<rows * cols).map { 0.1 * Double($0) - 0.05 * Double(rows * cols) + offset }
    v.shuffle(using: &rng)
    return Matrix(rows: rows, cols: cols, storage: v)
  }
}
