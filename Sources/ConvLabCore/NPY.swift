import Foundation

/// An n-dimensional array as stored in a NumPy `.npy` file, held in Fortran (column-major)
/// order whatever order the file used.
///
/// Format: NumPy's NEP 1 (`\x93NUMPY`, version, little-endian header length, a Python dict
/// literal with `descr`, `fortran_order` and `shape`, then the raw data).
public struct NPYArray: Equatable, Sendable {
  /// The array's shape as stored (1 to 4 dimensions, or more with trailing singletons).
  public var shape: [Int]
  /// Values in Fortran order (first index fastest), converted to Double.
  public var values: [Double]
  /// The file's dtype (`<f4`, `<f8`, `<i8`, …).
  public var descr: String

  public init(shape: [Int], values: [Double], descr: String = "<f8") {
    precondition(shape.reduce(1, *) == values.count, "values do not fill the shape")
    self.shape = shape
    self.values = values
    self.descr = descr
  }

  // MARK: Reading

  /// Parses `.npy` bytes; `name` is used in error messages.
  public init(data: Data, name: String = "the array") throws {
    let bytes = [UInt8](data)
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw ConvLabError("\(name) is not a NumPy .npy file (bad magic bytes; expected \\x93NUMPY).")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw ConvLabError("\(name) is truncated inside the .npy header.") }
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      headerStart = 12
    default:
      throw ConvLabError("\(name) uses .npy format version \(major); versions 1 to 3 are supported.")
    }
    guard bytes.count >= headerStart + headerLength else {
      throw ConvLabError("\(name) is truncated inside the .npy header.")
    }
    guard let header = String(bytes: bytes[headerStart..<headerStart + headerLength], encoding: .utf8) else {
      throw ConvLabError("\(name) has a .npy header that is not text.")
    }
    let descr = try Self.headerValue("descr", in: header, name: name)
    let fortranText = try Self.headerValue("fortran_order", in: header, name: name)
    let shapeText = try Self.headerValue("shape", in: header, name: name)
    let descrValue = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
    guard fortranText == "True" || fortranText == "False" else {
      throw ConvLabError("\(name) has fortran_order '\(fortranText.prefix(40))' in its .npy header; expected True or False.")
    }
    let fortran = fortranText == "True"
    let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
    let shapeParts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard shapeParts.count <= Self.maxRank else {
      throw ConvLabError("\(name) has \(shapeParts.count) dimensions in its .npy header; at most \(Self.maxRank) are supported.")
    }
    let shape = try shapeParts.map { part -> Int in
      guard let v = Int(part), v >= 0 else {
        throw ConvLabError("\(name) has a bad shape entry '\(part.prefix(40))' in its .npy header; each entry must be a non-negative integer.")
      }
      return v
    }
    let (width, decode) = try Self.decoder(for: descrValue, name: name)
    // The header's shape comes from outside: check its product, then the Double copy, before allocating.
    let count = try MemoryLimit.check(elements: shape, bytesPerElement: MemoryLayout<Double>.size, "\(name) (shape \(shape) in its .npy header)")
    let dataStart = headerStart + headerLength
    let needed = try Size.product([count, width], "\(name) (shape \(shape) in its .npy header)")
    guard bytes.count - dataStart >= needed else {
      throw ConvLabError("\(name) is truncated: its shape \(shape) needs \(needed) bytes of data but the file has \(bytes.count - dataStart).")
    }
    guard bytes.count - dataStart == needed else {
      throw ConvLabError("\(name) has \(bytes.count - dataStart - needed) bytes more than its shape \(shape) needs (\(needed)); the header and data disagree.")
    }
    var raw = [Double](repeating: 0, count: count)
    bytes.withUnsafeBufferPointer { buffer in
      for k in 0..<count { raw[k] = decode(buffer, dataStart + k * width) }
    }
    self.shape = shape
    self.descr = descrValue
    self.values = fortran || shape.count < 2 ? raw : Self.cToFortran(raw, shape: shape)
  }

  /// The most dimensions a `.npy` header may declare (NumPy's own limit is 64; ConvLab uses 4).
  public static let maxRank = 32

  /// Reads a `.npy` file, refusing files larger than `maxBytes` (default: the memory limit)
  /// before reading them.
  public init(contentsOf path: String, maxBytes: Int = MemoryLimit.bytes) throws {
    try self.init(data: try readFile(path, maxBytes: maxBytes), name: path)
  }

  private static func headerValue(_ key: String, in header: String, name: String) throws -> String {
    guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else {
      throw ConvLabError("\(name) has no '\(key)' in its .npy header.")
    }
    var rest = header[keyRange.upperBound...].drop(while: { $0 == " " || $0 == ":" })
    if rest.first == "(" {
      guard let close = rest.firstIndex(of: ")") else { throw ConvLabError("\(name) has an unterminated shape in its .npy header.") }
      return String(rest[...close])
    }
    if rest.first == "'" || rest.first == "\"" {
      let quote = rest.removeFirst()
      guard let close = rest.firstIndex(of: quote) else { throw ConvLabError("\(name) has an unterminated string in its .npy header.") }
      return String(rest[..<close])
    }
    return String(rest.prefix(while: { $0 != "," && $0 != "}" })).trimmingCharacters(in: .whitespaces)
  }

  private typealias Decode = (UnsafeBufferPointer<UInt8>, Int) -> Double

  private static func decoder(for descr: String, name: String) throws -> (Int, Decode) {
    func le<T: FixedWidthInteger>(_: T.Type, _ buffer: UnsafeBufferPointer<UInt8>, _ offset: Int) -> T {
      var value: T = 0
      withUnsafeMutableBytes(of: &value) { dst in
        for b in 0..<MemoryLayout<T>.size { dst[b] = buffer[offset + b] }
      }
      return T(littleEndian: value)
    }
    switch descr {
    case "<f8": return (8, { Double(bitPattern: le(UInt64.self, $0, $1)) })
    case "<f4": return (4, { Double(Float(bitPattern: le(UInt32.self, $0, $1))) })
    case "<i8": return (8, { Double(le(Int64.self, $0, $1)) })
    case "<i4": return (4, { Double(le(Int32.self, $0, $1)) })
    case "<i2": return (2, { Double(le(Int16.self, $0, $1)) })
    case "|i1", "<i1": return (1, { Double(Int8(bitPattern: $0[$1])) })
    case "<u8": return (8, { Double(le(UInt64.self, $0, $1)) })
    case "<u4": return (4, { Double(le(UInt32.self, $0, $1)) })
    case "<u2": return (2, { Double(le(UInt16.self, $0, $1)) })
    case "|u1", "<u1": return (1, { Double($0[$1]) })
    case "|b1": return (1, { $0[$1] != 0 ? 1 : 0 })
    default:
      throw ConvLabError("\(name) has dtype '\(descr.prefix(40))', which is not supported; use float32 (<f4), float64 (<f8) or a little-endian integer type.")
    }
  }

  /// Reorders C-order (last index fastest) values into Fortran order (first index fastest).
  private static func cToFortran(_ c: [Double], shape: [Int]) -> [Double] {
    let rank = shape.count
    var out = [Double](repeating: 0, count: c.count)
    var index = [Int](repeating: 0, count: rank)
    var fStrides = [Int](repeating: 1, count: rank)
    for k in 1..<rank { fStrides[k] = fStrides[k - 1] * shape[k - 1] }
    // Walk the C order (last index fastest) and place each value at its Fortran position.
    for value in c {
      var f = 0
      for k in 0..<rank { f += index[k] * fStrides[k] }
      out[f] = value
      var k = rank - 1
      while k >= 0 {
        index[k] += 1
        if index[k] < shape[k] { break }
        index[k] = 0
        k -= 1
      }
    }
    return out
  }

  // MARK: Writing

  /// The `.npy` bytes (version 1.0, Fortran order, dtype `descr`: `<f4` or `<f8`).
  public func encoded() -> Data {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr == "<f4" ? "<f4" : "<f8")', 'fortran_order': True, 'shape': \(shapeText), }"
    // Pad with spaces so that magic + version + length + header + newline is a multiple of 64.
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    let length = UInt16(header.utf8.count)
    data.append(UInt8(length & 0xFF))
    data.append(UInt8(length >> 8))
    data.append(contentsOf: Array(header.utf8))
    if descr == "<f4" {
      for v in values { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    } else {
      for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    }
    return data
  }

  /// Writes the array atomically to `path`.
  public func write(to path: String) throws {
    try writeAtomically(encoded(), to: path)
  }
}

// MARK: Tensors and matrices

extension NPYArray {
  /// The array as an H×W×D×N tensor; 1–3 dimensional arrays get trailing singletons, and
  /// dimensions beyond the fourth must be 1.
  public func tensor<S: Scalar>(_: S.Type = S.self, name: String = "the array") throws -> Tensor<S> {
    guard !shape.isEmpty else {
      return Tensor(shape: Shape(1, 1), storage: values.map { S($0) })
    }
    guard shape.count <= 4 || shape[4...].allSatisfy({ $0 == 1 }) else {
      throw ConvLabError("\(name) has shape \(shape); MatConvNet arrays have at most 4 dimensions (H, W, D, N).")
    }
    let dims = Array(shape.prefix(4)) + Array(repeating: 1, count: max(0, 4 - shape.count))
    return Tensor(shape: Shape(dims[0], dims[1], dims[2], dims[3]), storage: values.map { S($0) })
  }

  /// The array as a matrix: 2-D arrays as they are, 1-D arrays as a column.
  public func matrix<S: Scalar>(_: S.Type = S.self, name: String = "the array") throws -> Matrix<S> {
    switch shape.count {
    case 1: return Matrix(rows: shape[0], cols: 1, storage: values.map { S($0) })
    case 2: return Matrix(rows: shape[0], cols: shape[1], storage: values.map { S($0) })
    default: throw ConvLabError("\(name) has shape \(shape); a matrix (2 dimensions) was expected.")
    }
  }

  /// A tensor saved with its full (H, W, D, N) shape, in its own precision.
  public init<S: Scalar>(_ tensor: Tensor<S>) {
    self.init(shape: tensor.shape.dims, values: tensor.storage.map { Double($0) }, descr: S.npyDescr)
  }

  /// A matrix saved as a 2-D array.
  public init<S: Scalar>(_ matrix: Matrix<S>) {
    self.init(shape: [matrix.rows, matrix.cols], values: matrix.storage.map { Double($0) }, descr: S.npyDescr)
  }
}

/// Reads a tensor from a `.npy` file.
public func readTensor<S: Scalar>(_ path: String, as _: S.Type = S.self) throws -> Tensor<S> {
  try NPYArray(contentsOf: path).tensor(S.self, name: path)
}
