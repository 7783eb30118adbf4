import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import Testing

/// Every block refuses an invalid configuration with one sentence naming the problem.
@Suite struct InvalidConfigurationTests {
  static func t(_ s: Shape) -> Tensor<Double> { Tensor(shape: s, repeating: 0.5) }

  static let cases: [(String, any Block, Tensor<Double>, Parameters<Double>, String)] = [
    ("conv filter too large", Conv(), t(Shape(3, 3)), Parameters(w: t(Shape(4, 4))), "padded input has only 3"),
    ("conv groups", Conv(), t(Shape(4, 4, 3)), Parameters(w: t(Shape(2, 2, 2))), "does not divide"),
    ("convt depth", ConvTranspose(), t(Shape(3, 3, 2)), Parameters(w: t(Shape(2, 2, 1, 3))), "last dimension"),
    ("convt crop", ConvTranspose(crop: [3, 3, 0, 0]), t(Shape(1, 3)), Parameters(w: t(Shape(2, 2))), "reduce the crop"),
    ("pool pad ≥ size", Pool(size: (2, 2), pad: [0, 2, 0, 0]), t(Shape(4, 4)), Parameters(), "smaller than the pool size"),
    ("pool larger than input", Pool(size: (5, 1)), t(Shape(4, 4)), Parameters(), "pooling window spans 5"),
    ("subsample divisibility", Subsample(n: 3), t(Shape(4, 6)), Parameters(w: t(Shape(1, 1)), b: t(Shape(1, 1))), "divisible by n"),
    ("subsample parameters", Subsample(n: 2), t(Shape(4, 4, 2)), Parameters(w: t(Shape(1, 1))), "one entry per channel"),
    ("dense weights", Dense(), t(Shape(2, 2)), Parameters(w: t(Shape(3, 5))), "K×4 matrix"),
    ("bnorm counts", BatchNorm(), t(Shape(2, 2, 3)), Parameters(w: t(Shape(1, 1, 2)), b: t(Shape(1, 1, 3))), "3 channels but 2 gains"),
    ("normalize depth", Normalize(depth: 0), t(Shape(2, 2)), Parameters(), "N ≥ 1"),
    ("dropout rate", Dropout(rate: 1.5), t(Shape(2, 2)), Parameters(), "[0, 1)"),
    ("dropout mask values", Dropout(), t(Shape(1, 2)), Parameters(mask: Tensor(shape: Shape(1, 2), storage: [1, 0.5])), "only 0"),
    ("pdist target", PDist(), t(Shape(2, 2)), Parameters(target: t(Shape(2, 3))), "target has shape 2×3"),
    ("loss labels", Loss(), t(Shape(1, 1, 3)), Parameters(labels: Tensor(shape: Shape(1, 1), storage: [7])), "between 1 and 3"),
    ("binary labels", Loss(kind: .hinge), t(Shape(1, 2)), Parameters(labels: Tensor(shape: Shape(1, 2), storage: [1, 0])), "−1 or +1"),
    ("mape zero target", RegressionLoss(kind: .mape), t(Shape(1, 2)), Parameters(target: Tensor(shape: Shape(1, 2), storage: [1, 0])), "no target may be 0"),
  ]

  @Test(arguments: 0..<cases.count)
  func refusedWithOneSentence(index: Int) {
    let (label, block, x, p, fragment) = Self.cases[index]
    do {
      _ = try block.forward(x, p)
      Issue.record("\(label): accepted")
    } catch {
      let text = (error as? ConvLabError)?.description ?? "\(error)"
      #expect(text.contains(fragment), "\(label): \(text)")
      #expect(!text.contains("\n"), "\(label): one line")
    }
  }
}

@Suite struct WrongDzdyTests {
  @Test(arguments: CheckCase.blockNames)
  func backwardRefusesADzdyOfTheWrongShape(name: String) throws {
    let c = try CheckCase.random(name, seed: 97)
    try #require(!c.block.variables(c.parameters).isEmpty, "\(c.configuration) is forward only")
    let y = try c.block.forward(c.x, c.parameters)
    let wrong = Tensor<Double>(shape: Shape(y.shape.h + 1, y.shape.w, y.shape.d, y.shape.n))
    do {
      _ = try c.block.backward(c.x, c.parameters, wrong)
      Issue.record("\(name): accepted dz/dy of shape \(wrong.shape) for y of \(y.shape)")
    } catch {
      #expect((error as? ConvLabError)?.description.contains("dz/dy has shape") == true, "\(name): \(error)")
    }
  }
}
