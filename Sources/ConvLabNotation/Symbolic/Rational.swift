import ConvLabCore

/// An exact rational number p/q with Int numerator and denominator, kept in lowest terms with
/// q > 0, for the coefficients of symbolic entries (1/4 in average pooling, −1 in softmax's
/// diag(y) − y yᵀ).
///
/// Every operation checks for Int overflow and throws a `ConvLabError` instead of trapping:
/// the symbolic layer is meant for the papers' small examples, and a coefficient that leaves
/// Int's range means the example is too large to print exactly.
public struct Rational: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// p, carrying the sign.
  public let numerator: Int
  /// q ≥ 1, coprime with p.
  public let denominator: Int

  /// 0/1.
  public static let zero = Rational(unchecked: 0, 1)
  /// 1/1.
  public static let one = Rational(unchecked: 1, 1)

  private init(unchecked numerator: Int, _ denominator: Int) {
    self.numerator = numerator
    self.denominator = denominator
  }

  /// The integer n as n/1.
  public init(_ n: Int) { self.init(unchecked: n, 1) }

  /// p/q in lowest terms; throws when q = 0 or when normalising the sign overflows.
  public init(_ p: Int, _ q: Int) throws {
    guard q != 0 else { throw ConvLabError("a rational number needs a non-zero denominator, got \(p)/0.") }
    let g = Rational.gcd(p.magnitude, q.magnitude)
    guard g <= UInt(Int.max) else { throw Rational.overflow("\(p)/\(q)") }
    var (n, d) = (p / Int(g), q / Int(g))
    if d < 0 {
      guard n != .min, d != .min else { throw Rational.overflow("−(\(p)/\(q))") }
      (n, d) = (-n, -d)
    }
    self.init(unchecked: n, d)
  }

  static func gcd(_ a: UInt, _ b: UInt) -> UInt {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return max(a, 1)
  }

  static func overflow(_ what: String) -> ConvLabError {
    ConvLabError("an exact coefficient overflowed 64-bit integers while computing \(what); the symbolic mode is meant for small examples, so use fewer or smaller entries.")
  }

  static func checked(_ r: (partialValue: Int, overflow: Bool), _ what: @autoclosure () -> String) throws -> Int {
    if r.overflow { throw overflow(what()) }
    return r.partialValue
  }

  /// Whether p = 0.
  public var isZero: Bool { numerator == 0 }
  /// Whether q = 1.
  public var isInteger: Bool { denominator == 1 }
  /// The value as a Double (for substitution tests and numeric display).
  public var doubleValue: Double { Double(numerator) / Double(denominator) }

  /// a + b, overflow-checked.
  public static func + (a: Rational, b: Rational) throws -> Rational {
    // a/b + c/d = (a·(l/b) + c·(l/d)) / l with l = lcm(b, d), so that small denominators stay small.
    let g = Int(gcd(UInt(a.denominator), UInt(b.denominator)))
    let l = try checked((a.denominator / g).multipliedReportingOverflow(by: b.denominator), "\(a) + \(b)")
    let left = try checked(a.numerator.multipliedReportingOverflow(by: l / a.denominator), "\(a) + \(b)")
    let right = try checked(b.numerator.multipliedReportingOverflow(by: l / b.denominator), "\(a) + \(b)")
    return try Rational(try checked(left.addingReportingOverflow(right), "\(a) + \(b)"), l)
  }

  /// −a, overflow-checked (−Int.min does not exist).
  public static prefix func - (a: Rational) throws -> Rational {
    guard a.numerator != .min else { throw overflow("−\(a)") }
    return Rational(unchecked: -a.numerator, a.denominator)
  }

  /// a − b, overflow-checked.
  public static func - (a: Rational, b: Rational) throws -> Rational { try a + (try -b) }

  /// a·b, overflow-checked.
  public static func * (a: Rational, b: Rational) throws -> Rational {
    // Cross-cancel first: (a/b)(c/d) = ((a/g₁)(c/g₂)) / ((b/g₂)(d/g₁)).
    let g1 = Int(gcd(a.numerator.magnitude, b.denominator.magnitude))
    let g2 = Int(gcd(b.numerator.magnitude, a.denominator.magnitude))
    let n = try checked((a.numerator / g1).multipliedReportingOverflow(by: b.numerator / g2), "\(a) · \(b)")
    let d = try checked((a.denominator / g2).multipliedReportingOverflow(by: b.denominator / g1), "\(a) · \(b)")
    return try Rational(n, d)
  }

  /// a / b; throws for b = 0 or on overflow.
  public static func / (a: Rational, b: Rational) throws -> Rational {
    guard !b.isZero else { throw ConvLabError("division by zero in an exact coefficient (\(a) / 0).") }
    return try a * Rational(b.denominator, b.numerator)
  }

  /// The order of the values.
  public static func < (a: Rational, b: Rational) -> Bool {
    // Compare in Double only when the exact cross products would overflow.
    let l = a.numerator.multipliedReportingOverflow(by: b.denominator)
    let r = b.numerator.multipliedReportingOverflow(by: a.denominator)
    if l.overflow || r.overflow { return a.doubleValue < b.doubleValue }
    return l.partialValue < r.partialValue
  }

  /// "3", "−1/4".
  public var description: String {
    let sign = numerator < 0 ? "−" : ""
    let p = numerator.magnitude
    return denominator == 1 ? "\(sign)\(p)" : "\(sign)\(p)/\(denominator)"
  }
}
