import ConvLabCore
import Foundation

/// A training checkpoint: everything needed to continue a run exactly where it stopped — the
/// network spec, the options, the epochs done with their records, and every parameter and
/// momentum buffer. The file is one line of JSON (the header), a newline, then the tensors as
/// little-endian float64 in header order; it is written atomically, so an interrupted run
/// leaves the previous checkpoint intact.
public struct Checkpoint: Codable, Sendable {
  public static let format = "convlab-checkpoint-1"

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

  /// Saves a trainer's state to `path`.
  public static func write<S: Scalar>(_ t: Trainer<S>, data: [String: String], to path: String) throws {
    var entries: [Entry] = [], payload: [Double] = []
    for (l, layer) in t.network.chain.layers.enumerated() {
      let tensors: [(String, Tensor<S>?)] = [("w", layer.parameters.w), ("b", layer.parameters.b), ("vw", t.velocity[l].w), ("vb", t.velocity[l].b)]
      for case let (role, tensor?) in tensors {
        entries.append(Entry(layer: l, role: role, shape: tensor.shape.dims))
        payload += tensor.storage.map { Double($0) }
      }
    }
    let header = Checkpoint(spec: t.network.spec.description, input: t.network.inputShape.dims, classes: t.network.classes,
                            options: t.options, epochsDone: t.epochsDone, records: t.records, data: data, entries: entries)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var file = try encoder.encode(header)
    file.append(0x0A)
    payload.withUnsafeBufferPointer { file.append(Data(buffer: $0)) }  // x86-64 and arm64 are little-endian
    try writeAtomically(file, to: path)
  }

  /// Reads a checkpoint and rebuilds its trainer; `options` (when given) replaces the saved
  /// options, e.g. to train for more epochs.
  public static func read<S: Scalar>(_ path: String, as _: S.Type = S.self) throws -> (trainer: Trainer<S>, header: Checkpoint) {
    let file = try readFile(path)
    guard let newline = file.firstIndex(of: 0x0A) else { throw ConvLabError("\(path) is not a ConvLab checkpoint (no header line).") }
    let header: Checkpoint
    do { header = try JSONDecoder().decode(Checkpoint.self, from: file[file.startIndex..<newline]) } catch {
      throw ConvLabError("\(path) is not a ConvLab checkpoint (its header is not valid JSON).")
    }
    guard header.format == format else { throw ConvLabError("\(path) has format '\(header.format)', expected '\(format)'.") }
    let body = file[(newline + 1)...]
    let expected = header.entries.reduce(0) { $0 + $1.shape.reduce(1, *) } * 8
    guard body.count == expected else { throw ConvLabError("\(path) is damaged: its tensors need \(expected) bytes, the file has \(body.count).") }
    let values: [Double] = body.withUnsafeBytes { raw in Array(raw.bindMemory(to: Double.self)) }
    let spec = try NetSpec(parsing: header.spec)
    guard header.input.count == 4 else { throw ConvLabError("\(path) is damaged: the input shape has \(header.input.count) dimensions.") }
    let network = try Network<S>(spec: spec, input: Shape(header.input[0], header.input[1], header.input[2]), classes: header.classes, seed: 0)
    var trainer = Trainer(network: network, options: header.options)
    var offset = 0
    for e in header.entries {
      guard e.layer >= 0, e.layer < network.chain.layers.count, e.shape.count == 4 else { throw ConvLabError("\(path) is damaged: entry \(e.role) of layer \(e.layer + 1) does not fit the network.") }
      let shape = Shape(e.shape[0], e.shape[1], e.shape[2], e.shape[3])
      let t = Tensor<S>(shape: shape, storage: values[offset..<(offset + shape.count)].map { S($0) })
      offset += shape.count
      var p = trainer.network.chain.layers[e.layer].parameters
      let current: Tensor<S>?
      switch e.role {
      case "w": current = p.w; p.w = t
      case "b": current = p.b; p.b = t
      case "vw": current = trainer.velocity[e.layer].w; trainer.velocity[e.layer].w = t
      case "vb": current = trainer.velocity[e.layer].b; trainer.velocity[e.layer].b = t
      default: throw ConvLabError("\(path) is damaged: unknown tensor role '\(e.role)'.")
      }
      guard current?.shape == shape else { throw ConvLabError("\(path) is damaged: \(e.role) of layer \(e.layer + 1) is \(shape), the network needs \(current.map { "\($0.shape)" } ?? "none").") }
      trainer.network.chain.layers[e.layer].parameters = p
    }
    trainer.epochsDone = header.epochsDone
    trainer.records = header.records
    return (trainer, header)
  }
}
