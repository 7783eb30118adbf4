import Foundation

/// Device allocations kept for reuse, by exact size: a training step allocates the same buffers
/// every time, so after the first step no allocation reaches the driver (cuMemAlloc/cuMemFree
/// synchronize the device and cost far more than the kernels of a small network). Safe on one
/// stream: a buffer handed out again is only used by work queued after the work that used it.
public final class BufferCache: @unchecked Sendable {
  private var free: [Int: [UInt64]] = [:]
  private let lock = NSLock()
  /// Bytes currently parked in the cache.
  public private(set) var parkedBytes = 0

  public init() {}

  /// A parked buffer of exactly `bytes`, or nil.
  public func take(_ bytes: Int) -> UInt64? {
    lock.lock()
    defer { lock.unlock() }
    guard let address = free[bytes]?.popLast() else { return nil }
    parkedBytes -= bytes
    return address
  }

  public func park(_ address: UInt64, bytes: Int) {
    lock.lock()
    defer { lock.unlock() }
    free[bytes, default: []].append(address)
    parkedBytes += bytes
  }

  /// Everything parked, emptied (to release it, or to retry an allocation after out-of-memory).
  public func drain() -> [UInt64] {
    lock.lock()
    defer { lock.unlock() }
    let all = free.values.flatMap { $0 }
    free = [:]
    parkedBytes = 0
    return all
  }
}
