import ConvLabCore
import ConvLabNotation
import Testing

/// The worked examples of the papers, checked exactly against hand computations kept here.
@Suite struct SymbolicWorkedExampleTests {
  let parser = SymbolicParser(aliases: ["b": "β", "d": "δ"])

  /// Vardhan App. A's Z = A ∗ β, padding (1,1), stride (1,2), computed by hand from the
  /// padded 5×6 A: the window of z_pq is rows p…p+1, columns 2q−1…2q.
  static let vardhanZByHand: [[String]] = [
    ["a11b22", "a12b21 + a13b22", "a14b21"],
    ["a11b12 + a21b22", "a12b11 + a13b12 + a22b21 + a23b22", "a14b11 + a24b21"],
    ["a21b12 + a31b22", "a22b11 + a23b12 + a32b21 + a33b22", "a24b11 + a34b21"],
    ["a31b12", "a32b11 + a33b12", "a34b11"],
  ]

  @Test func vardhanZMatchesTheHandComputation() throws {
    let z = try WorkedExamples.vardhanZ()
    #expect(z.rows == 4 && z.cols == 3)
    for (r, row) in Self.vardhanZByHand.enumerated() {
      for (c, text) in row.enumerated() { #expect(z[r, c] == (try parser.parse(text)), "z\(r + 1)\(c + 1)") }
    }
  }

  @Test func vardhanJacobianColumnsAreTheUnitKernelConvolutions() throws {
    let j = try WorkedExamples.vardhanJacobianWrtKernel()
    #expect(j.rows == 12 && j.cols == 4)
    // Column β₂₁, read off the hand-computed Z: z₁₂ → a₁₂, z₂₂ → a₂₂, z₃₂ → a₃₂, z₁₃ → a₁₄, z₂₃ → a₂₄, z₃₃ → a₃₄.
    let expected = ["0", "0", "0", "0", "a12", "a22", "a32", "0", "a14", "a24", "a34", "0"]
    for (r, text) in expected.enumerated() { #expect(j[r, 1] == (try parser.parse(text)), "row \(r + 1)") }
    // Every entry is a single a_ij or 0 (the sparsity of a convolution's Jacobian).
    #expect(j.entries.allSatisfy { $0.isZero || ($0.terms.count == 1 && $0.symbols.first?.name == "a") })
    let ja = try WorkedExamples.vardhanJacobianWrtInput()
    #expect(ja.rows == 12 && ja.cols == 12)
    #expect(ja[6, 7] == Polynomial(Symbol("β", [1, 2])))  // ∂z₃₂/∂A₂₃ = β₁₂
    #expect(ja[5, 7] == Polynomial(Symbol("β", [2, 2])))  // ∂z₂₂/∂A₂₃ = β₂₂
  }

  @Test func everyWorkedExampleComesOutAsExpected() throws {
    let all = try WorkedExamples.all()
    #expect(all.count >= 19)
    for example in all {
      let c = try example.comparison()
      #expect(c.matches == example.expectedToMatch, "\(example.id): \(c.report.joined(separator: "; "))")
    }
    #expect(Set(all.map(\.id)).count == all.count)
  }

  @Test func xuExample15IsReportedWithTheDifferingTerms() throws {
    let example = try WorkedExamples.xu().first { $0.id == "xu-dx22" }
    let c = try #require(try example?.comparison())
    #expect(!c.matches)
    let d = try #require(c.differences.first)
    #expect(d.onlyPrinted.map(\.description) == ["δ₁₁k₁₂"])
    #expect(d.onlyComputed.map(\.description) == ["δ₁₁k₂₂"])
    #expect(d.computed == (try parser.parse("d11k22 + d12k21 + d21k12 + d22k11")))
  }

  @Test func xuInputGradientMatchesBruteForceSums() throws {
    let dx = try WorkedExamples.xuInputGradient()
    // ∂E/∂x_ij = Σ_pq δ_pq k_{i−p+1, j−q+1} over in-range kernel indices, by loops.
    for j in 1...3 {
      for i in 1...3 {
        var terms: [String] = []
        for q in 1...2 { for p in 1...2 where (1...2).contains(i - p + 1) && (1...2).contains(j - q + 1) { terms.append("d\(p)\(q)k\(i - p + 1)\(j - q + 1)") } }
        #expect(dx[i - 1, j - 1] == (try parser.parse(terms.joined(separator: " + "))), "x\(i)\(j)")
      }
    }
    #expect(try WorkedExamples.xuEquation16() == dx)  // Xu (16) with ⋆ the correlation of Fig. 4
  }

  @Test func vardhanGarbledZIsDiagnosedEntryByEntry() throws {
    let example = try #require(try WorkedExamples.vardhanAppendixA().first { $0.id == "vardhan-a-z" })
    let c = try example.comparison()
    #expect(c.printedShape == (3, 4) && c.computedShape == (4, 3))
    // The printed (1,2) is the computed z₂₂: the row z₂₁ z₂₂ z₂₃ slipped into row 1.
    let d12 = try #require(c.differences.first { $0.row == 0 && $0.col == 1 && $0.printed != nil })
    #expect(d12.printedEqualsComputedAt.map { [$0.row, $0.col] } == [[1, 1]])
  }

  @Test func vardhanPoolingWindowsAndSwitch() throws {
    let sets = try WorkedExamples.vardhanPoolWindowSets()
    // A₂₂'s window lies inside I: no padding zero competes.
    #expect(sets[1, 1] == (try parser.parse("I12 + I22 + I32 + I13 + I23 + I33")))
    #expect(sets[0, 0].symbols.contains(Symbol("0", [])))
    let b = try WorkedExamples.vardhanAppendixB()
    let i21 = try #require(b.first { $0.id == "vardhan-b-i21" })
    #expect(try i21.comparison().matches)
  }

  @Test(arguments: [(6, 4, 1, 1), (7, 3, 2, 0), (5, 5, 3, 2), (8, 4, 2, 1), (4, 2, 1, 0)])
  func matConvNetIndexSumEqualsTheTransposedConvolutionMatrix(h: Int, f: Int, s: Int, p: Int) throws {
    let m = try WorkedExamples.convolutionMatrix1D(h: h, filter: f, stride: s, padBefore: p, padAfter: p)
    let truth = try m.transposed * SymbolicMatrix.vectorSymbols("y", m.rows)
    let sum = try WorkedExamples.transposeIndexSum(h: h, outputs: m.rows, filter: f, stride: s, padBefore: p) { _ in 1 + (f - 1) / s }
    #expect(sum == truth)
  }

  @Test func comparisonReportsShapeAndTerms() throws {
    let printed = [[try parser.parse("a11 + 2a12")], [try parser.parse("0")]]
    let computed = SymbolicMatrix(rows: 1, cols: 1, entries: [try parser.parse("a11 + a12")])
    let c = try SymbolicComparison(printed: printed, computed: computed)
    #expect(!c.matches)
    #expect(c.differences.count == 2)
    #expect(c.differences[0].onlyPrinted.map(\.description) == ["2a₁₂"])
    #expect(c.differences[0].onlyComputed.map(\.description) == ["a₁₂"])
    #expect(c.report.first == "printed 2×1, computed 1×1")
  }
}
