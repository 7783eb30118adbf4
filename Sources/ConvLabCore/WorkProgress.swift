import Synchronization

/// How far long library work has come, for whoever asked: the CLI binds a reporter around a
/// long call (an explicit Jacobian built column by column) and draws a bar; libraries only call
/// `step`. Without a reporter (tests, other tools) `step` does nothing.
///
/// One reporter per process, set and restored by `reporting(_:_:)`: only the CLI, which runs one
/// command at a time, binds one. (A `@TaskLocal` would suit concurrent callers better, but
/// binding one from synchronous code outside a task crashes the Swift 6.3 runtime on Linux.)
public enum WorkProgress {
  private static let reporter = Mutex<(@Sendable (Double) -> Void)?>(nil)

  /// Runs `body` with `report` receiving the fraction done (0…1), then restores the previous one.
  public static func reporting<T>(_ report: @escaping @Sendable (Double) -> Void, _ body: () throws -> T) rethrows -> T {
    let previous = reporter.withLock { r in
      defer { r = report }
      return r
    }
    defer { reporter.withLock { $0 = previous } }
    return try body()
  }

  /// Reports `done` of `total` steps when a reporter is bound, about 200 times over the whole work.
  public static func step(_ done: Int, of total: Int) {
    guard total > 0, done % max(1, total / 200) == 0, let report = reporter.withLock({ $0 }) else { return }
    report(Double(done) / Double(total))
  }
}
