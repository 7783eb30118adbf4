import ConvLabCore
import Foundation

/// A zip archive written in one piece: stored entries (no compression) with Unix permissions,
/// as PKWARE's APPNOTE 6.3 §4.3 lays them out — local headers and data, the central directory,
/// its end record. Enough for Gradescope's autograder upload; `unzip` restores the permissions.
///
/// ConvLab writes its own rather than use ZIPFoundation: that package's `CZlib` module map
/// clashes with ConvLab's `CZlib` system library in one build.
struct ZipArchive {
  struct Entry {
    var path: String
    var data: Data
    /// Unix permission bits (0o755 for scripts and the binary).
    var mode: UInt16
  }
  var entries: [Entry] = []

  mutating func add(_ path: String, _ data: Data, mode: UInt16) { entries.append(Entry(path: path, data: data, mode: mode)) }

  /// The archive's bytes; an error when an entry or the whole is too large for a zip without
  /// the Zip64 extension (4 GiB).
  func encoded() throws -> Data {
    var out = Data(), central = Data()
    // 1980-01-01 00:00 (MS-DOS date: day 1, month 1, year 0): archives are reproducible.
    let dosTime: UInt16 = 0, dosDate: UInt16 = 1 << 5 | 1
    for e in entries {
      let name = Data(e.path.utf8)
      guard e.data.count < Int(UInt32.max), out.count < Int(UInt32.max) - e.data.count - name.count - 30 else {
        throw ConvLabError("\(e.path) makes the zip larger than 4 GiB, which a zip without Zip64 cannot hold.")
      }
      let offset = UInt32(out.count), crc = Self.crc32(e.data), size = UInt32(e.data.count)
      // Local file header (§4.3.7): version 2.0, flag bit 11 (UTF-8 names), method 0 (stored).
      out.le32(0x0403_4B50); out.le16(20); out.le16(0x0800); out.le16(0); out.le16(dosTime); out.le16(dosDate)
      out.le32(crc); out.le32(size); out.le32(size); out.le16(UInt16(name.count)); out.le16(0)
      out.append(name)
      out.append(e.data)
      // Central directory header (§4.3.12): made by Unix (3) so the external attributes carry
      // the file type and permissions in their high 16 bits.
      central.le32(0x0201_4B50); central.le16(3 << 8 | 20); central.le16(20); central.le16(0x0800); central.le16(0)
      central.le16(dosTime); central.le16(dosDate); central.le32(crc); central.le32(size); central.le32(size)
      central.le16(UInt16(name.count)); central.le16(0); central.le16(0); central.le16(0); central.le16(0)
      central.le32(UInt32(0o100000 | UInt32(e.mode)) << 16); central.le32(offset)
      central.append(name)
    }
    guard entries.count < 0xFFFF, out.count + central.count < Int(UInt32.max) else {
      throw ConvLabError("the zip would exceed 4 GiB or 65535 entries, which a zip without Zip64 cannot hold.")
    }
    let centralOffset = UInt32(out.count)
    out.append(central)
    // End of central directory record (§4.3.16).
    out.le32(0x0605_4B50); out.le16(0); out.le16(0); out.le16(UInt16(entries.count)); out.le16(UInt16(entries.count))
    out.le32(UInt32(central.count)); out.le32(centralOffset); out.le16(0)
    return out
  }

  /// CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), as zip and gzip use it.
  static func crc32(_ data: Data) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    data.withUnsafeBytes { bytes in
      for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    }
    return crc ^ 0xFFFF_FFFF
  }

  static let table: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }
}

extension Data {
  mutating func le16(_ v: UInt16) { append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)]) }
  mutating func le32(_ v: UInt32) { for k in 0..<4 { append(UInt8((v >> (8 * UInt32(k))) & 0xFF)) } }
}
