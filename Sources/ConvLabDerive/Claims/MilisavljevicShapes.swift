import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Milisavljevic §4's dilation settings checked on the stated architecture: a 28×28×1 input,
/// 4 layers, each a 3×3 convolution that keeps the size (padding 1) followed by the dilated 3×3
/// convolution that reduces it ("CONV then RELU for stride and dilation").
extension MilisavljevicClaims {
  /// The sizes after each dilated convolution, by the conv block; nil from the layer whose
  /// output would be empty on.
  static func dilatedSizes(_ dilations: [Int], pad: Int, stride: Int) -> [Int?] {
    var h = 28
    var sizes: [Int?] = []
    for d in dilations {
      let block = Conv(pad: [pad, pad, pad, pad], stride: (stride, stride), dilate: (d, d))
      guard h > 0, let out = try? block.outputShape(Shape(h, h), Parameters(w: Tensor<Double>(shape: Shape(3, 3)))), out.h > 0 else {
        h = 0
        sizes.append(nil)
        continue
      }
      h = out.h
      sizes.append(h)
    }
    return sizes
  }

  /// "28 → 26 → 22 → 16 → 8", with "none" for an empty output.
  static func chain(_ sizes: [Int?]) -> String { (["28"] + sizes.map { $0.map(String.init) ?? "none" }).joined(separator: " → ") }

  /// 1 when every layer has a non-empty output.
  static func valid(_ sizes: [Int?]) -> Double { sizes.allSatisfy { $0 != nil } ? 1 : 0 }

  /// The receptive field of a chain of 3-tap (3×3) convolutions with dilations `dilations`,
  /// by brute force along one axis: the input positions output 0 reaches.
  static func receptiveFields(_ dilations: [Int]) -> [Int] {
    var reach: Set<Int> = [0]
    return dilations.map { d in
      reach = Set(reach.flatMap { p in [p, p + d, p + 2 * d] })
      return (reach.max() ?? 0) - (reach.min() ?? 0) + 1
    }
  }

  /// (RF(l + 1) + 1)/(RF(l) + 1) for successive layers: constant 2 when the field doubles.
  static func growth(_ fields: [Int]) -> [Double] { zip(fields.dropFirst(), fields).map { Double($0 + 1) / Double($1 + 1) } }

  static func shapes() -> [Claim] {
    let fromZero = (0..<4).map { $0 }
    let fromOne = (1...4).map { $0 }
    let default0 = dilatedSizes(fromZero.map { $0 + 2 }, pad: 1, stride: 1)
    let default1 = dilatedSizes(fromOne.map { $0 + 2 }, pad: 1, stride: 1)
    let plus3Printed1 = dilatedSizes(fromOne.map { $0 + 3 }, pad: 2, stride: 2)
    let plus3Printed0 = dilatedSizes(fromZero.map { $0 + 3 }, pad: 2, stride: 2)
    let plus3Stride1 = dilatedSizes(fromZero.map { $0 + 3 }, pad: 2, stride: 1)
    let plus3Pad1 = dilatedSizes(fromZero.map { $0 + 3 }, pad: 1, stride: 1)
    let against = "the conv block's output sizes over the 4 layers (1: every output non-empty)"
    let doubling = receptiveFields([1, 2, 4, 8])
    let paper = receptiveFields(fromZero.map { $0 + 2 })
    return [
      Claim(
        .milisavljevic, section: "§3, §5", location: "§5 (exponential expansion)", kind: .prose,
        printed: "dilated convolutions support exponential expansion of the receptive field without loss of resolution or coverage (Yu & Koltun, 2015)", verdict: .ambiguous,
        intended: "exponential when the dilation doubles from layer to layer (Yu & Koltun's 2^i); with the paper's schedules (i + 1, i + 2, i + 3, constant 2) the field grows linearly per layer",
        note:
          "receptive fields of four dilated 3×3 layers: dilations 1, 2, 4, 8 give \(doubling.map(String.init).joined(separator: ", ")); the default i + 2 (2, 3, 4, 5) gives \(paper.map(String.init).joined(separator: ", ")). "
          + "The sentence is Yu & Koltun's, about their schedule; the experiments do not use it",
        readings: [
          Reading(
            "the paper's default dilation i + 2", "(RF + 1) doubles per layer", against: "ratios (RF(l+1) + 1)/(RF(l) + 1) of the brute-force receptive fields",
            value: [2, 2, 2], truth: growth(paper)),
          Reading(
            "dilation doubling per layer (Yu & Koltun)", "(RF + 1) doubles per layer", against: "ratios (RF(l+1) + 1)/(RF(l) + 1) of the brute-force receptive fields",
            value: [2, 2, 2], truth: growth(doubling)),
        ]),
      Claim(
        .milisavljevic, section: "§4", location: "§4 (default dilation i+2)", kind: .indexRange,
        printed: "Dilation = i+2 (where i is the layer depth) Padding = 1", verdict: .ambiguous,
        intended: "i counted from 0: dilations 2, 3, 4, 5",
        note: "the layer depth is not said to start at 0 or 1; from 1 (dilations 3, 4, 5, 6) the fourth dilated 3×3 convolution spans 13 pixels of a 10×10 map padded to 12",
        readings: [
          Reading("i counted from 1: dilations 3, 4, 5, 6", chain(default1), against: against, value: [valid(default1)], truth: [1]),
          Reading("i counted from 0: dilations 2, 3, 4, 5", chain(default0), against: against, value: [valid(default0)], truth: [1]),
        ]),
      Claim(
        .milisavljevic, section: "§4", location: "§4 (dilation i+3 shapes)", kind: .prose,
        printed: "Note that for i+3, padding 2 and stride 2 have to be used to have valid output shapes", verdict: .wrong,
        intended: "padding 2 with stride 1 (i counted from 0, as the default i+2 needs): 28 → 26 → 22 → 16 → 8",
        note:
          "with stride 2 the map halves at every layer while the dilated kernel grows, so the third layer has no output whichever way i is counted; padding 1 alone does fail at layer 4 (\(chain(plus3Pad1))), so padding 2 is needed, stride 2 is not",
        readings: [
          Reading("as printed, i counted from 1: padding 2, stride 2", chain(plus3Printed1), against: against, value: [valid(plus3Printed1)], truth: [1]),
          Reading("as printed, i counted from 0: padding 2, stride 2", chain(plus3Printed0), against: against, value: [valid(plus3Printed0)], truth: [1]),
          Reading("corrected: padding 2, stride 1, i counted from 0", chain(plus3Stride1), against: against, value: [valid(plus3Stride1)], truth: [1]),
        ]),
    ]
  }
}
