import ConvLabCore
import ConvLabNotation
import Foundation

/// The symbolic worked examples (`WorkedExamples.all()`, compared term by term in
/// `convlab derive vardhan-appendix-a` and Docs/symbolic.md) as claims of the inventory, so the
/// audit and the symbolic mode judge each printed example once.
///
/// Every example of Xu and Vardhan names the claim that judges it (`judgedBy`): a claim of the
/// papers' claims files where one already checks the same printed text on numbers, else one made
/// here from the example itself — its printed and computed polynomials evaluated at seeded random
/// values of their symbols. MatConvNet's examples are judged by the MatConvNet claims.
public enum WorkedExampleClaims {
  /// A worked example's judge: the paper, the claim's location, and (for claims made here) the
  /// verdict, the intended entries and the note.
  struct Judge {
    let paper: Paper
    let section: String
    let location: String
    /// nil when a claims file already has a claim at `location`.
    let own: (verdict: Claim.Verdict, intended: [[String]]?, intendedText: String?, note: String?)?
    /// True when the example types the claim's intended reading, not its printed one (Xu's
    /// ∂E/∂[k]₁,₁, printed with the whole gradient dE/dk_ij on the left).
    var readsIntended = false
  }

  static let judges: [String: Judge] = [
    "vardhan-a-z32": Judge(paper: .vardhan, section: "App. A", location: "App. A (Vardhan (a1-2))", own: nil),
    "vardhan-a-z": Judge(paper: .vardhan, section: "App. A", location: "App. A (rep.2)", own: nil),
    "vardhan-a-dz32-dbeta21": Judge(paper: .vardhan, section: "App. A", location: "App. A (Vardhan (a1-2))", own: nil),
    "vardhan-a-dz32-dA23": Judge(paper: .vardhan, section: "App. A", location: "App. A (Vardhan (a2-2))", own: nil),
    "vardhan-a-z32-in-a2-2": Judge(
      paper: .vardhan, section: "App. A", location: "App. A (Vardhan (a2-2), first line)",
      own: (
        .wrong, [["a₂₂β₁₁ + a₂₃β₁₂ + a₃₂β₂₁ + a₃₃β₂₂"]], "z₃₂ = a₂₂β₁₁ + a₂₃β₁₂ + a₃₂β₂₁ + a₃₃β₂₂ (rep.2 and Vardhan (a1-2))",
        "A₁₂ is not a kernel entry: the letter A names the input matrix, and rep.2 and Vardhan (a1-2) print this term a₂₃β₁₂; "
          + "a conversion does not turn β into A, so the slip is the source's. The derivative drawn from it (β₁₂) is right"
      )),
    "vardhan-a-dA-dA23": Judge(paper: .vardhan, section: "App. A", location: "App. A (Vardhan (a2-3))", own: nil),
    "vardhan-a-vec-a": Judge(paper: .vardhan, section: "App. A", location: "App. A (vec A)", own: nil),
    "vardhan-a-vec-beta": Judge(paper: .vardhan, section: "App. A", location: "App. A (vec β)", own: (.correct, nil, nil, nil)),
    "vardhan-a-vec-z": Judge(
      paper: .vardhan, section: "App. A", location: "App. A (vec Z)",
      own: (
        .garbled, [["z₁₁"], ["z₂₁"], ["z₃₁"], ["z₄₁"], ["z₁₂"], ["z₂₂"], ["z₃₂"], ["z₄₂"], ["z₁₃"], ["z₂₃"], ["z₃₃"], ["z₄₃"]],
        "ᵥZ = [z₁₁ z₂₁ z₃₁ z₄₁ z₁₂ z₂₂ z₃₂ z₄₂ z₁₃ z₂₃ z₃₃ z₄₃]ᵀ (the columns of the 4×3 Z stacked, §3.1)",
        "13 entries for a 4×3 Z, z₂₃ five times: the conversion's repeated-row pattern (rep.2 loses a row and repeats one, ᵥA doubles a₂₃); "
          + "the paper's own size formula gives Z 4×3 and §3.1 defines ᵥ as the columns stacked"
      )),
    "vardhan-b-windows": Judge(
      paper: .vardhan, section: "App. B", location: "App. B (rep.3, windows)",
      own: (
        .garbled,
        [
          ["zero + I₁₁ + I₂₁", "zero + I₁₂ + I₂₂ + I₁₃ + I₂₃", "zero + I₁₄ + I₂₄"],
          ["zero + I₁₁ + I₂₁ + I₃₁", "I₁₂ + I₂₂ + I₃₂ + I₁₃ + I₂₃ + I₃₃", "zero + I₁₄ + I₂₄ + I₃₄"],
          ["zero + I₂₁ + I₃₁", "zero + I₂₂ + I₂₃ + I₃₂ + I₃₃", "zero + I₂₄ + I₃₄"],
        ],
        "the set of A₃₂ is {0, I₂₂, I₃₂, I₂₃, I₃₃} (rows 2–3 of I and the padding row, columns 2–3)",
        "I₃₃ is listed twice in A₃₂'s set, the repeated-entry pattern of the conversion (ᵥA, ᵥZ); the maxima, the claim App. B (rep.3), are unchanged. "
          + "Each set is compared as the sum of its distinct members (0 the padding)"
      )),
    "vardhan-b-omega21": Judge(
      paper: .vardhan, section: "App. B", location: "App. B (ᵥΩ of A₂₁)",
      own: (
        .wrong, [["0"], ["0"], ["0"], ["I₁₁"], ["I₂₁"], ["I₃₁"]], "ᵥΩ = [0, 0, 0, I₁₁, I₂₁, I₃₁]ᵀ",
        "App. B's input is I; a₁₁, a₂₁, a₃₁ are App. A's input entries (the letter is the source's, used the same way in the max beside it). The positions are right"
      )),
    "vardhan-b-i21": Judge(paper: .vardhan, section: "App. B", location: "App. B (example index)", own: nil),
    "xu-dk11": Judge(paper: .xu, section: "§3.1.3", location: "text after Xu (13)", own: nil, readsIntended: true),
    "xu-c11": Judge(paper: .xu, section: "§3.1.3", location: "text after Xu (12), [c]₁,₁", own: (.correct, nil, nil, nil)),
    "xu-dx11": Judge(paper: .xu, section: "§3.2", location: "text after Xu (15), ∂E/∂[x]₁,₁", own: (.correct, nil, nil, nil)),
    "xu-dx12": Judge(paper: .xu, section: "§3.2", location: "text after Xu (15), ∂E/∂[x]₁,₂", own: (.correct, nil, nil, nil)),
    "xu-dx22": Judge(paper: .xu, section: "§3.2", location: "text after Xu (15)", own: nil),
  ]

  /// The inventory identifier of the claim that judges worked example `example` (nil for an
  /// example no Xu or Vardhan claim judges: MatConvNet's).
  public static func claimID(judging example: String) -> String? {
    judges[example].map { Claim.identifier($0.paper, $0.location) }
  }

  /// Whether example `example` types its claim's intended reading rather than the printed one.
  public static func readsIntended(_ example: String) -> Bool { judges[example]?.readsIntended ?? false }

  /// The claims made here, for the examples of `paper` that no claims file judges.
  static func claims(_ paper: Paper, seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    var out: [Claim] = []
    for example in try WorkedExamples.all() {
      guard let judge = judges[example.id], judge.paper == paper, let own = judge.own else { continue }
      let parser = SymbolicParser(aliases: example.aliases)
      let printed = try example.printedPolynomials()
      let intended = try own.intended.map { grid in try grid.map { row in try row.map { try parser.parse($0) } } }
      // Seeded values in [0.5, 1.5] for every symbol: distinct polynomials then differ by far more than round-off.
      var symbols = Set(example.computed.entries.flatMap(\.symbols))
      for row in printed + (intended ?? []) { for p in row { symbols.formUnion(p.symbols) } }
      var values: [Symbol: Double] = [:]
      for s in symbols.sorted() { values[s] = Double.random(in: 0.5...1.5, using: &rng) }
      // A printed entry where the computed matrix has none is compared with 0 (nothing is there).
      let truthAt = { (r: Int, c: Int) throws -> Double in
        r < example.computed.rows && c < example.computed.cols ? try example.computed[r, c].evaluate(values) : 0
      }
      func reading(_ name: String, _ grid: [[Polynomial]], _ formula: String) throws -> Reading {
        var value: [Double] = []
        var truth: [Double] = []
        for (r, row) in grid.enumerated() {
          for (c, p) in row.enumerated() {
            value.append(try p.evaluate(values))
            truth.append(try truthAt(r, c))
          }
        }
        // Computed entries the printed matrix lacks count as printed 0.
        for r in 0..<example.computed.rows {
          for c in 0..<example.computed.cols where r >= grid.count || c >= grid[r].count {
            value.append(0)
            truth.append(try example.computed[r, c].evaluate(values))
          }
        }
        return Reading(name, formula, against: "the computed \(example.claim), at seeded values of its symbols (position by position)", value: value, truth: truth)
      }
      let printedText = example.printed.map { $0.joined(separator: ", ") }.joined(separator: "; ")
      var readings = [try reading("as printed", printed, printedText)]
      if let intended, let text = own.intendedText { readings.append(try reading("intended", intended, text)) }
      out.append(
        Claim(
          paper, section: judge.section, location: judge.location, kind: .example, printed: "\(example.claim): \(printedText)",
          verdict: own.verdict, intended: own.intendedText, note: own.note ?? example.erratum, readings: readings))
    }
    return out
  }
}
