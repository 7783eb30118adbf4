import ConvLabCore

/// An indexed symbol of the papers: a₁₁, β₂₁, δ₁₂, k₂₂, x₃₄ (1-based indices), or an opaque
/// function value such as f′(x₁₁) or σ′(z₂₁) for the diagonal Jacobians of element-wise blocks.
///
/// Vardhan App. A names the input a and the kernel β; Xu §3.1.3–3.2 names them x, k and the
/// error δ. Identifiers are ASCII; `name` may be any Unicode letter (β, δ).
public struct Symbol: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The letter: "a", "β", "x", "k", "δ", …
  public let name: String
  /// 1-based indices, e.g. [3, 2] for a₃₂.
  public let indices: [Int]
  /// For f′(x₁₁): the function's name ("f′"); nil for a plain symbol.
  public let function: String?

  /// The symbol name_{indices} (1-based), or function(name_{indices}) when `function` is given.
  public init(_ name: String, _ indices: [Int], function: String? = nil) {
    self.name = name
    self.indices = indices
    self.function = function
  }

  /// The order in which factors are written within a term: data and errors before weights,
  /// so that terms read as the papers print them (a₂₂β₁₁ in Vardhan App. A, δ₁₁k₂₂ in Xu (15)).
  static func rank(_ name: String) -> Int {
    switch name {
    case "0": return -1  // Vardhan App. B's padding zero, written first as in max{0, I₁₁, I₂₁}
    case "δ", "d": return 0
    case "a", "x", "I", "A", "X", "z", "y", "Z", "Y": return 1
    case "β", "k", "w", "f", "F", "W", "K": return 2
    default: return 3
    }
  }

  /// The canonical order: functions last, then data before weights (`rank`), then name, then indices.
  public static func < (l: Symbol, r: Symbol) -> Bool {
    if (l.function ?? "") != (r.function ?? "") { return (l.function ?? "") < (r.function ?? "") }
    if rank(l.name) != rank(r.name) { return rank(l.name) < rank(r.name) }
    if l.name != r.name { return l.name < r.name }
    return l.indices.lexicographicallyPrecedes(r.indices)
  }

  /// a₃₂, β₁₀,₂, f′(x₁₁): Unicode subscripts, commas between indices when one has two digits.
  public var description: String { unicode }

  /// The paper's spelling with Unicode subscripts.
  public var unicode: String {
    let core = paperLabel(name, indices)
    return function.map { "\($0)(\(core))" } ?? core
  }

  /// a_{32}, \beta_{10,2}, f'(x_{11}).
  public var latex: String {
    let separator = indices.contains(where: { $0 >= 10 }) ? "," : ""
    let letter = SymbolNames.latex(name)
    let core = indices.isEmpty ? letter : "\(letter)_{\(indices.map(String.init).joined(separator: separator))}"
    return function.map { "\(SymbolNames.latex($0))(\(core))" } ?? core
  }

  /// a32, beta[10,2], f'(x11): what a student types (the exercises' grids accept it back).
  public var ascii: String {
    let letter = SymbolNames.ascii(name)
    let core: String
    if indices.contains(where: { $0 >= 10 }) {
      core = "\(letter)[\(indices.map(String.init).joined(separator: ","))]"
    } else {
      core = letter + indices.map(String.init).joined()
    }
    return function.map { "\(SymbolNames.ascii($0))(\(core))" } ?? core
  }
}

/// Spellings of the papers' letters: Unicode, LaTeX and ASCII.
public enum SymbolNames {
  static let table: [(unicode: String, latex: String, ascii: String)] = [
    ("β", "\\beta", "beta"), ("δ", "\\delta", "delta"), ("σ", "\\sigma", "sigma"), ("Ω", "\\Omega", "Omega"),
    ("f′", "f'", "f'"), ("σ′", "\\sigma'", "sigma'"), ("φ", "\\phi", "phi"),
  ]

  static func latex(_ name: String) -> String { table.first { $0.unicode == name }?.latex ?? name }
  static func ascii(_ name: String) -> String { table.first { $0.unicode == name }?.ascii ?? name }

  /// The Unicode letter for an ASCII spelling ("beta" → "β"), or the spelling itself.
  public static func unicode(_ ascii: String) -> String { table.first { $0.ascii == ascii }?.unicode ?? ascii }
}

/// A product of symbols with positive exponents, kept sorted: a₂₂β₁₁, δ₁₁k₂₂, y₁².
public struct Monomial: Hashable, Comparable, Sendable {
  /// Factors in `Symbol` order, each symbol once, exponents ≥ 1.
  public let factors: [(symbol: Symbol, exponent: Int)]

  /// The empty product 1.
  public static let one = Monomial(sorted: [])

  init(sorted: [(symbol: Symbol, exponent: Int)]) { factors = sorted }

  /// The monomial of one symbol to the first power.
  public init(_ symbol: Symbol) { factors = [(symbol, 1)] }

  /// The total degree Σ exponents.
  public var degree: Int { factors.reduce(0) { $0 + $1.exponent } }
  /// The symbols of the product, in order.
  public var symbols: [Symbol] { factors.map(\.symbol) }

  /// Equal factors with equal exponents.
  public static func == (l: Monomial, r: Monomial) -> Bool {
    l.factors.count == r.factors.count && zip(l.factors, r.factors).allSatisfy { $0.symbol == $1.symbol && $0.exponent == $1.exponent }
  }

  /// Hashes the factors and exponents (consistent with `==`).
  public func hash(into h: inout Hasher) {
    for f in factors {
      h.combine(f.symbol)
      h.combine(f.exponent)
    }
  }

  /// Lower degree first, then factor by factor: the papers' order (a₂₂β₁₁ before a₂₃β₁₂).
  public static func < (l: Monomial, r: Monomial) -> Bool {
    if l.degree != r.degree { return l.degree < r.degree }
    for (a, b) in zip(l.factors, r.factors) {
      if a.symbol != b.symbol { return a.symbol < b.symbol }
      if a.exponent != b.exponent { return a.exponent > b.exponent }
    }
    return l.factors.count < r.factors.count
  }

  /// The product, merging equal symbols (exponents add, overflow-checked).
  public static func * (l: Monomial, r: Monomial) throws -> Monomial {
    var merged: [(symbol: Symbol, exponent: Int)] = []
    var (i, j) = (0, 0)
    while i < l.factors.count || j < r.factors.count {
      if j == r.factors.count || (i < l.factors.count && l.factors[i].symbol < r.factors[j].symbol) {
        merged.append(l.factors[i])
        i += 1
      } else if i == l.factors.count || r.factors[j].symbol < l.factors[i].symbol {
        merged.append(r.factors[j])
        j += 1
      } else {
        let e = try Rational.checked(l.factors[i].exponent.addingReportingOverflow(r.factors[j].exponent), "an exponent")
        merged.append((l.factors[i].symbol, e))
        i += 1
        j += 1
      }
    }
    return Monomial(sorted: merged)
  }

  /// The exponent of `s` in this monomial (0 when absent).
  public func exponent(of s: Symbol) -> Int { factors.first { $0.symbol == s }?.exponent ?? 0 }

  /// This monomial with one power of `s` removed (requires exponent(of: s) ≥ 1).
  func dividing(by s: Symbol) -> Monomial {
    Monomial(sorted: factors.compactMap { f in f.symbol != s ? f : (f.exponent > 1 ? (f.symbol, f.exponent - 1) : nil) })
  }

  func render(_ symbol: (Symbol) -> String, power: (Int) -> String, separator: String) -> String {
    factors.map { symbol($0.symbol) + ($0.exponent > 1 ? power($0.exponent) : "") }.joined(separator: separator)
  }
}

/// One term c·m of a polynomial: a rational coefficient times a monomial.
public struct Term: Hashable, Sendable, CustomStringConvertible {
  /// c, never zero inside a canonical polynomial.
  public let coefficient: Rational
  /// m.
  public let monomial: Monomial

  /// The term c·m.
  public init(_ coefficient: Rational, _ monomial: Monomial) {
    self.coefficient = coefficient
    self.monomial = monomial
  }

  /// The term as the papers print it (2a₁₂, a₂₂β₁₁).
  public var description: String { Polynomial(collected: [self]).unicode }
}

/// A polynomial with rational coefficients in indexed symbols, in canonical form: like terms
/// merged, zero terms dropped, terms sorted. Two polynomials are equal exactly when they are
/// the same expression — the comparison of a printed worked example with a computed one.
///
/// Everything linear in the papers (vec, ⊗, up/down, J, conv2/xcorr2, φ/φ*, pooling, dense
/// layers) maps polynomials of degree ≤ 2 to polynomials; no division, no simplification
/// beyond collecting terms, hence exact.
public struct Polynomial: Hashable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
  /// Sorted by monomial, coefficients non-zero.
  public let terms: [Term]

  /// The zero polynomial (no terms).
  public static let zero = Polynomial(sortedTerms: [])
  /// The constant 1.
  public static let one = Polynomial(1)

  init(sortedTerms: [Term]) { terms = sortedTerms }

  /// Collects like terms of any list.
  public init(terms: [Term]) throws {
    var sums: [Monomial: Rational] = [:]
    for t in terms { sums[t.monomial] = try (sums[t.monomial] ?? .zero) + t.coefficient }
    self.init(sortedTerms: sums.filter { !$0.value.isZero }.map { Term($0.value, $0.key) }.sorted { $0.monomial < $1.monomial })
  }

  /// Already-collected terms (one per monomial); internal use by constructors that cannot
  /// produce duplicates.
  init(collected uniqueTerms: [Term]) {
    self.init(sortedTerms: uniqueTerms.filter { !$0.coefficient.isZero }.sorted { $0.monomial < $1.monomial })
  }

  /// An integer constant written as a literal (`0`, `1`).
  public init(integerLiteral value: Int) { self.init(Rational(value)) }
  /// A rational constant.
  public init(_ c: Rational) { self.init(sortedTerms: c.isZero ? [] : [Term(c, .one)]) }
  /// An integer constant.
  public init(_ c: Int) { self.init(Rational(c)) }
  /// The polynomial consisting of one symbol.
  public init(_ s: Symbol) { self.init(sortedTerms: [Term(.one, Monomial(s))]) }

  /// Exact equality of canonical forms: the same terms with the same coefficients.
  public static func == (l: Polynomial, r: Polynomial) -> Bool {
    l.terms.count == r.terms.count && zip(l.terms, r.terms).allSatisfy { $0.coefficient == $1.coefficient && $0.monomial == $1.monomial }
  }
  /// Hashes the canonical terms (consistent with `==`).
  public func hash(into h: inout Hasher) { for t in terms { h.combine(t) } }

  /// Whether this is the zero polynomial.
  public var isZero: Bool { terms.isEmpty }
  /// The constant value when the polynomial has no symbols.
  public var constant: Rational? {
    if terms.isEmpty { return .zero }
    return terms.count == 1 && terms[0].monomial.degree == 0 ? terms[0].coefficient : nil
  }
  /// The largest total degree of a term (0 for constants).
  public var degree: Int { terms.map(\.monomial.degree).max() ?? 0 }
  /// Every symbol that occurs, sorted.
  public var symbols: [Symbol] { Array(Set(terms.flatMap(\.monomial.symbols))).sorted() }

  /// p + q, like terms collected (throws only when a coefficient overflows).
  public static func + (l: Polynomial, r: Polynomial) throws -> Polynomial {
    if l.isZero { return r }
    if r.isZero { return l }
    return try Polynomial(terms: l.terms + r.terms)
  }

  /// −p.
  public static prefix func - (p: Polynomial) throws -> Polynomial {
    Polynomial(sortedTerms: try p.terms.map { Term(try -$0.coefficient, $0.monomial) })
  }

  /// p − q.
  public static func - (l: Polynomial, r: Polynomial) throws -> Polynomial { try l + (try -r) }

  /// p·q, every pair of terms multiplied and like terms collected.
  public static func * (l: Polynomial, r: Polynomial) throws -> Polynomial {
    if l.isZero || r.isZero { return .zero }
    var products: [Term] = []
    products.reserveCapacity(l.terms.count * r.terms.count)
    for a in l.terms {
      for b in r.terms { products.append(Term(try a.coefficient * b.coefficient, try a.monomial * b.monomial)) }
    }
    return try Polynomial(terms: products)
  }

  /// c·p for a rational c.
  public func scaled(by c: Rational) throws -> Polynomial {
    c.isZero ? .zero : Polynomial(sortedTerms: try terms.map { Term(try $0.coefficient * c, $0.monomial) })
  }

  /// ∂p/∂s, exactly: the power rule term by term. For the papers' linear maps y = M x this
  /// reads the entry M_{ij} off y_i (Vardhan (a1-2): ∂z₃₂/∂β₂₁ = a₃₂).
  public func derivative(_ s: Symbol) throws -> Polynomial {
    var out: [Term] = []
    for t in terms {
      let e = t.monomial.exponent(of: s)
      guard e > 0 else { continue }
      out.append(Term(try t.coefficient * Rational(e), t.monomial.dividing(by: s)))
    }
    return try Polynomial(terms: out)
  }

  /// The value with every symbol replaced by a number (`values` must cover every symbol).
  public func evaluate(_ values: [Symbol: Double]) throws -> Double {
    var sum = 0.0
    for t in terms {
      var product = t.coefficient.doubleValue
      for f in t.monomial.factors {
        guard let v = values[f.symbol] else { throw ConvLabError("no value given for the symbol \(f.symbol) when substituting numbers.") }
        product *= pow(v, f.exponent)
      }
      sum += product
    }
    return sum
  }

  private func pow(_ v: Double, _ e: Int) -> Double { (0..<e).reduce(1.0) { acc, _ in acc * v } }

  // MARK: Printing

  /// a₂₂β₁₁ + a₂₃β₁₂, −¼ is written −1/4·a₁₁; 0 for the zero polynomial.
  public var description: String { unicode }

  /// Unicode, as printed by `convlab`: a₂₂β₁₁ + a₂₃β₁₂, 2x₁₂, 1/4·x₁₁, y₁².
  public var unicode: String {
    render(symbol: \.unicode, power: { superscript($0) }, times: "", coefficientTimes: "·", minus: "−")
  }

  /// LaTeX: a_{22}\beta_{11} + \frac{1}{4} a_{11}.
  public var latex: String {
    render(symbol: \.latex, power: { "^{\($0)}" }, times: " ", coefficientTimes: " ", minus: "-", fraction: { "\\frac{\($0)}{\($1)}" })
  }

  /// ASCII that `SymbolicParser` reads back: a22*beta11 + 1/4*a11.
  public var ascii: String {
    render(symbol: \.ascii, power: { "^\($0)" }, times: "*", coefficientTimes: "*", minus: "-")
  }

  func render(
    symbol: (Symbol) -> String, power: (Int) -> String, times: String, coefficientTimes: String, minus: String,
    fraction: ((UInt, Int) -> String)? = nil
  ) -> String {
    if terms.isEmpty { return "0" }
    var text = ""
    for (k, t) in terms.enumerated() {
      let negative = t.coefficient.numerator < 0
      text += k == 0 ? (negative ? minus : "") : (negative ? " \(minus) " : " + ")
      let p = t.coefficient.numerator.magnitude
      let q = t.coefficient.denominator
      let body = t.monomial.render(symbol, power: power, separator: times)
      let magnitude = q == 1 ? "\(p)" : (fraction?(p, q) ?? "\(p)/\(q)")
      if body.isEmpty {
        text += magnitude
      } else if p == 1 && q == 1 {
        text += body
      } else {
        text += magnitude + (q == 1 && fraction == nil && times.isEmpty ? "" : coefficientTimes) + body
      }
    }
    return text
  }
}

/// Unicode superscript digits for exponents (y₁²).
func superscript(_ n: Int) -> String {
  let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
  return String(String(n).map { digits[$0.wholeNumberValue ?? 0] })
}
