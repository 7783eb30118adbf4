import ConvLabCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file a student handed in, read as data and never followed as a pointer.
///
/// Issue 17 item 4: a symlink (to the course secret, say), a FIFO or a device is not an answer;
/// it is refused as "not a regular file" without being opened for reading, and a file larger
/// than `maxBytes` is refused before it is read. Messages name the file as the student named
/// it (`dzdx.csv`), never the folder it was found in.
enum SubmissionFile {
  /// The largest answer file accepted: far above any exercise's answer (a few kB as text).
  static let maxBytes = 4 << 20

  /// Whether an entry of that name exists at all (a dangling symlink counts: it is then refused
  /// as not a regular file rather than reported as missing).
  static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  /// The bytes of a regular file of at most `maxBytes`, or `Grader.Invalid` naming `name`.
  static func read(_ path: String, name: String) throws -> Data {
    var info = stat()
    guard lstat(path, &info) == 0 else { throw Grader.Invalid(message: "\(name) cannot be read.") }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw Grader.Invalid(message: "\(name) is not a regular file (a link, folder or device); submit the numbers themselves.")
    }
    // O_NOFOLLOW | O_NONBLOCK: if the entry was swapped for a link or a FIFO after lstat, open
    // fails or returns at once instead of following it or blocking.
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw Grader.Invalid(message: "\(name) is not a regular file or cannot be opened.") }
    defer { close(fd) }
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      throw Grader.Invalid(message: "\(name) is not a regular file (a link, folder or device); submit the numbers themselves.")
    }
    guard Int(info.st_size) <= maxBytes else {
      throw Grader.Invalid(message: "\(name) is \(MemoryLimit.format(Double(info.st_size))), more than the \(MemoryLimit.format(Double(maxBytes))) an answer file may have.")
    }
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw Grader.Invalid(message: "\(name) cannot be read.") }
      if n == 0 { break }
      data.append(contentsOf: buffer[0..<n])
      // The file may grow while it is read; the limit holds for what is read, too.
      guard data.count <= maxBytes else {
        throw Grader.Invalid(message: "\(name) is more than the \(MemoryLimit.format(Double(maxBytes))) an answer file may have.")
      }
    }
    return data
  }

  /// Text of a submitted CSV with a UTF-8 byte-order mark dropped and Windows (CRLF) or old
  /// Mac (CR) line ends made plain newlines, as a spreadsheet saves it.
  static func text(_ data: Data, name: String) throws -> String {
    guard var text = String(data: data, encoding: .utf8) else {
      throw Grader.Invalid(message: "\(name) is not a text file (save it as CSV, UTF-8).")
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
  }
}
