import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// The derivative displays of the manual's chapter 6 evaluated as printed (the derivations of
/// `convlab derive matconvnet-*` restate them in ConvLab's words): ReLU's and the sigmoid's
/// matrix forms, LRN's sum over {k : d ∈ G(k)}, every step of batch norm's dz/dx, spatial
/// normalization's η form, softmax's two forms and its overflow guard, the log-loss and both
/// p-distance derivatives. Each against central differences of the forward pass written from
/// chapter 4's definition (or ConvLab's block, where it is named).
extension MatConvNetClaims {
  static func implementationLines(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    // Central differences in Double of smooth functions away from kinks: error ~h² ≈ 1e-10
    // relative, so 1e-6 separates agreement from a wrong formula by orders of magnitude.
    let fdTolerance = 1e-6
    func inner(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    // §6.4.1: vec y = diag s vec x, dz/d vec x = diag s dz/d vec y, s = [vec x > 0]; entries kept 0.05 away from the kink.
    let xr = Tensor<Double>.uniform(Shape(3, 2, 2), using: &rng).map { $0 >= 0 ? $0 + 0.05 : $0 - 0.05 }
    let gr = Tensor<Double>.uniform(xr.shape, using: &rng)
    let s = xr.storage.map { $0 > 0 ? 1.0 : 0.0 }
    let reluY = try ReLU().forward(xr, Parameters()).storage
    let reluFD = FiniteDifferences.vjp(at: xr.storage, cotangent: gr.storage) { $0.map { max(0, $0) } }

    // §6.4.2 in matrix notation: dz/dx = dz/dy ⊙ y ⊙ (11ᵀ − y), x a 3 × 2 matrix.
    let xs = Tensor<Double>.uniform(Shape(3, 2), using: &rng)
    let gs = Tensor<Double>.uniform(Shape(3, 2), using: &rng)
    let sigma = { (v: Double) in 1 / (1 + exp(-v)) }
    let ys = xs.storage.map(sigma)
    let sigmoidMatrix = (0..<6).map { gs.storage[$0] * ys[$0] * (1 - ys[$0]) }
    let sigmoidFD = FiniteDifferences.vjp(at: xs.storage, cotangent: gs.storage) { $0.map(sigma) }

    // §6.5.1 as printed, one pixel, D = 5 channels, N = 3, κ = 2, α = 0.5, β = 0.75 (large α so the second term matters).
    let (depth, kappa, alpha, beta) = (3, 2.0, 0.5, 0.75)
    let xl = Tensor<Double>.uniform(Shape(1, 1, 5), using: &rng).storage
    let gl = Tensor<Double>.uniform(Shape(1, 1, 5), using: &rng).storage
    // G(k) = {max(1, k − ⌊(N−1)/2⌋), …, min(D, k + ⌈(N−1)/2⌉)}, 0-based here.
    func window(_ k: Int) -> ClosedRange<Int> { max(0, k - (depth - 1) / 2)...min(4, k + depth / 2) }
    func lrn(_ v: [Double]) -> [Double] { (0..<5).map { k in v[k] * pow(kappa + alpha * window(k).reduce(0) { $0 + v[$1] * v[$1] }, -beta) } }
    let bigL = (0..<5).map { k in kappa + alpha * window(k).reduce(0) { $0 + xl[$1] * xl[$1] } }
    let lrnPrinted: [Double] = (0..<5).map { (d: Int) -> Double in
      let readers: [Int] = (0..<5).filter { window($0).contains(d) }  // {k : d ∈ G(k)}
      let sum: Double = readers.reduce(0) { $0 + gl[$1] * pow(bigL[$1], -beta - 1) * xl[$1] }
      return gl[d] * pow(bigL[d], -beta) - 2 * alpha * beta * xl[d] * sum
    }
    let lrnFD = FiniteDifferences.vjp(at: xl, cotangent: gl) { lrn($0) }
    let lrnBlock = try Normalize(depth: depth, kappa: kappa, alpha: alpha, beta: beta).forward(Tensor(shape: Shape(1, 1, 5), storage: xl), Parameters()).storage

    // §6.5.2, one channel of x ∈ R^{2×2×1×3} (HWT = 12), w = 1.3, ε = 1e-4.
    let xb = Tensor<Double>.uniform(Shape(2, 2, 1, 3), using: &rng).storage
    let gb = Tensor<Double>.uniform(Shape(2, 2, 1, 3), using: &rng).storage
    let (wk, bk, eps) = (1.3, -0.2, 1e-4)
    let n = Double(xb.count)
    func mean(_ v: [Double]) -> Double { v.reduce(0, +) / n }
    func variance(_ v: [Double]) -> Double {
      let m = mean(v)
      return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n
    }
    func bnorm(_ v: [Double]) -> [Double] {
      let m = mean(v)
      let s2 = variance(v)
      return v.map { wk * ($0 - m) / (s2 + eps).squareRoot() + bk }
    }
    let mu = mean(xb)
    let s2 = variance(xb)
    let root = (s2 + eps).squareRoot()
    let dMuFD = FiniteDifferences.jacobian(at: xb) { [mean($0)] }.storage
    let dVarFD = FiniteDifferences.jacobian(at: xb) { [variance($0)] }.storage
    let dMuPrinted = xb.map { _ in 1 / n }
    let dVarPrinted = xb.map { 2 / n * ($0 - mu) }
    // dy_{i″}/dx_i = w (δ − dμ/dx) / √(σ² + ε) − (w/2)(x_{i″} − μ)(σ² + ε)^{−3/2} dσ²/dx_i, as a Jacobian (row i″, column i).
    let dyPrinted: [Double] = Matrix<Double>(rows: xb.count, cols: xb.count) { (r: Int, c: Int) -> Double in
      let delta: Double = r == c ? 1 : 0
      let first: Double = wk * (delta - 1 / n) / root
      let second: Double = wk / 2 * (xb[r] - mu) * pow(s2 + eps, -1.5) * (2 / n * (xb[c] - mu))
      return first - second
    }.storage
    let dyFD = FiniteDifferences.jacobian(at: xb) { bnorm($0) }.storage
    let sumG = gb.reduce(0, +)
    let sumGX = inner(gb, xb.map { $0 - mu })
    let dzdw = inner(gb, xb.map { ($0 - mu) / root })
    let dzdb = sumG
    let hence: [Double] = xb.indices.map { (i: Int) -> Double in wk / root * (gb[i] - sumG / n) - wk / (2 * pow(s2 + eps, 1.5)) * sumGX * 2 / n * (xb[i] - mu) }
    let ie: [Double] = xb.indices.map { (i: Int) -> Double in wk / root * (gb[i] - sumG / n) - wk / root * (xb[i] - mu) / root / n * inner(gb, xb.map { ($0 - mu) / root }) }
    let finalForm: [Double] = xb.indices.map { (i: Int) -> Double in wk / root * (gb[i] - dzdb / n - (xb[i] - mu) / root / n * dzdw) }
    let bnormFD = FiniteDifferences.vjp(at: xb, cotangent: gb) { bnorm($0) }

    // §6.5.3: dz/dx = dz/dy (1 + αn²)^{−β} − 2αβ x [Σ η dn²/d(x²)], η = dz/dy (1 + αn²)^{−β−1} x, with n² the average of x²
    // over a 3 × 3 neighbourhood (pooling with the corrected padding; cropped at the borders), x 4 × 5.
    let (sa, sb) = (0.8, 0.6)
    let xn = Tensor<Double>.uniform(Shape(4, 5), using: &rng)
    let gn = Tensor<Double>.uniform(Shape(4, 5), using: &rng)
    let energy = Pool(method: .avg, size: (3, 3), pad: [1, 1, 1, 1])
    func spnorm(_ v: [Double]) throws -> [Double] {
      let n2 = try energy.forward(Tensor(shape: xn.shape, storage: v.map { $0 * $0 }), Parameters()).storage
      return zip(v, n2).map { $0 * pow(1 + sa * $1, -sb) }
    }
    let n2 = try energy.forward(Tensor(shape: xn.shape, storage: xn.storage.map { $0 * $0 }), Parameters()).storage
    let eta = (0..<xn.count).map { gn.storage[$0] * pow(1 + sa * n2[$0], -sb - 1) * xn.storage[$0] }
    // Σ_{i″j″} η_{i″j″} dn²_{i″j″}/d(x²_{ij}): the avg pool block's backward pass with η as its dz/dy (the manual's last remark).
    let pooledEta = try energy.backward(Tensor(shape: xn.shape, storage: xn.storage.map { $0 * $0 }), Parameters(), Tensor(shape: xn.shape, storage: eta)).dzdx.storage
    let spnormPrinted = (0..<xn.count).map { gn.storage[$0] * pow(1 + sa * n2[$0], -sb) - 2 * sa * sb * xn.storage[$0] * pooledEta[$0] }
    let spnormFD = try FiniteDifferences.vjp(at: xn.storage, cotangent: gn.storage) { try spnorm($0) }
    let spnormBlock = try SpatialNorm(size: (3, 3), alpha: sa, beta: sb).forward(xn, Parameters()).storage

    // §6.5.4: the overflow guard, the first derivative display and the matrix form, X, Y ∈ R^{HW×D} (HW = 3, D = 4).
    let xm = Matrix<Double>.uniform(3, 4, using: &rng)
    let gm = Matrix<Double>.uniform(3, 4, using: &rng)
    func softmaxRows(_ v: [Double]) -> [Double] {
      let m = Matrix(rows: 3, cols: 4, storage: v)
      return Matrix<Double>(rows: 3, cols: 4) { r, c in exp(m[r, c]) / (0..<4).reduce(0) { $0 + exp(m[r, $1]) } }.storage
    }
    let ym = Matrix(rows: 3, cols: 4, storage: softmaxRows(xm.storage))
    let softmaxFD = FiniteDifferences.vjp(at: xm.storage, cotangent: gm.storage) { softmaxRows($0) }
    let firstDisplay = Matrix<Double>(rows: 3, cols: 4) { r, d in
      let bigL = (0..<4).reduce(0) { $0 + exp(xm[r, $1]) }
      return (0..<4).reduce(0.0) { acc, k in acc + gm[r, k] * (exp(xm[r, d]) / bigL * (k == d ? 1 : 0) - exp(xm[r, d]) * exp(xm[r, k]) / (bigL * bigL)) }
    }.storage
    let rowSums = (0..<3).map { r in (0..<4).reduce(0) { $0 + gm[r, $1] * ym[r, $1] } }  // (dz/dY ⊙ Y) 1
    let matrixForm = Matrix<Double>(rows: 3, cols: 4) { r, c in ym[r, c] * (gm[r, c] - rowSums[r]) }.storage
    // The guard: scores near 1000 overflow e^x; subtracting max_d x_d gives the softmax of the unshifted scores.
    let shifted = xm.storage.map { $0 + 1000 }
    let guarded = Matrix<Double>(rows: 3, cols: 4) { r, c in
      let row = (0..<4).map { shifted[r + 3 * $0] }
      let top = row.max() ?? 0
      return exp(row[c] - top) / row.reduce(0) { $0 + exp($1 - top) }
    }.storage
    let naive = softmaxRows(shifted)
    // The words before it: "divide from numerator and denominator by the maximum value" (max_d x_d itself).
    let dividedByMax = Matrix<Double>(rows: 3, cols: 4) { r, c in
      let row = (0..<4).map { shifted[r + 3 * $0] }
      let top = row.max() ?? 1
      return (exp(row[c]) / top) / row.reduce(0) { $0 + exp($1) / top }
    }.storage

    // §6.6.1: dz/dx_{ijd} = −dz/dy (1/x_{ijc}) δ_{d=c}, two pixels, D = 4, c = 2 (1-based 3), dz/dy = 0.7.
    let xp = Tensor<Double>.uniform(Shape(1, 2, 4), in: 0.1...0.9, using: &rng).storage
    let c = 2
    let dzdy = 0.7
    func logLoss(_ v: [Double]) -> Double { -(0..<2).reduce(0) { $0 + log(v[$1 + 2 * c]) } }  // pixel j, channel c at index j + 2c
    let logPrinted = (0..<8).map { e -> Double in e / 2 == c ? -dzdy / xp[e] : 0 }
    let logFD = FiniteDifferences.vjp(at: xp, cotangent: [dzdy]) { [logLoss($0)] }

    // §6.6.3, p = 3, one pixel, D = 4: without the root, and with it (both printed forms).
    let xd = Tensor<Double>.uniform(Shape(1, 1, 4), using: &rng).storage
    let td = Tensor<Double>.uniform(Shape(1, 1, 4), using: &rng).storage
    let p = 3.0
    let gy = 0.9
    let sign = { (v: Double) -> Double in v > 0 ? 1 : v < 0 ? -1 : 0 }
    func powerSum(_ v: [Double]) -> Double { (0..<4).reduce(0) { $0 + pow(abs(v[$1] - td[$1]), p) } }
    let y3 = pow(powerSum(xd), 1 / p)
    let noRootPrinted = (0..<4).map { gy * p * pow(abs(xd[$0] - td[$0]), p - 1) * sign(xd[$0] - td[$0]) }
    let rootFirst = (0..<4).map { gy / p * pow(powerSum(xd), 1 / p - 1) * p * pow(abs(xd[$0] - td[$0]), p - 1) * sign(xd[$0] - td[$0]) }
    let rootSecond = (0..<4).map { gy * pow(abs(xd[$0] - td[$0]), p - 1) * sign(xd[$0] - td[$0]) / pow(y3, p - 1) }
    let noRootFD = FiniteDifferences.vjp(at: xd, cotangent: [gy]) { [powerSum($0)] }
    let rootFD = FiniteDifferences.vjp(at: xd, cotangent: [gy]) { [pow(powerSum($0), 1 / p)] }

    // §6.1's derivatives, x 5×4×2, filters 2×2×2×3 (K = 3), against the conv block's backward pass.
    let xc = Tensor<Double>.uniform(Shape(5, 4, 2), using: &rng)
    let fc = Tensor<Double>.uniform(Shape(2, 2, 2, 3), using: &rng)
    let map = try Im2Row(geometry: FilterGeometry(kh: 2, kw: 2), h: 5, w: 4, d: 2)
    let phi = map.phi(xc)
    let bigF = Matrix(rows: 8, cols: 3, storage: fc.storage)
    let dY = Matrix<Double>.uniform(phi.rows, 3, using: &rng)
    let convBack = try Conv().backward(xc, Parameters(w: fc), Tensor(shape: Shape(4, 3, 3), storage: dY.storage))
    var hColumns: [Double] = []  // H, column by column: H e_e = vec φ(e_e)
    for e in 0..<xc.count {
      var unit = Tensor<Double>(shape: xc.shape)
      unit.storage[e] = 1
      hColumns += map.phi(unit).storage
    }
    let bigH = Matrix(rows: phi.count, cols: xc.count, storage: hColumns)
    let dzdyRow = Matrix(rows: 1, cols: dY.count, storage: dY.storage)
    let dFviaKron = (dzdyRow * kron(Matrix<Double>.identity(3), phi)).storage
    let dFviaProduct = (phi.transposed * dY).storage
    let dXviaKron = (dzdyRow * kron(bigF.transposed, Matrix<Double>.identity(phi.rows)) * bigH).storage
    let dXviaProduct = (Matrix(rows: 1, cols: phi.count, storage: (dY * bigF.transposed).storage) * bigH).storage
    let dXviaRow2im = map.phiStar(dY * bigF.transposed).storage
    let blockDF = convBack.dzdw?.storage ?? []
    let blockDX = convBack.dzdx.storage

    let fd = "central differences"
    return [
      .holds(
        .matConvNet, "§6.1", "§6.1 (dz/dF)", kind: .display, "dz/d(vec F)ᵀ = dz/d(vec y)ᵀ (I ⊗ φ(x)) = vec[φ(x)ᵀ dz/dY]ᵀ;  dz/dF = φ(x)ᵀ dz/dY",
        against: "the conv block's dz/dw (x 5×4×2, filters 2×2×2×3), each form in turn", value: dFviaKron + dFviaProduct, truth: blockDF + blockDF),
      .holds(
        .matConvNet, "§6.1", "§6.1 (dz/dX)", kind: .display,
        "dz/d(vec x)ᵀ = dz/d(vec y)ᵀ (Fᵀ ⊗ I) d vec φ(x)/d(vec x)ᵀ = vec[dz/dY Fᵀ]ᵀ H;  dz/dX = φ*(dz/dY Fᵀ)",
        against: "the conv block's dz/dx (H built from φ of unit inputs), each form in turn", value: dXviaKron + dXviaProduct + dXviaRow2im, truth: blockDX + blockDX + blockDX),
      .holds(
        .matConvNet, "§6.4.1", "§6.4.1 (matrix form)", kind: .display, "vec y = diag s vec x,  dz/d vec x = diag s dz/d vec y,  s = [vec x > 0] ∈ {0, 1}^{HWD}",
        against: "the ReLU block's output, then \(fd) of ⟨dz/dy, max(0, x)⟩ (entries ≥ 0.05 from the kink)",
        value: zip(s, xr.storage).map { $0 * $1 } + zip(s, gr.storage).map { $0 * $1 }, truth: reluY + reluFD, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.4.2", "§6.4.2 (matrix form)", kind: .display, "dz/dx = dz/dy ⊙ y ⊙ (11ᵀ − y)",
        against: "\(fd) of ⟨dz/dy, σ(x)⟩, x a 3 × 2 matrix", value: sigmoidMatrix, truth: sigmoidFD, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.5.1", "§6.5.1 (derivative as printed)", kind: .display,
        "dz/dx_{ijd} = dz/dy_{ijd} L(i,j,d|x)^{−β} − 2αβ x_{ijd} Σ_{k: d∈G(k)} dz/dy_{ijk} L(i,j,k|x)^{−β−1} x_{ijk},  L(i,j,k|x) = κ + α Σ_{t∈G(k)} x²_{ijt}",
        against: "\(fd) of §4.5.1's y_{ijk} = x_{ijk} L^{−β} (D = 5, N = 3, κ = 2, α = 0.5, β = 0.75); the LRN block gives the same y",
        value: lrnPrinted + lrn(xl), truth: lrnFD + lrnBlock, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.5.2", "§6.5.2 (dμ and dσ²)", kind: .display,
        "dμ_k/dx_{ijkt} = 1/(HWT),  dσ_k²/dx_{i′j′kt′} = (2/HWT) Σ_{ijt} (x_{ijkt} − μ_k)(δ − 1/(HWT)) = (2/HWT)(x_{i′j′kt′} − μ_k)",
        against: "\(fd) of μ and σ² (one channel, HWT = 12)", value: dMuPrinted + dVarPrinted, truth: dMuFD + dVarFD, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.5.2", "§6.5.2 (dy/dx)", kind: .display,
        "dy_{i″j″kt″}/dx_{ijkt} = w_k(δ_{i=i″,j=j″,t=t″} − dμ_k/dx_{ijkt})/√(σ_k² + ε) − (w_k/2)(x_{i″j″kt″} − μ_k)(σ_k² + ε)^{−3/2} dσ_k²/dx_{ijkt}",
        against: "\(fd) of §4.5.2's y (the 12 × 12 Jacobian of one channel)", value: dyPrinted, truth: dyFD, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.5.2", "§6.5.2 (dz/dx, three forms)", kind: .display,
        "dz/dx_{ijkt} = (w_k/√(σ_k² + ε))(dz/dy_{ijkt} − (1/HWT) Σ dz/dy) − … , 'i.e.' …, = (w_k/√(σ_k² + ε))(dz/dy_{ijkt} − (1/HWT) dz/db_k − ((x_{ijkt} − μ_k)/√(σ_k² + ε)) (1/HWT) dz/dw_k)",
        against: "\(fd) of ⟨dz/dy, y⟩ (each of the three displays in turn)", value: hence + ie + finalForm, truth: bnormFD + bnormFD + bnormFD, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.5.3", "§6.5.3 (derivative, η form)", kind: .display,
        "dz/dx_{ijd} = dz/dy_{ijd}(1 + αn²_{ijd})^{−β} − 2αβ x_{ijd} [Σ_{i″j″d} η_{i″j″d} dn²_{i″j″d}/d(x²_{ijd})],  η = dz/dy (1 + αn²)^{−β−1} x; the sum is vl_nnpool's derivative",
        against: "\(fd) of §4.5.3's y = x(1 + αn²)^{−β} (3 × 3 neighbourhood, α = 0.8, β = 0.6); the spnorm block gives the same y",
        value: spnormPrinted + (try spnorm(xn.storage)), truth: spnormFD + spnormBlock, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.5.4", "§6.5.4 (overflow guard)", kind: .display, "y_{ijk} = e^{x_{ijk} − max_d x_{ijd}} / Σ_t e^{x_{ijt} − max_d x_{ijd}}",
        against: "the softmax of the same scores 1000 lower (e^{1000} overflows: the unguarded form gives \(naive.contains { !$0.isFinite } ? "NaN" : "finite values"))",
        value: guarded, truth: ym.storage),
      .fails(
        .matConvNet, "§6.5.4", "§6.5.4 (overflow guard, words)", kind: .prose, .wrong,
        "The simplest way to do so is to divide from numerator and denominator by the maximum value",
        printedReading: "numerator and denominator divided by max_d x_d", intended: "divide numerator and denominator by e^{max_d x_d}, as the display does",
        intendedReading: "divided by e^{max_d x_d}", against: "the softmax of the same scores 1000 lower",
        printedValue: dividedByMax, intendedValue: guarded, truth: ym.storage,
        note:
          "dividing by the maximum leaves e^{x} to overflow (NaN at scores near 1000); the LaTeX source (vlfeat/matconvnet doc/impl.tex), a later version, reads 'by the exponential of the maximum value'"
      ),
      .holds(
        .matConvNet, "§6.5.4", "§6.5.4 (derivative)", kind: .display,
        "dz/dx_{ijd} = Σ_k dz/dy_{ijk}(e^{x_{ijd}} L(x)^{−1} δ_{k=d} − e^{x_{ijd}} e^{x_{ijk}} L(x)^{−2}),  L(x) = Σ_{t=1}^{D} e^{x_{ijt}}",
        against: "\(fd) of ⟨dz/dY, Y⟩ (HW = 3, D = 4)", value: firstDisplay, truth: softmaxFD, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.5.4", "§6.5.4 (matrix form)", kind: .display, "dz/dX = Y ⊙ (dz/dY − (dz/dY ⊙ Y) 11ᵀ),  X, Y ∈ R^{HW×D}",
        against: "\(fd) of ⟨dz/dY, Y⟩ (HW = 3, D = 4)", value: matrixForm, truth: softmaxFD, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.6.1", "§6.6.1 (derivative)", kind: .display, "dz/dx_{ijd} = −dz/dy (1/x_{ijc}) δ_{d=c}",
        against: "\(fd) of dz/dy · (−Σ_{ij} log x_{ijc}) (two pixels, D = 4, c = 3)", value: logPrinted, truth: logFD, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.6.3", "§6.6.3 (without the root)", kind: .display, "dz/dx_{ijd} = dz/dy_{ij} p |x_{ijd} − x̄_{ijd}|^{p−1} sign(x_{ijd} − x̄_{ijd})",
        against: "\(fd) of dz/dy · Σ_d |x − x̄|^p (p = 3, D = 4)", value: noRootPrinted, truth: noRootFD, tolerance: fdTolerance),
      .holds(
        .matConvNet, "§6.6.3", "§6.6.3 (with the root)", kind: .display,
        "dz/dx_{ijd} = dz/dy_{ij} (1/p)(Σ_{d′} |x_{ijd′} − x̄_{ijd′}|^p)^{1/p−1} p |x_{ijd} − x̄_{ijd}|^{p−1} sign(·) = dz/dy_{ij} |x_{ijd} − x̄_{ijd}|^{p−1} sign(·) / y_{ij}^{p−1}",
        against: "\(fd) of dz/dy · (Σ_d |x − x̄|^p)^{1/p} (p = 3, D = 4), both forms", value: rootFirst + rootSecond, truth: rootFD + rootFD, tolerance: fdTolerance),
    ]
  }
}
