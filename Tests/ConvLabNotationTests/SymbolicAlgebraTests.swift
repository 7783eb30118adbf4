import ConvLabCore
import ConvLabNotation
import Testing

/// The exact layer itself: rationals that never trap, canonical polynomials, derivatives, and
/// printing that the parser reads back.
@Suite struct SymbolicAlgebraTests {
  let a11 = Polynomial(Symbol("a", [1, 1])), b21 = Polynomial(Symbol("β", [2, 1])), x = Polynomial(Symbol("x", [1]))

  @Test func rationalsAreKeptInLowestTermsWithPositiveDenominator() throws {
    let r = try Rational(6, -8)
    #expect(r.numerator == -3 && r.denominator == 4)
    #expect(try Rational(1, 3) + Rational(1, 6) == Rational(1, 2))
    #expect(try Rational(2, 3) * Rational(3, 4) == Rational(1, 2))
    #expect(try Rational(1, 2) - Rational(1, 2) == .zero)
    #expect(throws: ConvLabError.self) { try Rational(1, 0) }
  }

  @Test func overflowThrowsASentenceInsteadOfTrapping() {
    #expect(throws: ConvLabError.self) { try Rational(Int.max) + Rational(1) }
    #expect(throws: ConvLabError.self) { try Rational(Int.max / 2 + 1) * Rational(2) }
    #expect(throws: ConvLabError.self) { try -Rational(Int.min) }
    #expect(throws: ConvLabError.self) { try Rational(Int.min, Int.min) }
    #expect(throws: ConvLabError.self) { try Rational(1, Int.max) + Rational(1, Int.max - 1) }
    do {
      _ = try Rational(Int.max) + Rational(1)
    } catch let e as ConvLabError {
      #expect(e.description.contains("overflowed"))
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func polynomialsAreCanonical() throws {
    // a₁₁β₂₁ written in either order, and like terms collected.
    #expect(try a11 * b21 == b21 * a11)
    let twice = try (a11 * b21) + (b21 * a11)
    #expect(twice.terms.count == 1 && twice.terms[0].coefficient == Rational(2))
    #expect(try (a11 + b21) - a11 == b21)
    #expect(try (a11 - a11).isZero)
    #expect(try (x + 1) * (x - 1) == (try x * x) - 1)
  }

  @Test func derivativeFollowsThePowerRule() throws {
    // d/dx (3x² + 2x a₁₁ + 5) = 6x + 2a₁₁
    let p = try (try (try x * x).scaled(by: Rational(3))) + (try (try x * a11).scaled(by: Rational(2))) + 5
    #expect(try p.derivative(Symbol("x", [1])) == (try x.scaled(by: Rational(6))) + (try a11.scaled(by: Rational(2))))
    #expect(try p.derivative(Symbol("x", [2])).isZero)
  }

  @Test func evaluationSubstitutesEverySymbol() throws {
    let p = try (try a11 * b21) + (try Polynomial(Rational(1, 4)) * a11)
    let v = try p.evaluate([Symbol("a", [1, 1]): 2, Symbol("β", [2, 1]): 3])
    #expect(v == 2 * 3 + 0.25 * 2)
    #expect(throws: ConvLabError.self) { try p.evaluate([Symbol("a", [1, 1]): 2]) }
  }

  @Test func printingFollowsThePapers() throws {
    let z32 = try SymbolicParser().parse("a33β22 + a22β11 + a32β21 + a23β12")
    #expect(z32.unicode == "a₂₂β₁₁ + a₂₃β₁₂ + a₃₂β₂₁ + a₃₃β₂₂")
    #expect(z32.latex == "a_{22} \\beta_{11} + a_{23} \\beta_{12} + a_{32} \\beta_{21} + a_{33} \\beta_{22}")
    #expect(z32.ascii == "a22*beta11 + a23*beta12 + a32*beta21 + a33*beta22")
    let xu = try SymbolicParser(aliases: ["d": "δ"]).parse("k22 d11 + d12 k21")
    #expect(xu.unicode == "δ₁₁k₂₂ + δ₁₂k₂₁")
    #expect(try SymbolicParser().parse("-1/4*x11 + 2 x12").unicode == "−1/4·x₁₁ + 2x₁₂")
    #expect(Polynomial.zero.unicode == "0")
    #expect(Polynomial(Symbol("x", [10, 2])).unicode == "x₁₀,₂")
  }

  @Test(arguments: ["a32", "0", "b11+b22", "a₂₂β₁₁ + a₂₃β₁₂", "-1/4*x11 + 2x12", "f'(x11)", "y1^2 - y1", "x[10,2]", "a_{32}k_{1,2}", "3/2 - d11*k12", "f′(x₁₁)·y₂", "x₁₀,₂"])
  func parsingReadsBackEveryPrintedForm(text: String) throws {
    let parser = SymbolicParser(aliases: ["b": "β", "d": "δ"])
    let p = try parser.parse(text)
    #expect(try parser.parse(p.unicode) == p, "unicode of \(text): \(p.unicode)")
    #expect(try parser.parse(p.ascii) == p, "ascii of \(text): \(p.ascii)")
  }

  @Test func parsingReadsIndicesAsThePapersWriteThem() throws {
    let parser = SymbolicParser(aliases: ["b": "β"])
    #expect(try parser.parse("a32") == Polynomial(Symbol("a", [3, 2])))
    #expect(try parser.parse("b11+b22") == (try Polynomial(Symbol("β", [1, 1])) + Polynomial(Symbol("β", [2, 2]))))
    #expect(try parser.parse("x₁₀,₂") == Polynomial(Symbol("x", [10, 2])))
    #expect(try parser.parse("y1²") == (try Polynomial(Symbol("y", [1])) * Polynomial(Symbol("y", [1]))))
  }

  @Test(arguments: ["", "a32 +", "* a11", "a11 ** b", "1/0", "(a11", "f'(", "a11 $ b22", "x^99"])
  func malformedEntriesThrowASentence(text: String) {
    #expect(throws: ConvLabError.self) { try SymbolicParser().parse(text) }
  }

  @Test func gridsParseRowsAndRejectRaggedOnes() throws {
    let parser = SymbolicParser(aliases: ["b": "β"])
    let m = try parser.parseGrid("a32, 0, b11+b22\n0, a11, 1/2\n")
    #expect(m.rows == 2 && m.cols == 3)
    #expect(m[0, 2] == (try parser.parse("b11 + b22")))
    #expect(m[1, 2] == Polynomial(try Rational(1, 2)))
    let spaced = try parser.parseGrid("a11 0\n0 a22")
    #expect(spaced == SymbolicMatrix(rows: 2, cols: 2) { r, c in r == c ? Polynomial(Symbol("a", [r + 1, c + 1])) : 0 })
    #expect(throws: ConvLabError.self) { try parser.parseGrid("a11, 0\n0") }
    #expect(throws: ConvLabError.self) { try parser.parseGrid("   \n") }
    #expect(throws: ConvLabError.self) { try parser.parseGrid("a11, b?") }
  }
}
