/// How far long library work has come, for whoever asked: the CLI binds `report` around a long
/// call (an explicit Jacobian built column by column) and draws a bar; libraries only call it.
///
/// A task-local value rather than a global: concurrent callers (tests) each see their own.
public enum WorkProgress {
  /// Called with the fraction done (0…1), at most every few percent.
  @TaskLocal public static var report: (@Sendable (Double) -> Void)?

  /// Reports `done` of `total` steps when a reporter is bound, about 200 times over the whole work.
  @inlinable
  public static func step(_ done: Int, of total: Int) {
    guard let report, total > 0, done % max(1, total / 200) == 0 else { return }
    report(Double(done) / Double(total))
  }
}
