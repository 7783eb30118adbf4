import ConvLabCore
import Foundation
import Testing

/// Issue 17: `.npy`, CSV and size strings from outside are checked before anything is allocated,
/// and every bad input is one sentence (no trap, no hang, no multi-line error).
@Suite("Bounded parsers")
struct BoundedInputTests {
  func temporary(_ name: String, _ data: Data) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-bounded-\(UUID().uuidString)-\(name)").path
    try data.write(to: URL(fileURLWithPath: path))
    return path
  }

  /// A `.npy` file with the given header dictionary and data bytes (version 1.0).
  func npy(_ dict: String, _ payload: [UInt8] = []) -> Data {
    var header = dict
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
    d.append(contentsOf: Array(header.utf8))
    d.append(contentsOf: payload)
    return d
  }

  /// The one-line error `body` throws.
  func oneLineError(_ body: () throws -> Void) -> String {
    let error = #expect(throws: ConvLabError.self) { try body() }
    let text = error?.description ?? ""
    #expect(!text.contains("\n"), "not one line: \(text)")
    return text
  }

  // MARK: .npy

  @Test("a .npy header shape (2**32, 2**32) is refused as too large, not an overflow trap")
  func npyOverflowingShape() {
    let message = oneLineError { _ = try NPYArray(data: npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), name: "big.npy") }
    #expect(message.contains("big.npy") && message.contains("too large"), "\(message)")
  }

  @Test("a .npy shape within Int but above the memory limit is refused before allocation")
  func npyAboveMemoryLimit() {
    // 2^20 · 2^20 doubles = 8 TiB: no machine's default limit (half of physical memory) allows it.
    let message = oneLineError { _ = try NPYArray(data: npy("{'descr': '<f8', 'fortran_order': True, 'shape': (1048576, 1048576), }"), name: "huge.npy") }
    #expect(message.contains("memory limit"), "\(message)")
  }

  @Test(
    "a .npy whose header and data lengths disagree names both numbers",
    arguments: [
      (3, "truncated: its shape [2, 2] needs 32 bytes of data but the file has 24"),
      (5, "8 bytes more than its shape [2, 2] needs (32)"),
    ])
  func npyLyingLengths(values: Int, expected: String) {
    let payload = [UInt8](repeating: 0, count: values * 8)
    let message = oneLineError { _ = try NPYArray(data: npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", payload), name: "a.npy") }
    #expect(message.contains(expected), "\(message)")
  }

  @Test("a header length pointing past the end of the file is a truncation error")
  func npyHeaderLengthPastEnd() {
    var data = npy("{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", [0, 0, 0, 0, 0, 0, 0, 0])
    data[8] = 0xFF
    data[9] = 0xFF
    #expect(oneLineError { _ = try NPYArray(data: data, name: "a.npy") }.contains("truncated inside the .npy header"))
  }

  @Test(
    "unsupported dtypes and fortran_order values are named",
    arguments: [
      ("{'descr': '>f8', 'fortran_order': True, 'shape': (1,), }", "dtype '>f8'"),
      ("{'descr': '<c16', 'fortran_order': True, 'shape': (1,), }", "dtype '<c16'"),
      ("{'descr': '<f8', 'fortran_order': 1, 'shape': (1,), }", "fortran_order '1'"),
      ("{'descr': '<f8', 'fortran_order': True, 'shape': (-1,), }", "bad shape entry '-1'"),
      ("{'descr': '<f8', 'fortran_order': True, 'shape': (2**32,), }", "bad shape entry '2**32'"),
      ("{'descr': '<f8', 'fortran_order': True }", "no 'shape'"),
    ])
  func npyBadHeader(header: String, expected: String) {
    let message = oneLineError { _ = try NPYArray(data: npy(header, [UInt8](repeating: 0, count: 16)), name: "a.npy") }
    #expect(message.contains(expected), "\(message)")
  }

  @Test("a .npy file larger than maxBytes is refused from its size, before it is read")
  func npyFileSizeLimit() throws {
    let path = try temporary("big.npy", npy("{'descr': '<f8', 'fortran_order': True, 'shape': (128,), }", [UInt8](repeating: 0, count: 1024)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(oneLineError { _ = try NPYArray(contentsOf: path, maxBytes: 1000) }.contains("more than the 1000 B allowed"))
    #expect(try NPYArray(contentsOf: path).shape == [128])
  }

  // MARK: Bounded reads

  @Test("a 2 GB sparse file is refused at once from fstat, without reading it")
  func sparseFileRefusedFromItsSize() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-sparse-\(UUID().uuidString).csv").path
    #expect(FileManager.default.createFile(atPath: path, contents: Data("1,2\n".utf8)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    // truncate(2) makes a 2 GiB file that occupies no disk blocks.
    #expect(truncate(path, 2 << 30) == 0)
    let start = Date()
    let message = oneLineError { _ = try CSV.read(path, maxBytes: 16 << 20) }
    #expect(message.contains("2.0 GiB, more than the 16.0 MiB allowed"), "\(message)")
    // Reading 2 GiB would take seconds; refusing from fstat takes microseconds. 1 s leaves room for a loaded machine.
    #expect(Date().timeIntervalSince(start) < 1)
  }

  @Test("a FIFO is refused as not a regular file instead of blocking the reader")
  func fifoRefused() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-fifo-\(UUID().uuidString)").path
    #expect(mkfifo(path, 0o600) == 0)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(oneLineError { _ = try readFile(path, maxBytes: 1 << 20) }.contains("is not a regular file"))
  }

  /// Regression (fuzz targets roster and packet): `readFile(_:)` went through
  /// FileManager.contents(atPath:), which LeakSanitizer caught leaking a buffer per read; it now
  /// shares the bounded reader, so it also reads empty files and refuses FIFOs.
  @Test("readFile(_:) is the bounded reader: empty files read as empty, FIFOs are refused")
  func plainReadFileIsBounded() throws {
    let empty = try temporary("empty", Data())
    defer { try? FileManager.default.removeItem(atPath: empty) }
    #expect(try readFile(empty).isEmpty)
    let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-fifo-\(UUID().uuidString)").path
    #expect(mkfifo(fifo, 0o600) == 0)
    defer { try? FileManager.default.removeItem(atPath: fifo) }
    #expect(oneLineError { _ = try readFile(fifo) }.contains("is not a regular file"))
  }

  @Test("a missing file and a folder are one-line errors")
  func missingAndFolder() {
    #expect(oneLineError { _ = try readFile("/nonexistent/convlab/x.csv", maxBytes: 100) }.contains("does not exist"))
    #expect(oneLineError { _ = try readFile(FileManager.default.temporaryDirectory.path, maxBytes: 100) }.contains("not a regular file"))
  }

  @Test("readFile returns exactly the bytes of files at, below and above a chunk boundary", arguments: [0, 1, 4095, 4096, 4097, 100_000])
  func boundedReadIsExact(size: Int) throws {
    var rng = SeededGenerator(seed: UInt64(size) + 1)
    let bytes = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) })
    let path = try temporary("exact", bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(try readFile(path, maxBytes: size) == bytes)
    if size > 0 { #expect(throws: ConvLabError.self) { _ = try readFile(path, maxBytes: size - 1) } }
  }

  // MARK: CSV

  @Test("a CSV saved by Excel (CRLF line ends, UTF-8 BOM) reads like the plain file")
  func excelCSV() throws {
    let plain = try CSV.decode("1,2,3\n4,5,6\n")
    #expect(plain.rows == 2 && plain.cols == 3)
    #expect(try CSV.decode("\u{FEFF}1,2,3\r\n4,5,6\r\n") == plain)
    #expect(try CSV.decode("1,2,3\r4,5,6\r") == plain)  // classic Mac OS line ends
    // Through a file, as a submission is read: BOM bytes EF BB BF and CRLF.
    let path = try temporary("excel.csv", Data([0xEF, 0xBB, 0xBF]) + Data("1;2;3\r\n4;5;6\r\n".utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(try CSV.read(path) == plain)
  }

  @Test("ragged rows name the line, its count and the first row's count")
  func raggedRows() {
    let message = oneLineError { _ = try CSV.decode("# comment\n1,2,3\r\n4,5\r\n", name: "dzdx.csv") }
    #expect(message == "dzdx.csv, line 3 has 2 values but line 2 (the first row) has 3; every row needs the same number of values.", "\(message)")
  }

  @Test("a non-number names its line, entry and text")
  func notANumber() {
    #expect(oneLineError { _ = try CSV.decode("1,2\n3,x4\n", name: "a.csv") } == "a.csv, line 2, entry 2: 'x4' is not a finite number.")
    #expect(oneLineError { _ = try CSV.decode("1,nan\n", name: "a.csv") }.contains("'nan' is not a finite number"))
  }

  @Test("a CSV that is not UTF-8 is refused in one line")
  func notUTF8() throws {
    let path = try temporary("latin1.csv", Data([0x31, 0x2C, 0xFF, 0xFE, 0x0A]))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(oneLineError { _ = try CSV.read(path) }.contains("not UTF-8"))
  }

  // MARK: Sizes

  @Test(
    "size strings: each dimension bounded, the product overflow-checked",
    arguments: [
      ("9223372036854775807x1", "between 1 and 1048576"),
      ("1048577x1", "a dimension of 1048577"),
      ("4x-4", "is not a size"),
      ("4x4x4x4x4", "is not a size"),
      ("99999999999999999999999x2", "is not a size"),
      ("1048576x1048576x1048576x1048576", "overflows a 64-bit count"),
    ])
  func shapeParsingBounds(text: String, expected: String) {
    let message = oneLineError { _ = try Shape(parsing: text) }
    #expect(message.contains(expected), "\(message)")
  }

  @Test("valid size strings still parse")
  func shapeParsingValid() throws {
    #expect(try Shape(parsing: "4x4") == Shape(4, 4))
    #expect(try Shape(parsing: "4×3x2x5") == Shape(4, 3, 2, 5))
    #expect(try Shape(parsing: "1048576x1") == Shape(1 << 20, 1))
  }
}
