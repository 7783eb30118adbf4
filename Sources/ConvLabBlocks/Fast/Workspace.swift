import ConvLabCore
import Foundation

/// Scratch memory reused across calls, so that the fast path allocates nothing per call in
/// steady state (im2row buffers are the largest temporaries of a CNN).
///
/// A small pool of raw allocations guarded by a lock: concurrent callers each take their own
/// buffer and return it; a buffer grows only when a larger request arrives.
public final class Workspace: @unchecked Sendable {
  public static let shared = Workspace()

  private let lock = NSLock()
  private var free: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []

  /// Bytes currently held by the pool (for `bench`'s memory report).
  public var heldBytes: Int { lock.withLock { free.reduce(0) { $0 + $1.bytes } } }

  /// Runs `body` with an uninitialised buffer of at least `count` elements of `S`.
  public func withBuffer<S: Scalar, R>(_ count: Int, of _: S.Type, _ body: (UnsafeMutablePointer<S>) throws -> R) rethrows -> R {
    let bytes = max(1, count) * MemoryLayout<S>.stride
    let buffer: (pointer: UnsafeMutableRawPointer, bytes: Int) = lock.withLock {
      if let index = free.indices.max(by: { free[$0].bytes < free[$1].bytes }), free[index].bytes >= bytes {
        return free.remove(at: index)
      }
      if let index = free.indices.first {
        let old = free.remove(at: index)
        old.pointer.deallocate()
      }
      return (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64), bytes)
    }
    defer { lock.withLock { free.append(buffer) } }
    return try body(buffer.pointer.bindMemory(to: S.self, capacity: count))
  }
}
