import CZlib
import Foundation

/// CRC-32 (ISO 3309 / ITU-T V.42, the checksum of gzip and PNG) through zlib.
///
/// Detects every single-bit error and every burst of up to 32 flipped bits, which is what a
/// damaged file looks like; it is not a defence against someone forging a file on purpose.
public enum CRC32 {
  /// The CRC-32 of `bytes`.
  public static func checksum<D: ContiguousBytes>(_ bytes: D) -> UInt32 {
    bytes.withUnsafeBytes { raw -> UInt32 in
      guard let base = raw.baseAddress else { return UInt32(crc32_z(0, nil, 0)) }
      return UInt32(crc32_z(0, base.assumingMemoryBound(to: Bytef.self), z_size_t(raw.count)))
    }
  }
}
