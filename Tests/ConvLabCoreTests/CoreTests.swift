import ConvLabCore
import Foundation
import Testing

@Suite struct TensorTests {
  @Test func storageIsVecOrder() {
    let t = Tensor<Double>(shape: Shape(2, 3, 2, 2)) { i, j, d, n in Double(i + 2 * j + 6 * d + 12 * n) }
    #expect(t.storage == (0..<24).map(Double.init))
    #expect(t[paper: 2, 3, 1, 2] == t[1, 2, 0, 1])
  }

  @Test func labelsUsePaperIndices() {
    #expect(Tensor<Double>.label("x", shape: Shape(3, 3), at: 3) == "x₁₂")
    #expect(Tensor<Double>.label("x", shape: Shape(3, 3, 2), at: 9) == "x₁₁₂")
    #expect(Tensor<Double>.label("x", shape: Shape(12, 1), at: 10) == "x₁₁,₁")
  }

  @Test func shapeParsingRejectsNonsense() throws {
    #expect(try Shape(parsing: "4x5x3") == Shape(4, 5, 3))
    #expect(throws: ConvLabError.self) { try Shape(parsing: "4xfive") }
    #expect(throws: ConvLabError.self) { try Shape(parsing: "0x4") }
  }

  @Test func matrixProductMatchesLoops() {
    var rng = SeededGenerator(seed: 3)
    let a = Matrix<Double>.uniform(4, 3, using: &rng)
    let b = Matrix<Double>.uniform(3, 5, using: &rng)
    let loops = Matrix<Double>(rows: 4, cols: 5) { r, c in (0..<3).reduce(0) { $0 + a[r, $1] * b[$1, c] } }
    // Summation order may differ from BLAS: a few ulps of O(1) sums.
    #expect(relativeError(a * b, loops) < 1e-14)
  }
}

@Suite struct ComparisonTests {
  @Test func reportsTheWorstEntry() {
    let c = Comparison([1, 2, 3, 4], [1, 2, 3.5, 4])
    #expect(c.worstIndex == 2)
    #expect(c.relativeError == 0.5 / 4)
    #expect(!c.passes(0.1) && c.passes(0.2))
  }

  @Test func nanNeverPasses() {
    #expect(!Comparison([1, .nan], [1, 2]).passes(1))
  }

  @Test func identicalZeroArraysHaveZeroError() {
    #expect(Comparison([0, 0], [0, 0]).relativeError == 0)
  }
}

@Suite struct FiniteDifferenceTests {
  /// f(x) = (sin x₁ · x₂, x₁², exp(x₂)), with its Jacobian written out by hand.
  static func f(_ x: [Double]) -> [Double] { [sin(x[0]) * x[1], x[0] * x[0], exp(x[1])] }

  @Test(arguments: [[0.3, -1.2], [2.0, 0.5], [-7.0, 3.0]])
  func centralJacobianMatchesAnalytic(x: [Double]) {
    let analytic = Matrix<Double>([[cos(x[0]) * x[1], sin(x[0])], [2 * x[0], 0], [0, exp(x[1])]])
    let numeric = FiniteDifferences.jacobian(at: x, Self.f)
    // h ≈ 6e-6·scale: truncation h²|f‴|/6 and round-off ε|f|/h are both ≈ 1e-10 here.
    #expect(relativeError(numeric, analytic) < 1e-8)
  }

  @Test func vjpIsCotangentTimesJacobian() {
    let x = [0.7, 0.2]
    let u = [1.5, -2.0, 0.25]
    let j = FiniteDifferences.jacobian(at: x, Self.f)
    let expected = (0..<2).map { c in (0..<3).reduce(0.0) { $0 + u[$1] * j[$1, c] } }
    let vjp = FiniteDifferences.vjp(at: x, cotangent: u, Self.f)
    #expect(Comparison(vjp, expected).relativeError < 1e-8)
  }
}

@Suite struct OpenBLASSelectionTests {
  static func cpu(avx2: Bool, avx512: Bool) -> CPUFeatures {
    CPUFeatures(vendor: "test", sse42: true, avx: true, avx2: avx2, fma: avx2, avx512f: avx512, avx512bw: avx512, avx512dq: avx512, avx512vl: avx512)
  }

  @Test func genericKernelOnAVX512MachineIsUpgradedToSkylakeX() {
    #expect(OpenBLASRuntime.betterKernel(for: Self.cpu(avx2: true, avx512: true), current: "Prescott") == "SkylakeX")
    #expect(OpenBLASRuntime.betterKernel(for: Self.cpu(avx2: true, avx512: true), current: "SkylakeX") == nil)
  }

  @Test func avx2MachineNeverGetsAnAVX512Kernel() {
    // SkylakeX on a CPU without AVX-512 dies with SIGILL (measured on this project's AMD EPYC).
    #expect(OpenBLASRuntime.betterKernel(for: Self.cpu(avx2: true, avx512: false), current: "Prescott") == "Haswell")
    #expect(OpenBLASRuntime.betterKernel(for: Self.cpu(avx2: true, avx512: false), current: "Zen") == nil)
    #expect(OpenBLASRuntime.betterKernel(for: Self.cpu(avx2: false, avx512: false), current: "Prescott") == nil)
  }
}
