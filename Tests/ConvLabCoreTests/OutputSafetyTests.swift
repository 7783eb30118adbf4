import ConvLabCore
import Foundation
import Testing

/// Outputs never replace what is not a regular file, multi-file outputs appear whole, a folder
/// has one writer at a time, and sizes from outside are checked before anything is allocated.
@Suite("Output safety and size checks")
struct OutputSafetyTests {
  func folder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-out-\(UUID().uuidString)").path
    try makeDirectory(path)
    return path
  }

  @Test func atomicWritesRefuseLinksFIFOsAndFolders() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try writeAtomically(Data("keep".utf8), to: dir + "/target")
    try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/target")
    #expect(mkfifo(dir + "/fifo", 0o600) == 0)
    try makeDirectory(dir + "/sub")
    for name in ["link", "fifo", "sub"] {
      #expect(throws: ConvLabError.self) { try writeAtomically(Data("x".utf8), to: dir + "/" + name) }
    }
    // The link's target is untouched and the link is still a link.
    #expect(try String(contentsOfFile: dir + "/target", encoding: .utf8) == "keep")
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link")) != nil)
    // A regular file is replaced, and no temporary is left behind.
    try writeAtomically(Data("new".utf8), to: dir + "/target")
    #expect(try String(contentsOfFile: dir + "/target", encoding: .utf8) == "new")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["fifo", "link", "sub", "target"])
  }

  @Test func anOutputFolderIsReplacedAsAWholeWithoutStaleFiles() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let managed: Set = ["y.npy", "dzdx.npy", "dzdw.npy"]
    try OutputFolder.publish(["y.npy": Data("1".utf8), "dzdx.npy": Data("2".utf8), "dzdw.npy": Data("3".utf8)], to: dir + "/out", managed: managed, what: "test")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out").sorted() == ["dzdw.npy", "dzdx.npy", "y.npy"])
    // A second call without gradients: the earlier gradients are gone, not kept beside the new y.
    try OutputFolder.publish(["y.npy": Data("4".utf8)], to: dir + "/out", managed: managed, what: "test")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out") == ["y.npy"])
    #expect(try String(contentsOfFile: dir + "/out/y.npy", encoding: .utf8) == "4")
    // Nothing of the staging is left beside it.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out"])
  }

  @Test func aFolderOfTheUsersOwnFilesIsNeverReplaced() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try writeAtomically(Data("mine".utf8), to: dir + "/notes.txt")
    #expect(throws: ConvLabError.self) { try OutputFolder.publish(["y.npy": Data()], to: dir, managed: ["y.npy"], what: "test") }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["notes.txt"])
  }

  @Test func aLockedFolderRefusesASecondWriter() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let first = try FolderLock(dir, purpose: "a test")
    #expect(throws: ConvLabError.self) { _ = try FolderLock(dir, purpose: "a test") }
    first.release()
    _ = try FolderLock(dir, purpose: "a test")
  }

  @Test func submissionsAreReadAsRegularFilesOnly() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try writeAtomically(Data("secret".utf8), to: dir + "/secret.key")
    try FileManager.default.createSymbolicLink(atPath: dir + "/answer.csv", withDestinationPath: dir + "/secret.key")
    #expect(mkfifo(dir + "/pipe.csv", 0o600) == 0)
    for name in ["answer.csv", "pipe.csv"] {
      #expect(throws: ConvLabError.self) { _ = try readFile(dir + "/" + name, maxBytes: 1 << 20, followLinks: false) }
    }
    // A FIFO is refused without blocking on it (O_NONBLOCK), and a size limit holds before reading.
    try writeAtomically(Data(count: 2048), to: dir + "/big.csv")
    #expect(throws: ConvLabError.self) { _ = try readFile(dir + "/big.csv", maxBytes: 1024, followLinks: false) }
    #expect(try readFile(dir + "/big.csv", maxBytes: 4096, followLinks: false).count == 2048)
  }

  @Test func sizesOverflowIntoErrorsNotTraps() throws {
    #expect(throws: ConvLabError.self) { _ = try Size.product([1 << 32, 1 << 32], "a test") }
    #expect(throws: ConvLabError.self) { _ = try Size.product([3, -1], "a test") }
    #expect(throws: ConvLabError.self) { _ = try Size.sum([Int.max, 1], "a test") }
    #expect(throws: ConvLabError.self) { _ = try Shape(1 << 20, 1 << 20, 1 << 20, 1 << 20).checkedCount("a test") }
    #expect(try Size.product([2, 3, 4], "a test") == 24)
    // 1 TiB of doubles is above any limit this machine sets (half of physical memory).
    #expect(throws: ConvLabError.self) { try MemoryLimit.check(elements: [1 << 37], bytesPerElement: 8, "a test") }
  }

  @Test(arguments: [("512M", 512 << 20), ("4G", 4 << 30), ("1.5GiB", 3 << 29), ("1073741824", 1 << 30), ("2kb", 2048)])
  func memorySizesParse(text: String, bytes: Int) throws {
    #expect(try MemoryLimit.parse(text) == bytes)
  }

  @Test(arguments: ["", "-1G", "G", "4X", "1e30", "nan"])
  func badMemorySizesAreErrors(text: String) {
    #expect(throws: ConvLabError.self) { _ = try MemoryLimit.parse(text) }
  }
}
