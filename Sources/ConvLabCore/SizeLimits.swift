import Foundation
import Synchronization

/// Sizes and counts that come from outside the program — options, net specs, geometry strings,
/// `.npy`/IDX headers, `exercise.json`, checkpoints, a student program's output — pass through
/// here before anything is allocated: the arithmetic is overflow-checked and the memory the
/// caller is about to allocate is compared with one limit.
///
/// Every function throws a `ConvLabError` naming what was being sized; none traps.
public enum Size {
  /// a·b·…, or an error naming `what` when the product does not fit in an `Int`.
  ///
  /// Negative factors are errors too: a size from outside is never negative.
  public static func product(_ factors: [Int], _ what: @autoclosure () -> String) throws -> Int {
    var result = 1
    for f in factors {
      guard f >= 0 else { throw ConvLabError("\(what()) has a negative size (\(f)).") }
      let (p, overflow) = result.multipliedReportingOverflow(by: f)
      guard !overflow else {
        throw ConvLabError("\(what()) is too large: \(factors.map(String.init).joined(separator: "×")) overflows a 64-bit count.")
      }
      result = p
    }
    return result
  }

  /// a + b + …, or an error naming `what` on overflow.
  public static func sum(_ terms: [Int], _ what: @autoclosure () -> String) throws -> Int {
    var result = 0
    for t in terms {
      let (s, overflow) = result.addingReportingOverflow(t)
      guard !overflow else {
        throw ConvLabError("\(what()) is too large: \(terms.map(String.init).joined(separator: " + ")) overflows a 64-bit count.")
      }
      result = s
    }
    return result
  }

  /// Checks that an integer option lies in `range`; the error names the option and the range.
  @discardableResult
  public static func within(_ value: Int, _ range: ClosedRange<Int>, _ what: @autoclosure () -> String) throws -> Int {
    guard range.contains(value) else {
      throw ConvLabError("\(what()) is \(value); it must be between \(range.lowerBound) and \(range.upperBound).")
    }
    return value
  }

  /// The largest single spatial size, padding, stride or dilation ConvLab accepts from outside
  /// (2²⁰): far beyond any image it can process, small enough that sums and products of a few
  /// such numbers never overflow before `MemoryLimit` judges them.
  public static let maxExtent = 1 << 20
}

/// The one memory limit for allocations whose size comes from outside.
///
/// Default: half of physical memory. `--max-memory` (CLI) or `CONVLAB_MAX_MEMORY` (bytes, or
/// with a K/M/G/T suffix) change it.
public enum MemoryLimit {
  private static let override = Mutex<Int?>(nil)

  /// Half of physical memory, at least 256 MiB.
  public static var defaultBytes: Int {
    max(256 << 20, Int(clamping: ProcessInfo.processInfo.physicalMemory / 2))
  }

  /// The limit in force: an explicit setting, else `CONVLAB_MAX_MEMORY`, else `defaultBytes`.
  public static var bytes: Int {
    if let v = override.withLock({ $0 }) { return v }
    if let text = ProcessInfo.processInfo.environment["CONVLAB_MAX_MEMORY"], let v = try? parse(text) { return v }
    return defaultBytes
  }

  /// Sets the limit for this process (the CLI's `--max-memory`).
  public static func set(_ bytes: Int) {
    override.withLock { $0 = bytes }
  }

  /// Parses `512M`, `2G`, `1.5GiB`, `1073741824`.
  public static func parse(_ text: String) throws -> Int {
    let t = text.trimmingCharacters(in: .whitespaces).uppercased()
    var digits = t
    var scale = 1.0
    let suffixes: [(String, Int)] = [
      ("TIB", 1 << 40), ("GIB", 1 << 30), ("MIB", 1 << 20), ("KIB", 1 << 10), ("TB", 1 << 40), ("GB", 1 << 30),
      ("MB", 1 << 20), ("KB", 1 << 10), ("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1),
    ]
    if let (suffix, s) = suffixes.first(where: { t.hasSuffix($0.0) }) {
      digits = String(t.dropLast(suffix.count))
      scale = Double(s)
    }
    guard let v = Double(digits.trimmingCharacters(in: .whitespaces)), v.isFinite, v > 0, v * scale < 9e18 else {
      throw ConvLabError("'\(text)' is not a memory size; write e.g. 512M, 4G or 1073741824 (bytes).")
    }
    return Int(v * scale)
  }

  /// Refuses an allocation of `bytes` (already overflow-checked) above the limit, naming `what`.
  public static func check(bytes: Int, _ what: @autoclosure () -> String) throws {
    let limit = self.bytes
    guard bytes <= limit else {
      throw ConvLabError.memoryLimit(what: what(), bytes: bytes, limit: limit)
    }
  }

  /// Overflow-checked `count × bytesPerElement`, then `check(bytes:)`; returns `count`.
  @discardableResult
  public static func check(elements factors: [Int], bytesPerElement: Int, _ what: @autoclosure () -> String) throws -> Int {
    let name = what()
    let count = try Size.product(factors, name)
    let bytes = try Size.product([count, bytesPerElement], name)
    try check(bytes: bytes, name)
    return count
  }

  /// `1.5 GiB`, `12.0 MiB`, `640 KiB`, `12 B`.
  public static func format(_ b: Double) -> String {
    if b >= Double(1 << 40) { return String(format: "%.1f TiB", b / Double(1 << 40)) }
    if b >= Double(1 << 30) { return String(format: "%.1f GiB", b / Double(1 << 30)) }
    if b >= Double(1 << 20) { return String(format: "%.1f MiB", b / Double(1 << 20)) }
    if b >= 1024 { return String(format: "%.0f KiB", b / 1024) }
    return String(format: "%.0f B", b)
  }
}
