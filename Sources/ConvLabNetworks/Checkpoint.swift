import ConvLabCore
import ConvLabData
import ConvLabNotation
import Foundation

/// A training checkpoint: everything needed to continue a run exactly where it stopped — the
/// network spec, the options, the epochs done with their records, and every parameter and
/// momentum buffer. The file is a first line `convlab-checkpoint-2 crc32=XXXXXXXX` (the CRC-32,
/// in hex, of everything after that line), one line of JSON (the header), then the tensors as
/// little-endian float64 in header order. It is written atomically, so an interrupted run leaves
/// the previous checkpoint intact, and `read` verifies the checksum, so a damaged file is refused
/// instead of resumed.
///
/// Checkpoints of format 1 (before the checksum) are refused with a message saying so: they
/// cannot be verified, and a run is cheap to restart compared with silently training on.
public struct Checkpoint: Codable, Sendable {
  public static let format = "convlab-checkpoint-2"
  /// The first line's prefix; the 8 hex digits of the CRC-32 and a newline follow it.
  static let checksumPrefix = Array("\(format) crc32=".utf8)

  public struct Entry: Codable, Sendable, Equatable {
    public var layer: Int
    /// w, b, vw (w's momentum) or vb.
    public var role: String
    public var shape: [Int]
  }

  public var format = Checkpoint.format
  public var spec: String
  public var input: [Int]
  public var classes: Int
  public var options: TrainingOptions
  public var epochsDone: Int
  public var records: [EpochRecord]
  /// The data the run trains on (folder, validation size, subset), so a resume can refuse other data.
  public var data: [String: String]
  public var entries: [Entry]
  /// The scalar the run computes in, `float32` or `float64` (`train --dtype`); nil in
  /// checkpoints written before Float64 training existed, which all trained in Float32. The
  /// tensors are stored as float64 either way, so a Float32 run loses nothing.
  public var dtype: String? = nil

  /// The run's dtype: `float32` or `float64`.
  public var precision: String { dtype ?? "float32" }

  /// `float32` or `float64`, the name `--dtype` takes.
  public static func dtype<S: Scalar>(_: S.Type) -> String { S.precisionName.lowercased() }

  /// Saves a trainer's state to `path`.
  public static func write<S: Scalar>(_ t: Trainer<S>, data: [String: String], to path: String) throws {
    var entries: [Entry] = []
    var payload: [Double] = []
    for (l, layer) in t.network.chain.layers.enumerated() {
      let tensors: [(String, Tensor<S>?)] = [("w", layer.parameters.w), ("b", layer.parameters.b), ("vw", t.velocity[l].w), ("vb", t.velocity[l].b)]
      for case (let role, let tensor?) in tensors {
        entries.append(Entry(layer: l, role: role, shape: tensor.shape.dims))
        payload += tensor.storage.map { Double($0) }
      }
    }
    let header = Checkpoint(
      spec: t.network.spec.description, input: t.network.inputShape.dims, classes: t.network.classes,
      options: t.options, epochsDone: t.epochsDone, records: t.records, data: data, entries: entries,
      dtype: dtype(S.self))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var body = try encoder.encode(header)
    body.append(0x0A)
    payload.withUnsafeBufferPointer { body.append(Data(buffer: $0)) }  // x86-64 and arm64 are little-endian
    try writeAtomically(sealed(body), to: path)
  }

  /// `body` behind its checksum line.
  static func sealed(_ body: Data) -> Data {
    var file = Data(checksumPrefix)
    file.append(contentsOf: Array(String(format: "%08x", CRC32.checksum(body)).utf8))
    file.append(0x0A)
    file.append(body)
    return file
  }

  /// The bytes after a verified checksum line, or a one-line error.
  static func verified(_ file: Data, path: String) throws -> Data {
    let bytes = [UInt8](file.prefix(checksumPrefix.count + 9))
    guard bytes.count == checksumPrefix.count + 9, Array(bytes.prefix(checksumPrefix.count)) == checksumPrefix, bytes.last == 0x0A else {
      if file.first == UInt8(ascii: "{"), file.prefix(4096).range(of: Data("convlab-checkpoint-1".utf8)) != nil {
        throw ConvLabError.worded(
          "\(path) is a checkpoint from an older ConvLab (format convlab-checkpoint-1, without a checksum); it cannot be verified, so it is not resumed: start the run again without \(setting: "resume")."
        )
      }
      throw ConvLabError("\(path) is not a ConvLab checkpoint (its first line is not '\(format) crc32=…').")
    }
    let hex = String(decoding: bytes[checksumPrefix.count..<(checksumPrefix.count + 8)], as: UTF8.self)
    guard let stored = UInt32(hex, radix: 16), hex.allSatisfy(\.isHexDigit) else {
      throw ConvLabError("\(path) is damaged: its checksum '\(hex)' is not 8 hex digits.")
    }
    let body = file.dropFirst(checksumPrefix.count + 9)
    let actual = CRC32.checksum(body)
    guard actual == stored else {
      throw ConvLabError(String(format: "%@ is damaged: its contents have CRC-32 %08x but the file records %08x; it was changed after it was saved, so it is not resumed.", path, actual, stored))
    }
    return body
  }

  /// Reads a checkpoint and rebuilds its trainer; `options` (when given) replaces the saved
  /// options, e.g. to train for more epochs.
  public static func read<S: Scalar>(_ path: String, as _: S.Type = S.self) throws -> (trainer: Trainer<S>, header: Checkpoint) {
    let file = try readFile(path, maxBytes: MemoryLimit.bytes)
    let contents = try verified(file, path: path)
    guard let newline = contents.firstIndex(of: 0x0A) else { throw ConvLabError("\(path) is not a ConvLab checkpoint (no header line).") }
    let header: Checkpoint
    do { header = try JSONDecoder().decode(Checkpoint.self, from: contents[contents.startIndex..<newline]) } catch {
      throw ConvLabError("\(path) is not a ConvLab checkpoint (its header is not valid JSON).")
    }
    guard header.format == format else { throw ConvLabError("\(path) has format '\(header.format.prefix(40))', expected '\(format)'.") }
    guard ["float32", "float64"].contains(header.precision) else {
      throw ConvLabError("\(path) is damaged: its dtype '\(header.precision.prefix(20))' is neither float32 nor float64.")
    }
    let body = contents[(newline + 1)...]
    // Every size in the header is checked before it is used: shapes have 4 non-negative
    // dimensions, and together they must describe exactly the bytes that follow.
    var sizes: [Int] = []
    for e in header.entries {
      guard (0..<LayerStack.maxLayers).contains(e.layer) else {
        throw ConvLabError("\(path) is damaged: an entry names layer \(e.layer), which no network has.")
      }
      guard e.shape.count == 4, e.shape.allSatisfy({ $0 >= 0 }) else {
        throw ConvLabError("\(path) is damaged: entry \(e.role.prefix(20)) of layer \(e.layer + 1) has shape \(e.shape.prefix(8)); 4 non-negative dimensions are expected.")
      }
      sizes.append(try Size.product(e.shape, "\(path): entry \(e.role.prefix(20)) of layer \(e.layer + 1)"))
    }
    let expected = try Size.product([try Size.sum(sizes, "\(path): its tensors"), 8], "\(path): its tensors")
    guard body.count == expected else { throw ConvLabError("\(path) is damaged: its tensors need \(expected) bytes, the file has \(body.count).") }
    var values = [Double](repeating: 0, count: expected / 8)
    _ = values.withUnsafeMutableBytes { body.copyBytes(to: $0) }
    let spec = try NetSpec(parsing: header.spec)
    guard header.input.count == 4 else { throw ConvLabError("\(path) is damaged: the input shape has \(header.input.count) dimensions.") }
    for (k, v) in header.input.prefix(3).enumerated() {
      try Size.within(v, 1...Size.maxExtent, "\(path): input dimension \(k + 1)")
    }
    try MemoryLimit.check(elements: Array(header.input.prefix(3)), bytesPerElement: MemoryLayout<S>.size, "\(path): one input image")
    try Size.within(header.classes, 1...Size.maxExtent, "\(path): the number of classes")
    try Size.within(header.epochsDone, 0...Int(Int32.max), "\(path): the epochs done")
    do { try header.options.validate() } catch let error as ConvLabError {
      throw ConvLabError("\(path) is damaged: its saved options are invalid (\(error.description))")
    }
    let network = try Network<S>(spec: spec, input: Shape(header.input[0], header.input[1], header.input[2]), classes: header.classes, seed: 0)
    var trainer = Trainer(network: network, options: header.options)
    var offset = 0
    for e in header.entries {
      guard e.layer >= 0, e.layer < network.chain.layers.count, e.shape.count == 4 else {
        throw ConvLabError("\(path) is damaged: entry \(e.role.prefix(20)) of layer \(e.layer + 1) does not fit the network.")
      }
      let shape = Shape(e.shape[0], e.shape[1], e.shape[2], e.shape[3])  // non-negative, checked above
      let t = Tensor<S>(shape: shape, storage: values[offset..<(offset + shape.count)].map { S($0) })
      offset += shape.count
      var p = trainer.network.chain.layers[e.layer].parameters
      let current: Tensor<S>?
      switch e.role {
      case "w":
        current = p.w
        p.w = t
      case "b":
        current = p.b
        p.b = t
      case "vw":
        current = trainer.velocity[e.layer].w
        trainer.velocity[e.layer].w = t
      case "vb":
        current = trainer.velocity[e.layer].b
        trainer.velocity[e.layer].b = t
      default: throw ConvLabError("\(path) is damaged: unknown tensor role '\(e.role.prefix(20))'.")
      }
      guard current?.shape == shape else {
        throw ConvLabError("\(path) is damaged: \(e.role.prefix(20)) of layer \(e.layer + 1) is \(shape), the network needs \(current.map { "\($0.shape)" } ?? "none").")
      }
      trainer.network.chain.layers[e.layer].parameters = p
    }
    trainer.epochsDone = header.epochsDone
    trainer.records = header.records
    return (trainer, header)
  }
}
