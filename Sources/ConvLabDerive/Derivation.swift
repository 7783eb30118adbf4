import ConvLabCore
import ConvLabNotation

/// One step of a derivation: a formula, what it says, the numbers it produces on a seeded
/// instance, and — where the step claims something — the comparison with an independent
/// computation.
public struct DerivationStep: Sendable {
  /// The formula in Unicode math, with its paper reference.
  public let formula: String
  /// One sentence: what the step says.
  public let explanation: String
  /// The matrices of the step, by name (exportable to .npy/.csv).
  public let matrices: [(name: String, value: Matrix<Double>)]
  /// The step's claim checked against an independent computation, if it makes one.
  public let check: Check?
  /// The step's matrices in symbols (SymbolicDerivations), shown beside the numbers.
  public var symbolic: [(name: String, value: SymbolicMatrix)] = []
  /// A printed worked example compared exactly with the computed one (SymbolicDerivations).
  public var exact: ExactCheck? = nil

  /// A claim and its evidence.
  public struct Check: Sendable {
    /// What the step is compared with ("finite differences", "the conv block's backward", …).
    public let against: String
    public let comparison: Comparison
    public let tolerance: Double
    /// False for a formula shown *as printed* in a paper that is wrong: the check is then
    /// expected to fail, and the step passes when it does.
    public let expectedToHold: Bool
    /// The inventory's claim that a failing printed form quotes (nil for a step that holds):
    /// the step carries no verdict of its own, it shows its claim's.
    public let claim: QuotedClaim?
    /// The audit's verdict on the printed formula, read from its claim (`QuotedClaim.verdict`):
    /// `.correct` for a step that holds as printed.
    public var claimVerdict: Claim.Verdict { claim?.verdict ?? .correct }
    /// For a failing printed form: the other readings checked — the corrected or intended form,
    /// or the reading under which an ambiguous formula holds. Each carries its own numbers, so
    /// the audit never borrows evidence from a neighbouring step.
    public let otherReadings: [Reading]
    /// For a failing printed form: which reading the printed numbers take ("as printed").
    public let printedReading: String
    /// Why the verdict is this one, where it needs saying.
    public let note: String?

    /// What a failing printed form means, in words: the verdict and its note.
    public var verdict: String { expectedToHold ? "holds" : claimVerdict.rawValue + (note.map { ": " + $0 } ?? "") }

    /// Whether the claim held.
    public var holds: Bool { comparison.passes(tolerance) }
    /// Whether the outcome is the expected one (✓ for a correct form that holds, and for a
    /// printed form that fails while its other readings come out as the verdict says).
    public var asExpected: Bool { holds == expectedToHold && (expectedToHold || otherReadings.contains(where: \.holds)) }
  }

  public init(_ formula: String, _ explanation: String, matrices: [(String, Matrix<Double>)] = [], check: Check? = nil) {
    self.formula = formula
    self.explanation = explanation
    self.matrices = matrices.map { (name: $0.0, value: $0.1) }
    self.check = check
  }
}

/// A derivation from one of the papers, as a list of steps on one seeded instance.
public struct Derivation: Sendable {
  /// The identifier (`convlab derive ID`), the same as the catalogue's.
  public let id: String
  /// The title, from the catalogue (`Derivations.all`).
  public fileprivate(set) var title = ""
  /// The citation of what the derivation follows (`Xu (15)–(18)`), from the catalogue.
  public fileprivate(set) var reference = ""
  /// The steps, in order.
  public let steps: [DerivationStep]

  /// A builder's steps under its identifier; the title and reference are written once, in the
  /// catalogue (`Derivations.all`), which sets them on every derivation it builds.
  init(id: String, steps: [DerivationStep]) {
    self.id = id
    self.steps = steps
  }

  /// True when every checked step came out as expected.
  public var allAsExpected: Bool { steps.allSatisfy { ($0.check?.asExpected ?? true) && ($0.exact?.asExpected ?? true) } }
}

/// The catalogue of derivations (`convlab derive --list`).
public enum Derivations {
  /// Settings of an instance.
  public struct Instance: Sendable {
    public var seed: UInt64
    /// The size parameter (e.g. the feature-map side); each derivation documents its default.
    public var size: Int?

    public init(seed: UInt64 = 1, size: Int? = nil) {
      self.seed = seed
      self.size = size
    }
  }

  public typealias Builder = @Sendable (Instance) throws -> Derivation

  /// id, title, reference, builder: the one place a derivation's title and reference are
  /// written; the builder's derivation carries them.
  public static let all: [(id: String, title: String, reference: String, build: Builder)] = catalogue.map(withCatalogueMetadata)

  /// The papers' catalogues, in paper order.
  static let catalogue: [(id: String, title: String, reference: String, build: Builder)] = {
    var entries = XuDerivations.all
    entries += MuruganDerivations.all
    entries += VardhanDerivations.all
    entries += MilisavljevicDerivations.all
    entries += MatConvNetDerivations.all
    entries += SymbolicDerivations.all
    return entries
  }()

  /// A catalogue entry whose builder's derivation carries the entry's title and reference.
  static func withCatalogueMetadata(
    _ entry: (id: String, title: String, reference: String, build: Builder)
  ) -> (id: String, title: String, reference: String, build: Builder) {
    let build: Builder = { instance in
      var d = try entry.build(instance)
      d.title = entry.title
      d.reference = entry.reference
      return d
    }
    return (entry.id, entry.title, entry.reference, build)
  }

  public static func derivation(_ id: String, _ instance: Instance = Instance()) throws -> Derivation {
    guard let entry = all.first(where: { $0.id == id }) else {
      throw ConvLabError.worded("no derivation '\(id)'; `convlab derive \(setting: "list")` shows them (e.g. \(all.prefix(3).map(\.id).joined(separator: ", "))).")
    }
    return try entry.build(instance)
  }
}

extension DerivationStep.Check {
  /// A claim that should hold: relative error ≤ tolerance.
  /// `note` says how a printed symbol maps to the one the check computes with (Xu (9)'s l, its all-ones matrix).
  public static func holds(_ a: Matrix<Double>, _ b: Matrix<Double>, against: String, tolerance: Double = 1e-9, note: String? = nil) -> Self {
    .init(
      against: against, comparison: Comparison(a, b), tolerance: tolerance, expectedToHold: true, claim: nil,
      otherReadings: [], printedReading: "as printed", note: note)
  }

  /// A form as printed in a paper that does not hold: expected to disagree with the ground
  /// truth, while the intended (corrected, or other) reading `intendedValue` agrees with it.
  ///
  /// `claim` names the inventory's claim the step quotes; its verdict (`QuotedClaim.verdict`) is
  /// the step's: `.wrong` (a counterexample under the paper's own definitions), `.garbled` (the
  /// conversion broke it) or `.ambiguous` (the printed reading is one of several the paper's
  /// definitions admit; `intendedReading` names the one under which it holds, and
  /// `truthForIntended` is that reading's own ground truth when it defines another model).
  public static func printedFormFails(
    _ printed: Matrix<Double>, _ truth: Matrix<Double>, claim: QuotedClaim, against: String, tolerance: Double = 1e-9,
    printedReading: String = "as printed", intended: String, intendedValue: Matrix<Double>, truthForIntended: Matrix<Double>? = nil,
    intendedReading: String = "corrected", note: String? = nil
  ) -> Self {
    precondition(claim.verdict != .correct, "a printed form that fails cannot quote a correct claim (\(claim.rawValue))")
    // An ambiguous formula's other reading may define a different model (Murugan (3.3)'s true
    // convolution), with its own ground truth.
    let other = Reading(intendedReading, intended, against: against, Comparison(intendedValue, truthForIntended ?? truth), tolerance: tolerance)
    return .init(
      against: against, comparison: Comparison(printed, truth), tolerance: tolerance, expectedToHold: false, claim: claim,
      otherReadings: [other], printedReading: printedReading, note: note)
  }
}
