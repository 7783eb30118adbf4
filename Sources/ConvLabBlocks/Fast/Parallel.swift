import ConvLabCore
import Foundation

/// A pointer that may cross into the worker closures of `Parallel.forEach`; callers guarantee
/// that workers touch disjoint parts of the memory.
struct SendableRef<T>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<T>
  init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }

  /// A buffer's start; nil for an empty buffer (whose base address may be nil).
  init?(_ buffer: UnsafeBufferPointer<T>) {
    guard let base = buffer.baseAddress else { return nil }
    pointer = UnsafeMutablePointer(mutating: base)
  }

  init?(_ buffer: UnsafeMutableBufferPointer<T>) {
    guard let base = buffer.baseAddress else { return nil }
    pointer = base
  }
}

/// Data-parallel loops over images for the memory-bound kernels (im2row, row2im). They run
/// between BLAS calls, never during one, so the program's threads and OpenBLAS's threads do not
/// compete for the same cores.
enum Parallel {
  /// Workers: one per core.
  static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

  /// Calls `body(i)` for i in 0..<count, split into contiguous ranges over the cores.
  static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
    let parts = min(workers, count)
    if parts <= 1 {
      for i in 0..<count { body(i) }
      return
    }
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      for i in (part * count / parts)..<((part + 1) * count / parts) { body(i) }
    }
  }

  /// Calls `body` on contiguous ranges of 0..<count, one per core once there are at least
  /// `threshold` entries (below that a thread costs more than it saves).
  static func forEachRange(_ count: Int, threshold: Int = 1 << 16, _ body: @Sendable (Range<Int>) -> Void) {
    let parts = count >= threshold ? workers : 1
    forEach(parts) { part in body((part * count / parts)..<((part + 1) * count / parts)) }
  }

  /// Runs `worker` once per core; each takes consecutive ranges of `grain` items of 0..<count
  /// from `next()` until it returns nil, so whichever core is free takes the next range: on a
  /// shared virtual machine one core is often slowed for a while, and a fixed half-and-half
  /// split then waits for it (the blocked convolution measured 13.5 to 18.8 ms from run to run
  /// with halves). A worker sets up its scratch memory once, before its first range.
  static func forEachDynamic(_ count: Int, grain: Int, _ worker: @Sendable (_ next: () -> Range<Int>?) -> Void) {
    let position = Counter()
    forEach(min(workers, (count + grain - 1) / grain)) { _ in
      worker {
        let start = position.take(grain)
        return start < count ? start..<min(count, start + grain) : nil
      }
    }
  }

  /// A shared position, advanced under a lock.
  private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(_ n: Int) -> Int {
      lock.withLock {
        defer { value += n }
        return value
      }
    }
  }
}
