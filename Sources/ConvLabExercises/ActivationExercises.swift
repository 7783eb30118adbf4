import ConvLabBlocks
import ConvLabCore
import Foundation

/// An element-wise activation's backward pass, dz/dx = dz/dy ∘ f′(x) (MatConvNet §6.4;
/// Murugan Table 1 and Murugan (3.28)–(3.40)).
public struct ActivationExercise: Exercise {
  public enum Function: String, Sendable, CaseIterable { case relu, sigmoid, tanh }
  public let function: Function

  public init(_ function: Function) { self.function = function }
  public var id: String { "\(function.rawValue)-backward" }
  public var title: String {
    switch function {
    case .relu: return "ReLU backward"
    case .sigmoid: return "Sigmoid backward"
    case .tanh: return "Tanh backward"
    }
  }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "MatConvNet §6.4; Murugan Table 1, Murugan (3.28)–(3.40)" }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let shape = Shape(rng.int(2...3), rng.int(3...4))
    let x = function == .relu ? integers(shape, -4...4, &rng, nonzero: true) : decimals(shape, -2...2, &rng)
    let dzdy = integers(shape, -3...3, &rng, nonzero: true)
    let part = makePart("dzdx", kind: "gradient", block: function.rawValue, inputs: ["x": x, "dzdy": dzdy], answer: "dzdx", answerShape: shape)
    let formula: String
    switch function {
    case .relu: formula = "y = max(0, x)"
    case .sigmoid: formula = "y = σ(x) = 1/(1 + e^{−x})"
    case .tanh: formula = "y = tanh(x)"
    }
    return Instance(parts: [part], task: "The activation \(formula) is applied to every entry of x ∈ R^{\(shape)}. Given dz/dy, compute dz/dx.")
  }

  public func solve(_ part: Part) throws -> Solution {
    let x = try part.input("x")
    let dzdy = try part.input("dzdy")
    let answer = try part.gradients().dzdx
    var variants = [Variant("missing-activation-derivative", dzdy)]
    func times(_ f: (Double) -> Double) -> Tensor<Double> { dzdy.zipWith(x) { g, v in g * f(v) } }
    switch function {
    case .relu: break
    case .sigmoid:
      let s = { (v: Double) in 1 / (1 + exp(-v)) }
      // Murugan Table 1 prints f(1−f)²; the derivative is f(1−f).
      variants.append(Variant("sigmoid-squared", times { s($0) * (1 - s($0)) * (1 - s($0)) }))
      variants.append(Variant("derivative-at-input", times { $0 * (1 - $0) }))
    case .tanh:
      variants.append(Variant("derivative-at-input", times { 1 - $0 * $0 }))
    }
    return Solution(answer: answer, variants: variants)
  }
}

/// The softmax Jacobian across channels at one position: diag(s) − s sᵀ (MatConvNet §6.5.4).
public struct SoftmaxJacobianExercise: Exercise {
  public init() {}
  public var id: String { "softmax-jacobian" }
  public var title: String { "The softmax Jacobian" }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "MatConvNet §6.5.4" }
  /// diag(s) − s sᵀ is symmetric: its transpose is the answer itself.
  public var symmetricParts: Set<String> { ["jacobian"] }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let d = rng.int(3...4)
    let x = decimals(Shape(1, 1, d), -1...1, &rng)
    let part = makePart("jacobian", kind: "jacobian", block: "softmax", inputs: ["x": x], answer: "jacobian", answerShape: Shape(d, d), maxScore: 2)
    return Instance(parts: [part], task: "Softmax across the \(d) channels of x ∈ R^{1×1×\(d)}: y_k = e^{x_k} / Σ_t e^{x_t}. Write the Jacobian d vec y / d (vec x)ᵀ (\(d)×\(d)).")
  }

  public func solve(_ part: Part) throws -> Solution {
    let x = try part.input("x")
    let j = try part.block().jacobian(at: x, Parameters(), wrt: .x)
    let answer = Tensor(shape: Shape(j.rows, j.cols), storage: j.storage)
    // diag(s(1 − s)): J's own diagonal without the −sᵢsⱼ terms.
    let diagonal = Tensor(shape: answer.shape) { r, c, _, _ in r == c ? answer[r, c] : 0 }
    return Solution(answer: answer, variants: [Variant("softmax-diagonal-only", diagonal)])
  }
}

/// The gradient of softmax followed by the log loss, s − onehot(c) per image (MatConvNet §6.6;
/// Murugan (3.25)–(3.27)), with 1-based labels.
public struct SoftmaxLogExercise: Exercise {
  public init() {}
  public var id: String { "softmaxlog-backward" }
  public var title: String { "Softmax log-loss backward" }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "MatConvNet §6.5.4, §6.6; Murugan (3.25)–(3.27)" }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let c = rng.int(3...4)
    let n = 2
    let x = decimals(Shape(1, 1, c, n), -1...1, &rng)
    let labels = Tensor<Double>(shape: Shape(1, 1, 1, n), storage: (0..<n).map { _ in Double(rng.int(1...c)) })
    let part = makePart(
      "dzdx", kind: "gradient", block: "loss", options: ["loss": "softmaxlog"], inputs: ["x": x, "labels": labels, "dzdy": Tensor(shape: Shape(1, 1), storage: [1])], answer: "dzdx",
      answerShape: x.shape)
    let task = """
      The loss z = −Σ_n log softmax(x_n)_{c_n} sums over the \(n) images of x ∈ R^{1×1×\(c)×\(n)} with the 1-based labels c in
      `labels.npy` (MatConvNet's `softmaxlog`). Compute dz/dx (dz/dy = 1).
      """
    return Instance(parts: [part], task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    let x = try part.input("x")
    let labels = try part.input("labels")
    let answer = try part.gradients().dzdx
    let c = x.shape.d
    func onehot(shift: Int) -> Tensor<Double> {
      Tensor(shape: x.shape) { _, _, d, n in d == (Int(labels.storage[n]) - 1 + shift) % c ? 1 : 0 }
    }
    let probabilities = answer.zipWith(onehot(shift: 0), +)
    return Solution(
      answer: answer,
      variants: [
        Variant("softmax-missing", onehot(shift: 0).map { -$0 }),
        Variant("label-off-by-one", probabilities.zipWith(onehot(shift: 1), -)),
      ])
  }
}
