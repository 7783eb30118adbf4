import ConvLabCore
import ConvLabData
import Foundation
import Testing

/// Issue 17: IDX headers and gzip streams are sized before anything is inflated or allocated;
/// labels out of range are named as such.
@Suite("Bounded IDX and gzip")
struct BoundedDataTests {
  func temporary(_ name: String, _ data: Data) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-bidx-\(UUID().uuidString)-\(name)").path
    try data.write(to: URL(fileURLWithPath: path))
    return path
  }

  /// A valid IDX header for unsigned bytes of the given dimensions.
  func header(_ dims: [Int], type: UInt8 = 0x08) -> Data {
    Data([0, 0, type, UInt8(dims.count)] + dims.flatMap { d in [24, 16, 8, 0].map { UInt8((d >> $0) & 0xFF) } })
  }

  /// `data` gzip-compressed by the system's gzip (an independent compressor), read from a pipe.
  func gzip(_ data: Data, level: Int = 1) throws -> Data {
    let input = try temporary("plain", data)
    defer { try? FileManager.default.removeItem(atPath: input) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-\(level)", "-c", "-n", input]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return out
  }

  func oneLineError(_ body: () throws -> Void) -> String {
    let error = #expect(throws: ConvLabError.self) { try body() }
    let text = error?.description ?? ""
    #expect(!text.contains("\n"), "not one line: \(text)")
    return text
  }

  @Test("a gzip bomb whose header declares 10 images stops after inflating them, fast")
  func gzipBombStopsAtDeclaredSize() throws {
    // 10 images of 28×28 declared, then 256 MiB of zeros: about 1 MiB compressed.
    let bomb = try gzip(header([10, 28, 28]) + Data(count: 256 << 20))
    #expect(bomb.count < 2 << 20)
    let path = try temporary("bomb.idx.gz", bomb)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let start = Date()
    let message = oneLineError { _ = try IDXArray(path: path) }
    #expect(message.contains("inflates to more than the 7856 bytes its header declares"), "\(message)")
    // Inflating 7857 bytes takes microseconds, all 256 MiB at least 0.15 s (zlib inflates zeros at ≲ 2 GB/s); 0.05 s separates the two.
    #expect(Date().timeIntervalSince(start) < 0.05)
  }

  @Test("a gzip IDX whose header declares more than the memory limit is refused before the rest is inflated")
  func gzipDeclaredSizeAboveLimit() throws {
    // 65535 × 65535 × 65535 bytes ≈ 256 TiB declared; the stream itself holds 1 MiB of zeros.
    let path = try temporary("huge.idx.gz", try gzip(header([65535, 65535, 65535]) + Data(count: 1 << 20)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let message = oneLineError { _ = try IDXArray(path: path) }
    #expect(message.contains("65535×65535×65535 unsigned bytes") && message.contains("memory limit"), "\(message)")
  }

  @Test("IDX dimensions whose product overflows are refused, plain and gzipped")
  func idxOverflowingDimensions() throws {
    let dims = [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF]
    #expect(oneLineError { _ = try IDXArray(data: header(dims), name: "x.idx") }.contains("overflows a 64-bit count"))
    let path = try temporary("x.idx.gz", try gzip(header(dims)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(oneLineError { _ = try IDXArray(path: path) }.contains("overflows a 64-bit count"))
  }

  @Test("a valid gzip IDX reads exactly as the plain file")
  func gzipRoundTrip() throws {
    let plain = header([3, 2, 2]) + Data((0..<12).map { UInt8($0 * 17) })
    let path = try temporary("ok.idx.gz", try gzip(plain, level: 9))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let a = try IDXArray(path: path)
    let b = try IDXArray(data: plain, name: "plain")
    let (av, bv) = (try a.values(), try b.values())
    #expect(a.dimensions == [3, 2, 2] && av == bv && av == (0..<12).map { Double($0 * 17) })
  }

  @Test("a gzip IDX shorter than its header declares is truncated")
  func gzipShorterThanDeclared() throws {
    let path = try temporary("short.idx.gz", try gzip(header([4, 2, 2]) + Data(count: 10)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(oneLineError { _ = try IDXArray(path: path) }.contains("is truncated: 4×2×2 unsigned bytes need 32 bytes, the file has 26"))
  }

  @Test("a gzip stream that is not IDX fails on the magic number, after a few bytes")
  func gzipNotIDX() throws {
    let path = try temporary("text.gz", try gzip(Data(String(repeating: "hello ", count: 100_000).utf8)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(oneLineError { _ = try IDXArray(path: path) }.contains("is not an IDX file: magic number 68 65 6c 6c"))
  }

  @Test("label 200 among labels 0–9 is reported as the out-of-range value, with its item")
  func labelOutOfRange() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-labels-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // 30 training images with labels 0–9, item 17 relabelled 200; 10 test images.
    var train = (0..<30).map { UInt8($0 % 10) }
    train[16] = 200
    try (header([30, 2, 2]) + Data(count: 120)).write(to: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte"))
    try (header([30]) + Data(train)).write(to: URL(fileURLWithPath: folder + "/train-labels-idx1-ubyte"))
    try (header([10, 2, 2]) + Data(count: 40)).write(to: URL(fileURLWithPath: folder + "/t10k-images-idx3-ubyte"))
    try (header([10]) + Data((0..<10).map { UInt8($0) })).write(to: URL(fileURLWithPath: folder + "/t10k-labels-idx1-ubyte"))
    let message = oneLineError { _ = try DataSplits.load(directory: folder, validation: 5, seed: 1) }
    #expect(message == "\(folder)/train-labels-idx1-ubyte: label 200 (item 17) is out of range: the other labels are 0–9 and no item has a label between 10 and 199.", "\(message)")
  }

  @Test("a test label outside the training labels' range is named")
  func testLabelOutsideTraining() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-labels-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try (header([20, 2, 2]) + Data(count: 80)).write(to: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte"))
    try (header([20]) + Data((0..<20).map { UInt8($0 % 10) })).write(to: URL(fileURLWithPath: folder + "/train-labels-idx1-ubyte"))
    try (header([3, 2, 2]) + Data(count: 12)).write(to: URL(fileURLWithPath: folder + "/t10k-images-idx3-ubyte"))
    try (header([3]) + Data([1, 255, 2])).write(to: URL(fileURLWithPath: folder + "/t10k-labels-idx1-ubyte"))
    let message = oneLineError { _ = try DataSplits.load(directory: folder, validation: 5, seed: 1) }
    #expect(message.hasSuffix("t10k-labels-idx1-ubyte: label 255 (item 2) is out of range: the training labels (\(folder)/train-labels-idx1-ubyte) are 0–9."), "\(message)")
  }

  @Test("EMNIST-style labels 1…26 (no class 0) are accepted")
  func labelsStartingAtOne() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-labels-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try (header([52, 1, 1]) + Data(count: 52)).write(to: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte"))
    try (header([52]) + Data((0..<52).map { UInt8($0 % 26 + 1) })).write(to: URL(fileURLWithPath: folder + "/train-labels-idx1-ubyte"))
    try (header([2, 1, 1]) + Data(count: 2)).write(to: URL(fileURLWithPath: folder + "/t10k-images-idx3-ubyte"))
    try (header([2]) + Data([1, 26])).write(to: URL(fileURLWithPath: folder + "/t10k-labels-idx1-ubyte"))
    let splits = try DataSplits.load(directory: folder, validation: 2, seed: 1)
    #expect(splits.train.classes == 27)
  }
}
