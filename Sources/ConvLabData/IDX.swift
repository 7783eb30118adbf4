import ConvLabCore
import Foundation

/// An IDX file (the format of MNIST, EMNIST and Fashion-MNIST): a 4-byte magic number
/// 00 00 TT DD (TT the element type, DD the number of dimensions), DD big-endian 32-bit sizes,
/// then the elements in row-major order. Files may be gzip-compressed.
public struct IDXArray: Sendable {
  /// Sizes, slowest first (for images: count, rows, columns).
  public let dimensions: [Int]
  /// The element type byte (08 unsigned byte … 0e double).
  public let elementType: UInt8
  /// The elements' bytes as stored (big-endian), in row-major order.
  private let payload: ArraySlice<UInt8>

  /// The element types IDX defines: type byte, size in bytes, name.
  static let types: [UInt8: (size: Int, name: String)] = [
    0x08: (1, "unsigned byte"), 0x09: (1, "signed byte"), 0x0B: (2, "short"),
    0x0C: (4, "int"), 0x0D: (4, "float"), 0x0E: (8, "double"),
  ]

  /// The largest number of dimensions an IDX header may declare (its rank byte allows 255).
  static let maxRank = 16

  /// Reads and validates `path` (plain or .gz). The file is refused above the memory limit
  /// before it is read; a gzip file is inflated only up to the size its IDX header declares,
  /// and that size is checked against the memory limit before the rest is inflated.
  public init(path: String) throws {
    let raw = try readFile(path, maxBytes: MemoryLimit.bytes)
    if Gzip.isCompressed(raw) {
      let bytes = try Gzip.decompress(raw, name: path) { prefix in try Self.header(prefix, name: path)?.fileBytes }
      try self.init(bytes: bytes, name: path)
    } else {
      try self.init(data: raw, name: path)
    }
  }

  /// Parses IDX bytes; `name` appears in error messages.
  public init(data: Data, name: String) throws {
    try self.init(bytes: [UInt8](data), name: name)
  }

  /// The header at the start of `bytes`: element type, dimensions, header length and the whole
  /// file's size, every size overflow-checked and the elements checked against the memory
  /// limit; nil while `bytes` is too short to hold the header.
  static func header(_ bytes: [UInt8], name: String) throws -> (type: UInt8, dimensions: [Int], headerBytes: Int, fileBytes: Int)? {
    guard bytes.count >= 4 else { return nil }
    guard bytes[0] == 0, bytes[1] == 0, let type = Self.types[bytes[2]] else {
      throw ConvLabError(String(format: "%@ is not an IDX file: magic number %02x %02x %02x %02x (expected 00 00 then a type 08–0e).", name, bytes[0], bytes[1], bytes[2], bytes[3]))
    }
    let rank = Int(bytes[3])
    guard rank >= 1 else { throw ConvLabError("\(name) declares 0 dimensions; an IDX file has 1 to \(maxRank).") }
    guard rank <= maxRank else { throw ConvLabError("\(name) declares \(rank) dimensions; an IDX file here has 1 to \(maxRank).") }
    let headerBytes = 4 + 4 * rank
    guard bytes.count >= headerBytes else { return nil }
    var dims: [Int] = []
    for r in 0..<rank {
      let o = 4 + 4 * r
      dims.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
    }
    let what = "\(name) (\(dims.map(String.init).joined(separator: "×")) \(type.name)s)"
    let count = try MemoryLimit.check(elements: dims, bytesPerElement: type.size, what)
    let fileBytes = try Size.sum([headerBytes, try Size.product([count, type.size], what)], what)
    return (bytes[2], dims, headerBytes, fileBytes)
  }

  init(bytes: [UInt8], name: String) throws {
    guard let header = try Self.header(bytes, name: name) else {
      guard bytes.count >= 4 else { throw ConvLabError("\(name) is too short to be an IDX file (\(bytes.count) bytes).") }
      throw ConvLabError("\(name) is truncated inside its header (\(bytes.count) of \(4 + 4 * Int(bytes[3])) bytes).")
    }
    let dims = header.dimensions
    let expected = header.fileBytes
    guard bytes.count >= expected else {
      throw ConvLabError("\(name) is truncated: \(dims.map(String.init).joined(separator: "×")) \(Self.types[header.type]?.name ?? "")s need \(expected) bytes, the file has \(bytes.count).")
    }
    guard bytes.count == expected else {
      throw ConvLabError("\(name) has \(bytes.count - expected) bytes after its \(dims.map(String.init).joined(separator: "×")) elements; the file is damaged or not IDX.")
    }
    dimensions = dims
    elementType = header.type
    payload = bytes[header.headerBytes...]
  }

  /// The unsigned-byte elements (images and labels of the MNIST family) without conversion.
  public func unsignedBytes(name: String) throws -> ArraySlice<UInt8> {
    guard elementType == 0x08 else {
      throw ConvLabError("\(name) holds \(Self.types[elementType]?.name ?? "unknown")s; images and labels must be unsigned bytes.")
    }
    return payload
  }

  /// The elements as Double, in the file's row-major order. Doubles take up to 8× the file's
  /// bytes, so the expansion is checked against the memory limit first.
  public func values() throws -> [Double] {
    let count = try MemoryLimit.check(elements: dimensions, bytesPerElement: MemoryLayout<Double>.size, "the \(dimensions.map(String.init).joined(separator: "×")) IDX elements as Double")
    let b = payload
    let start = payload.startIndex
    func word(_ i: Int, _ n: Int) -> UInt64 { (0..<n).reduce(UInt64(0)) { $0 << 8 | UInt64(b[start + i * n + $1]) } }
    switch elementType {
    case 0x08: return (0..<count).map { Double(b[start + $0]) }
    case 0x09: return (0..<count).map { Double(Int8(bitPattern: b[start + $0])) }
    case 0x0B: return (0..<count).map { Double(Int16(bitPattern: UInt16(word($0, 2)))) }
    case 0x0C: return (0..<count).map { Double(Int32(bitPattern: UInt32(word($0, 4)))) }
    case 0x0D: return (0..<count).map { Double(Float(bitPattern: UInt32(word($0, 4)))) }
    default: return (0..<count).map { Double(bitPattern: word($0, 8)) }
    }
  }
}
