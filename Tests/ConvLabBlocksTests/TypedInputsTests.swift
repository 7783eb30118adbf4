import ConvLabBlocks
import ConvLabCore
import Testing

/// Blocks open `Parameters` through their typed inputs (`WeightInputs`, `ChannelInputs`): a
/// missing weight is one typed error naming the block and exactly the inputs it lacks, on the
/// fast, literal and Jacobian routes alike (before, some routes said "conv needs filters." as a
/// plain sentence and others named a flag).
@Suite("typed block inputs")
struct TypedInputsTests {
  /// The block, its name in the error, and the inputs it must report missing.
  static let cases: [(any Block, String, [Setting])] = [
    (Conv(), "conv", ["w"]), (FlippedConv(), "conv", ["w"]), (ConvTranspose(), "convt", ["w"]), (Dense(), "dense", ["w"]),
    (Subsample(n: 2), "subsample", ["w", "b"]), (BatchNorm(), "bnorm", ["w", "b"]),
  ]

  /// The (block, inputs) of a `.missingInput` error, or nil for any other error.
  static func missing(_ body: () throws -> Void) -> (String, [Setting])? {
    do {
      try body()
      return nil
    } catch let ConvLabError.missingInput(block, inputs, _) {
      return (block, inputs)
    } catch {
      return nil
    }
  }

  @Test(arguments: 0..<cases.count) func missingWeightsAreOneTypedError(_ k: Int) {
    let (block, name, inputs) = Self.cases[k]
    let x = Tensor<Double>(shape: Shape(4, 4, 2, 1))
    let routes: [(String, () throws -> Void)] = [
      ("fast forward", { _ = try block.evaluate(x, Parameters(), path: .fast) }),
      ("literal forward", { _ = try block.evaluate(x, Parameters(), path: .literal) }),
      ("fast backward", { _ = try block.gradients(x, Parameters(), Tensor(shape: Shape(2, 2, 2, 1)), path: .fast) }),
      ("Jacobian", { _ = try block.jacobian(at: x, Parameters(), wrt: .x) }),
    ]
    for (route, body) in routes {
      let got = Self.missing(body)
      #expect(got?.0 == name && got?.1 == inputs, "\(name) \(route): \(String(describing: got))")
    }
  }

  /// With its weights given, the typed view hands back the same arrays (no copy, no conversion).
  @Test func theViewIsTheParameters() throws {
    let w = Tensor<Double>(shape: Shape(2, 2, 1, 3), storage: (0..<12).map(Double.init))
    let b = Tensor<Double>(shape: Shape(1, 1, 3), storage: [1, 2, 3])
    let inputs = try Conv().inputs(Parameters(w: w, b: b))
    #expect(inputs.w.storage == w.storage && inputs.b?.storage == b.storage)
    #expect(try Conv().inputs(Parameters(w: w)).b == nil)
  }
}
