import ConvLabCore
import Foundation

/// How a wrong part with the right shape earns points.
///
/// `proportional` (the default): `cap · maxScore · r/n`, rounded down to 0.01, where r counts
/// the right entries whose true value is not zero and n the entries whose true value is not
/// zero plus the wrong entries where it is. Entries that should be zero earn nothing, so an
/// all-zero answer earns nothing; a wrong value where a zero belongs costs as much as a missed
/// nonzero one. `off`: a wrong part earns nothing.
public struct PartialCredit: Codable, Sendable, Equatable {
  public enum Mode: String, Codable, Sendable { case off, proportional }
  public var mode: Mode
  /// The largest fraction of a part's points a wrong answer can earn (0 ≤ cap < 1).
  public var cap: Double

  public init(mode: Mode, cap: Double) {
    self.mode = mode
    self.cap = cap
  }

  /// Proportional, capped at half the points.
  public static let standard = PartialCredit(mode: .proportional, cap: 0.5)

  /// The points of a wrong part: `right[k]` says whether entry k is right, `truth` the true values.
  public func score(maxScore: Double, right: [Bool], truth: [Double]) -> Double {
    guard mode == .proportional else { return 0 }
    let counted = zip(right, truth).filter { $0.1 != 0 || !$0.0 }
    let earned = counted.filter { $0.0 && $0.1 != 0 }.count
    guard !counted.isEmpty else { return 0 }
    let fraction = Double(earned) / Double(counted.count)
    return (maxScore * cap * fraction * 100).rounded(.down) / 100
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case mode, cap }

  public init(from decoder: any Decoder) throws {
    try rejectUnknownKeys(decoder, CodingKeys.allCases.map(\.rawValue), "partial_credit")
    let c = try decoder.container(keyedBy: CodingKeys.self)
    mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? Self.standard.mode
    cap = try c.decodeIfPresent(Double.self, forKey: .cap) ?? Self.standard.cap
    guard cap.isFinite, cap >= 0, cap < 1 else {
      throw ConvLabError("course.json: partial_credit.cap is \(cap); it must be at least 0 and below 1 (a wrong part never earns full points).")
    }
  }
}

/// Who sees what on Gradescope (its `visibility` values: `visible`, `hidden`, `after_due_date`,
/// `after_published`).
public struct FeedbackVisibility: Codable, Sendable, Equatable {
  /// Each part's score, status and diagnosis.
  public var result: String
  /// The ✓/✗ map of which entries are off (a separate zero-point test per wrong part).
  public var entries: String

  public static let allowed = ["visible", "hidden", "after_due_date", "after_published"]
  public static let standard = FeedbackVisibility(result: "visible", entries: "after_due_date")

  public init(result: String, entries: String) {
    self.result = result
    self.entries = entries
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case result, entries }

  public init(from decoder: any Decoder) throws {
    try rejectUnknownKeys(decoder, CodingKeys.allCases.map(\.rawValue), "visibility")
    let c = try decoder.container(keyedBy: CodingKeys.self)
    result = try c.decodeIfPresent(String.self, forKey: .result) ?? Self.standard.result
    entries = try c.decodeIfPresent(String.self, forKey: .entries) ?? Self.standard.entries
    for (key, value) in [("result", result), ("entries", entries)] where !Self.allowed.contains(value) {
      throw ConvLabError("course.json: visibility.\(key) is '\(value)'; it must be one of \(Self.allowed.joined(separator: ", ")).")
    }
  }
}

/// The course's grading policy, the `policy` object of `course.json` (Docs/instructors-guide.md).
///
/// ```json
/// "policy": {
///   "weights": {"conv-backward:dzdx": 3},
///   "partial_credit": {"mode": "proportional", "cap": 0.5},
///   "visibility": {"result": "visible", "entries": "after_due_date"},
///   "exam": false
/// }
/// ```
/// Every key is optional; a missing one takes the default shown. Unknown keys are errors, so a
/// misspelt setting is never silently ignored.
public struct CoursePolicy: Codable, Sendable, Equatable {
  /// Points of a part, by `EXERCISE:PART`; parts not named keep the exercise's own points.
  public var weights: [String: Double]
  public var partialCredit: PartialCredit
  public var visibility: FeedbackVisibility
  /// Exam mode: packets carry no `block`/`options` (the recipe stays in the course), and the
  /// student's `check` reports only whether each file is readable and has the right shape.
  public var exam: Bool

  public init(weights: [String: Double] = [:], partialCredit: PartialCredit = .standard, visibility: FeedbackVisibility = .standard, exam: Bool = false) {
    self.weights = weights
    self.partialCredit = partialCredit
    self.visibility = visibility
    self.exam = exam
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case weights, exam, visibility
    case partialCredit = "partial_credit"
  }

  public init(from decoder: any Decoder) throws {
    try rejectUnknownKeys(decoder, CodingKeys.allCases.map(\.rawValue), "policy")
    let c = try decoder.container(keyedBy: CodingKeys.self)
    weights = try c.decodeIfPresent([String: Double].self, forKey: .weights) ?? [:]
    partialCredit = try c.decodeIfPresent(PartialCredit.self, forKey: .partialCredit) ?? .standard
    visibility = try c.decodeIfPresent(FeedbackVisibility.self, forKey: .visibility) ?? .standard
    exam = try c.decodeIfPresent(Bool.self, forKey: .exam) ?? false
  }

  /// Checks every weight against the course's exercises: the key names an exercise of the
  /// course and one of its parts, the points are positive and at most 1000.
  public func validate(exercises: [String]) throws {
    for (key, points) in weights.sorted(by: { $0.key < $1.key }) {
      let pieces = key.split(separator: ":", maxSplits: 1).map(String.init)
      guard pieces.count == 2, exercises.contains(pieces[0]) else {
        throw ConvLabError("course.json: weight '\(key)' should be EXERCISE:PART with an exercise of this course (\(exercises.joined(separator: ", "))).")
      }
      let parts = try Exercises.partNames(pieces[0])
      guard parts.contains(pieces[1]) else {
        throw ConvLabError("course.json: weight '\(key)' names no part of \(pieces[0]); its parts are \(parts.joined(separator: ", ")).")
      }
      guard points.isFinite, points > 0, points <= 1000 else {
        throw ConvLabError("course.json: weight '\(key)' is \(points); points must be above 0 and at most 1000.")
      }
    }
  }

  /// The part's points under this policy.
  public func points(exercise: String, part: PartSpec) -> Double { weights["\(exercise):\(part.name)"] ?? part.maxScore }
}

private struct AnyKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

/// Throws when a JSON object has a key outside `known`, naming it and the allowed ones.
func rejectUnknownKeys(_ decoder: any Decoder, _ known: [String], _ object: String) throws {
  let c = try decoder.container(keyedBy: AnyKey.self)
  if let unknown = c.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
    throw ConvLabError("course.json: '\(unknown)' is not a setting of \(object); the settings are \(known.sorted().joined(separator: ", ")).")
  }
}
