/// A mistake in what the user asked for, described in one sentence a student understands:
/// what was wrong, what was expected, and the numbers involved.
///
/// The CLI prints `description` on one line and exits non-zero; library code throws this
/// instead of trapping whenever a caller could have avoided the problem.
public struct ConvLabError: Error, CustomStringConvertible, Equatable, Sendable {
  public let description: String

  public init(_ description: String) {
    self.description = description
  }
}

extension ConvLabError {
  /// Shape mismatch at an API boundary, phrased with both shapes.
  public static func shape(_ what: String, expected: String, got: String) -> ConvLabError {
    ConvLabError("\(what) has shape \(got), but \(expected) was expected.")
  }
}
