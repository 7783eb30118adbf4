import ConvLabCore
import Foundation

/// What a student's Swift program prints for the grader: for each instance, in order, a header
/// line `out H W D N` (the shape of the returned array, MatConvNet's H×W×D×N) and one line with
/// its H·W·D·N values in vec order (MatConvNet's column-major layout: H fastest, then W, D, N), separated by spaces.
///
/// The text comes from code the student wrote, so nothing in it is trusted: the whole output is
/// capped at `maxBytes`, each printed dimension is bounded by `Size.maxExtent`, H·W·D·N is
/// overflow-checked and compared with the values actually printed before anything is allocated
/// for it, and every mistake is one sentence naming the result, the line and the value.
/// Lines that are not part of a result (the student's own debugging prints) are skipped.
public enum StudentOutput {
  /// The largest output read by default: 64 MiB, far above the few kilobytes the exercises print.
  public static let defaultMaxBytes = 64 << 20

  /// Parses `expected` results from `text`, refusing more than `maxBytes` bytes.
  public static func parse(_ text: Data, expected: Int, maxBytes: Int = defaultMaxBytes) throws -> [Tensor<Double>] {
    guard text.count <= maxBytes else {
      throw ConvLabError("the program printed \(MemoryLimit.format(Double(text.count))), more than the \(MemoryLimit.format(Double(maxBytes))) a result may take; print only the results.")
    }
    let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    var outputs: [Tensor<Double>] = []
    var k = 0
    while k < lines.count {
      let line = lines[k]
      guard line.starts(with: header) else {
        k += 1
        continue
      }
      let number = outputs.count + 1
      guard outputs.count < expected else {
        throw ConvLabError("the program printed a result \(number) (line \(k + 1)) but there are only \(expected) instances; print one result per instance.")
      }
      let dims = try shape(line, result: number, line: k + 1)
      guard k + 1 < lines.count else {
        throw ConvLabError("result \(number) (line \(k + 1)) has a shape but no line of values after it.")
      }
      let values = try self.values(lines[k + 1], result: number, line: k + 2)
      let count = try Size.product(dims, "result \(number)'s shape")
      guard values.count == count else {
        throw ConvLabError("result \(number) has shape \(dims.map(String.init).joined(separator: "×")) (\(count) values) but line \(k + 2) has \(values.count) values.")
      }
      outputs.append(Tensor(shape: Shape(dims[0], dims[1], dims[2], dims[3]), storage: values))
      k += 2
    }
    guard outputs.count == expected else {
      throw ConvLabError("the program printed \(outputs.count) result\(outputs.count == 1 ? "" : "s") for \(expected) instances (does Student.swift print to standard output?).")
    }
    return outputs
  }

  private static let header = Array("out ".utf8)

  /// The four dimensions of an `out H W D N` line.
  private static func shape(_ line: Data.SubSequence, result: Int, line number: Int) throws -> [Int] {
    let words = line.dropFirst(header.count).split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") })
    let text = String(decoding: line.prefix(80), as: UTF8.self)
    guard words.count == 4 else {
      throw ConvLabError("result \(result) (line \(number)): '\(text)' should be 'out H W D N' with four sizes.")
    }
    return try words.map { word -> Int in
      guard word.count <= 19, word.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let v = Int(String(decoding: word, as: UTF8.self)) else {
        throw ConvLabError("result \(result) (line \(number)): '\(text)' should be 'out H W D N' with four non-negative integers.")
      }
      guard v <= Size.maxExtent else {
        throw ConvLabError("result \(result) (line \(number)): the size \(v) in '\(text)' is larger than \(Size.maxExtent).")
      }
      return v
    }
  }

  /// The numbers of a values line; `nan` and `inf` are numbers here (the grader names them).
  private static func values(_ line: Data.SubSequence, result: Int, line number: Int) throws -> [Double] {
    var values: [Double] = []
    for (index, word) in line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }).enumerated() {
      guard word.count <= 64, let v = Double(String(decoding: word, as: UTF8.self)) else {
        throw ConvLabError("result \(result) (line \(number)), value \(index + 1): '\(String(decoding: word.prefix(40), as: UTF8.self))' is not a number.")
      }
      values.append(v)
    }
    return values
  }
}
