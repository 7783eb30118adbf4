import ConvLabCore
import Foundation

/// Reads a polynomial as a student types it or as a paper prints it: `a32`, `0`, `b11+b22`,
/// `a₂₂β₁₁ + a₂₃β₁₂`, `-1/4*x11`, `2 d11 k22`, `f'(x11)`, `y1^2`, `x[10,2]`, `a_{32}`.
///
/// Each digit after a letter is one index (a32 = a₃,₂), as in the papers' small examples;
/// brackets give larger indices. A symbol's letter is one letter or a spelled-out Greek name
/// (beta, delta); `aliases` maps extra spellings, e.g. ["b": "β"] where b stands for Vardhan's β.
public struct SymbolicParser {
  /// Spelling → letter (beta → β, and the caller's extras such as b → β).
  public var aliases: [String: String]

  /// A parser that also reads `aliases` (added to beta, delta, sigma, Omega, phi).
  public init(aliases: [String: String] = [:]) {
    var all = ["beta": "β", "delta": "δ", "sigma": "σ", "Omega": "Ω", "phi": "φ"]
    for (k, v) in aliases { all[k] = v }
    self.aliases = all
  }

  /// Parses one entry; throws a sentence naming the position of the first thing it cannot read.
  public func parse(_ text: String) throws -> Polynomial {
    var p = Cursor(Array(text), text)
    let result = try expression(&p)
    p.skipSpaces()
    guard p.atEnd else { throw p.error("unexpected '\(p.peek.map(String.init) ?? "")'") }
    return result
  }

  /// Parses a grid: rows separated by newlines or ';', entries by ',' or runs of spaces
  /// between complete entries ("a32  0  b11+b22"). Entries must not contain spaces unless the
  /// grid uses commas.
  public func parseGrid(_ text: String) throws -> SymbolicMatrix {
    let lines = text.split(whereSeparator: { $0 == "\n" || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    guard !lines.isEmpty else { throw ConvLabError("the answer is empty; type one row per line, entries separated by commas or spaces.") }
    let rows: [[String]] = lines.map { line in
      let bare = line.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
      if bare.contains(",") && !bare.contains("[") { return bare.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
      return bare.split(separator: " ").map(String.init).filter { !$0.isEmpty }
    }
    let width = rows[0].count
    for (k, r) in rows.enumerated() where r.count != width {
      throw ConvLabError("row \(k + 1) of the answer has \(r.count) entries but row 1 has \(width); every row needs the same number.")
    }
    var entries = [[Polynomial]]()
    for (k, r) in rows.enumerated() {
      entries.append(
        try r.enumerated().map { c, cell in
          do { return try parse(cell) } catch let e as ConvLabError {
            throw ConvLabError("row \(k + 1), column \(c + 1) ('\(cell)'): \(e.description)")
          }
        })
    }
    return SymbolicMatrix(rows: rows.count, cols: width) { r, c in entries[r][c] }
  }

  struct Cursor {
    let chars: [Character]
    let text: String
    var at = 0
    init(_ chars: [Character], _ text: String) {
      self.chars = chars
      self.text = text
    }
    var atEnd: Bool { at >= chars.count }
    var peek: Character? { atEnd ? nil : chars[at] }
    mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" { at += 1 } }
    func error(_ what: String) -> ConvLabError {
      ConvLabError("cannot read '\(text)' at character \(at + 1): \(what); write entries like a32, 0, b11+b22 or -1/4*x11.")
    }
  }

  static let subscriptDigits: [Character: Int] = ["₀": 0, "₁": 1, "₂": 2, "₃": 3, "₄": 4, "₅": 5, "₆": 6, "₇": 7, "₈": 8, "₉": 9]
  static let superscriptDigits: [Character: Int] = ["⁰": 0, "¹": 1, "²": 2, "³": 3, "⁴": 4, "⁵": 5, "⁶": 6, "⁷": 7, "⁸": 8, "⁹": 9]

  func expression(_ p: inout Cursor) throws -> Polynomial {
    var sum = Polynomial.zero
    var first = true
    while true {
      p.skipSpaces()
      var negative = false
      if let c = p.peek, c == "+" || c == "-" || c == "−" {
        negative = c != "+"
        p.at += 1
      } else if !first {
        return sum
      }
      let t = try term(&p)
      sum = try sum + (negative ? try -t : t)
      first = false
      p.skipSpaces()
      if p.atEnd || p.peek == ")" { return sum }
    }
  }

  func term(_ p: inout Cursor) throws -> Polynomial {
    var product = Polynomial.one
    var factors = 0
    while true {
      p.skipSpaces()
      guard let c = p.peek else { break }
      if c == "*" || c == "·" {
        guard factors > 0 else { throw p.error("a product sign needs a factor before it") }
        p.at += 1
        p.skipSpaces()
        guard let n = p.peek, n.isLetter || n.isNumber || n == "(" else { throw p.error("a product sign needs a factor after it") }
        continue
      }
      guard c.isLetter || c.isNumber || c == "(" else { break }
      product = try product * factor(&p)
      factors += 1
    }
    guard factors > 0 else { throw p.error(p.atEnd ? "an expression ends too early" : "expected a number or a symbol") }
    return product
  }

  func factor(_ p: inout Cursor) throws -> Polynomial {
    guard let c = p.peek else { throw p.error("expected a factor") }
    if c == "(" {
      p.at += 1
      let inner = try expression(&p)
      p.skipSpaces()
      guard p.peek == ")" else { throw p.error("a '(' is not closed") }
      p.at += 1
      return try power(&p, inner)
    }
    if c.isASCII && c.isNumber {
      let n = try integer(&p)
      if p.peek == "/" {
        p.at += 1
        guard let d = p.peek, d.isASCII && d.isNumber else { throw p.error("a fraction needs a denominator") }
        return Polynomial(try Rational(n, try integer(&p)))
      }
      return Polynomial(Rational(n))
    }
    let name = letterName(&p)
    if let prime = p.peek, prime == "'" || prime == "′" {
      p.at += 1
      guard p.peek == "(" else { throw p.error("a derivative such as f′ must be applied to a symbol: f'(x11)") }
      p.at += 1
      p.skipSpaces()
      let argName = letterName(&p)
      guard !argName.isEmpty else { throw p.error("expected a symbol inside f′(…)") }
      let idx = try indices(&p)
      p.skipSpaces()
      guard p.peek == ")" else { throw p.error("f′( is not closed") }
      p.at += 1
      return try power(&p, Polynomial(Symbol(argName, idx, function: name + "′")))
    }
    guard !name.isEmpty else { throw p.error("expected a symbol") }
    return try power(&p, Polynomial(Symbol(name, try indices(&p))))
  }

  /// The longest alias that starts here, else one letter.
  func letterName(_ p: inout Cursor) -> String {
    for length in stride(from: min(6, p.chars.count - p.at), through: 2, by: -1) {
      let candidate = String(p.chars[p.at..<p.at + length])
      if let target = aliases[candidate] {
        p.at += length
        return target
      }
    }
    guard let c = p.peek, c.isLetter else { return "" }
    p.at += 1
    return aliases[String(c)] ?? String(c)
  }

  func indices(_ p: inout Cursor) throws -> [Int] {
    var out: [Int] = []
    if p.peek == "[" || (p.peek == "_" && p.at + 1 < p.chars.count && p.chars[p.at + 1] == "{") {
      let close: Character = p.peek == "[" ? "]" : "}"
      p.at += p.peek == "[" ? 1 : 2
      // LaTeX a_{32} is a₃,₂ (one digit per index) unless commas group the digits: a_{10,2}.
      if close == "}", let end = p.chars[p.at...].firstIndex(of: "}"), !p.chars[p.at..<end].contains(","),
        p.chars[p.at..<end].allSatisfy({ $0.isASCII && $0.isNumber }), end > p.at
      {
        let digits = p.chars[p.at..<end].compactMap(\.wholeNumberValue)
        p.at = end + 1
        return digits
      }
      while true {
        p.skipSpaces()
        out.append(try integer(&p))
        p.skipSpaces()
        if p.peek == "," {
          p.at += 1
          continue
        }
        guard p.peek == close else { throw p.error("indices must be closed with '\(close)'") }
        p.at += 1
        return out
      }
    }
    if p.peek == "_" { p.at += 1 }
    if let c = p.peek, Self.subscriptDigits[c] != nil {
      // A run of subscripts: one digit per index (a₃₂), or comma-separated groups (x₁₀,₂).
      var run = ""
      while let c = p.peek, let d = Self.subscriptDigits[c] ?? (c == "," && run.last != "," ? -1 : nil) {
        if d >= 0 {
          run.append(Character(String(d)))
        } else {
          // A comma belongs to the run only when another subscript digit follows it.
          guard p.at + 1 < p.chars.count, Self.subscriptDigits[p.chars[p.at + 1]] != nil else { break }
          run.append(",")
        }
        p.at += 1
      }
      if run.contains(",") { return run.split(separator: ",").compactMap { Int($0) } }
      return run.compactMap(\.wholeNumberValue)
    }
    while let c = p.peek, c.isASCII, let d = c.wholeNumberValue {
      out.append(d)
      p.at += 1
    }
    return out
  }

  func integer(_ p: inout Cursor) throws -> Int {
    var v = 0
    var any = false
    while let c = p.peek, c.isASCII, let d = c.wholeNumberValue {
      v = try Rational.checked(v.multipliedReportingOverflow(by: 10), "a number")
      v = try Rational.checked(v.addingReportingOverflow(d), "a number")
      p.at += 1
      any = true
    }
    guard any else { throw p.error("expected a whole number") }
    return v
  }

  func power(_ p: inout Cursor, _ base: Polynomial) throws -> Polynomial {
    var e: Int? = nil
    if p.peek == "^" {
      p.at += 1
      e = try integer(&p)
    } else {
      while let c = p.peek, let d = Self.superscriptDigits[c] {
        e = (e ?? 0) * 10 + d
        p.at += 1
      }
    }
    guard let e else { return base }
    guard e >= 0, e <= 16 else { throw p.error("exponents from 0 to 16 are supported, got \(e)") }
    var result = Polynomial.one
    for _ in 0..<e { result = try result * base }
    return result
  }
}
