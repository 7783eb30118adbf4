import ConvLabCore
import Crypto
import Foundation

/// A course: a folder holding the secret from which every student's instance is derived.
///
/// Instance seeds are HMAC-SHA256(secret, "convlab|exercise|student|label"): different for
/// every student, reproducible at grading time, and impossible to predict without the secret
/// (which never goes into a packet).
public struct Course: Sendable {
  public static let secretFile = "secret.key"
  public let directory: String
  let secret: [UInt8]

  /// Opens the course in `directory`, creating its secret (32 random bytes, mode 0600) when
  /// `create` is set and there is none.
  public init(directory: String, create: Bool = false) throws {
    self.directory = directory
    let path = (directory as NSString).appendingPathComponent(Self.secretFile)
    if !FileManager.default.fileExists(atPath: path) {
      guard create else {
        throw ConvLabError.worded("\(directory) is not a course folder (no \(Self.secretFile)); create one with `convlab exercise class init` or `convlab exercise new … \(setting: "course") DIR`.")
      }
      try makeDirectory(directory)
      var rng = SystemRandomNumberGenerator()
      let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
      try writeAtomically(Data(bytes.map { String(format: "%02x", $0) }.joined().utf8 + [0x0A]), to: path)
      chmod(path, 0o600)
    }
    let text = String(decoding: try readFile(path), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex, let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex), let b = UInt8(text[index..<next], radix: 16) {
      bytes.append(b)
      index = next
    }
    guard bytes.count >= 16, index == text.endIndex else { throw ConvLabError("\(path) is not a course secret (expected at least 32 hexadecimal digits).") }
    secret = bytes
  }

  /// The course folder above a packet (packets made by `class init` live in COURSE/packets/…).
  public static func locate(from packet: String) -> String? {
    var dir = URL(fileURLWithPath: packet).standardizedFileURL
    for _ in 0..<6 {
      if FileManager.default.fileExists(atPath: dir.appendingPathComponent(secretFile).path) { return dir.path }
      dir.deleteLastPathComponent()
    }
    return nil
  }

  /// The seed of (exercise, student, label), from the keyed hash.
  public func seed(exercise: String, student: String, label: String = "packet") -> UInt64 {
    let message = Data("convlab|\(exercise)|\(student)|\(label)".utf8)
    let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))
    return Array(mac).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
  }
}

/// The course folder's write lock: `class init/add/drop/grade` and `exercise new` hold it while
/// they write, so two writers at once cannot make two secrets or interleave packets and grade
/// runs (issue 17 item 6). `flock(2)` on COURSE/.convlab.lock; the kernel releases it when the
/// process ends, however it ends.
public enum CourseLock {
  public static let file = ".convlab.lock"

  /// Runs `body` holding the lock of `directory` (created if need be); a second writer fails at
  /// once with one line instead of waiting.
  public static func hold<T>(_ directory: String, _ body: () throws -> T) throws -> T {
    try makeDirectory(directory)
    let path = (directory as NSString).appendingPathComponent(file)
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard fd >= 0 else { throw ConvLabError("cannot lock the course folder \(directory): \(String(cString: strerror(errno))).") }
    defer { close(fd) }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      throw ConvLabError("another convlab command is writing to the course \(directory) right now; run this one again when it has finished.")
    }
    defer { flock(fd, LOCK_UN) }
    return try body()
  }
}

/// Checks that a student id can name a folder.
func validateStudentID(_ id: String) throws {
  let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
  guard !id.isEmpty, !id.hasPrefix("."), id.unicodeScalars.allSatisfy({ allowed.contains($0) }) else {
    throw ConvLabError("student id '\(id)' should be letters, digits, '.', '_' or '-' (it names a folder).")
  }
}

/// A seed for the student's self-check instances (public: they need no secret).
func selfCheckSeed(_ exercise: String, _ student: String) -> UInt64 {
  // FNV-1a over the bytes.
  Data("self-check|\(exercise)|\(student)".utf8).reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}
