import Foundation
import ZIPFoundation

/// A NumPy `.npz` file: named `.npy` arrays in one zip archive, as `np.savez` (members stored)
/// and `np.savez_compressed` (members deflated) write them; the member `key.npy` holds the
/// array `key`.
///
/// Reading trusts nothing in the archive: every member's declared size is checked against the
/// memory limit (`MemoryLimit`) before anything is inflated, inflation stops at the declared
/// size, the CRC-32 is verified, and each `.npy` header's shape is overflow-checked (`Size`)
/// before its data is decoded. A damaged or lying archive is one sentence naming the file.
public struct NPZArchive: Sendable, Equatable {
  /// The arrays in archive order.
  public private(set) var arrays: [(name: String, array: NPYArray)]

  public static func == (a: NPZArchive, b: NPZArchive) -> Bool {
    a.arrays.map(\.name) == b.arrays.map(\.name) && a.arrays.map(\.array) == b.arrays.map(\.array)
  }

  /// An archive of `arrays`, in this order; names must be unique.
  public init(_ arrays: [(name: String, array: NPYArray)] = []) {
    self.arrays = []
    for (name, array) in arrays { self[name] = array }
  }

  /// The keys in archive order.
  public var names: [String] { arrays.map(\.name) }

  /// The array called `name`; setting replaces it in place or appends it.
  public subscript(name: String) -> NPYArray? {
    get { arrays.first { $0.name == name }?.array }
    set {
      if let i = arrays.firstIndex(where: { $0.name == name }) {
        if let newValue { arrays[i].array = newValue } else { arrays.remove(at: i) }
      } else if let newValue {
        arrays.append((name, newValue))
      }
    }
  }

  // MARK: Reading

  /// Reads `path`; every error names it.
  public init(contentsOf path: String) throws {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    if let size = (attributes?[.size] as? NSNumber)?.intValue {
      try MemoryLimit.check(bytes: size, "reading \(path)")
    }
    try self.init(data: try readFile(path), name: path)
  }

  /// Parses the bytes of an `.npz` file; `name` is used in error messages.
  public init(data: Data, name: String = "the .npz file") throws {
    let archive: Archive
    do { archive = try Archive(data: data, accessMode: .read) } catch {
      throw ConvLabError("\(name) is not a zip archive (NumPy's .npz is one: write it with np.savez or np.savez_compressed).")
    }
    var arrays: [(name: String, array: NPYArray)] = []
    var total = 0
    for entry in archive {
      let member = entry.path
      guard entry.type == .file else { throw ConvLabError("\(name) has a member '\(member)' that is not a file; an .npz holds only .npy files.") }
      guard member.hasSuffix(".npy"), member.count > 4 else {
        throw ConvLabError("\(name) has a member '\(member)' that is not an .npy array; an .npz holds only KEY.npy files.")
      }
      let key = String(member.dropLast(4))
      guard !arrays.contains(where: { $0.name == key }) else { throw ConvLabError("\(name) holds the array '\(key)' twice.") }
      // Sizes come from the archive's headers: check them before inflating anything.
      guard entry.uncompressedSize <= UInt64(Int.max) else { throw ConvLabError("\(name): member '\(member)' declares an impossible size.") }
      let declared = Int(entry.uncompressedSize)
      total = try Size.sum([total, declared], "\(name)'s members")
      try MemoryLimit.check(bytes: total, "unpacking \(name)")
      var bytes = Data()
      // Reserve what a truthful member needs, but never more than 16 MiB ahead of the bytes
      // actually inflated: a declared size is a claim, not a fact.
      bytes.reserveCapacity(min(declared, 16 << 20))
      let checksum: CRC32
      do {
        checksum = try archive.extract(entry, skipCRC32: false) { chunk in
          // A member that inflates beyond its declared size is lying: stop at once.
          guard bytes.count + chunk.count <= declared else { throw ConvLabError("") }
          bytes.append(chunk)
        }
      } catch {
        throw ConvLabError("\(name) is damaged: member '\(member)' does not inflate to its declared \(declared) bytes.")
      }
      guard bytes.count == declared else {
        throw ConvLabError("\(name) is damaged: member '\(member)' holds \(bytes.count) bytes but declares \(declared).")
      }
      guard checksum == entry.checksum else { throw ConvLabError("\(name) is damaged: member '\(member)' fails its CRC-32 check.") }
      try Self.checkNPYShape(bytes, name: "\(name)['\(key)']")
      arrays.append((key, try NPYArray(data: bytes, name: "\(name)['\(key)']")))
    }
    self.arrays = arrays
  }

  /// Overflow-checks the shape in an `.npy` header (the decoder multiplies its entries).
  static func checkNPYShape(_ data: Data, name: String) throws {
    let head = String(decoding: data.prefix(min(data.count, 65_536 + 12)), as: UTF8.self)
    guard let key = head.range(of: "'shape'") ?? head.range(of: "\"shape\""),
      let open = head[key.upperBound...].firstIndex(of: "("),
      let close = head[open...].firstIndex(of: ")")
    else { return }  // the decoder words the missing shape
    let dims = head[head.index(after: open)..<close].split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) ?? 0 }
    let count = try Size.product(dims.map { max($0, 0) }, "\(name)'s shape")
    guard count * 1 <= data.count else {
      throw ConvLabError("\(name) is truncated: its shape \(dims) needs at least \(count) values but the member has \(data.count) bytes.")
    }
  }

  // MARK: Writing

  /// The archive's bytes: each array as `name.npy` (Fortran order), stored or deflated.
  public func encoded(compressed: Bool = false) throws -> Data {
    try ZipFile.encode(arrays.map { ZipFile.Entry($0.0 + ".npy", $0.1.encoded()) }, compressed: compressed)
  }

  /// Writes the archive atomically to `path` (as `np.savez`, or `np.savez_compressed` with
  /// `compressed`).
  public func write(to path: String, compressed: Bool = false) throws {
    try writeAtomically(try encoded(compressed: compressed), to: path)
  }
}
