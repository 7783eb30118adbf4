import ConvLabCore

/// Leaky ReLU's backward pass (MatConvNet §6.4): the README's example of adding an exercise.
public struct LeakyReLUExercise: Exercise {
  public init() {}
  public var id: String { "leaky-relu-backward" }
  public var title: String { "Leaky ReLU backward" }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "MatConvNet §6.4" }

  // The instance generator: use only `rng`.
  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let x = integers(Shape(2, 3), -4...4, &rng, nonzero: true)
    let dzdy = integers(Shape(2, 3), -3...3, &rng, nonzero: true)
    let part = makePart(
      "dzdx", kind: "gradient", block: "relu", options: ["leak": "0.1"],
      inputs: ["x": x, "dzdy": dzdy], answer: "dzdx", answerShape: x.shape)
    return Instance(parts: [part], task: "y = max(0.1x, x) entry-wise. Given dz/dy, compute dz/dx.")
  }

  // The answer (the block's own backward pass) and the wrong variants, most specific first.
  public func solve(_ part: Part) throws -> Solution {
    let dzdy = try part.input("dzdy")
    return Solution(
      answer: try part.gradients().dzdx,
      variants: [
        Variant("missing-activation-derivative", dzdy),
        Variant("leak-ignored", try part.gradients(options: ["leak": "0"]).dzdx),
      ])
  }
}
