import ConvLabCore
import ConvLabNotation
import Testing

/// Issue 17: geometry strings (`convlab geometry "…"`) from outside are bounded: a window layer
/// needs a size, every number lies in a stated range, and deep stacks never overflow.
@Suite("Geometry string parsing")
struct GeometryParsingTests {
  func oneLineError(_ body: () throws -> Void) -> String {
    let error = #expect(throws: ConvLabError.self) { try body() }
    let text = error?.description ?? ""
    #expect(!text.contains("\n"), "not one line: \(text)")
    return text
  }

  @Test("'conv' without a size is an error, not a 1×1 window", arguments: ["conv", "pool stride 2", "convt upsample 2"])
  func windowLayerNeedsASize(text: String) {
    let message = oneLineError { _ = try LayerStack(parsing: text) }
    #expect(message.contains("has no window size"), "\(message)")
  }

  @Test("layers without a window still need no size")
  func pointwiseLayersNeedNoSize() throws {
    let stack = try LayerStack(parsing: "conv 3x3; relu; sigmoid; normalize; dropout")
    let last = try #require(try stack.trace(h: 8, w: 8).last)
    #expect(last.h == 6 && last.w == 6)
  }

  @Test(
    "huge or malformed numbers are one-line errors naming the option and the range",
    arguments: [
      ("conv 5x5 dilate 9223372036854775807", "'dilate 9223372036854775807' in 'conv 5x5 dilate 9223372036854775807' is out of range: each number must be between 1 and 1048576."),
      ("conv 5x5 dilate 99999999999999999999", "'dilate 99999999999999999999' in 'conv 5x5 dilate 99999999999999999999' is out of range: each number must be between 1 and 1048576."),
      ("conv 5x5 pad 9223372036854775807", "'pad 9223372036854775807' in 'conv 5x5 pad 9223372036854775807' is out of range: each number must be between 0 and 1048576."),
      ("conv 9223372036854775807x1", "'size 9223372036854775807x1' in 'conv 9223372036854775807x1' is out of range: each number must be between 1 and 1048576."),
      ("conv 5x5 stride 0", "'stride 0' in 'conv 5x5 stride 0' is out of range: each number must be between 1 and 1048576."),
      ("conv 5x5 stride 2,", "'stride 2,' in 'conv 5x5 stride 2,' should be one or two positive integers (e.g. stride 2 or stride 2,1)."),
      ("conv 5x5 pad 1,2", "'pad 1,2' in 'conv 5x5 pad 1,2' should be one non-negative integer or four (top,bottom,left,right)."),
      ("conv 5x", "'size 5x' in 'conv 5x' should be a size like 5, 5x5 or 3x3x64 (height x width x filters)."),
      ("conv 5x5 3x3", "'conv 5x5 3x3' gives two sizes ('3x3' is the second); write one size like 5x5 or 3x3x64."),
    ])
  func boundedNumbers(text: String, expected: String) {
    #expect(oneLineError { _ = try LayerStack(parsing: text) } == expected)
  }

  @Test("a stack of large upsamplings stops at the size bound instead of overflowing")
  func convTransposeGrowthIsBounded() throws {
    let stack = try LayerStack(parsing: "convt 2x2 upsample 1048576; convt 2x2 upsample 1048576; convt 2x2 upsample 1048576")
    let message = oneLineError { _ = try stack.trace(h: 1_048_576, w: 4) }
    #expect(message.hasPrefix("layer 1 (convt 2x2 upsample 1048576): conv transpose output would be longer than 1048576 samples"), "\(message)")
  }

  @Test("deep stacks of large strides print their receptive fields without trapping")
  func hugeReceptiveFieldsPrint() throws {
    // α multiplies by 2²⁰ per layer: 2¹⁰⁰ after five layers, far beyond Int.
    let layer = "conv 1x1 stride 1048576 pad 1048576"
    let stack = try LayerStack(parsing: Array(repeating: layer, count: 5).joined(separator: "; "))
    let last = try #require(try stack.trace(h: 1, w: 1).last)
    #expect(last.rows.alpha == 0x1p100)
    #expect(last.rows.description.hasPrefix("α=1.27e+30"), "\(last.rows.description)")
  }

  @Test("more than the layer limit is refused")
  func tooManyLayers() {
    let text = Array(repeating: "relu", count: LayerStack.maxLayers + 1).joined(separator: ";")
    #expect(oneLineError { _ = try LayerStack(parsing: text) }.contains("at most 1000"))
  }

  @Test("the geometry of valid strings is unchanged: MatConvNet (5.3) by hand")
  func validStringsUnchanged() throws {
    let spec = try LayerSpec(parsing: "conv 5x3x8 stride 2,1 pad 1,2,0,3 dilate 2")
    #expect(spec.filters == 8)
    #expect(spec.geometry.rows == FilterAxis(size: 5, stride: 2, padBefore: 1, padAfter: 2, dilation: 2))
    #expect(spec.geometry.cols == FilterAxis(size: 3, stride: 1, padBefore: 0, padAfter: 3, dilation: 2))
    // H″ = 1 + ⌊(H − D(H′−1) − 1 + P⁻ + P⁺)/S⌋: rows 1 + ⌊(20 − 9 + 3)/2⌋ = 8, cols 1 + (20 − 5 + 3) = 19.
    let out = try spec.outputSize(h: 20, w: 20)
    #expect(out.h == 8 && out.w == 19)
  }
}
