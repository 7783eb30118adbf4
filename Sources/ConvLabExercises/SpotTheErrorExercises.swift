import ConvLabBlocks
import ConvLabCore
import ConvLabDerive
import ConvLabNotation
import Foundation

/// Spot the error: a formula as printed in one of the papers (from `convlab audit`). The
/// student says whether it holds on their instance (part `verdict`: 1 holds, 0 does not) and
/// gives the correct value (part `value`).
///
/// The answer key's verdict is the inventory's: each exercise names the claim it is built on
/// (`quotedClaim`, e.g. `xu-6` for Xu (6)) and its part `verdict` is 1 exactly when that claim's
/// verdict (`QuotedClaim.verdict`) is correct, 0 when it is wrong in the source or garbled in
/// conversion. The exercise computes the printed formula on the student's numbers only for the
/// part `value`'s wrong variant; `VerdictSourcesTests` checks on 200 instances each that those
/// numbers bear the verdict out.
public struct SpotTheErrorExercise: Exercise {
  public enum Claim: String, Sendable, CaseIterable {
    case muruganSigmoid = "spot-murugan-sigmoid"
    case xuKronecker = "spot-xu-eq6"
    case xuExample15 = "spot-xu-eq15"
    case xuBias = "spot-xu-eq9"
  }
  public let claim: Claim

  public init(_ claim: Claim) { self.claim = claim }
  public var id: String { claim.rawValue }
  public var kind: ExerciseKind { .spotTheError }
  public var title: String {
    switch claim {
    case .muruganSigmoid: return "Spot the error: Murugan's sigmoid derivative"
    case .xuKronecker: return "Spot the error: Xu's up-sampling"
    case .xuExample15: return "Spot the error: Xu's worked example after Xu (15)"
    case .xuBias: return "Spot the error: Xu's bias gradient"
    }
  }
  public var citation: String {
    switch claim {
    case .muruganSigmoid: return "Murugan Table 1"
    case .xuKronecker: return "Xu (6)"
    case .xuExample15: return "Xu (15) (worked example)"
    case .xuBias: return "Xu (9)"
    }
  }

  /// The claim of `convlab audit`'s inventory that judges this printed formula
  /// (ConvLabDerive's `Audit.claims`), and whose verdict is the exercise's answer key.
  public var quotedClaim: QuotedClaim {
    switch claim {
    case .muruganSigmoid: return .muruganTable1Sigmoid
    case .xuKronecker: return .xu6
    case .xuExample15: return .xuTextAfter15
    case .xuBias: return .xu9
    }
  }

  /// The claim's id in the inventory (`murugan-table-1-sigmoid`, `xu-6`, `xu-text-after-15`, `xu-9`).
  public var auditClaimID: String { quotedClaim.rawValue }

  /// Whether the printed formula holds, from the claim's verdict: correct holds; wrong in the
  /// source and garbled in conversion do not. An ambiguous claim holds under one reading and
  /// fails under another, so it cannot be asked as a yes-or-no question without naming the
  /// reading: no exercise is built on one (`VerdictSourcesTests` checks it).
  public var printedFormHolds: Bool {
    switch quotedClaim.verdict {
    case .correct: return true
    case .wrong, .garbled, .ambiguous: return false
    }
  }

  /// The claim as printed, for the task text.
  var printed: String {
    switch claim {
    case .muruganSigmoid: return "for f(x) = 1/(1 + e^{−x}), f′(x) = f(x)(1 − f(x))²"
    case .xuKronecker: return "up(δ) = δ ⊗ I₂ₓ₂"
    case .xuExample15: return "for a 3×3 input x, a 2×2 kernel k and z = x ⋆ k (valid), ∂E/∂x₂₂ = δ₁₁k₁₂ + δ₁₂k₂₁ + δ₂₁k₁₂ + δ₂₂k₁₁"
    case .xuBias: return "∂E/∂b = Σ_{p,q} [δ]_{p,q}"
    }
  }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    var inputs: [String: Tensor<Double>]
    var valueShape: Shape
    var what: String
    switch claim {
    case .muruganSigmoid:
      inputs = ["x": decimals(Shape(1, 4), -2...2, &rng)]
      valueShape = Shape(1, 4)
      what = "f′(x) at each entry of x"
    case .xuKronecker:
      inputs = ["delta": integers(Shape(2, 2), -3...3, &rng, nonzero: true)]
      valueShape = Shape(4, 4)
      what = "up(δ), the 2× up-sampling of δ that average pooling's backward pass needs"
    case .xuExample15:
      inputs = ["delta": integers(Shape(2, 2), -3...3, &rng, nonzero: true), "k": integers(Shape(2, 2), -3...3, &rng, nonzero: true)]
      // The printed first term δ₁₁k₁₂ equals the right δ₁₁k₂₂ when k₁₂ = k₂₂: such an instance would
      // make the wrong formula hold. Only those instances are redrawn (the others stay as handed out).
      while let k = inputs["k"], k[paper: 1, 2] == k[paper: 2, 2] { inputs["k"] = integers(Shape(2, 2), -3...3, &rng, nonzero: true) }
      valueShape = Shape(1, 1)
      what = "∂E/∂x₂₂"
    case .xuBias:
      inputs = ["delta": integers(Shape(3, 3), -3...3, &rng, nonzero: true)]
      valueShape = Shape(1, 1)
      what = "∂E/∂b for a layer whose bias is added to every position of the map"
    }
    let parts = [
      makePart("verdict", kind: "verdict", block: nil, inputs: inputs, answer: "verdict", answerShape: Shape(1, 1)),
      makePart("value", kind: "value", block: nil, inputs: inputs, answer: "value", answerShape: valueShape, maxScore: 2),
    ]
    let files = inputs.keys.sorted().map { "`\($0).npy`" }.joined(separator: ", ")
    let task = """
      \(citation) prints: \(printed).
      With your numbers (\(files)): does the printed formula hold? Submit part `verdict` as 1 (it holds) or 0 (it does not), and
      part `value`: the correct \(what).
      """
    return Instance(parts: parts, task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    if part.spec.answer == "verdict" {
      let holds: Double = printedFormHolds ? 1 : 0
      return Solution(answer: Tensor(shape: Shape(1, 1), storage: [holds]), variants: [Variant("verdict-wrong", Tensor(shape: Shape(1, 1), storage: [1 - holds]))])
    }
    let (right, printedValue, others) = try values(part)
    var variants = others
    if !printedFormHolds { variants.insert(Variant(claim == .muruganSigmoid ? "sigmoid-squared" : "printed-form", printedValue), at: 0) }
    return Solution(answer: right, variants: variants)
  }

  /// On the part's inputs: the true value (from an independent computation, not from the
  /// corrected formula), the printed formula's value, and the other wrong variants. The first
  /// two match exactly where the claim is correct (`VerdictSourcesTests`).
  public func values(_ part: Part) throws -> (right: Tensor<Double>, printed: Tensor<Double>, others: [Variant]) {
    switch claim {
    case .muruganSigmoid:
      let x = try part.input("x")
      let f = x.map { 1 / (1 + exp(-$0)) }
      return (f.map { $0 * (1 - $0) }, f.map { $0 * (1 - $0) * (1 - $0) }, [Variant("derivative-at-input", x.map { $0 * (1 - $0) })])
    case .xuKronecker:
      let delta = try part.input("delta").channel(0)
      let up = kron(delta, Matrix<Double>.ones(2, 2))
      let printed = kron(delta, Matrix<Double>.identity(2))
      let t = { (m: Matrix<Double>) in Tensor(shape: Shape(m.rows, m.cols), storage: m.storage) }
      return (t(up), t(printed), [Variant("upsample-averaged", t(up).map { $0 / 4 })])
    case .xuExample15:
      let d = try part.input("delta")
      let k = try part.input("k")
      // Ground truth from the conv block's backward pass, not from the corrected formula.
      let x = Tensor<Double>(shape: Shape(3, 3))
      let dx = try Conv().backward(x, Parameters(w: k), d).dzdx
      let printed = d[paper: 1, 1] * k[paper: 1, 2] + d[paper: 1, 2] * k[paper: 2, 1] + d[paper: 2, 1] * k[paper: 1, 2] + d[paper: 2, 2] * k[paper: 1, 1]
      let flipped = try Conv().backward(x, Parameters(w: Slices.rot180(k)), d).dzdx
      return (
        Tensor(shape: Shape(1, 1), storage: [dx[paper: 2, 2]]), Tensor(shape: Shape(1, 1), storage: [printed]),
        [Variant("missing-flip", Tensor(shape: Shape(1, 1), storage: [flipped[paper: 2, 2]]))]
      )
    case .xuBias:
      let d = try part.input("delta")
      let sum = d.storage.reduce(0, +)
      return (
        Tensor(shape: Shape(1, 1), storage: [sum]), Tensor(shape: Shape(1, 1), storage: [sum]),
        [Variant("bias-not-summed", Tensor(shape: Shape(1, 1), storage: [d[0, 0]]))]
      )
    }
  }
}
