import CConvLabSupport
import Foundation

/// Refuses to replace `path` when it exists and is not a regular file: a symbolic link, a FIFO,
/// a device node or a folder is never silently replaced by a regular file.
func requireReplaceable(_ path: String) throws {
  var info = stat()
  guard lstat(path, &info) == 0 else { return }  // nothing there yet
  let kind = info.st_mode & S_IFMT
  guard kind == S_IFREG else {
    let what = kind == S_IFLNK ? "a symbolic link" : kind == S_IFDIR ? "a folder" : kind == S_IFIFO ? "a FIFO" : "not a regular file"
    throw ConvLabError("cannot write \(path): it exists and is \(what); ConvLab replaces only regular files.")
  }
}

/// Writes `data` to `path` atomically: a temporary file in the same folder, then a rename, so a
/// reader never sees a half-written file and an interrupted run leaves the old file intact.
/// An existing `path` that is not a regular file (a link, a FIFO, a device) is an error.
public func writeAtomically(_ data: Data, to path: String) throws {
  let url = URL(fileURLWithPath: path)
  let folder = url.deletingLastPathComponent()
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
    throw ConvLabError("cannot write \(path): the folder \(folder.path) does not exist.")
  }
  try requireReplaceable(path)
  // A unique name per call: two threads or processes writing the same file never share a temporary.
  let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(12)).tmp")
  do {
    try data.write(to: temporary, options: .withoutOverwriting)
    // rename(2) replaces the destination atomically (FileManager.replaceItemAt does not, on Linux).
    guard rename(temporary.path, url.path) == 0 else {
      throw ConvLabError("cannot write \(path): \(String(cString: strerror(errno))).")
    }
  } catch let error as ConvLabError {
    try? FileManager.default.removeItem(at: temporary)
    throw error
  } catch {
    try? FileManager.default.removeItem(at: temporary)
    throw ConvLabError("cannot write \(path): \(error.localizedDescription)")
  }
}

/// Creates a folder (and its parents) or throws a one-line error.
public func makeDirectory(_ path: String) throws {
  do {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  } catch {
    throw ConvLabError("cannot create the folder \(path): \(error.localizedDescription)")
  }
}

/// Reads a whole file or throws a one-line error naming it.
///
/// Bounded by the memory limit and refused for anything but a regular file (see
/// `readFile(_:maxBytes:)`); FileManager.contents(atPath:) leaked a buffer per call under ASan.
public func readFile(_ path: String) throws -> Data {
  try readFile(path, maxBytes: MemoryLimit.bytes)
}

/// An exclusive lock on a folder (flock(2) on the folder itself), held until `release()` or
/// until the object is gone: a second writer to the same course or run folder fails at once
/// with one line instead of interleaving its files with the first's.
public final class FolderLock: @unchecked Sendable {
  // Only `release` mutates `fd`, under the OS lock itself; the class is used by one owner.
  private var fd: Int32

  /// Locks `path` (which must be an existing folder, not a link), or throws naming `purpose`.
  public init(_ path: String, purpose: String) throws {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { throw ConvLabError("cannot lock \(path): \(String(cString: strerror(errno))).") }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      let busy = errno == EWOULDBLOCK
      close(fd)
      throw ConvLabError(
        busy
          ? "\(path) is in use by another convlab process (\(purpose)); wait for it to finish or choose another folder."
          : "cannot lock \(path): \(String(cString: strerror(errno))).")
    }
    self.fd = fd
  }

  public func release() {
    if fd >= 0 {
      close(fd)
      fd = -1
    }
  }

  deinit { release() }
}

/// A set of output files that appears as a whole or not at all (`block --out DIR`, packets):
/// the files are written into a staging folder beside DIR, which then takes DIR's place in one
/// rename. Files of an earlier call never mix with the new ones.
///
/// DIR must be new, empty, or hold only what an earlier call of the same kind wrote (`managed`
/// names): a folder of the user's own files is refused, never replaced.
public enum OutputFolder {
  /// Writes `files` (name → contents) as the folder `path`.
  public static func publish(_ files: [String: Data], to path: String, managed: Set<String>, what: String) throws {
    for name in files.keys {
      precondition(!name.contains("/") && !name.hasPrefix("."), "output names are plain file names")
    }
    let url = URL(fileURLWithPath: path).standardizedFileURL
    let parent = url.deletingLastPathComponent().path
    let name = url.lastPathComponent
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw ConvLabError("cannot write \(what) to \(path): the folder \(parent) does not exist.")
    }
    var info = stat()
    let exists = lstat(url.path, &info) == 0
    var lock: FolderLock?
    if exists {
      guard (info.st_mode & S_IFMT) == S_IFDIR else {
        throw ConvLabError("cannot write \(what) to \(path): it exists and is not a folder.")
      }
      lock = try FolderLock(url.path, purpose: "writing \(what)")
      let present = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
      let foreign = present.filter { !managed.contains($0) }.sorted()
      guard foreign.isEmpty else {
        throw ConvLabError("cannot write \(what) to \(path): it holds files ConvLab did not write there (\(foreign.prefix(3).joined(separator: ", "))); choose a new or empty folder.")
      }
    }
    defer { lock?.release() }
    let staging = "\(parent)/.\(name).staging-\(UUID().uuidString.prefix(12))"
    try makeDirectory(staging)
    do {
      for (file, data) in files { try writeAtomically(data, to: "\(staging)/\(file)") }
      if !exists {
        guard rename(staging, url.path) == 0 else {
          throw ConvLabError("cannot write \(what) to \(path): \(String(cString: strerror(errno))) (did another process create it just now?).")
        }
        return
      }
      if convlab_rename_exchange(staging, url.path) == 0 {
        // `staging` now names the earlier outputs.
        try? FileManager.default.removeItem(atPath: staging)
        return
      }
      // No atomic exchange on this file system: move the old folder aside, then the new one in.
      let old = "\(parent)/.\(name).old-\(UUID().uuidString.prefix(12))"
      guard rename(url.path, old) == 0 else { throw ConvLabError("cannot replace \(path): \(String(cString: strerror(errno))).") }
      guard rename(staging, url.path) == 0 else {
        _ = rename(old, url.path)
        throw ConvLabError("cannot replace \(path): \(String(cString: strerror(errno))).")
      }
      try? FileManager.default.removeItem(atPath: old)
    } catch {
      try? FileManager.default.removeItem(atPath: staging)
      throw error
    }
  }
}
