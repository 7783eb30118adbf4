import ConvLabCore
import ConvLabNotation
import Testing

/// Round-off budget for exact-in-theory identities on O(1) random entries: a few ulps of
/// sums of at most a few hundred products.
let identityTolerance = 1e-13

func randomMatrix(_ r: Int, _ c: Int, _ rng: inout SeededGenerator) -> Matrix<Double> {
  Matrix.uniform(r, c, using: &rng)
}

@Suite struct VecKronTests {
  @Test(arguments: 1...20)
  func vecOfProductIsKroneckerTimesVec(seed: Int) {
    var rng = SeededGenerator(seed: UInt64(seed))
    let (m, n, p, q) = (Int.random(in: 1...4, using: &rng), Int.random(in: 1...4, using: &rng), Int.random(in: 1...4, using: &rng), Int.random(in: 1...4, using: &rng))
    let a = randomMatrix(m, n, &rng)
    let x = randomMatrix(n, p, &rng)
    let b = randomMatrix(p, q, &rng)
    #expect(relativeError(vec(a * x * b), kron(b.transposed, a) * vec(x)) < identityTolerance)
  }

  @Test func unvecInvertsVec() throws {
    var rng = SeededGenerator(seed: 5)
    let a = randomMatrix(3, 4, &rng)
    #expect(try unvec(vec(a), 3, 4) == a)
    #expect(throws: ConvLabError.self) { try unvec(vec(a), 5, 5) }
  }

  @Test func kroneckerBlocksAreScaledCopies() {
    let a = Matrix<Double>([[1, 2], [3, 4]])
    let b = Matrix<Double>([[0, 1], [1, 0]])
    // Worked by hand: [[0,1,0,2],[1,0,2,0],[0,3,0,4],[3,0,4,0]].
    #expect(kron(a, b) == Matrix([[0, 1, 0, 2], [1, 0, 2, 0], [0, 3, 0, 4], [3, 0, 4, 0]]))
  }
}

@Suite struct SamplingTests {
  @Test(arguments: [1, 2, 3])
  func upByKroneckerEqualsElementRepetition(n: Int) {
    var rng = SeededGenerator(seed: UInt64(n))
    let x = randomMatrix(3, 2, &rng)
    let repeated = Matrix<Double>(rows: 3 * n, cols: 2 * n) { r, c in x[r / n, c / n] }
    #expect(up(x, n) == repeated)
  }

  @Test func printedUpWithIdentityIsNotUpsampling() {
    let x = Matrix<Double>([[1, 2]])
    #expect(upAsPrinted(x, 2) != up(x, 2))
  }

  @Test(arguments: [1, 2, 3])
  func downIsTheAdjointOfUp(n: Int) throws {
    var rng = SeededGenerator(seed: 10 + UInt64(n))
    let x = randomMatrix(2 * n, 3 * n, &rng)
    let y = randomMatrix(2, 3, &rng)
    let lhs = (vec(try down(x, n)).transposed * vec(y))[0, 0]
    let rhs = (vec(x).transposed * vec(up(y, n)))[0, 0]
    #expect(abs(lhs - rhs) <= identityTolerance * max(1, abs(lhs)))
  }

  @Test func averageDividesTheBlockSum() throws {
    let x = Matrix<Double>([[1, 2, 3, 4], [5, 6, 7, 8]])
    #expect(try down(x, 2) == Matrix([[14, 22]]))
    #expect(try average(x, 2) == Matrix([[3.5, 5.5]]))
    #expect(throws: ConvLabError.self) { try down(x, 3) }
  }

  @Test func indicatorMarksTheMaximum() {
    #expect(indicatorOfMax(Matrix<Double>([[1, 5], [3, 2]])) == Matrix([[0, 1], [0, 0]]))
  }
}

@Suite struct FlipAndConvolutionTests {
  @Test(arguments: [(1, 1), (2, 3), (4, 4), (3, 5)])
  func rot180IsJKJ(rows: Int, cols: Int) {
    var rng = SeededGenerator(seed: UInt64(rows * 10 + cols))
    let k = randomMatrix(rows, cols, &rng)
    let reversed = Matrix<Double>(rows: rows, cols: cols) { r, c in k[rows - 1 - r, cols - 1 - c] }
    #expect(rot180(k) == reversed)
  }

  /// Full 2-D convolution by scattering: C[i+p][j+q] += A[i][j]·K[p][q] — the product of two
  /// 2-D polynomials, an independent formulation of MATLAB's conv2(A, K, 'full').
  static func scatterConvolution(_ a: Matrix<Double>, _ k: Matrix<Double>) -> Matrix<Double> {
    var c = Matrix<Double>(rows: a.rows + k.rows - 1, cols: a.cols + k.cols - 1)
    for i in 0..<a.rows { for j in 0..<a.cols { for p in 0..<k.rows { for q in 0..<k.cols { c[i + p, j + q] += a[i, j] * k[p, q] } } } }
    return c
  }

  static func crop(_ m: Matrix<Double>, _ r0: Int, _ c0: Int, _ rows: Int, _ cols: Int) -> Matrix<Double> {
    Matrix(rows: rows, cols: cols) { r, c in m[r0 + r, c0 + c] }
  }

  @Test(arguments: 1...25)
  func conv2MatchesScatterLoopsInAllModes(seed: Int) {
    var rng = SeededGenerator(seed: UInt64(seed))
    let (ar, ac) = (Int.random(in: 2...7, using: &rng), Int.random(in: 2...7, using: &rng))
    let (kr, kc) = (Int.random(in: 1...ar, using: &rng), Int.random(in: 1...ac, using: &rng))
    let a = randomMatrix(ar, ac, &rng)
    let k = randomMatrix(kr, kc, &rng)
    let full = Self.scatterConvolution(a, k)
    #expect(relativeError(conv2(a, k, shape: .full), full) < identityTolerance)
    // MATLAB: 'same' is the central part starting at floor(size(K)/2) + 1; 'valid' at size(K).
    #expect(relativeError(conv2(a, k, shape: .same), Self.crop(full, kr / 2, kc / 2, ar, ac)) < identityTolerance)
    #expect(relativeError(conv2(a, k, shape: .valid), Self.crop(full, kr - 1, kc - 1, ar - kr + 1, ac - kc + 1)) < identityTolerance)
  }

  @Test func conv2SameMatchesMATLABExample() {
    // MATLAB: conv2([1 2 3], [1 1], 'same') = [3 5 3]; 'full' = [1 3 5 3].
    let a = Matrix<Double>([[1, 2, 3]])
    let k = Matrix<Double>([[1, 1]])
    #expect(conv2(a, k, shape: .same) == Matrix([[3, 5, 3]]))
    #expect(conv2(a, k, shape: .full) == Matrix([[1, 3, 5, 3]]))
  }

  @Test(arguments: 1...25)
  func xcorr2IsConvolutionWithTheReversedKernel(seed: Int) {
    var rng = SeededGenerator(seed: 100 + UInt64(seed))
    let (ar, ac) = (Int.random(in: 2...7, using: &rng), Int.random(in: 2...7, using: &rng))
    let (kr, kc) = (Int.random(in: 1...ar, using: &rng), Int.random(in: 1...ac, using: &rng))
    let a = randomMatrix(ar, ac, &rng)
    let k = randomMatrix(kr, kc, &rng)
    let reversed = Matrix<Double>(rows: kr, cols: kc) { r, c in k[kr - 1 - r, kc - 1 - c] }
    let full = Self.scatterConvolution(a, reversed)
    // Valid correlation by its definition: C(i,j) = Σ A(i+p, j+q) K(p, q).
    let validLoops = Matrix<Double>(rows: ar - kr + 1, cols: ac - kc + 1) { i, j in
      var s = 0.0
      for p in 0..<kr { for q in 0..<kc { s += a[i + p, j + q] * k[p, q] } }
      return s
    }
    #expect(relativeError(xcorr2(a, k, shape: .valid), validLoops) < identityTolerance)
    #expect(relativeError(xcorr2(a, k, shape: .full), full) < identityTolerance)
    #expect(relativeError(xcorr2(a, k, shape: .same), Self.crop(full, kr / 2, kc / 2, ar, ac)) < identityTolerance)
  }
}

@Suite struct Im2RowTests {
  static func randomGeometry(_ rng: inout SeededGenerator) -> (FilterGeometry, Shape) {
    let g = FilterGeometry(
      kh: Int.random(in: 1...3, using: &rng), kw: Int.random(in: 1...3, using: &rng),
      stride: (Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng)),
      pad: (0..<4).map { _ in Int.random(in: 0...2, using: &rng) },
      dilation: (Int.random(in: 1...2, using: &rng), Int.random(in: 1...2, using: &rng)))
    let shape = Shape(Int.random(in: 5...7, using: &rng), Int.random(in: 5...7, using: &rng), Int.random(in: 1...3, using: &rng))
    return (g, shape)
  }

  @Test(arguments: 1...30)
  func hTimesVecXIsVecPhiAndPhiStarIsItsAdjoint(seed: Int) throws {
    var rng = SeededGenerator(seed: UInt64(seed))
    let (g, shape) = Self.randomGeometry(&rng)
    let op = try Im2Row(geometry: g, h: shape.h, w: shape.w, d: shape.d)
    let x = Tensor<Double>.uniform(shape, using: &rng)
    let h = op.matrixH(Double.self)
    #expect(relativeError(h * vec(x), vec(op.phi(x))) == 0)  // a 0/1 selection: exact
    let m = randomMatrix(op.patchCount, op.patchSize, &rng)
    #expect(relativeError(h.transposed * vec(m), vec(op.phiStar(m))) < identityTolerance)
    // Adjoint test ⟨φ(x), M⟩ = ⟨x, φ*(M)⟩.
    let lhs = (vec(op.phi(x)).transposed * vec(m))[0, 0]
    let rhs = (vec(x).transposed * vec(op.phiStar(m)))[0, 0]
    #expect(abs(lhs - rhs) <= identityTolerance * max(1, abs(lhs)))
  }

  @Test func phiMatchesMatConvNetIndexMapWithoutPadding() throws {
    // §6.1 (1-based): i = i″ + i′ − 1, j = j″ + j′ − 1, p = i″ + H″(j″−1), q = i′ + H′(j′−1) + H′W′(d−1).
    let x = Tensor<Double>(shape: Shape(4, 5, 2)) { i, j, d, _ in Double(100 * d + 10 * j + i) }
    let op = try Im2Row(geometry: FilterGeometry(kh: 2, kw: 3), h: 4, w: 5, d: 2)
    let phi = op.phi(x)
    let (outH, outW) = (3, 3)
    for i2 in 1...outH {
      for j2 in 1...outW {
        for i1 in 1...2 {
          for j1 in 1...3 {
            for d in 1...2 {
              let p = i2 + outH * (j2 - 1)
              let q = i1 + 2 * (j1 - 1) + 6 * (d - 1)
              #expect(phi[p - 1, q - 1] == x[paper: i2 + i1 - 1, j2 + j1 - 1, d])
            }
          }
        }
      }
    }
  }

  @Test(arguments: 1...10)
  func kroneckerFormsAgree(seed: Int) throws {
    var rng = SeededGenerator(seed: 50 + UInt64(seed))
    let (g, shape) = Self.randomGeometry(&rng)
    let op = try Im2Row(geometry: g, h: shape.h, w: shape.w, d: shape.d)
    let phi = op.phi(Tensor<Double>.uniform(shape, using: &rng))
    let f = randomMatrix(op.patchSize, Int.random(in: 1...3, using: &rng), &rng)
    let forms = convolutionKroneckerForms(phi: phi, filters: f)
    #expect(relativeError(forms.viaVecF, forms.direct) < identityTolerance)
    #expect(relativeError(forms.viaVecPhi, forms.direct) < identityTolerance)
  }
}

@Suite struct LeNetTableTests {
  @Test func countsFollowFromTheTable() {
    #expect(LeNetTable.kernelCount == 60)
    #expect(LeNetTable.parameterCount() == 1516)
    #expect(LeNetTable.mask(Double.self).storage.reduce(0, +) == 60)
  }

  @Test func connectionSetsMatchXu() {
    // Xu §3.2: "the 0th input graph … is connected with the output graph 0,4,5,6,9,10,11,12,14 and 15".
    #expect(LeNetTable.outputs(of: 0) == [0, 4, 5, 6, 9, 10, 11, 12, 14, 15])
    // LeCun et al.: the first six C3 maps take 3 cyclically contiguous S2 maps; map 15 takes all six.
    #expect(LeNetTable.inputs(of: 0) == [0, 1, 2])
    #expect(LeNetTable.inputs(of: 5) == [0, 1, 5])
    #expect(LeNetTable.inputs(of: 15) == [0, 1, 2, 3, 4, 5])
  }
}
