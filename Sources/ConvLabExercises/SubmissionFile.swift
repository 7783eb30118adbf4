import ConvLabCore
import Foundation

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
    do { return try readFile(path, maxBytes: maxBytes, name: name, followLinks: false) } catch let e as ConvLabError {
      throw Grader.Invalid(message: e.description)
    }
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
