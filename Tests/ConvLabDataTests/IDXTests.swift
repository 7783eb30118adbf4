import ConvLabCore
import ConvLabData
import Foundation
import Testing

/// The IDX reader against files written here byte by byte from the format's definition
/// (LeCun's MNIST page: magic 00 00 TT DD, DD big-endian 32-bit sizes, row-major elements).
@Suite struct IDXTests {
  /// An IDX file of unsigned bytes with the given sizes and elements.
  static func idx(_ dimensions: [Int], _ elements: [UInt8]) -> Data {
    var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
    for d in dimensions { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
    return Data(bytes + elements)
  }

  @Test(arguments: [[3], [2, 3], [2, 2, 3], [1, 300, 2]])
  func headerAndElementsReadBack(dimensions: [Int]) throws {
    let count = dimensions.reduce(1, *)
    let elements = (0..<count).map { UInt8(($0 * 37 + 11) % 256) }
    let array = try IDXArray(data: Self.idx(dimensions, elements), name: "t.idx")
    #expect(array.dimensions == dimensions)
    #expect(array.elementType == 0x08)
    #expect(Array(try array.unsignedBytes(name: "t.idx")) == elements)
  }

  /// One element short of what the header declares is refused, not read past the end.
  @Test func aTruncatedPayloadIsRefused() {
    let data = Self.idx([2, 3], [1, 2, 3, 4, 5])
    #expect(throws: ConvLabError.self) { _ = try IDXArray(data: data, name: "t.idx") }
  }
}
