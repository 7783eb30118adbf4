import ConvLabCore

/// Small worked examples of each notation operator, for `convlab notation OP`: the inputs, the
/// intermediate matrices the paper builds, and the result, each with its formula.
public enum NotationTour {
  /// One displayed matrix: its formula (Unicode math), the matrix, and an optional remark.
  public struct Step: Sendable {
    public let formula: String
    public let matrix: Matrix<Double>
    public let remark: String?
    /// For steps that assert an identity: whether it held, and the relative error.
    public let check: Comparison?
  }

  /// The operators that have a tour, with their paper references.
  public static let operators: [(name: String, reference: String)] = [
    ("vec", "Xu §3.1.3, MatConvNet §6.1"), ("unvec", "Xu (12)"), ("kron", "Xu §3.1.1, Magnus–Neudecker"),
    ("up", "Xu (6)"), ("down", "Xu (2), §2.2.1"), ("average", "MatConvNet §4.3"),
    ("exchange", "Xu (14)"), ("rot180", "Xu (14), Murugan (3.74)"),
    ("conv2", "Xu (13), (16)"), ("xcorr2", "MatConvNet §4.1, Xu (14)"), ("hadamard", "Xu (6)"),
    ("indicator", "Xu (7)–(8)"), ("im2row", "MatConvNet §6.1"), ("row2im", "MatConvNet §6.1"),
    ("kronforms", "MatConvNet §6.1"),
  ]

  /// Builds the tour of `name` with block size / kernel size `n` on a seeded random instance.
  public static func steps(_ name: String, n: Int = 2, seed: UInt64 = 1) throws -> [Step] {
    guard n >= 1, n <= 6 else { throw ConvLabError.outOfRange(subject: "a readable example", setting: "n", value: "\(n)", allowed: "between 1 and 6") }
    var rng = SeededGenerator(seed: seed)
    func small(_ r: Int, _ c: Int) -> Matrix<Double> {
      Matrix(rows: r, cols: c, storage: (0..<r * c).map { _ in Double(Int.random(in: -4...4, using: &rng)) })
    }
    func step(_ f: String, _ m: Matrix<Double>, _ remark: String? = nil, _ check: Comparison? = nil) -> Step {
      Step(formula: f, matrix: m, remark: remark, check: check)
    }
    let x = small(2, 3)
    switch name {
    case "vec":
      return [step("x", x), step("vec x  (columns stacked, 1-based x₁₁, x₂₁, x₁₂, …)", vec(x))]
    case "unvec":
      let v = vec(x)
      let back = try unvec(v, 2, 3)
      return [step("v = vec x", v), step("unvec₂,₃(v)", back, nil, Comparison(back, x))]
    case "kron":
      let b = small(n, n)
      return [step("A", x), step("B", b), step("A ⊗ B = [aᵢⱼ B]", kron(x, b))]
    case "up":
      let printed = upAsPrinted(x, n)
      let correct = up(x, n)
      return [
        step("x", x), step("1\(subscriptDigits(n))ₓ\(subscriptDigits(n))", ones(n, n)),
        step("up(x) = x ⊗ 1\(subscriptDigits(n))ₓ\(subscriptDigits(n))  (every entry copied into a block of \(n)×\(n))", correct),
        step(
          "x ⊗ I\(subscriptDigits(n))ₓ\(subscriptDigits(n))  (as printed in Xu (6): only the block diagonals, not an up-sampling)", printed,
          n > 1 ? "differs from up(x): Xu's text means 1ₙₓₙ" : nil, Comparison(printed, correct)),
      ]
    case "down", "average":
      let big = small(2 * n, 2 * n)
      let summed = try down(big, n)
      let averaged = try average(big, n)
      return name == "down"
        ? [
          step("x", big), step("down(x): sum of each \(n)×\(n) block", summed),
          step(
            "⟨down(x), y⟩ = ⟨x, up(y)⟩ with y = down(x): up is down's adjoint", vec(up(summed, n)).transposed * vec(big),
            nil, Comparison(vec(summed).transposed * vec(summed), vec(up(summed, n)).transposed * vec(big))),
        ]
        : [step("x", big), step("average: down(x)/\(n * n)", averaged)]
    case "exchange":
      let j = exchange(n + 1, Double.self)
      let v = small(n + 1, 1)
      return [step("J\(subscriptDigits(n + 1))", j), step("v", v), step("J v (order reversed)", j * v)]
    case "rot180":
      let k = small(n + 1, n + 1)
      let j = exchange(n + 1, Double.self)
      return [step("K", k), step("J", j), step("rot180(K) = J K J", rot180(k))]
    case "conv2", "xcorr2":
      let a = small(n + 2, n + 2)
      let k = small(n, n)
      let results = ConvShape.allCases.map { shape in
        name == "conv2"
          ? step("conv2(A, K, '\(shape.rawValue)')", conv2(a, k, shape: shape))
          : step("xcorr2(A, K, '\(shape.rawValue)')", xcorr2(a, k, shape: shape))
      }
      let identity =
        name == "conv2"
        ? step(
          "xcorr2(A, rot180(K), 'valid') equals conv2(A, K, 'valid')", xcorr2(a, rot180(k)), nil,
          Comparison(xcorr2(a, rot180(k)), conv2(a, k, shape: .valid)))
        : step(
          "conv2(A, rot180(K), 'valid') equals xcorr2(A, K, 'valid')", conv2(a, rot180(k), shape: .valid), nil,
          Comparison(conv2(a, rot180(k), shape: .valid), xcorr2(a, k)))
      return [step("A", a), step("K", k)] + results + [identity]
    case "hadamard":
      let b = small(2, 3)
      return [step("A", x), step("B", b), step("A ∘ B", try hadamard(x, b))]
    case "indicator":
      let w = Matrix(rows: n, cols: n, storage: (0..<n * n).map { _ in Double(Int.random(in: -9...9, using: &rng)) + 0.5 })
      return [step("a pooling window x", w), step("1{x = max x}", indicatorOfMax(w))]
    case "im2row", "row2im", "kronforms":
      let geometry = FilterGeometry(kh: n, kw: n)
      let image = Tensor<Double>(shape: Shape(n + 1, n + 2), storage: small(n + 1, n + 2).storage)
      let op = try Im2Row(geometry: geometry, h: image.shape.h, w: image.shape.w, d: 1)
      let phi = op.phi(image)
      if name == "im2row" {
        let h = op.matrixH(Double.self)
        return [
          step("x (\(image.shape))", image.channel(0)), step("φ(x): one \(n)×\(n) patch per row, rows p = i″ + H″(j″−1)", phi),
          step("H (vec φ(x) = H vec x)", h, "\(h.rows)×\(h.cols), \(h.nonzeroCount) ones"),
          step("H vec x", h * vec(image), nil, Comparison(h * vec(image), vec(phi))),
        ]
      }
      if name == "row2im" {
        let m = small(phi.rows, phi.cols)
        let back = op.phiStar(m)
        let viaH = op.matrixH(Double.self).transposed * vec(m)
        return [
          step("M (\(m.rows)×\(m.cols))", m), step("φ*(M): each entry added back to its pixel", back.channel(0)),
          step("Hᵀ vec M", viaH, nil, Comparison(viaH, vec(back))),
        ]
      }
      let f = small(phi.cols, 2)
      let forms = convolutionKroneckerForms(phi: phi, filters: f)
      return [
        step("φ(x)", phi), step("F (\(n * n)×2, one filter per column)", f), step("vec(φ(x) F)", forms.direct),
        step("(I ⊗ φ(x)) vec F", forms.viaVecF, nil, Comparison(forms.viaVecF, forms.direct)),
        step("(Fᵀ ⊗ I) vec φ(x)", forms.viaVecPhi, nil, Comparison(forms.viaVecPhi, forms.direct)),
      ]
    default:
      throw ConvLabError("no notation tour for '\(name)'; choose one of \(operators.map(\.name).joined(separator: ", ")).")
    }
  }
}
