import ConvLabCore
import ConvLabData
import ConvLabNetworks
import Foundation
import Testing

/// Issue 17: checkpoints carry a CRC-32 that `--resume` verifies; every size in them is checked.
@Suite("Checkpoint integrity")
struct CheckpointTests {
  func path() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("convlab-ckpt-\(UUID().uuidString)").path
  }

  /// A small saved run: conv 3x3x2; relu; dense 3 on 5×5 images.
  func saved(_ path: String) throws {
    let network = try Network<Float>(spec: try NetSpec(parsing: "conv 3x3x2; relu; dense 3"), input: Shape(5, 5), classes: 3, seed: 4)
    try Checkpoint.write(Trainer(network: network, options: TrainingOptions()), data: ["folder": "f"], to: path)
  }

  func oneLineError(_ body: () throws -> Void) -> String {
    let error = #expect(throws: ConvLabError.self) { try body() }
    let text = error?.description ?? ""
    #expect(!text.contains("\n"), "not one line: \(text)")
    return text
  }

  @Test("the first line records the CRC-32 of the rest, as zlib's reference crc32 computes it")
  func firstLineIsTheChecksum() throws {
    let p = path()
    defer { try? FileManager.default.removeItem(atPath: p) }
    try saved(p)
    let file = try readFile(p)
    let newline = try #require(file.firstIndex(of: 0x0A))
    let first = String(decoding: file[..<newline], as: UTF8.self)
    #expect(first.hasPrefix("convlab-checkpoint-2 crc32="))
    // CRC-32 check value: crc32("123456789") = cbf43926 (ITU-T V.42 / ISO 3309 test vector).
    #expect(CRC32.checksum(Data("123456789".utf8)) == 0xCBF4_3926)
    #expect(first == "convlab-checkpoint-2 crc32=" + String(format: "%08x", CRC32.checksum(file[(newline + 1)...])))
    let (trainer, header) = try Checkpoint.read(p, as: Float.self)
    #expect(header.classes == 3 && trainer.network.chain.layers.count == 3)
  }

  @Test("any single flipped bit, in the header or in the tensors, is refused in one line", arguments: [0, 1, 7, 40, 200, -1, -9, -300])
  func bitFlipRefused(offsetFromEnds: Int) throws {
    let p = path()
    defer { try? FileManager.default.removeItem(atPath: p) }
    try saved(p)
    var bytes = [UInt8](try readFile(p))
    let firstLine = try #require(bytes.firstIndex(of: 0x0A)) + 1
    // Offsets ≥ 0 count into the JSON header after the checksum line, negative ones back from the end (the tensors).
    let index = offsetFromEnds >= 0 ? firstLine + offsetFromEnds : bytes.count + offsetFromEnds
    bytes[index] ^= 0x04
    try Data(bytes).write(to: URL(fileURLWithPath: p))
    let message = oneLineError { _ = try Checkpoint.read(p, as: Float.self) }
    #expect(message.contains("is damaged: its contents have CRC-32") && message.contains("it was changed after it was saved, so it is not resumed"), "\(message)")
  }

  @Test("a flipped bit in the checksum itself is refused too")
  func checksumDigitFlipped() throws {
    let p = path()
    defer { try? FileManager.default.removeItem(atPath: p) }
    try saved(p)
    var bytes = [UInt8](try readFile(p))
    bytes[27] = bytes[27] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
    try Data(bytes).write(to: URL(fileURLWithPath: p))
    #expect(oneLineError { _ = try Checkpoint.read(p, as: Float.self) }.contains("is damaged"))
  }

  @Test("an old checkpoint without a checksum is refused with a message saying why")
  func formatOneRefused() throws {
    let p = path()
    defer { try? FileManager.default.removeItem(atPath: p) }
    try saved(p)
    let file = try readFile(p)
    // Format 1 was the JSON line and the tensors, without the checksum line.
    let body = file[(try #require(file.firstIndex(of: 0x0A)) + 1)...]
    let old = Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "convlab-checkpoint-2", with: "convlab-checkpoint-1").utf8)
    try old.write(to: URL(fileURLWithPath: p))
    // The advice names the resume setting as a value; the CLI words it as --resume.
    #expect(
      oneLineError { _ = try Checkpoint.read(p, as: Float.self) }
        == "\(p) is a checkpoint from an older ConvLab (format convlab-checkpoint-1, without a checksum); it cannot be verified, so it is not resumed: start the run again without resume.")
    let error = #expect(throws: ConvLabError.self) { _ = try Checkpoint.read(p, as: Float.self) }
    guard case .worded(let sentence)? = error else {
      Issue.record("not a worded error: \(String(describing: error))")
      return
    }
    #expect(sentence.parts.last == .text(".") && sentence.parts.dropLast().last == .setting("resume"))
  }

  @Test(
    "headers with valid checksums but impossible sizes are refused before allocating",
    arguments: [
      (#""shape":[3,3,1,2]"#, #""shape":[9223372036854775807,3,1,2]"#, "overflows a 64-bit count"),
      (#""shape":[3,3,1,2]"#, #""shape":[-3,3,1,2]"#, "4 non-negative dimensions are expected"),
      (#""layer":0"#, #""layer":9223372036854775807"#, "an entry names layer 9223372036854775807"),
      (#""input":[5,5,1,1]"#, #""input":[9223372036854775807,5,1,1]"#, "input dimension 1 is 9223372036854775807"),
      (#""classes":3"#, #""classes":-1"#, "the number of classes is -1"),
    ])
  func impossibleSizesRefused(original: String, replacement: String, expected: String) throws {
    let p = path()
    defer { try? FileManager.default.removeItem(atPath: p) }
    try saved(p)
    let file = try readFile(p)
    let newline = try #require(file.firstIndex(of: 0x0A))
    let body = String(decoding: file[(newline + 1)...], as: UTF8.self)
    #expect(body.contains(original))
    // Re-seal with a correct checksum: the damage is in the content, not in transit.
    let tensors = file[(newline + 1)...].drop(while: { $0 != 0x0A })
    let header = String(decoding: file[(newline + 1)...].prefix(while: { $0 != 0x0A }), as: UTF8.self)
    let changed = Data(header.replacingOccurrences(of: original, with: replacement).utf8) + tensors
    try (Data("convlab-checkpoint-2 crc32=\(String(format: "%08x", CRC32.checksum(changed)))\n".utf8) + changed).write(to: URL(fileURLWithPath: p))
    let message = oneLineError { _ = try Checkpoint.read(p, as: Float.self) }
    #expect(message.contains(expected), "\(message)")
  }
}
