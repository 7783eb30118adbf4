import CZlib
import ConvLabCore
import Foundation

/// gzip decompression through zlib (RFC 1952), bounded: a damaged or truncated stream is a
/// one-line error, and a stream never inflates past the size its own content declares.
enum Gzip {
  /// True when `data` starts with the gzip magic bytes 1f 8b.
  static func isCompressed(_ data: Data) -> Bool {
    data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
  }

  /// How much is inflated before `declaredSize` must have decided the total (an IDX header is at
  /// most 4 + 4·255 bytes).
  static let probeBytes = 4096

  /// Inflates `data`, asking `declaredSize` after each small step for the total size the
  /// inflated bytes announce (nil: not known yet). Once known, inflation stops at that size: more
  /// output is an error, and nothing beyond it is ever allocated, so a small file that would
  /// inflate to gigabytes fails after the first few kilobytes. `declaredSize` does its own
  /// memory check and throws its own error.
  static func decompress(_ data: Data, name: String, declaredSize: ([UInt8]) throws -> Int?) throws -> [UInt8] {
    // zlib keeps a pointer back to its z_stream, so the stream lives at a fixed heap address.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer {
      stream.deinitialize(count: 1)
      stream.deallocate()
    }
    // 15 + 32: the largest window, and detect the gzip header automatically.
    guard inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw ConvLabError("cannot start zlib to read \(name).")
    }
    defer { inflateEnd(stream) }
    var output: [UInt8] = []
    var declared: Int?
    return try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> [UInt8] in
      guard let base = input.baseAddress else { throw ConvLabError("\(name) is empty.") }
      var consumed = 0
      while true {
        // Feed the input in pieces that fit zlib's 32-bit counters.
        if stream.pointee.avail_in == 0 && consumed < input.count {
          let piece = min(input.count - consumed, 1 << 30)
          stream.pointee.next_in = UnsafeMutablePointer(mutating: (base + consumed).assumingMemoryBound(to: Bytef.self))
          stream.pointee.avail_in = uInt(piece)
          consumed += piece
        }
        // Room for this step: a probe while the size is unknown, else up to one byte past the
        // declared size (that byte proves the stream is longer than declared), 1 MiB at a time so
        // that a short or damaged stream costs what it inflates to, not what its header claims.
        let room = declared.map { min($0 + 1 - output.count, 1 << 20) } ?? probeBytes
        let before = output.count
        output.append(contentsOf: repeatElement(0, count: room))
        let status = output.withUnsafeMutableBufferPointer { buffer -> Int32 in
          stream.pointee.next_out = buffer.baseAddress.map { $0 + before }
          stream.pointee.avail_out = uInt(room)
          return inflate(stream, Z_NO_FLUSH)
        }
        let produced = room - Int(stream.pointee.avail_out)
        output.removeLast(room - produced)
        guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && produced > 0) else {
          if status == Z_BUF_ERROR { throw ConvLabError("\(name) is truncated: the gzip stream ends early.") }
          throw ConvLabError("\(name) is not a valid gzip file (zlib error \(status)).")
        }
        if declared == nil { declared = try declaredSize(output) }
        if let d = declared, output.count > d {
          throw ConvLabError("\(name) inflates to more than the \(d) bytes its header declares; the file is damaged.")
        }
        if status == Z_STREAM_END { return output }
        if produced == 0 && stream.pointee.avail_in == 0 && consumed == input.count {
          throw ConvLabError("\(name) is truncated: the gzip stream ends early.")
        }
        if declared == nil && output.count >= probeBytes {
          throw ConvLabError("\(name) does not start with a header that declares its size.")
        }
      }
    }
  }
}
