import ConvLabCore
import ConvLabNotation
import Testing

/// Substitution tolerance: the symbolic entry and the numeric path add the same few dozen
/// products of O(1) numbers in different orders, so they agree to a few ulps; 1e-12 leaves room
/// for cancellation without hiding a wrong term (a wrong term changes an entry by O(1)).
let substitutionTolerance = 1e-12

/// Numbers for name_{ij} and the symbolic matrix of the same shape.
func symbolsAndNumbers(_ name: String, _ r: Int, _ c: Int, _ rng: inout SeededGenerator, into values: inout Valuation) -> (SymbolicMatrix, Matrix<Double>) {
  let m = Matrix<Double>.uniform(r, c, using: &rng)
  values.assign(name, m)
  return (.symbols(name, r, c), m)
}

/// Every operator of SymbolicNotation and SymbolicLayers, substituted with random numbers,
/// against the numeric literal layer (or brute-force loops where the numeric layer has no twin).
@Suite struct SymbolicNotationTests {
  @Test(arguments: 1...8)
  func linearOperatorsAgreeWithTheNumericLayer(seed: Int) throws {
    var rng = SeededGenerator(seed: UInt64(seed))
    var values = Valuation()
    let (m, n) = (Int.random(in: 1...4, using: &rng), Int.random(in: 1...4, using: &rng))
    let (a, aNum) = symbolsAndNumbers("a", m, n, &rng, into: &values)
    let (b, bNum) = symbolsAndNumbers("β", Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng), &rng, into: &values)
    let (c, cNum) = symbolsAndNumbers("x", m, n, &rng, into: &values)
    let (k, kNum) = symbolsAndNumbers("k", min(m, 2), min(n, 3), &rng, into: &values)
    func agree(_ s: SymbolicMatrix, _ numeric: Matrix<Double>, _ what: String) throws {
      let e = try s.evaluate(values)
      #expect(e.rows == numeric.rows && e.cols == numeric.cols, "\(what): shape")
      if e.rows == numeric.rows && e.cols == numeric.cols {
        #expect(relativeError(e, numeric) < substitutionTolerance, "\(what): \(Comparison(e, numeric))")
      }
    }
    try agree(vec(a), vec(aNum), "vec")
    try agree(try unvec(vec(a), m, n), try unvec(vec(aNum), m, n), "unvec")
    try agree(try kron(a, b), kron(aNum, bNum), "kron")
    try agree(a.transposed, aNum.transposed, "transpose")
    try agree(try a * c.transposed, aNum * cNum.transposed, "product")
    try agree(try a + c, aNum + cNum, "sum")
    try agree(try hadamard(a, c), try hadamard(aNum, cNum), "hadamard")
    try agree(try up(a, 2), up(aNum, 2), "up")
    try agree(try rot180(b), rot180(bNum), "rot180")
    try agree(symbolicExchange(m), exchange(m, Double.self), "exchange")
    try agree(try zeroPad(a, top: 1, bottom: 0, left: 2, right: 1), zeroPad(aNum, top: 1, bottom: 0, left: 2, right: 1), "zeroPad")
    for shape in ConvShape.allCases {
      try agree(try conv2(a, k, shape: shape), conv2(aNum, kNum, shape: shape), "conv2 \(shape)")
      try agree(try xcorr2(a, k, shape: shape), xcorr2(aNum, kNum, shape: shape), "xcorr2 \(shape)")
    }
    let big = SymbolicMatrix.symbols("y", 2 * m, 2 * n)
    let bigNum = Matrix<Double>.uniform(2 * m, 2 * n, using: &rng)
    values.assign("y", bigNum)
    try agree(try down(big, 2), try down(bigNum, 2), "down")
    try agree(try average(big, 2), try average(bigNum, 2), "average")
  }

  @Test func flipIdentitiesHoldExactly() throws {
    let a = SymbolicMatrix.symbols("a", 4, 4)
    let k = SymbolicMatrix.symbols("k", 2, 3)
    // Xu (14): correlation with the rotated kernel is convolution, in every mode.
    for shape in ConvShape.allCases { #expect(try xcorr2(a, try rot180(k), shape: shape) == conv2(a, k, shape: shape)) }
    #expect(try rot180(try rot180(k)) == k)
    // up is down's adjoint: ⟨down(x), y⟩ = ⟨x, up(y)⟩ as polynomials.
    let x = SymbolicMatrix.symbols("x", 4, 4)
    let y = SymbolicMatrix.symbols("y", 2, 2)
    let left = try vec(try down(x, 2)).transposed * vec(y)
    let right = try vec(x).transposed * vec(try up(y, 2))
    #expect(left == right)
  }

  /// MatConvNet §4.1 by brute force over the padded input (independent of FilterGeometry).
  static func bruteForceConvolution(_ x: Matrix<Double>, _ k: Matrix<Double>, pad: [Int], stride: (Int, Int), dilate: (Int, Int)) -> Matrix<Double> {
    var padded = Matrix<Double>(rows: x.rows + pad[0] + pad[1], cols: x.cols + pad[2] + pad[3])
    for j in 0..<x.cols { for i in 0..<x.rows { padded[i + pad[0], j + pad[2]] = x[i, j] } }
    let extentH = dilate.0 * (k.rows - 1) + 1
    let extentW = dilate.1 * (k.cols - 1) + 1
    let oh = (padded.rows - extentH) / stride.0 + 1
    let ow = (padded.cols - extentW) / stride.1 + 1
    return Matrix(rows: oh, cols: ow) { i, j in
      var s = 0.0
      for q in 0..<k.cols { for p in 0..<k.rows { s += k[p, q] * padded[i * stride.0 + p * dilate.0, j * stride.1 + q * dilate.1] } }
      return s
    }
  }

  static let geometries: [(pad: [Int], stride: (Int, Int), dilate: (Int, Int))] = [
    ([0, 0, 0, 0], (1, 1), (1, 1)), ([1, 1, 1, 1], (1, 2), (1, 1)), ([1, 0, 2, 1], (2, 1), (1, 1)),
    ([0, 0, 0, 0], (1, 1), (2, 2)), ([1, 1, 0, 0], (2, 2), (1, 2)),
  ]

  @Test(arguments: 0..<5)
  func convolutionWithPaddingStrideDilationAgreesWithBruteForce(g: Int) throws {
    var rng = SeededGenerator(seed: UInt64(100 + g))
    var values = Valuation()
    let (pad, stride, dilate) = Self.geometries[g]
    let (x, xNum) = symbolsAndNumbers("a", 5, 6, &rng, into: &values)
    let (k, kNum) = symbolsAndNumbers("β", 2, 2, &rng, into: &values)
    let geometry = FilterGeometry(kh: 2, kw: 2, stride: stride, pad: pad, dilation: dilate)
    let y = try SymbolicLayers.convolve(x, k, geometry: geometry)
    let truth = Self.bruteForceConvolution(xNum, kNum, pad: pad, stride: stride, dilate: dilate)
    #expect(relativeError(try y.evaluate(values), truth) < substitutionTolerance)
    // φ(x) vec k is the same convolution (MatConvNet §6.1), exactly.
    let phi = try SymbolicLayers.im2row(x, geometry: geometry)
    #expect(try phi * vec(k) == vec(y))
    // and φ agrees with the numeric im2row.
    let numericPhi = try Im2Row(geometry: geometry, h: 5, w: 6, d: 1).phi(xNum.tensor)
    #expect(relativeError(try phi.evaluate(values), numericPhi) < substitutionTolerance)
  }

  @Test(arguments: 0..<5)
  func row2imIsTheTransposeOfIm2row(g: Int) throws {
    var rng = SeededGenerator(seed: UInt64(200 + g))
    var values = Valuation()
    let (pad, stride, dilate) = Self.geometries[g]
    let geometry = FilterGeometry(kh: 2, kw: 2, stride: stride, pad: pad, dilation: dilate)
    let op = try Im2Row(geometry: geometry, h: 4, w: 5, d: 1)
    let (m, mNum) = symbolsAndNumbers("m", op.patchCount, op.patchSize, &rng, into: &values)
    let back = try SymbolicLayers.row2im(m, geometry: geometry, h: 4, w: 5)
    #expect(relativeError(try back.evaluate(values), op.phiStar(mNum).channel(0)) < substitutionTolerance)
    // ⟨φ(x), M⟩ = ⟨x, φ*(M)⟩ as polynomials.
    let x = SymbolicMatrix.symbols("x", 4, 5)
    let phi = try SymbolicLayers.im2row(x, geometry: geometry)
    #expect(try vec(phi).transposed * vec(m) == vec(x).transposed * vec(back))
  }

  @Test func kroneckerFormsOfMatConvNetAreEqualPolynomials() throws {
    let x = SymbolicMatrix.symbols("x", 3, 4)
    let f = SymbolicMatrix.symbols("f", 4, 2)
    let phi = try SymbolicLayers.im2row(x, geometry: FilterGeometry(kh: 2, kw: 2))
    let direct = vec(try phi * f)
    #expect(try kron(symbolicIdentity(2), phi) * vec(f) == direct)
    #expect(try kron(f.transposed, symbolicIdentity(phi.rows)) * vec(phi) == direct)
  }

  @Test func averagePoolingDividesByTheInBoundsCount() throws {
    // 3×3 windows, padding 1, stride 2 on a 3×3 input: the corner window holds 4 samples.
    let x = SymbolicMatrix.symbols("x", 3, 3)
    let y = try SymbolicLayers.averagePool(x, geometry: FilterGeometry(kh: 3, kw: 3, stride: (2, 2), pad: [1, 1, 1, 1]))
    #expect(y.rows == 2 && y.cols == 2)
    #expect(y[0, 0] == (try SymbolicParser().parse("1/4 x11 + 1/4 x21 + 1/4 x12 + 1/4 x22")))
  }

  @Test func jacobianOfALinearMapIsItsMatrix() throws {
    var rng = SeededGenerator(seed: 7)
    var values = Valuation()
    let (w, wNum) = symbolsAndNumbers("w", 3, 4, &rng, into: &values)
    let (x, xNum) = symbolsAndNumbers("x", 2, 2, &rng, into: &values)
    let y = try SymbolicLayers.dense(x, weights: w, bias: nil)
    let jx = try SymbolicLayers.jacobian(y, wrt: try SymbolicLayers.variables(of: vec(x)))
    #expect(jx == w)
    let jw = try SymbolicLayers.jacobian(y, wrt: try SymbolicLayers.variables(of: vec(w)))
    // vec(W x⃗) = (x⃗ᵀ ⊗ I) vec W (Magnus–Neudecker).
    #expect(relativeError(try jw.evaluate(values), kron(vec(xNum).transposed, identity(3))) < substitutionTolerance)
    #expect(relativeError(try y.evaluate(values), wNum * vec(xNum)) < substitutionTolerance)
    #expect(throws: ConvLabError.self) { try SymbolicLayers.variables(of: try x + x) }
  }

  @Test func subsampleIsBetaDownPlusBias() throws {
    var rng = SeededGenerator(seed: 8)
    var values = Valuation()
    let (x, xNum) = symbolsAndNumbers("x", 4, 4, &rng, into: &values)
    values.assign(Symbol("β", []), 0.7)
    values.assign(Symbol("b", []), -0.3)
    let z = try SymbolicLayers.subsample(x, n: 2, beta: Polynomial(Symbol("β", [])), bias: Polynomial(Symbol("b", [])))
    let truth = Matrix(rows: 2, cols: 2) { r, c in 0.7 * (try! down(xNum, 2))[r, c] - 0.3 }
    #expect(relativeError(try z.evaluate(values), truth) < substitutionTolerance)
    // ∂z/∂x = β up(·): every input entry of block (r, c) has coefficient β.
    let j = try SymbolicLayers.jacobian(z, wrt: try SymbolicLayers.variables(of: vec(x)))
    #expect(j.nonzeroCount == 16)
    #expect(Set(j.entries.filter { !$0.isZero }) == [Polynomial(Symbol("β", []))])
  }

  @Test func maxPoolSelectorRoutesToTheWinner() throws {
    var rng = SeededGenerator(seed: 9)
    var values = Valuation()
    let (x, xNum) = symbolsAndNumbers("I", 4, 4, &rng, into: &values)
    let g = FilterGeometry(kh: 2, kw: 2, stride: (2, 2))
    let winners = try SymbolicLayers.maxPoolWinners(x, geometry: g, padding: .excluded, values: values)
    let s = try SymbolicLayers.maxPoolSelector(x, geometry: g, padding: .excluded, winners: winners)
    // Brute force: the row of output (r, c) has its 1 at the argmax of the 2×2 block.
    for c in 0..<2 {
      for r in 0..<2 {
        var best = (0, 0)
        var bestValue = -Double.infinity
        for q in 0..<2 { for p in 0..<2 where xNum[2 * r + p, 2 * c + q] > bestValue { (best, bestValue) = ((2 * r + p, 2 * c + q), xNum[2 * r + p, 2 * c + q]) } }
        let row = r + 2 * c
        #expect(s[row, best.0 + 4 * best.1] == 1)
        #expect((0..<16).filter { !s[row, $0].isZero }.count == 1)
      }
    }
    #expect(throws: ConvLabError.self) { try SymbolicLayers.maxPoolSelector(x, geometry: g, padding: .excluded, winners: [0]) }
    #expect(throws: ConvLabError.self) { try SymbolicLayers.maxPoolSelector(x, geometry: g, padding: .excluded, winners: [0, 0, 0, 9]) }
  }

  @Test func nonlinearJacobiansInSymbols() throws {
    // Softmax: diag(y) − y yᵀ with y summing to one has rows summing to zero.
    let j = try SymbolicJacobians.softmax(h: 1, w: 1, d: 3)
    var values = Valuation()
    values.assignVector("y", [0.2, 0.5, 0.3])
    let jn = try j.evaluate(values)
    for r in 0..<3 { #expect(abs((0..<3).reduce(0.0) { $0 + jn[r, $1] }) < 1e-15) }
    #expect(j[0, 1] == (try SymbolicParser().parse("-y1 y2")))
    #expect(j[0, 0] == (try SymbolicParser().parse("y1 - y1^2")))
    // Sigmoid in its outputs: y(1 − y); tanh: 1 − y².
    let s = try SymbolicJacobians.elementwise(.sigmoid, outputs: .symbols("y", 1, 2))
    let sigmoidEntry = try SymbolicParser().parse("y12 - y12^2")
    #expect(s[1, 1] == sigmoidEntry)
    #expect(s[0, 1].isZero)
    let t = try SymbolicJacobians.elementwise(.tanh, outputs: .symbols("y", 1, 1))
    #expect(t[0, 0] == (try SymbolicParser().parse("1 - y11^2")))
    let f = try SymbolicJacobians.elementwise("x", rows: 2, cols: 1)
    #expect(f[1, 1].unicode == "f′(x₂₁)" && f.nonzeroCount == 2)
    let leak = try Rational(1, 100)
    let r = try SymbolicJacobians.relu(positive: [true, false], leak: leak)
    #expect(r[0, 0] == 1)
    #expect(r[1, 1] == Polynomial(leak))
  }

  @Test func tooLargeSymbolicMatricesAreRefusedWithASentence() {
    #expect(throws: ConvLabError.self) {
      try SymbolicLayers.jacobian(.symbols("x", 300, 300), wrt: try SymbolicLayers.variables(of: vec(.symbols("x", 300, 300))))
    }
  }
}
