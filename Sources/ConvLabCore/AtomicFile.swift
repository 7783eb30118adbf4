import Foundation

/// Writes `data` to `path` atomically: a temporary file in the same folder, then a rename, so a
/// reader never sees a half-written file and an interrupted run leaves the old file intact.
public func writeAtomically(_ data: Data, to path: String) throws {
  let url = URL(fileURLWithPath: path)
  let folder = url.deletingLastPathComponent()
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
    throw ConvLabError("cannot write \(path): the folder \(folder.path) does not exist.")
  }
  let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
  do {
    try data.write(to: temporary)
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
