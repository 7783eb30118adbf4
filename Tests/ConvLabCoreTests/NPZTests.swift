import ConvLabCore
import Foundation
import Testing
import ZIPFoundation

/// A zip archive with arbitrary members (an .npz writer would refuse hostile ones).
func zipArchive(members: [(String, Data)]) throws -> Data {
  let archive = try Archive(data: Data(), accessMode: .create)
  for (name, bytes) in members {
    try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(bytes.count)) { position, size in
      bytes.subdata(in: Int(position)..<Int(position) + size)
    }
  }
  guard let data = archive.data else { throw ConvLabError("the test archive could not be finished") }
  return data
}

/// Python with NumPy, for the tests that read what NumPy itself writes; nil when missing.
let numpyPython: String? = {
  for candidate in ["/usr/bin/python3", "/usr/local/bin/python3", "/root/.pyenv/shims/python3"]
    + (ProcessInfo.processInfo.environment["PATH"] ?? "")
    .split(separator: ":").map({ "\($0)/python3" }) where FileManager.default.isExecutableFile(atPath: candidate)
  {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: candidate)
    p.arguments = ["-c", "import numpy"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { continue }
    p.waitUntilExit()
    if p.terminationStatus == 0 { return candidate }
  }
  return nil
}()

/// Runs a Python snippet; returns its stdout, or throws with its stderr.
func runPython(_ python: String, _ code: String, arguments: [String] = []) throws -> String {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: python)
  p.arguments = ["-c", code] + arguments
  let out = Pipe()
  let err = Pipe()
  p.standardOutput = out
  p.standardError = err
  try p.run()
  let o = out.fileHandleForReading.readDataToEndOfFile()
  let e = err.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  guard p.terminationStatus == 0 else { throw ConvLabError("python failed: \(String(decoding: e, as: UTF8.self))") }
  return String(decoding: o, as: UTF8.self)
}

/// Overwrites the 4 little-endian bytes at `offset`.
func patchUInt32(_ data: inout Data, at offset: Int, _ value: UInt32) {
  withUnsafeBytes(of: value.littleEndian) { bytes in
    for k in 0..<4 { data[data.startIndex + offset + k] = bytes[k] }
  }
}

/// Offsets of a 4-byte zip signature.
func offsets(of signature: UInt32, in data: Data) -> [Int] {
  let b = [UInt8](data)
  let s = withUnsafeBytes(of: signature.littleEndian) { Array($0) }
  return (0..<max(0, b.count - 3)).filter { b[$0] == s[0] && b[$0 + 1] == s[1] && b[$0 + 2] == s[2] && b[$0 + 3] == s[3] }
}

@Suite struct NPZTests {
  static func sample() -> NPZArchive {
    NPZArchive([
      ("1.w", NPYArray(shape: [2, 3, 1, 2], values: (0..<12).map { Double($0) / 7 })),
      ("1.b", NPYArray(shape: [2], values: [0.5, -0.25])),
      ("loss", NPYArray(shape: [], values: [2.5])),
      ("single", NPYArray(shape: [3, 2], values: [1, 2, 3, 4, 5, 6], descr: "<f4")),
    ])
  }

  @Test(arguments: [false, true])
  func storedAndDeflatedArchivesReadBackUnchanged(compressed: Bool) throws {
    let archive = Self.sample()
    let back = try NPZArchive(data: try archive.encoded(compressed: compressed))
    #expect(back == archive)
    #expect(back.names == ["1.w", "1.b", "loss", "single"])
  }

  @Test func writingIsAtomicAndReadsFromAFile() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("npz-\(UUID().uuidString).npz").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.sample().write(to: path, compressed: true)
    #expect(try NPZArchive(contentsOf: path) == Self.sample())
  }

  @Test(
    .enabled(if: numpyPython != nil, "python3 with numpy is not installed; NumPy's own .npz files cannot be written here"),
    arguments: ["savez", "savez_compressed"])
  func readsWhatNumPyWrites(function: String) throws {
    let python = try #require(numpyPython)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("np-\(UUID().uuidString).npz").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    // C-order 2×3 and a Fortran-order 2×2×2, float64, float32 and int64: values chosen by index.
    _ = try runPython(
      python,
      """
      import sys, numpy as np
      a = np.arange(6, dtype=np.float64).reshape(2, 3) / 4
      b = np.asfortranarray(np.arange(8, dtype=np.float32).reshape(2, 2, 2))
      np.\(function)(sys.argv[1], **{'3.w': a, 'b': b, 'labels': np.array([3, 1, 2])})
      """, arguments: [path])
    let archive = try NPZArchive(contentsOf: path)
    #expect(archive.names.sorted() == ["3.w", "b", "labels"])
    let a = try #require(archive["3.w"])
    #expect(a.shape == [2, 3])
    // a[i, j] = (3i + j)/4, held column-major: a[0,0], a[1,0], a[0,1], …
    #expect(a.values == [0, 3, 1, 4, 2, 5].map { $0 / 4 })
    let b = try #require(archive["b"])
    #expect(b.descr == "<f4" && b.shape == [2, 2, 2])
    #expect(b.values == [0, 4, 2, 6, 1, 5, 3, 7])  // b[i,j,k] = 4i + 2j + k, first index fastest
    #expect(try #require(archive["labels"]).values == [3, 1, 2])
  }

  @Test(
    .enabled(if: numpyPython != nil, "python3 with numpy is not installed; NumPy cannot read ConvLab's .npz here"),
    arguments: [false, true])
  func numPyReadsWhatConvLabWrites(compressed: Bool) throws {
    let python = try #require(numpyPython)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("cl-\(UUID().uuidString).npz").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.sample().write(to: path, compressed: compressed)
    let out = try runPython(
      python,
      """
      import sys, numpy as np
      z = np.load(sys.argv[1])
      w = z['1.w']
      print(sorted(z.files), w.shape, w[1, 2, 0, 1], float(z['loss']), z['single'].dtype)
      """, arguments: [path])
    // 1.w[1,2,0,1] has vec index 1 + 2·2 + 6·1 = 11: 11/7.
    #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "['1.b', '1.w', 'loss', 'single'] (2, 3, 1, 2) \(11.0 / 7) 2.5 float32")
  }

  @Test func notAZipArchiveIsOneSentence() throws {
    let error = #expect(throws: ConvLabError.self) { try NPZArchive(data: Data("hello, not a zip".utf8), name: "w.npz") }
    #expect(error?.description.contains("w.npz is not a zip archive") == true)
  }

  @Test func aMemberThatLiesAboutItsSizeIsRefused() throws {
    // Declare one byte less than the member holds, in the local and the central header.
    var data = try NPZArchive([("a", NPYArray(shape: [4], values: [1, 2, 3, 4]))]).encoded(compressed: false)
    let size = UInt32(NPYArray(shape: [4], values: [1, 2, 3, 4]).encoded().count)
    for local in offsets(of: 0x0403_4B50, in: data) { patchUInt32(&data, at: local + 22, size - 1) }
    for central in offsets(of: 0x0201_4B50, in: data) { patchUInt32(&data, at: central + 24, size - 1) }
    let error = #expect(throws: ConvLabError.self) { try NPZArchive(data: data, name: "lie.npz") }
    #expect(error?.description.hasPrefix("lie.npz") == true, "\(String(describing: error))")
  }

  @Test func aMemberDeclaringGigabytesItDoesNotHoldIsRefusedWithoutAllocatingThem() throws {
    var data = try NPZArchive([("a", NPYArray(shape: [4], values: [1, 2, 3, 4]))]).encoded(compressed: true)
    // 4 GiB declared for a member of 160 bytes: refused (by the memory gate or as a lie), and
    // the reader reserves no more than it has seen.
    for local in offsets(of: 0x0403_4B50, in: data) { patchUInt32(&data, at: local + 22, 0xFFFF_FFF0) }
    for central in offsets(of: 0x0201_4B50, in: data) { patchUInt32(&data, at: central + 24, 0xFFFF_FFF0) }
    let error = #expect(throws: ConvLabError.self) { try NPZArchive(data: data, name: "big.npz") }
    #expect(error?.description.hasPrefix("big.npz") == true || error?.description.contains("big.npz") == true, "\(String(describing: error))")
  }

  @Test func aDamagedChecksumIsRefused() throws {
    var data = try NPZArchive([("a", NPYArray(shape: [4], values: [1, 2, 3, 4]))]).encoded(compressed: false)
    // Flip a byte of the stored payload (the last value's last byte, just before the central directory).
    let central = try #require(offsets(of: 0x0201_4B50, in: data).first)
    data[data.startIndex + central - 1] ^= 0x40
    let error = #expect(throws: ConvLabError.self) { try NPZArchive(data: data, name: "crc.npz") }
    #expect(error?.description.contains("crc.npz is damaged") == true, "\(String(describing: error))")
  }

  @Test func anOverflowingNPYShapeInsideIsAnErrorNotATrap() throws {
    let member = handMadeNPY(descr: "<f8", fortran: true, shape: [1 << 32, 1 << 32], payload: [])
    let data = try zipArchive(members: [("huge.npy", member)])
    let error = #expect(throws: ConvLabError.self) { try NPZArchive(data: data, name: "h.npz") }
    #expect(error?.description.contains("overflows") == true || error?.description.contains("truncated") == true, "\(String(describing: error))")
  }

  @Test func membersThatAreNotNPYAreRefused() throws {
    let data = try zipArchive(members: [("notes.txt", Data("hi".utf8))])
    let error = #expect(throws: ConvLabError.self) { try NPZArchive(data: data, name: "n.npz") }
    #expect(error?.description.contains("'notes.txt' that is not an .npy array") == true)
  }
}
