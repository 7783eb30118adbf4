import CZlib
import ConvLabCore
import Foundation

/// gzip decompression through zlib (RFC 1952); a damaged or truncated stream is a one-line error.
enum Gzip {
  /// True when `data` starts with the gzip magic bytes 1f 8b.
  static func isCompressed(_ data: Data) -> Bool {
    data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
  }

  static func decompress(_ data: Data, name: String) throws -> Data {
    var stream = z_stream()
    // 15 + 32: the largest window, and detect the gzip header automatically.
    guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw ConvLabError("cannot start zlib to read \(name).")
    }
    defer { inflateEnd(&stream) }
    var output = Data()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var status: Int32 = Z_OK
    try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
      stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
      stream.avail_in = uInt(input.count)
      repeat {
        let produced = chunk.withUnsafeMutableBufferPointer { buffer -> Int in
          stream.next_out = buffer.baseAddress
          stream.avail_out = uInt(buffer.count)
          status = inflate(&stream, Z_NO_FLUSH)
          return buffer.count - Int(stream.avail_out)
        }
        guard status == Z_OK || status == Z_STREAM_END else {
          throw ConvLabError("\(name) is not a valid gzip file (zlib error \(status)\(status == Z_BUF_ERROR ? ": truncated" : "")).")
        }
        output.append(contentsOf: chunk[0..<produced])
        if status == Z_OK && stream.avail_in == 0 && produced < chunk.count {
          throw ConvLabError("\(name) is truncated: the gzip stream ends early.")
        }
      } while status != Z_STREAM_END
    }
    return output
  }
}
