import Foundation

/// How far apart two arrays are, and where: the report every check in ConvLab returns.
///
/// The relative error is normwise: the largest entry of |a − b| divided by the largest
/// magnitude in either array (‖a − b‖∞ / max(‖a‖∞, ‖b‖∞)). Entry-wise ratios blow up at
/// entries that should be exactly zero; scaling by the array's magnitude does not, and still
/// names the worst entry so a student sees *where* two computations disagree.
public struct Comparison: Sendable, CustomStringConvertible {
  /// ‖a − b‖∞ / max(‖a‖∞, ‖b‖∞); 0 when both arrays are zero.
  public let relativeError: Double
  /// The linear (vec) index of the entry with the largest |a − b|, or nil for empty arrays.
  public let worstIndex: Int?
  /// aₖ and bₖ at the worst entry.
  public let worstValues: (Double, Double)
  /// Number of entries compared.
  public let count: Int

  /// Compares two arrays of equal length.
  public init(_ a: [Double], _ b: [Double]) {
    precondition(a.count == b.count, "comparing arrays of \(a.count) and \(b.count) entries")
    var worst: Int?
    var worstDifference = -1.0
    var scale = 0.0
    for k in 0..<a.count {
      let difference = abs(a[k] - b[k])
      // NaN compares false, so a NaN entry must be caught explicitly.
      if difference > worstDifference || difference.isNaN && !(worstDifference.isNaN) {
        worstDifference = difference
        worst = k
      }
      scale = max(scale, abs(a[k]), abs(b[k]))
    }
    count = a.count
    worstIndex = worst
    worstValues = worst.map { (a[$0], b[$0]) } ?? (0, 0)
    if worstDifference.isNaN || scale.isNaN {
      relativeError = .nan
    } else if worstDifference <= 0 {
      relativeError = 0
    } else {
      relativeError = worstDifference / scale
    }
  }

  public init<S: Scalar>(_ a: Tensor<S>, _ b: Tensor<S>) {
    precondition(a.shape == b.shape, "comparing \(a.shape) with \(b.shape)")
    self.init(a.storage.map { Double($0) }, b.storage.map { Double($0) })
  }

  public init<S: Scalar>(_ a: Matrix<S>, _ b: Matrix<S>) {
    precondition(a.rows == b.rows && a.cols == b.cols, "comparing \(a.rows)×\(a.cols) with \(b.rows)×\(b.cols)")
    self.init(a.storage.map { Double($0) }, b.storage.map { Double($0) })
  }

  /// True when the relative error is at most `tolerance` (and not NaN).
  public func passes(_ tolerance: Double) -> Bool { relativeError <= tolerance }

  public var description: String {
    guard let k = worstIndex else { return "relative error 0 (empty)" }
    return "relative error \(formatScientific(relativeError)), worst at vec index \(k + 1): \(worstValues.0) vs \(worstValues.1)"
  }
}

/// The normwise relative error of two tensors (see `Comparison`).
public func relativeError<S: Scalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Double { Comparison(a, b).relativeError }

/// The normwise relative error of two matrices (see `Comparison`).
public func relativeError<S: Scalar>(_ a: Matrix<S>, _ b: Matrix<S>) -> Double { Comparison(a, b).relativeError }

/// `1.2e-12` style formatting with two significant decimals.
public func formatScientific(_ x: Double) -> String {
  if x == 0 { return "0" }
  if !x.isFinite { return "\(x)" }
  var exponent = Int((log10(abs(x))).rounded(.down))
  var m = (x / pow(10, Double(exponent)) * 10).rounded() / 10
  if abs(m) >= 10 {  // 9.96 rounds up to 10.0: renormalise to 1.0e(k+1)
    m /= 10
    exponent += 1
  }
  return "\(m)e\(exponent)"
}
