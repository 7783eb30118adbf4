import ConvLabCore
import ConvLabData
import Foundation
import Testing

/// The IDX reader on the real Fashion-MNIST files (installed by `make setup`) and on damaged ones.
@Suite("IDX data")
struct DataTests {
  static let folder = DataSplits.defaultDirectory

  func temporary(_ name: String, _ bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-idx-\(UUID().uuidString)-\(name)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// A valid IDX header for unsigned bytes of the given dimensions.
  func header(_ dims: [Int]) -> [UInt8] {
    [0, 0, 0x08, UInt8(dims.count)] + dims.flatMap { d in [24, 16, 8, 0].map { UInt8((d >> $0) & 0xFF) } }
  }

  @Test("the real Fashion-MNIST files: 60000 + 10000 images of 28×28, labels 0–9, pixels in [0, 1]")
  func realFiles() throws {
    let f = try DataSplits.files(in: Self.folder)
    let test = try Dataset(imagesPath: f.testImages, labelsPath: f.testLabels)
    #expect(test.count == 10000)
    #expect(test.imageShape == Shape(28, 28))
    #expect(test.classes == 10)
    #expect(Set(test.labels) == Set(0..<10))
    #expect(test.images.storage.allSatisfy { $0 >= 0 && $0 <= 1 })
    // Each class has exactly 1000 test images in Fashion-MNIST.
    #expect(Dictionary(grouping: test.labels, by: { $0 }).values.allSatisfy { $0.count == 1000 })
    // Row-major IDX → column-major tensor: the gzip file's first image, row 0, is all background
    // for Fashion-MNIST's first test image (an ankle boot), and its centre is not.
    #expect((0..<28).allSatisfy { test.images[0, $0, 0, 0] == 0 })
    #expect(test.images[14, 14, 0, 0] > 0)
  }

  @Test("splits: validation held out of training, seeded, disjoint; standardized with training statistics")
  func splits() throws {
    let s = try DataSplits.load(directory: Self.folder, validation: 500, subset: 2000, testSubset: 300, seed: 7)
    #expect(s.train.count == 2000 && s.validation.count == 500 && s.test.count == 300)
    let mean = s.train.images.storage.reduce(0.0) { $0 + Double($1) } / Double(s.train.images.count)
    #expect(abs(mean) < 1e-4)
    let again = try DataSplits.load(directory: Self.folder, validation: 500, subset: 2000, testSubset: 300, seed: 7)
    #expect(again.validation.labels == s.validation.labels && again.validation.images == s.validation.images)
    let other = try DataSplits.load(directory: Self.folder, validation: 500, subset: 2000, testSubset: 300, seed: 8)
    #expect(other.validation.images != s.validation.images)
  }

  @Test("plain and gzip files give the same array")
  func plainAndGzip() throws {
    let bytes = header([2, 3]) + [1, 2, 3, 4, 5, 6]
    let plain = try temporary("plain", bytes)
    let gz = plain + ".gz"
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "gzip -c '\(plain)' > '\(gz)'"]
    try p.run()
    p.waitUntilExit()
    defer {
      try? FileManager.default.removeItem(atPath: plain)
      try? FileManager.default.removeItem(atPath: gz)
    }
    let a = try IDXArray(path: plain)
    let b = try IDXArray(path: gz)
    let (av, bv) = (try a.values(), try b.values())
    #expect(a.dimensions == [2, 3] && av == [1, 2, 3, 4, 5, 6])
    #expect(b.dimensions == a.dimensions && bv == av)
  }

  @Test(
    "damaged files are one-sentence errors naming the problem",
    arguments: [
      ("magic", [0x12, 0x34, 0x08, 1, 0, 0, 0, 1, 9] as [UInt8], "not an IDX file"),
      ("short", [0, 0] as [UInt8], "too short"),
      ("header", [0, 0, 0x08, 3, 0, 0] as [UInt8], "truncated inside its header"),
      ("payload", [0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2] as [UInt8], "is truncated"),
      ("extra", [0, 0, 0x08, 1, 0, 0, 0, 1, 1, 2] as [UInt8], "bytes after"),
      ("gzip", [0x1f, 0x8b, 8, 0, 1, 2, 3] as [UInt8], "gzip"),
    ])
  func damaged(_ name: String, _ bytes: [UInt8], _ message: String) throws {
    let path = try temporary(name, bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let error = #expect(throws: ConvLabError.self) { try IDXArray(path: path) }
    #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    #expect(error?.description.contains("\n") == false)
  }

  @Test("a truncated gzip stream of a real file is refused")
  func truncatedGzip() throws {
    let f = try DataSplits.files(in: Self.folder)
    let whole = try readFile(f.testLabels)
    let path = try temporary("cut.gz", [UInt8](whole.prefix(whole.count / 2)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: ConvLabError.self) { try IDXArray(path: path) }
  }

  @Test("images and labels that disagree in count are refused")
  func countMismatch() throws {
    let images = try temporary("img", header([2, 2, 2]) + [UInt8](repeating: 7, count: 8))
    let labels = try temporary("lab", header([3]) + [0, 1, 2])
    defer {
      try? FileManager.default.removeItem(atPath: images)
      try? FileManager.default.removeItem(atPath: labels)
    }
    let error = #expect(throws: ConvLabError.self) { try Dataset(imagesPath: images, labelsPath: labels) }
    #expect(error?.description.contains("2 images") == true)
  }
}
