import ConvLabBlocks
import ConvLabCore

/// Batch normalization's backward pass (MatConvNet §6.5.2): dz/dx, dz/dw (gains), dz/db.
public struct BatchNormExercise: Exercise {
  public init() {}
  public var id: String { "bnorm-backward" }
  public var title: String { "Batch normalization backward" }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "MatConvNet §4.5.2, §6.5.2" }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let x = integers(Shape(1, 2, 2, 2), -3...3, &rng)
    let gains = integers(Shape(2, 1), 1...3, &rng)
    let biases = integers(Shape(2, 1), -1...1, &rng)
    let dzdy = integers(x.shape, -3...3, &rng, nonzero: true)
    let inputs = ["x": x, "w": gains, "b": biases, "dzdy": dzdy]
    let options = ["epsilon": "0.0001"]
    let parts = [
      makePart("dzdx", kind: "gradient", block: "bnorm", options: options, inputs: inputs, answer: "dzdx", answerShape: x.shape, maxScore: 2),
      makePart("dzdw", kind: "gradient", block: "bnorm", options: options, inputs: inputs, answer: "dzdw", answerShape: gains.shape),
      makePart("dzdb", kind: "gradient", block: "bnorm", options: options, inputs: inputs, answer: "dzdb", answerShape: biases.shape),
    ]
    let task = """
      Batch normalization of x ∈ R^{1×2×2×2} (2 channels; each channel's 4 samples over width and batch):
      y = w_k (x − μ_k)/σ_k + b_k with μ_k the channel mean, σ_k = √(σ²_k + ε), σ²_k the (biased) channel variance and
      ε = 10⁻⁴. Given dz/dy, compute dz/dx, dz/dw (the gains) and dz/db.
      """
    return Instance(parts: parts, task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    let x = try part.input("x")
    let dzdy = try part.input("dzdy")
    let gains = try part.input("w")
    let block = BatchNorm(epsilon: try BlockOptions(part.spec.options).epsilon)
    let answer = try part.output(try part.gradients())
    var variants: [Variant] = []
    switch part.spec.answer {
    case "dzdx":
      let moments = block.moments(x)
      var meanOnly = dzdy
      var constant = dzdy
      for k in 0..<x.shape.d {
        let indices = (0..<x.count).filter { x.shape.subscripts($0).d == k }
        let meanG = indices.reduce(0) { $0 + dzdy.storage[$1] } / Double(indices.count)
        let scale = gains.storage[k] / moments[k].deviation
        for i in indices {
          constant.storage[i] = scale * dzdy.storage[i]
          meanOnly.storage[i] = scale * (dzdy.storage[i] - meanG)
        }
      }
      variants = [Variant("batch-mean-missing", constant), Variant("variance-term-missing", meanOnly)]
    case "dzdb":
      variants = [
        Variant("bias-not-summed", Tensor(shape: answer.shape) { k, _, _, _ in dzdy[0, 0, k, 0] }),
        // Summed over the positions of the first image only, not over the batch.
        Variant(
          "bias-not-summed",
          Tensor(shape: answer.shape) { k, _, _, _ in
            var sum = 0.0
            for j in 0..<dzdy.shape.w { for i in 0..<dzdy.shape.h { sum += dzdy[i, j, k, 0] } }
            return sum
          }),
      ]
    default: break
    }
    return Solution(answer: answer, variants: variants)
  }
}

/// A two-layer chain y = W₂ relu(W₁ x): dz/dx and dz/dW₁ by the chain rule (Murugan
/// Murugan (3.28)–(3.59); MatConvNet §2.3).
public struct ChainExercise: Exercise {
  public init() {}
  public var id: String { "two-layer-chain" }
  public var title: String { "A two-layer chain: dense → ReLU → dense" }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "Murugan (3.28)–(3.59); MatConvNet §2.3" }
  static let net = "dense (w1.npy); relu; dense (w2.npy)"

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let x = integers(Shape(1, 1, 4), -2...2, &rng, nonzero: true)
    // No pre-activation W₁x may be exactly 0: relu′(0) is a convention (Murugan Table 1 takes
    // 1 for x ≥ 0, MatConvNet 0), and the exercise is not about it.
    var w1 = integers(Shape(3, 4), -2...2, &rng)
    while try Dense().forward(x, Parameters(w: w1)).storage.contains(0) { w1 = integers(Shape(3, 4), -2...2, &rng) }
    let w2 = integers(Shape(2, 3), -2...2, &rng, nonzero: true)
    let dzdy = integers(Shape(1, 1, 2), -2...2, &rng, nonzero: true)
    let inputs = ["x": x, "w1": w1, "w2": w2, "dzdy": dzdy]
    let options = ["net": Self.net]
    let parts = [
      makePart("dzdx", kind: "gradient", block: "chain", options: options, inputs: inputs, answer: "dzdx", answerShape: x.shape, maxScore: 2),
      makePart("dzdw1", kind: "gradient", block: "chain", options: options, inputs: inputs, answer: "dzdw", answerShape: w1.shape, maxScore: 2),
    ]
    let task = """
      A two-layer network y = W₂ relu(W₁ x) with x ∈ R⁴ (`x.npy`, stored 1×1×4), W₁ ∈ R^{3×4} (`w1.npy`), W₂ ∈ R^{2×3}
      (`w2.npy`): the blocks `dense`, `relu`, `dense`. Given dz/dy ∈ R², compute dz/dx and dz/dW₁.
      No entry of W₁x is 0, so relu′ is 1 where W₁x > 0 and 0 where W₁x < 0, with no convention needed at 0.
      """
    return Instance(parts: parts, task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    let x = try part.input("x")
    let w1 = try part.input("w1")
    let w2 = try part.input("w2")
    let dzdy = try part.input("dzdy")
    let h = try Dense().forward(x, Parameters(w: w1))
    let a = try ReLU().forward(h, Parameters())
    let da = try Dense().backward(a, Parameters(w: w2), dzdy).dzdx
    let dh = try ReLU().backward(h, Parameters(), da).dzdx
    let first = try Dense().backward(x, Parameters(w: w1), dh)
    let skipped = try Dense().backward(x, Parameters(w: w1), da)
    if part.spec.answer == "dzdx" {
      return Solution(answer: first.dzdx, variants: [Variant("missing-activation-derivative", skipped.dzdx)])
    }
    guard let dw = first.dzdw, let dwSkipped = skipped.dzdw else { throw ConvLabError("dense gave no dz/dw.") }
    return Solution(
      answer: dw,
      variants: [
        Variant("transposed", transpose2D(dw)),
        Variant("missing-activation-derivative", dwSkipped),
      ])
  }
}
