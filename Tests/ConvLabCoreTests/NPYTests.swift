import ConvLabCore
import Foundation
import Testing

/// Builds a .npy file by hand (an independent encoder), so reading is not tested against the
/// writer alone.
func handMadeNPY(descr: String, fortran: Bool, shape: [Int], payload: [UInt8], version: UInt8 = 1) -> Data {
  let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  let header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }\n"
  var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0])
  let n = header.utf8.count
  if version == 1 {
    data.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
  } else {
    data.append(contentsOf: [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), 0, 0])
  }
  data.append(contentsOf: Array(header.utf8))
  data.append(contentsOf: payload)
  return data
}

func littleEndianBytes(_ values: [Double]) -> [UInt8] {
  values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}

@Suite struct NPYTests {
  @Test(arguments: [[5], [3, 4], [2, 3, 4], [2, 3, 2, 2]])
  func roundTripKeepsShapeAndValuesInBothPrecisions(shape: [Int]) throws {
    var rng = SeededGenerator(seed: UInt64(shape.reduce(7, *)))
    let values = (0..<shape.reduce(1, *)).map { _ in Double.random(in: -3...3, using: &rng) }
    let array = NPYArray(shape: shape, values: values, descr: "<f8")
    let back = try NPYArray(data: array.encoded())
    #expect(back == array)
    let single = NPYArray(shape: shape, values: values, descr: "<f4")
    let backSingle = try NPYArray(data: single.encoded())
    #expect(backSingle.shape == shape)
    // Float32 keeps 24 bits: values in [-3, 3] round to within 3·2⁻²⁴ ≈ 1.8e-7.
    #expect(zip(backSingle.values, values).allSatisfy { abs($0 - $1) <= 2e-7 })
  }

  @Test func headerIsPaddedToSixtyFourBytes() throws {
    let data = NPYArray(shape: [2, 2], values: [1, 2, 3, 4]).encoded()
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    #expect((10 + headerLength) % 64 == 0)
    #expect(data.count == 10 + headerLength + 4 * 8)
  }

  @Test func cOrderIsReorderedToColumnMajor() throws {
    // NumPy: np.arange(6.).reshape(2, 3) in C order is [[0, 1, 2], [3, 4, 5]].
    let data = handMadeNPY(descr: "<f8", fortran: false, shape: [2, 3], payload: littleEndianBytes([0, 1, 2, 3, 4, 5]))
    let m: Matrix<Double> = try NPYArray(data: data).matrix()
    #expect(m == Matrix([[0, 1, 2], [3, 4, 5]]))
  }

  @Test func cOrderThreeDimensionsMatchesNumPyIndexing() throws {
    // a = np.arange(24.).reshape(2, 3, 4) (C order): a[i, j, k] = 12 i + 4 j + k.
    let data = handMadeNPY(descr: "<f8", fortran: false, shape: [2, 3, 4], payload: littleEndianBytes((0..<24).map(Double.init)), version: 2)
    let t: Tensor<Double> = try NPYArray(data: data).tensor()
    #expect(t.shape == Shape(2, 3, 4))
    for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { #expect(t[i, j, k] == Double(12 * i + 4 * j + k)) } } }
  }

  @Test func integerLabelsAreRead() throws {
    let payload: [UInt8] = [3, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0]
    let data = handMadeNPY(descr: "<i8", fortran: false, shape: [2], payload: payload)
    #expect(try NPYArray(data: data).values == [3, 10])
  }

  @Test func trailingSingletonsMayBeDroppedOrAdded() throws {
    let data = handMadeNPY(descr: "<f8", fortran: true, shape: [2, 2, 1, 1, 1], payload: littleEndianBytes([1, 2, 3, 4]))
    let t: Tensor<Double> = try NPYArray(data: data).tensor()
    #expect(t.shape == Shape(2, 2))
  }

  static let malformed: [(String, Data, String)] = [
    ("bad magic", Data("NOTNUMPY-file".utf8), "bad magic"),
    ("truncated header", handMadeNPY(descr: "<f8", fortran: true, shape: [2], payload: []).prefix(20), "truncated inside"),
    ("truncated data", handMadeNPY(descr: "<f8", fortran: true, shape: [3], payload: littleEndianBytes([1, 2])), "is truncated"),
    ("extra data", handMadeNPY(descr: "<f8", fortran: true, shape: [1], payload: littleEndianBytes([1, 2])), "more than its shape"),
    ("unsupported dtype", handMadeNPY(descr: "<c16", fortran: true, shape: [1], payload: [UInt8](repeating: 0, count: 16)), "not supported"),
    ("big-endian", handMadeNPY(descr: ">f8", fortran: true, shape: [1], payload: [UInt8](repeating: 0, count: 8)), "not supported"),
  ]

  @Test(arguments: 0..<malformed.count)
  func malformedFilesGiveOneClearLine(index: Int) {
    let (label, data, fragment) = Self.malformed[index]
    do {
      _ = try NPYArray(data: data, name: "x.npy")
      Issue.record("\(label): no error")
    } catch let error as ConvLabError {
      #expect(error.description.contains(fragment), "\(label): \(error.description)")
      #expect(error.description.hasPrefix("x.npy"), "the message names the file")
      #expect(!error.description.contains("\n"))
    } catch {
      Issue.record("\(label): unexpected error type \(error)")
    }
  }

  @Test func fiveRealDimensionsAreRefusedAsATensor() throws {
    let data = handMadeNPY(descr: "<f8", fortran: true, shape: [1, 1, 1, 1, 2], payload: littleEndianBytes([1, 2]))
    #expect(throws: ConvLabError.self) { let _: Tensor<Double> = try NPYArray(data: data).tensor() }
  }

  @Test func writeIsAtomicAndReadable() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-npy-\(UUID().uuidString)").path
    try makeDirectory(folder)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let t = Tensor<Double>(shape: Shape(2, 3, 2)) { i, j, d, _ in Double(100 * d + 10 * j + i) }
    try NPYArray(t).write(to: folder + "/t.npy")
    #expect(try readTensor(folder + "/t.npy", as: Double.self) == t)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }
    #expect(leftovers.isEmpty)
    #expect(throws: ConvLabError.self) { try NPYArray(t).write(to: folder + "/missing/t.npy") }
  }
}

@Suite struct CSVTests {
  @Test func roundTripIsExact() throws {
    let m = Matrix<Double>([[1, -2.5, 1e-17], [0.1, 3, 4]])
    #expect(try CSV.decode(CSV.encode(m)) == m)
  }

  @Test func tensorIsWrittenAsHeightByTheRest() throws {
    let t = Tensor<Double>(shape: Shape(2, 2, 2)) { i, j, d, _ in Double(i + 2 * j + 4 * d) }
    let m = try CSV.decode(CSV.encode(t))
    #expect(m.rows == 2 && m.cols == 4)
    #expect(m.storage == t.storage)
  }

  @Test func raggedAndNonNumericInputAreReportedWithLine() {
    #expect(throws: ConvLabError("s.csv, line 2 has 1 values but line 1 (the first row) has 2; every row needs the same number of values.")) { try CSV.decode("1,2\n3\n", name: "s.csv") }
    #expect(throws: ConvLabError("s.csv, line 1, entry 2: 'abc' is not a finite number.")) { try CSV.decode("1,abc\n", name: "s.csv") }
    #expect(throws: ConvLabError("s.csv, line 1, entry 1: 'nan' is not a finite number.")) { try CSV.decode("nan\n", name: "s.csv") }
  }
}
