import ConvLabCore
import ConvLabNotation
import Foundation

/// Exercises whose answer is a small matrix of symbols, typed as a text grid (`a32, 0, b11+b22`)
/// in `PART.txt`, graded exactly (equal polynomials), with the diagnosis catalogue applied to
/// symbols: missing flip, transposed, stride or padding ignored, rows in row-major order.
///
/// The letters: a for Vardhan's input A, b for his kernel β (β or beta also accepted), x, k
/// and d (or δ, delta) for Xu's input, kernel and error.
public struct SymbolicExercise: Exercise {
  /// The three symbolic tasks; the raw value is the exercise id.
  public enum Task: String, Sendable, CaseIterable {
    /// Z = A ∗ β with a drawn padding and stride (Vardhan App. A, rep.3).
    case convOutput = "symbolic-conv-output"
    /// dᵥZ/dᵥβ column by column (Vardhan App. A, Vardhan (a1-3)).
    case kernelJacobian = "symbolic-kernel-jacobian"
    /// ∂E/∂x entry by entry: which kernel entries multiply each x_ij (Xu (15)–(16), Fig. 4).
    case inputGradient = "symbolic-input-gradient"
  }

  /// Which task this exercise poses.
  public let task: Task
  /// The exercise for `task`.
  public init(_ task: Task) { self.task = task }

  /// `symbolic-conv-output`, `symbolic-kernel-jacobian` or `symbolic-input-gradient`.
  public var id: String { task.rawValue }
  /// The title shown in `convlab exercise list`.
  public var title: String {
    switch task {
    case .convOutput: return "In symbols: Z = A ∗ β with padding and stride"
    case .kernelJacobian: return "In symbols: dᵥZ/dᵥβ for this padding and stride"
    case .inputGradient: return "In symbols: which kernel entries multiply x_ij in ∂E/∂x"
    }
  }
  /// Worked by hand, like the numeric by-hand exercises.
  public var kind: ExerciseKind { .byHand }
  /// The papers' places this exercise practises.
  public var citation: String {
    switch task {
    case .convOutput: return "Vardhan App. A (rep.2–rep.3); MatConvNet §4.1"
    case .kernelJacobian: return "Vardhan App. A (Vardhan (a1-1)–(a1-3)); MatConvNet §6.1"
    case .inputGradient: return "Xu (15)–(16), Fig. 4; MatConvNet §6.1"
    }
  }

  /// The packet README's line on what to submit.
  public static let submitSentence =
    "One text file per part in your submission folder, `PART.txt`: one row of the matrix per line, entries separated by commas, each entry a sum of products of symbols (`a32`, `0`, `b11+b22`, `-1/4*x11`; b stands for β and d for δ):"
  /// The packet README's line on how the grid is graded.
  public static let gradingSentence = "Grading is exact: an entry is right when it is the same polynomial as the answer (the order of terms and factors does not matter)."

  /// The letters a student types and what they stand for.
  public static let aliases = ["b": "β", "d": "δ"]

  /// Draws sizes, padding and stride small enough to write the answer by hand.
  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    switch task {
    case .convOutput, .kernelJacobian:
      // Small enough to write by hand: at most a 3×4 input, a 2×2 kernel.
      var h = 3
      var w = 4
      var pad = 1
      var sh = 1
      var sw = 2
      repeat {
        h = rng.int(2...3)
        w = rng.int(3...4)
        pad = rng.int(0...1)
        (sh, sw) = [(1, 2), (2, 1), (1, 1), (2, 2)][rng.int(0...3)]
      } while (h + 2 * pad - 2) / sh < 1 || (w + 2 * pad - 2) / sw < 1 || (task == .kernelJacobian && ((h + 2 * pad - 2) / sh + 1) * ((w + 2 * pad - 2) / sw + 1) > 12)
      let options = ["h": "\(h)", "w": "\(w)", "pad": "\(pad)", "stride": "\(sh),\(sw)"]
      let g = FilterGeometry(kh: 2, kw: 2, stride: (sh, sw), pad: [pad, pad, pad, pad])
      let (oh, ow) = try g.outputSize(h: h, w: w)
      let setting = "A ∈ R^{\(h)×\(w)} (entries a11 … a\(h)\(w)), β ∈ R^{2×2} (entries b11 … b22), padding \(pad) on every side, stride (\(sh),\(sw)) — so Z is \(oh)×\(ow)"
      if task == .convOutput {
        return Instance(
          parts: [part("Z", options: options, rows: oh, cols: ow, what: "Z")],
          task: """
            Z = A ∗ β as in Vardhan App. A, where ∗ is MatConvNet's convolution (a cross-correlation: no flip; \
            z_pq = Σ a_{S(p−1)+i−P, S(q−1)+j−P} β_ij, zero outside A), with \(setting).
            Write Z entry by entry in `Z.txt`: one row per line, entries separated by commas, products written side by side \
            or with *, e.g. `a22b11 + a23b12, 0, a11*b22`.
            """)
      }
      return Instance(
        parts: [part("J", options: options, rows: oh * ow, cols: 4, what: "dᵥZ/dᵥβ")],
        task: """
          Z = A ∗ β as in Vardhan App. A (MatConvNet's convolution, a cross-correlation), with \(setting).
          Write the Jacobian dᵥZ/dᵥβ (numerator layout: one row per entry of vec Z, in column-major order z11, z21, …; \
          one column per entry of vec β: b11, b21, b12, b22) in `J.txt`: \(oh * ow) rows of 4 entries separated by commas.
          """)
    case .inputGradient:
      // x up to 4×4 and k up to 3×3, rectangular too: Fig. 4 is the 3×3 / 2×2 case.
      let (h, w) = (rng.int(3...4), rng.int(3...4))
      let (kh, kw) = (rng.int(2...min(3, h - 1)), rng.int(2...min(3, w - 1)))
      let options = ["h": "\(h)", "w": "\(w)", "kh": "\(kh)", "kw": "\(kw)"]
      let (mh, mw) = (h - kh + 1, w - kw + 1)
      return Instance(
        parts: [part("dEdx", options: options, rows: h, cols: w, what: "∂E/∂x")],
        task: """
          As in Xu Fig. 4, z = x ⋆ k is the valid correlation of x ∈ R^{\(h)×\(w)} (entries x11 …) with k ∈ R^{\(kh)×\(kw)} \
          (entries k11 …): z_pq = Σ x_{p+i−1, q+j−1} k_ij. The error δ = ∂E/∂z ∈ R^{\(mh)×\(mw)} has entries d11 … d\(mh)\(mw).
          Write ∂E/∂x entry by entry in `dEdx.txt` (\(h) rows of \(w) entries separated by commas), each entry a sum of \
          products d_pq k_ij, e.g. `d11k12 + d12k11`.
          """)
    }
  }

  func part(_ name: String, options: [String: String], rows: Int, cols: Int, what: String) -> Part {
    Part(
      spec: PartSpec(
        name: name, kind: "symbolic", block: nil, options: options, answer: what, shape: [rows, cols],
        layout: "\(name).txt: \(rows) rows of \(cols) entries separated by commas (a32, 0, b11+b22)", maxScore: 2),
      inputs: [:])
  }

  func int(_ part: Part, _ key: String) throws -> Int {
    guard let v = part.spec.options[key].flatMap({ Int($0) }) else { throw ConvLabError("part '\(part.spec.name)' has no whole-number option '\(key)'.") }
    return v
  }

  func stride(_ part: Part) throws -> (Int, Int) {
    let s = (part.spec.options["stride"] ?? "").split(separator: ",").compactMap { Int($0) }
    guard s.count == 2 else { throw ConvLabError("part '\(part.spec.name)' has no stride option 'SH,SW'.") }
    return (s[0], s[1])
  }

  /// The exact answer and the wrong variants, in symbols.
  public func symbolicSolution(_ part: Part) throws -> (answer: SymbolicMatrix, variants: [(id: String, value: SymbolicMatrix)]) {
    switch task {
    case .convOutput, .kernelJacobian:
      let (h, w, pad) = (try int(part, "h"), try int(part, "w"), try int(part, "pad"))
      let s = try stride(part)
      let a = SymbolicMatrix.symbols("a", h, w)
      let beta = SymbolicMatrix.symbols("β", 2, 2)
      func z(_ kernel: SymbolicMatrix, pad p: Int, stride st: (Int, Int)) throws -> SymbolicMatrix {
        try SymbolicLayers.convolve(a, kernel, geometry: FilterGeometry(kh: 2, kw: 2, stride: st, pad: [p, p, p, p]))
      }
      let betaVariables = try SymbolicLayers.variables(of: vec(beta))
      func jac(_ m: SymbolicMatrix) throws -> SymbolicMatrix { try SymbolicLayers.jacobian(m, wrt: betaVariables) }
      // A true convolution flips β: conv2 reads β rotated by 180°.
      let flipped = try rot180(beta)
      if task == .convOutput {
        let right = try z(beta, pad: pad, stride: s)
        return (
          right,
          [
            ("missing-flip", try z(flipped, pad: pad, stride: s)), ("stride-ignored", try z(beta, pad: pad, stride: (1, 1))),
            ("padding-ignored", try z(beta, pad: 0, stride: s)), ("transposed", right.transposed),
          ]
        )
      }
      let right = try jac(try z(beta, pad: pad, stride: s))
      let zRight = try z(beta, pad: pad, stride: s)
      // vec taken row by row: rows of J in the order z11, z12, …; columns b11, b12, b21, b22.
      let rowMajor = try SymbolicLayers.jacobian(zRight.transposed, wrt: try SymbolicLayers.variables(of: vec(beta.transposed)))
      return (
        right,
        [
          ("missing-flip", try jac(try z(flipped, pad: pad, stride: s))), ("transposed", right.transposed),
          ("stride-ignored", try jac(try z(beta, pad: pad, stride: (1, 1)))), ("padding-ignored", try jac(try z(beta, pad: 0, stride: s))),
          ("row-major-vec", rowMajor),
        ]
      )
    case .inputGradient:
      let (h, w, kh, kw) = (try int(part, "h"), try int(part, "w"), try int(part, "kh"), try int(part, "kw"))
      let x = SymbolicMatrix.symbols("x", h, w)
      let k = SymbolicMatrix.symbols("k", kh, kw)
      let delta = SymbolicMatrix.symbols("δ", h - kh + 1, w - kw + 1)
      // E changes as Σ δ_pq z_pq, so ∂E/∂x_ij collects δ_pq k_{i−p+1, j−q+1}.
      var e = Polynomial.zero
      let z = try xcorr2(x, k)
      for q in 0..<delta.cols { for p in 0..<delta.rows { e = try e + (try delta[p, q] * z[p, q]) } }
      let right = try SymbolicMatrix(rows: h, cols: w) { i, j in try e.derivative(Symbol("x", [i + 1, j + 1])) }
      let padded = try zeroPad(delta, top: kh - 1, bottom: kh - 1, left: kw - 1, right: kw - 1)
      return (right, [("missing-flip", try xcorr2(padded, k)), ("transposed", right.transposed)])
    }
  }

  /// The numeric image of the symbolic solution at fixed numbers, for the catalogue's
  /// instance check (every variant must differ from the answer); grading itself is exact.
  public func solve(_ part: Part) throws -> Solution {
    let (answer, variants) = try symbolicSolution(part)
    var rng = SeededGenerator(seed: 0x5EED)
    var values = Valuation()
    for s in Set(([answer] + variants.map(\.value)).flatMap(\.symbols)).sorted() { values.assign(s, Double.random(in: 1...2, using: &rng)) }
    func tensor(_ m: SymbolicMatrix) throws -> Tensor<Double> { try m.evaluate(values).tensor }
    return Solution(answer: try tensor(answer), variants: try variants.map { Variant($0.id, try tensor($0.value)) })
  }
}

/// Grades a symbolic part exactly: the submitted grid must be the same polynomials.
public enum SymbolicGrader {
  /// Reads `PART.txt` from `folder` and grades it; an unreadable grid is `invalid` (costs no attempt).
  public static func grade(_ exercise: SymbolicExercise, _ part: Part, folder: String) -> PartResult {
    let spec = part.spec
    func invalid(_ message: String) -> PartResult {
      PartResult(name: spec.name, status: .invalid, score: 0, maxScore: spec.maxScore, diagnosis: nil, feedback: message + " (An invalid part costs no attempt.)", grid: nil)
    }
    let path = (folder as NSString).appendingPathComponent(spec.name + ".txt")
    guard FileManager.default.fileExists(atPath: path) else { return invalid("no \(spec.name).txt in the submission \(folder); write the grid there (\(spec.layout)).") }
    let submitted: SymbolicMatrix
    do {
      let data = try readFile(path)
      guard let text = String(data: data, encoding: .utf8) else { return invalid("\(spec.name).txt is not UTF-8 text.") }
      submitted = try SymbolicParser(aliases: SymbolicExercise.aliases).parseGrid(text)
    } catch {
      return invalid("\(spec.name).txt: \(error)")
    }
    do {
      let solution = try exercise.symbolicSolution(part)
      return grade(spec, answer: solution.answer, variants: solution.variants, submitted: submitted)
    } catch {
      return invalid("\(error)")
    }
  }

  /// Exact grading against the answer and the variants.
  public static func grade(_ spec: PartSpec, answer: SymbolicMatrix, variants: [(id: String, value: SymbolicMatrix)], submitted: SymbolicMatrix) -> PartResult {
    if submitted == answer {
      return PartResult(
        name: spec.name, status: .correct, score: spec.maxScore, maxScore: spec.maxScore, diagnosis: nil,
        feedback: "Correct: all \(answer.count) entries are exactly the right polynomials.", grid: nil)
    }
    let match = variants.first { $0.value == submitted }
    let id = match?.id ?? "unknown"
    let mistake = Mistakes.named(id)
    guard submitted.rows == answer.rows, submitted.cols == answer.cols else {
      let shape = "Your grid is \(submitted.rows)×\(submitted.cols) but the answer is \(answer.rows)×\(answer.cols)"
      return PartResult(
        name: spec.name, status: .wrong, score: 0, maxScore: spec.maxScore, diagnosis: id,
        feedback: match == nil
          ? shape + ": one row of the matrix per line, entries separated by commas."
          : shape + ". " + mistake.feedback + (mistake.reference.isEmpty ? "" : " See \(mistake.reference)."), grid: nil)
    }
    var ok: [Bool] = []
    var notes: [String] = []
    for r in 0..<answer.rows {
      for c in 0..<answer.cols {
        let (s, a) = (submitted[r, c], answer[r, c])
        ok.append(s == a)
        guard s != a, notes.count < 3 else { continue }
        // Name the student's own extra terms; only count the missing ones (never give them away).
        let extra = Set(s.terms).subtracting(a.terms).map(\.description).sorted()
        let missing = Set(a.terms).subtracting(s.terms).count
        var note = "entry (\(r + 1),\(c + 1))"
        if !extra.isEmpty { note += ": \(extra.joined(separator: ", ")) should not be there" }
        if missing > 0 { note += (extra.isEmpty ? ": " : "; ") + "\(missing) term\(missing == 1 ? " is" : "s are") missing" }
        notes.append(note)
      }
    }
    let right = ok.filter { $0 }.count
    let score = (spec.maxScore * 0.5 * Double(right) / Double(ok.count) * 100).rounded(.down) / 100
    let grid = (0..<answer.rows).map { r in (0..<answer.cols).map { ok[r * answer.cols + $0] ? "✓" : "✗" }.joined(separator: " ") }.joined(separator: "\n")
    var feedback = "\(ok.count - right) of \(ok.count) entries differ (✗ below). " + mistake.feedback
    if !mistake.reference.isEmpty { feedback += " See \(mistake.reference)." }
    if match == nil && !notes.isEmpty { feedback += " " + notes.joined(separator: "; ") + "." }
    return PartResult(name: spec.name, status: .wrong, score: score, maxScore: spec.maxScore, diagnosis: id, feedback: feedback, grid: grid)
  }
}
