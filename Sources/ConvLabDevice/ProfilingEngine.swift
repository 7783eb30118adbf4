import ConvLabCore
import Foundation

/// Where a device step spends its time (`convlab bench --device cuda --profile`): wraps an
/// engine, times every operation on its own between the device's timing events (CUDA events;
/// the wall clock on the CPU) and charges it to the kernel (or GEMM shape, copy, allocation).
/// Waiting after each operation removes the overlap of host and device, so the sum is the
/// device's busy time; the unprofiled run's time minus that sum is what launching costs.
public final class ProfilingEngine: ComputeEngine, @unchecked Sendable {
  public let inner: any ComputeEngine
  private var entries: [String: (count: Int, seconds: Double)] = [:]
  private let lock = NSLock()

  public init(_ inner: any ComputeEngine) { self.inner = inner }

  public var name: String { inner.name }

  /// Forgets what was recorded so far.
  public func reset() {
    lock.lock()
    entries = [:]
    lock.unlock()
  }

  /// Runs `body` between the device's own timing events (`elapsed`: CUDA events on the GPU),
  /// which waits for it, and records the time under `label`.
  private func timed<R>(_ label: String, _ body: () throws -> R) throws -> R {
    var result: R?
    let seconds = try inner.elapsed { result = try body() }
    lock.lock()
    let old = entries[label] ?? (0, 0)
    entries[label] = (old.count + 1, old.seconds + seconds)
    lock.unlock()
    return result!
  }

  public func allocate(_ bytes: Int) throws -> UInt64 { try timed("allocate") { try inner.allocate(bytes) } }
  public func free(_ address: UInt64, bytes: Int) { inner.free(address, bytes: bytes) }
  public func upload(_ source: UnsafeRawPointer, to address: UInt64, bytes: Int) throws {
    try timed("copy to device") { try inner.upload(source, to: address, bytes: bytes) }
  }
  public func download(_ address: UInt64, to target: UnsafeMutableRawPointer, bytes: Int) throws {
    try timed("copy from device") { try inner.download(address, to: target, bytes: bytes) }
  }
  public func zero(_ address: UInt64, bytes: Int) throws { try timed("memset") { try inner.zero(address, bytes: bytes) } }
  public func launch(_ name: String, total: Int, _ arguments: [KernelArgument]) throws {
    try timed(name) { try inner.launch(name, total: total, arguments) }
  }
  public func reduce(_ name: String, outputs: Int, _ arguments: [KernelArgument]) throws {
    try timed(name) { try inner.reduce(name, outputs: outputs, arguments) }
  }
  public func gemm(
    _ precision: Precision, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UInt64, lda: Int, b: UInt64, ldb: Int, beta: Double, c: UInt64, ldc: Int
  ) throws {
    let label = "\(precision == .f32 ? "s" : "d")gemm \(transA ? "T" : "N")\(transB ? "T" : "N") \(m)×\(n)×\(k)"
    try timed(label) {
      try inner.gemm(
        precision, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
        beta: beta, c: c, ldc: ldc)
    }
  }
  public func synchronize() throws { try inner.synchronize() }
  public func elapsed(_ body: () throws -> Void) throws -> Double { try inner.elapsed(body) }

  /// The table: one line per label, most expensive first, per run of the profiled work
  /// (`runs` times), with the share of `wall` (the unprofiled time of one run) when given.
  public func report(runs: Int = 1, wall: Double? = nil) -> [String] {
    lock.lock()
    let rows = entries.sorted { $0.value.seconds > $1.value.seconds }
    lock.unlock()
    let runs = Double(max(1, runs))
    let total = rows.reduce(0) { $0 + $1.value.seconds } / runs
    var out = ["  µs/run   calls/run  operation (device time, each timed on its own)"]
    for (label, e) in rows {
      out.append(String(format: "%8.1f  %9.1f  %@", e.seconds / runs * 1e6, Double(e.count) / runs, label))
    }
    out.append(String(format: "%8.1f  %9.1f  all operations", total * 1e6, Double(rows.reduce(0) { $0 + $1.value.count }) / runs))
    if let wall { out.append(String(format: "%8.1f             one run unprofiled (wall clock of the device's events)", wall * 1e6)) }
    return out
  }
}
