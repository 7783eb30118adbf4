import Foundation

/// Reads a file that someone else supplied (a student's submission, a file named on the
/// command line) as data, never as a pointer: a symbolic link, a folder, a FIFO or a device is
/// refused, and a file larger than `limit` is refused from its size before anything is read.
///
/// The file is opened with O_NOFOLLOW and checked with fstat on the opened descriptor, so a
/// link swapped in between the check and the read cannot redirect it.
public func readRegularFile(_ path: String, limit: Int, name: String? = nil) throws -> Data {
  let label = name ?? path
  let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
  guard fd >= 0 else {
    switch errno {
    case ELOOP: throw ConvLabError("\(label) is a symbolic link, not a regular file; submit the file itself.")
    case ENOENT: throw ConvLabError("\(label) does not exist.")
    default: throw ConvLabError("\(label) cannot be read: \(String(cString: strerror(errno))).")
    }
  }
  let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
  var info = stat()
  guard fstat(fd, &info) == 0 else { throw ConvLabError("\(label) cannot be read: \(String(cString: strerror(errno))).") }
  guard (info.st_mode & S_IFMT) == S_IFREG else { throw ConvLabError("\(label) is not a regular file.") }
  guard Int(info.st_size) <= limit else {
    throw ConvLabError("\(label) is \(MemoryLimit.format(Double(info.st_size))), more than the \(MemoryLimit.format(Double(limit))) allowed.")
  }
  // Read at most limit + 1 bytes: a file that grows while being read is caught too.
  let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
  guard data.count <= limit else { throw ConvLabError("\(label) grew past \(MemoryLimit.format(Double(limit))) while being read.") }
  return data
}
