import Foundation

/// The size of a MatConvNet array x ∈ R^{H×W×D×N}: height, width, depth (channels), count.
///
/// Storage is column-major, so the linear index of the 0-based element (i, j, d, n) is
/// i + H·(j + W·(d + D·n)) — exactly the order in which the papers' vec(·) stacks entries.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
  public var h: Int
  public var w: Int
  public var d: Int
  public var n: Int

  public init(_ h: Int, _ w: Int, _ d: Int = 1, _ n: Int = 1) {
    precondition(h >= 0 && w >= 0 && d >= 0 && n >= 0, "negative dimension")
    self.h = h
    self.w = w
    self.d = d
    self.n = n
  }

  /// The four dimensions as an array, H first.
  public var dims: [Int] { [h, w, d, n] }

  /// Number of elements, H·W·D·N.
  public var count: Int { h * w * d * n }

  /// H·W·D·N, overflow-checked, for shapes that come from outside (files, options); the error
  /// names `what`.
  public func checkedCount(_ what: @autoclosure () -> String) throws -> Int {
    try Size.product(dims, what())
  }

  /// The dimensions without trailing singletons (at least two), as MATLAB prints `size`.
  public var trimmedDims: [Int] {
    var dims = self.dims
    while dims.count > 2, dims.last == 1 { dims.removeLast() }
    return dims
  }

  /// `4×4×3×2`, trailing singleton dimensions dropped.
  public var description: String { trimmedDims.map(String.init).joined(separator: "×") }

  /// Linear (vec) index of the 0-based element (i, j, d, n).
  @inlinable
  public func index(_ i: Int, _ j: Int, _ k: Int = 0, _ m: Int = 0) -> Int {
    i + h * (j + w * (k + d * m))
  }

  /// The 0-based (i, j, d, n) of a linear vec index; the inverse of `index`.
  public func subscripts(_ linear: Int) -> (i: Int, j: Int, d: Int, n: Int) {
    var r = linear
    let i = r % h
    r /= h
    let j = r % w
    r /= w
    let k = r % d
    r /= d
    return (i, j, k, r)
  }

  /// Parses `4x4`, `4x4x3`, `4x4x3x2` (also with `×`) into a shape.
  ///
  /// The text comes from outside: each dimension must lie in 1…`Size.maxExtent` and H·W·D·N must
  /// fit in a 64-bit count, so the shape can be sized without overflow; whether that many
  /// elements fit in memory is `MemoryLimit`'s question, asked where they are allocated.
  ///
  /// `option` (e.g. `--k`) names where the text came from in the error messages.
  public init(parsing text: String, option: String? = nil) throws {
    let label = option.map { "\($0) '\(text.prefix(60))'" } ?? "'\(text.prefix(60))'"
    let parts = text.split(whereSeparator: { $0 == "x" || $0 == "×" || $0 == "X" || $0 == "," })
    let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, parts.count <= 4, values.count == parts.count, values.allSatisfy({ $0 > 0 }) else {
      throw ConvLabError("\(label) is not a size; write it as HxW, HxWxD or HxWxDxN with positive integers (e.g. 4x4x3).")
    }
    if let big = values.first(where: { $0 > Size.maxExtent }) {
      throw ConvLabError("\(label) has a dimension of \(big); each dimension of a size must be between 1 and \(Size.maxExtent).")
    }
    let padded = values + Array(repeating: 1, count: 4 - values.count)
    _ = try Size.product(padded, "the size '\(text)'")
    self.init(padded[0], padded[1], padded[2], padded[3])
  }
}
