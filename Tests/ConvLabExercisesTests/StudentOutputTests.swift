import ConvLabCore
import ConvLabExercises
import Foundation
import Testing

/// Issue 17: a student program's printed results are parsed with checked sizes and caps; a huge
/// printed shape is a sentence, never an overflow trap.
@Suite("Student program output")
struct StudentOutputTests {
  func oneLineError(_ text: String, expected: Int, maxBytes: Int = StudentOutput.defaultMaxBytes) -> String {
    let error = #expect(throws: ConvLabError.self) { _ = try StudentOutput.parse(Data(text.utf8), expected: expected, maxBytes: maxBytes) }
    let message = error?.description ?? ""
    #expect(!message.contains("\n"), "not one line: \(message)")
    return message
  }

  @Test("results parse into tensors of the printed shape, values in vec order")
  func parsesResults() throws {
    let text = "compiling…\nout 2 2 1 1\n1 2 3 4\ndebug: hello\nout 1 3 1 1\r\n-0.5 1e-3 nan\r\n"
    let results = try StudentOutput.parse(Data(text.utf8), expected: 2)
    #expect(results.count == 2)
    #expect(results[0].shape == Shape(2, 2) && results[0].storage == [1, 2, 3, 4])
    // vec order: x[i, j] is entry i + H·j, so x[1, 0] = 2 and x[0, 1] = 3 (H = 2).
    #expect(results[0][1, 0] == 2 && results[0][0, 1] == 3)
    #expect(results[1].shape == Shape(1, 3) && results[1].storage[0] == -0.5 && results[1].storage[1] == 1e-3 && results[1].storage[2].isNaN)
  }

  @Test(
    "a huge printed shape is a one-line error, not an overflow trap",
    arguments: [
      ("out 9223372036854775807 2 1 1\n1 2\n", "result 1 (line 1): the size 9223372036854775807 in 'out 9223372036854775807 2 1 1' is larger than 1048576."),
      ("out 99999999999999999999999 2 1 1\n1 2\n", "result 1 (line 1): 'out 99999999999999999999999 2 1 1' should be 'out H W D N' with four non-negative integers."),
      ("out 1048576 1048576 1048576 1048576\n1\n", "result 1's shape is too large: 1048576×1048576×1048576×1048576 overflows a 64-bit count."),
      ("out 1048576 1048576 1 1\n1 2\n", "result 1 has shape 1048576×1048576×1×1 (1099511627776 values) but line 2 has 2 values."),
    ])
  func hugeShapes(text: String, expected: String) {
    #expect(oneLineError(text, expected: 1) == expected)
  }

  @Test(
    "malformed results name the result, the line and the value",
    arguments: [
      ("out 2 2 1\n1 2 3 4\n", 1, "result 1 (line 1): 'out 2 2 1' should be 'out H W D N' with four sizes."),
      ("out 2 -2 1 1\n1 2 3 4\n", 1, "result 1 (line 1): 'out 2 -2 1 1' should be 'out H W D N' with four non-negative integers."),
      ("out 2 1 1 1\n1 two\n", 1, "result 1 (line 2), value 2: 'two' is not a number."),
      ("out 2 1 1 1", 1, "result 1 (line 1) has a shape but no line of values after it."),
      ("out 1 1 1 1\n5\n", 2, "the program printed 1 result for 2 instances (does Student.swift print to standard output?)."),
      ("out 1 1 1 1\n5\nout 1 1 1 1\n6\n", 1, "the program printed a result 2 (line 3) but there are only 1 instances; print one result per instance."),
      ("", 1, "the program printed 0 results for 1 instances (does Student.swift print to standard output?)."),
    ])
  func malformed(text: String, expected: Int, message: String) {
    #expect(oneLineError(text, expected: expected) == message)
  }

  @Test("output above the cap is refused before it is parsed")
  func capped() {
    let text = "out 1 1 1 1\n" + String(repeating: "1 ", count: 600)
    #expect(oneLineError(text, expected: 1, maxBytes: 1000) == "the program printed 1 KiB, more than the 1000 B a result may take; print only the results.")
  }
}
