import Foundation
import ZIPFoundation

/// Zip archives written in memory with ZIPFoundation: `.npz` weights (NumPy's `np.savez`
/// layout) and the Gradescope autograder bundle share this one writer.
public enum ZipFile {
  /// One member: its path inside the archive, its bytes, and its Unix permissions.
  public struct Entry: Sendable {
    public var path: String
    public var data: Data
    public var permissions: UInt16

    public init(_ path: String, _ data: Data, permissions: UInt16 = 0o644) {
      self.path = path
      self.data = data
      self.permissions = permissions
    }
  }

  /// The archive's bytes, members stored or (with `compressed`) deflated, in the given order,
  /// with a fixed modification date (1980-01-01, zip's epoch) so the same members give the same bytes.
  public static func encode(_ entries: [Entry], compressed: Bool = false) throws -> Data {
    let archive: Archive
    do { archive = try Archive(data: Data(), accessMode: .create) } catch { throw ConvLabError("cannot create a zip archive in memory: \(error).") }
    for entry in entries {
      let bytes = entry.data
      do {
        try archive.addEntry(
          with: entry.path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: Date(timeIntervalSince1970: 315_532_800),
          permissions: entry.permissions, compressionMethod: compressed ? .deflate : .none
        ) { position, size in
          bytes.subdata(in: Int(position)..<Int(position) + size)
        }
      } catch {
        throw ConvLabError("cannot add '\(entry.path)' to the zip archive: \(error).")
      }
    }
    guard let data = archive.data else { throw ConvLabError("the zip archive could not be finished in memory.") }
    return data
  }
}
