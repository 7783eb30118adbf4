import ConvLabCore

/// The four kinds of exercise (issue: by-hand, implement in Swift, geometry, spot the error).
public enum ExerciseKind: String, Codable, CaseIterable, Sendable {
  case byHand = "by-hand"
  case swift
  case geometry
  case spotTheError = "spot-the-error"
}

/// One graded part of an exercise as the packet's `exercise.json` describes it: enough for any
/// tool to recompute the answer (`block` and `options` are exactly `convlab block`'s name and
/// options; `inputs` name the packet's `.npy` files), never the answer itself.
public struct PartSpec: Codable, Equatable, Sendable {
  public var name: String
  /// `gradient`, `jacobian`, `forward`, `geometry`, `verdict`, `value` or `swift`.
  public var kind: String
  /// The `convlab block` name, `chain` for a composite (its layers in `options["net"]`), or nil.
  public var block: String?
  /// `convlab block` options without the leading dashes (`"pad": "1"`, `"stride": "2,1"`).
  public var options: [String: String]
  /// Role (`x`, `w`, `b`, `dzdy`, `labels`, …) → file name in the packet.
  public var inputs: [String: String]
  /// What to submit: `dzdx`, `dzdw`, `dzdb`, `y`, `jacobian`, `shape`, `verdict`, `value`.
  public var answer: String
  /// The answer's shape (MatConvNet layout, trailing singletons dropped).
  public var shape: [Int]
  /// How a `.csv` submission is laid out, in words.
  public var layout: String
  public var maxScore: Double

  public init(name: String, kind: String, block: String?, options: [String: String] = [:], inputs: [String: String] = [:], answer: String, shape: [Int], layout: String, maxScore: Double = 1) {
    self.name = name
    self.kind = kind
    self.block = block
    self.options = options
    self.inputs = inputs
    self.answer = answer
    self.shape = shape
    self.layout = layout
    self.maxScore = maxScore
  }

  enum CodingKeys: String, CodingKey {
    case name, kind, block, options, inputs, answer, shape, layout
    case maxScore = "max_score"
  }
}

/// A part with its input arrays.
public struct Part: Sendable {
  public var spec: PartSpec
  /// Role → array (all in Double, MatConvNet layout).
  public var inputs: [String: Tensor<Double>]

  public init(spec: PartSpec, inputs: [String: Tensor<Double>]) {
    self.spec = spec
    self.inputs = inputs
  }

  /// The input called `role`; a packet without it is an error, not a crash.
  public func input(_ role: String) throws -> Tensor<Double> {
    guard let t = inputs[role] else { throw ConvLabError("part '\(spec.name)' has no input '\(role)'.") }
    return t
  }

  /// An integer option.
  public func int(_ key: String) throws -> Int {
    guard let text = spec.options[key], let v = Int(text) else { throw ConvLabError("part '\(spec.name)' has no whole-number option '\(key)'.") }
    return v
  }
}

/// A known wrong answer: what a student gets by making the mistake `id`.
public struct Variant: Sendable {
  public var id: String
  public var value: Tensor<Double>
  public init(_ id: String, _ value: Tensor<Double>) {
    self.id = id
    self.value = value
  }
}

/// The right answer of a part and its catalogue of wrong variants, most specific first.
public struct Solution: Sendable {
  public var answer: Tensor<Double>
  public var variants: [Variant]
  public init(answer: Tensor<Double>, variants: [Variant]) {
    self.answer = answer
    self.variants = variants
  }
}

/// One student's instance of an exercise: the parts and the task text (Markdown, with the
/// instance's sizes and options filled in).
public struct Instance: Sendable {
  public var parts: [Part]
  public var task: String
  public init(parts: [Part], task: String) {
    self.parts = parts
    self.task = task
  }
}

/// A classroom exercise: an instance generator, the answer, and the wrong variants.
///
/// To add one, write a type conforming to this protocol in one Swift file and list it in
/// `Exercises.all` (README: "Adding an exercise").
public protocol Exercise: Sendable {
  /// Short id used on the command line (`conv-backward`).
  var id: String { get }
  var title: String { get }
  var kind: ExerciseKind { get }
  /// The papers' equations this exercise is about (`Xu (11)–(13); MatConvNet §6.1`).
  var citation: String { get }
  /// Parts whose answer is symmetric by construction (a softmax Jacobian diag(s) − s sᵀ), so
  /// that a transposed answer is right and not a mistake to guard against.
  var symmetricParts: Set<String> { get }
  /// Draws an instance. Called again with a fresh generator when the draw is degenerate
  /// (two variants that coincide), so it must use only `rng` for randomness.
  func generate(using rng: inout SeededGenerator) throws -> Instance
  /// The answer and the wrong variants of a part, from its inputs and options alone, so the
  /// student's self-check and the teacher's grading compute the same thing.
  func solve(_ part: Part) throws -> Solution
}

extension Exercise {
  public var symmetricParts: Set<String> { [] }

  /// A non-degenerate instance for `seed`: every variant differs from the answer, from −answer
  /// and from every other variant of the same shape (checked with the grading tolerance), so
  /// that each mistake is diagnosable as itself; and the answer differs from its transposed and
  /// row-major versions (`Confusions.generic`), so that no layout mistake scores as right.
  ///
  /// Attempt k of the first 200 starts the generator at `seed + k·γ` (γ the generator's own
  /// increment), which is the stream of attempt 0 shifted by k draws: neighbouring attempts share
  /// most of their draws, so a seed whose whole stream is unlucky could exhaust them. They are
  /// kept as they are, so every instance a course has already handed out is drawn again
  /// identically at grading; later attempts start from independent seeds taken from a second
  /// generator.
  public func instance(seed: UInt64) throws -> Instance {
    var attempt: UInt64 = 0
    var independentSeeds = SeededGenerator(seed: ~seed)
    while true {
      var rng = SeededGenerator(seed: attempt < Self.shiftedAttempts ? seed &+ attempt &* 0x9E37_79B9_7F4A_7C15 : independentSeeds.next())
      let instance = try generate(using: &rng)
      if try instance.parts.allSatisfy({ part in
        let solution = try solve(part)
        // Layout confusions the catalogue already lists under the same id are checked as its variants.
        let generic = Confusions.generic(solution.answer, symmetric: symmetricParts.contains(part.spec.name))
          .filter { g in !solution.variants.contains { $0.id == g.id } }
        return isDistinguishable(solution, generic: generic)
      }) {
        return instance
      }
      attempt += 1
      guard attempt < Self.shiftedAttempts + 2_000 else { throw ConvLabError("exercise \(id) could not draw an instance whose mistakes are all distinguishable (seed \(seed)).") }
    }
  }

  /// The attempts drawn from shifted streams (see `instance(seed:)`).
  static var shiftedAttempts: UInt64 { 200 }

  func isDistinguishable(_ s: Solution, generic: [Variant] = []) -> Bool {
    var candidates = s.variants.map(\.value) + generic.map(\.value)
    candidates.append(s.answer)
    if s.answer.storage.contains(where: { $0 != 0 }) { candidates.append(s.answer.map { -$0 }) }
    for a in candidates.indices {
      for b in candidates.indices where b > a {
        if Tolerance.matches(candidates[a], candidates[b]) || Tolerance.matches(candidates[b], candidates[a]) { return false }
      }
    }
    return true
  }
}

/// The grading tolerance: an entry is right when |s − a| ≤ 10⁻³·|a| + 10⁻⁴·max(1, max|a|).
public enum Tolerance {
  public static let relative = 1e-3
  public static let absoluteFraction = 1e-4

  /// The sentence the feedback prints.
  public static let sentence =
    "An entry counts as right when it is within 0.1% of the true value (or within 0.0001 times the largest entry, for entries near zero), so rounding to four significant digits is fine."

  /// The absolute floor for an answer.
  public static func floor(_ answer: Tensor<Double>) -> Double { absoluteFraction * max(1, answer.maxMagnitude) }

  /// Entry-wise verdicts of `submitted` against `truth` (same count assumed).
  public static func entries(_ submitted: [Double], _ truth: [Double], floor: Double) -> [Bool] {
    zip(submitted, truth).map { s, a in abs(s - a) <= relative * abs(a) + floor }
  }

  /// Whether every entry of `submitted` matches `truth` (shapes must agree).
  public static func matches(_ submitted: Tensor<Double>, _ truth: Tensor<Double>) -> Bool {
    guard submitted.shape == truth.shape else { return false }
    return entries(submitted.storage, truth.storage, floor: floor(truth)).allSatisfy { $0 }
  }
}
