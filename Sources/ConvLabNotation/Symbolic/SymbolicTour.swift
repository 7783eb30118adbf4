import ConvLabCore

/// The notation tour of `convlab notation OP --symbolic`: each operator on matrices of
/// symbols, with the identities it satisfies checked exactly (equal polynomials).
public enum SymbolicTour {
  /// One displayed symbolic matrix and, for an identity, whether both sides are equal.
  public struct Step: Sendable {
    /// The formula shown above the matrix, with its paper reference.
    public let formula: String
    /// The matrix in symbols.
    public let matrix: SymbolicMatrix
    /// nil for a plain display; true/false for an identity checked exactly.
    public let identityHolds: Bool?
    /// A remark shown under the matrix.
    public let remark: String?
  }

  /// The operators with a symbolic tour (the numeric tour's, less `indicator`, which
  /// compares numbers).
  public static let operators = [
    "vec", "unvec", "kron", "up", "down", "average", "exchange", "rot180", "conv2", "xcorr2",
    "hadamard", "im2row", "row2im", "kronforms",
  ]

  /// The tour of operator `name` with block/kernel size `n` (1…4) and the letters of input and filter.
  public static func steps(_ name: String, n: Int = 2, names: (input: String, filter: String) = ("x", "k")) throws -> [Step] {
    guard n >= 1, n <= 4 else { throw ConvLabError.outOfRange(subject: "a readable symbolic example", setting: "n", value: "\(n)", allowed: "between 1 and 4") }
    func step(_ f: String, _ m: SymbolicMatrix, _ holds: Bool? = nil, _ remark: String? = nil) -> Step {
      Step(formula: f, matrix: m, identityHolds: holds, remark: remark)
    }
    let x = SymbolicMatrix.symbols(names.input, 2, 3)
    switch name {
    case "vec":
      return [step("x", x), step("vec x  (columns stacked)", vec(x))]
    case "unvec":
      let back = try unvec(vec(x), 2, 3)
      return [step("v = vec x", vec(x)), step("unvec₂,₃(v) = x", back, back == x)]
    case "kron":
      let b = SymbolicMatrix.symbols(names.filter, n, n)
      return [step("A", x), step("B", b), step("A ⊗ B = [aᵢⱼ B]", try kron(x, b))]
    case "up":
      return [step("x", x), step("up(x) = x ⊗ 1\(subscriptDigits(n))ₓ\(subscriptDigits(n))  (Xu (6) with 1, not I)", try up(x, n))]
    case "down", "average":
      let big = SymbolicMatrix.symbols(names.input, 2 * n, 2 * n)
      return name == "down"
        ? [step("x", big), step("down(x): the sum of each \(n)×\(n) block (Xu (2))", try down(big, n))]
        : [step("x", big), step("average: down(x)/\(n * n) (MatConvNet §4.3)", try average(big, n))]
    case "exchange":
      let v = SymbolicMatrix.vectorSymbols(names.input, n + 1)
      return [step("J\(subscriptDigits(n + 1))", symbolicExchange(n + 1)), step("v", v), step("J v (order reversed)", try symbolicExchange(n + 1) * v)]
    case "rot180":
      let k = SymbolicMatrix.symbols(names.filter, n + 1, n + 1)
      return [step("K", k), step("rot180(K) = J K J  (Xu (14))", try rot180(k))]
    case "conv2", "xcorr2":
      let a = SymbolicMatrix.symbols(names.input, n + 1, n + 1)
      let k = SymbolicMatrix.symbols(names.filter, n, n)
      var out = [step("A", a), step("K", k)]
      for shape in ConvShape.allCases {
        out.append(step("\(name)(A, K, '\(shape.rawValue)')", name == "conv2" ? try conv2(a, k, shape: shape) : try xcorr2(a, k, shape: shape)))
      }
      let flipped = name == "conv2" ? try xcorr2(a, try rot180(k)) : try conv2(a, try rot180(k), shape: .valid)
      let direct = name == "conv2" ? try conv2(a, k, shape: .valid) : try xcorr2(a, k)
      out.append(
        step(
          name == "conv2"
            ? "xcorr2(A, rot180(K), 'valid') = conv2(A, K, 'valid')  (Xu (14))"
            : "conv2(A, rot180(K), 'valid') = xcorr2(A, K, 'valid')  (Xu (14))", flipped, flipped == direct))
      return out
    case "hadamard":
      let b = SymbolicMatrix.symbols(names.filter, 2, 3)
      return [step("A", x), step("B", b), step("A ∘ B", try hadamard(x, b))]
    case "im2row", "row2im", "kronforms":
      let image = SymbolicMatrix.symbols(names.input, n + 1, n + 2)
      let g = FilterGeometry(kh: n, kw: n)
      let phi = try SymbolicLayers.im2row(image, geometry: g)
      if name == "im2row" {
        return [step("x", image), step("φ(x): one \(n)×\(n) patch per row, p = i″ + H″(j″−1), q = i′ + H′(j′−1)  (MatConvNet §6.1)", phi)]
      }
      if name == "row2im" {
        let m = SymbolicMatrix.symbols("m", phi.rows, phi.cols)
        return [
          step("M", m),
          step(
            "φ*(M): every entry added back to the pixel it came from  (MatConvNet §6.1)",
            try SymbolicLayers.row2im(m, geometry: g, h: image.rows, w: image.cols)),
        ]
      }
      let f = SymbolicMatrix.symbols(names.filter, phi.cols, 2)
      let direct = vec(try phi * f)
      let viaF = try kron(symbolicIdentity(2), phi) * vec(f)
      let viaPhi = try kron(f.transposed, symbolicIdentity(phi.rows)) * vec(phi)
      return [
        step("φ(x)", phi), step("F (one filter per column)", f), step("vec(φ(x) F)", direct),
        step("(I ⊗ φ(x)) vec F = vec(φ(x) F)  (MatConvNet §6.1)", viaF, viaF == direct),
        step("(Fᵀ ⊗ I) vec φ(x) = vec(φ(x) F)  (MatConvNet §6.1)", viaPhi, viaPhi == direct),
      ]
    default:
      throw ConvLabError("no symbolic tour for '\(name)'; choose one of \(operators.joined(separator: ", ")).")
    }
  }
}
