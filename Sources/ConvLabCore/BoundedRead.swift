import Foundation

/// Reads a whole regular file of at most `maxBytes` bytes, or throws a one-line error naming it
/// (`name`, else the path).
///
/// The size is taken from `fstat` on the opened file before anything is read, so a 2 GB file
/// (sparse or not) is refused at once with its size instead of being read whole; a file that
/// grows while it is read is cut at `maxBytes + 1` bytes and refused the same way. FIFOs,
/// devices and folders are refused as "not a regular file": opening them does not block
/// (`O_NONBLOCK`), and they are never read. With `followLinks: false` (files someone else
/// supplied: a student's submission) a symbolic link is refused too, by O_NOFOLLOW on the open
/// itself, so a link swapped in after any check cannot redirect the read.
public func readFile(_ path: String, maxBytes: Int, name: String? = nil, followLinks: Bool = true) throws -> Data {
  let label = name ?? path
  let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW))
  guard fd >= 0 else {
    let reason = errno
    if reason == ENOENT { throw ConvLabError("\(label) does not exist.") }
    if reason == ELOOP && !followLinks { throw ConvLabError("\(label) is a symbolic link, not a regular file; submit the file itself.") }
    throw ConvLabError("\(label) cannot be read: \(String(cString: strerror(reason))).")
  }
  defer { close(fd) }
  var info = stat()
  guard fstat(fd, &info) == 0 else {
    throw ConvLabError("\(label) cannot be read: \(String(cString: strerror(errno))).")
  }
  guard info.st_mode & S_IFMT == S_IFREG else {
    throw ConvLabError("\(label) is not a regular file; give a plain file.")
  }
  let declared = Int(info.st_size)
  guard declared <= maxBytes else {
    throw ConvLabError("\(label) is \(MemoryLimit.format(Double(declared))), more than the \(MemoryLimit.format(Double(maxBytes))) allowed for this file.")
  }
  // Read up to maxBytes + 1 bytes: one byte past the limit proves the file grew beyond it.
  let cap = maxBytes == Int.max ? maxBytes : maxBytes + 1
  var data = Data(count: min(declared + 1, cap))
  var filled = 0
  while true {
    if filled == data.count {
      guard data.count < cap else { break }
      data.count = min(cap, max(data.count * 2, 4096))
    }
    let got = data.withUnsafeMutableBytes { raw -> Int in
      guard let base = raw.baseAddress else { return 0 }
      return read(fd, base + filled, raw.count - filled)
    }
    if got < 0 {
      if errno == EINTR { continue }
      throw ConvLabError("\(label) cannot be read: \(String(cString: strerror(errno))).")
    }
    if got == 0 { break }
    filled += got
  }
  guard filled <= maxBytes else {
    throw ConvLabError("\(label) grew past the \(MemoryLimit.format(Double(maxBytes))) allowed for this file while it was read.")
  }
  data.count = filled
  return data
}
