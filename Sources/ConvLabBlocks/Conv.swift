import ConvLabCore
import ConvLabNotation

/// Convolution (MatConvNet §4.1): y_{i″j″d″} = b_{d″} + Σ_{i′j′d′} f_{i′j′d′d″} x_{S(i″−1)+D(i′−1)+1−P⁻, …, d′}.
///
/// Cross-correlation, no kernel flip (MatConvNet's convention; Xu (14) relates it to the
/// papers' true convolution by J flips). Filters f ∈ R^{H′×W′×D′×D″}; when D′ divides the input
/// depth D into g = D/D′ groups, group k uses input channels kD′+1…(k+1)D′ and filters
/// kD″/g+1…(k+1)D″/g (MatConvNet "filter groups"). The fully-connected layer is the case
/// H″ = W″ = 1 (Murugan (3.10)).
public struct Conv: Block {
  public var pad: [Int]
  public var stride: (Int, Int)
  public var dilate: (Int, Int)
  /// Which fast kernel computes the block (the literal path is unaffected).
  public var kernel: Kernel

  /// The fast path's implementations of the same sum (MatConvNet §4.1).
  public enum Kernel: String, Sendable, CaseIterable {
    /// `direct` where it applies and is faster (few taps per pixel: ≤ 50, as LeNet's C1), else
    /// `blocked` for a Float32 forward pass where the CPU has AVX2 + FMA, else `gemm`.
    case automatic
    /// im2row + one GEMM per group (Milisavljevic (1)–(2), MatConvNet §6.1).
    case gemm
    /// Direct sums over the taps, SIMD over output rows (`SmallConvolution`); layers it does
    /// not handle (stride or dilation > 1, groups, fewer than 8 output rows) use `gemm`.
    case direct
    /// Float32 forward only: im2row one cache-sized block of patches at a time, multiplied at
    /// once by ConvLab's AVX2 GEMM micro-kernel (`BlockedConvolution`); Float64, CPUs without
    /// AVX2 + FMA and the backward pass use `gemm`.
    case blocked
  }

  public init(pad: [Int] = [0, 0, 0, 0], stride: (Int, Int) = (1, 1), dilate: (Int, Int) = (1, 1), kernel: Kernel = .automatic) {
    self.pad = pad
    self.stride = stride
    self.dilate = dilate
    self.kernel = kernel
  }

  /// Whether the fast path runs the direct kernel for inputs of shape `x` and filters `f`.
  public func usesDirectKernel(x: Shape, filters f: Shape) -> Bool {
    guard kernel == .automatic || kernel == .direct, let out = try? geometry(kh: f.h, kw: f.w).outputSize(h: x.h, w: x.w) else { return false }
    return SmallConvolution.handles(conv: self, x: x, f: f, outH: out.h) && (kernel == .direct || SmallConvolution.faster(x: x, f: f))
  }

  public var name: String { "conv" }

  /// The kernel the fast forward pass runs for these shapes in scalar type `S` (`automatic`
  /// resolved, and a kernel that does not apply replaced by `gemm`).
  public func forwardKernel<S: Scalar>(x: Shape, filters f: Shape, scalar _: S.Type) -> Kernel {
    if usesDirectKernel(x: x, filters: f) { return .direct }
    let blocked = (kernel == .automatic || kernel == .blocked) && S.singlePrecision != nil && BlockedConvolution.available
    return blocked ? .blocked : .gemm
  }

  /// Window geometry for a filter of size kh × kw.
  public func geometry(kh: Int, kw: Int) -> FilterGeometry {
    FilterGeometry(kh: kh, kw: kw, stride: stride, pad: pad, dilation: dilate)
  }

  public func variables<S: Scalar>(_ p: Parameters<S>) -> [Variable] { p.b == nil ? [.x, .w] : [.x, .w, .b] }

  /// The number of groups g = D / D′.
  func groups(inputDepth d: Int, filters f: Shape) throws -> Int {
    guard f.d >= 1, d % f.d == 0 else {
      throw ConvLabError("the filter depth \(f.d) does not divide the input depth \(d); MatConvNet needs D′ | D (g = D/D′ groups).")
    }
    let g = d / f.d
    guard f.n % g == 0 else {
      throw ConvLabError("\(f.n) filters cannot be split into \(g) groups (input depth \(d) / filter depth \(f.d)); the filter count must be a multiple of \(g).")
    }
    return g
  }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    guard let f = p.w?.shape else { throw ConvLabError.missingInput(block: "conv", inputs: ["w"], what: "filters of shape H′×W′×D′×D″") }
    guard pad.count == 4, pad.allSatisfy({ $0 >= 0 }) else { throw ConvLabError("conv padding must be four non-negative numbers (top, bottom, left, right), got \(pad).") }
    _ = try groups(inputDepth: x.d, filters: f)
    if let b = p.b, b.count != f.n {
      throw ConvLabError("conv has \(f.n) filters but \(b.count) biases; give one bias per filter.")
    }
    let out = try geometry(kh: f.h, kw: f.w).outputSize(h: x.h, w: x.w)
    return Shape(out.h, out.w, f.n, x.n)
  }

  public func structure(wrt v: Variable) -> String {
    switch v {
    case .x: return "block-Toeplitz (doubly block-Toeplitz per channel pair): vec y = (Fᵀ ⊗ I) H vec x (MatConvNet §6.1), columns vec(x-unit * f) (Vardhan §3.1.5)"
    case .w: return "I ⊗ φ(x) per image (MatConvNet §6.1): rows of φ(x) repeated along the block diagonal"
    case .b: return "I_{D″} ⊗ 1_{H″W″} per image: bias k reaches every pixel of channel k"
    }
  }

  // MARK: Literal path — MatConvNet §6.1 with the explicit φ(x), F and Kronecker forms

  /// vec y = vec(φ(x) F) + b per image and group, with φ built by the notation layer's index map.
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    let yShape = try outputShape(x.shape, p)
    guard let f = p.w else { throw ConvLabError("conv needs filters.") }
    let g = try groups(inputDepth: x.shape.d, filters: f.shape)
    let perGroup = f.shape.n / g
    var y = Tensor<Double>(shape: yShape)
    for n in 0..<x.shape.n {
      for group in 0..<g {
        let product = try phi(x, image: n, group: group, filters: f.shape) * filterMatrix(f, group: group, groups: g)
        for k in 0..<perGroup {
          let channel = group * perGroup + k
          let bias = p.b?.storage[channel] ?? 0
          for pixel in 0..<product.rows { y.storage[yShape.index(0, 0, channel, n) + pixel] = product[pixel, k] + bias }
        }
      }
    }
    return y
  }

  /// φ(x) of one image restricted to one group's input channels (MatConvNet §6.1).
  public func phi(_ x: Tensor<Double>, image n: Int, group: Int, filters f: Shape) throws -> Matrix<Double> {
    let slice = Tensor<Double>(shape: Shape(x.shape.h, x.shape.w, f.d)) { i, j, d, _ in x[i, j, group * f.d + d, n] }
    return try Im2Row(geometry: geometry(kh: f.h, kw: f.w), h: x.shape.h, w: x.shape.w, d: f.d).phi(slice)
  }

  /// F ∈ R^{(H′W′D′) × (D″/g)}: one group's filters, one per column (MatConvNet §6.1).
  public func filterMatrix(_ f: Tensor<Double>, group: Int, groups g: Int) -> Matrix<Double> {
    let q = f.shape.h * f.shape.w * f.shape.d
    let perGroup = f.shape.n / g
    let start = q * group * perGroup
    return Matrix(rows: q, cols: perGroup, storage: Array(f.storage[start..<start + q * perGroup]))
  }

  /// The explicit Jacobian, built without differencing:
  /// - wrt x: column by column, column (p, q, d) = vec(conv of the unit image E_pqd with f)
  ///   (Vardhan §3.1.5, App. A: dZ/dA_pq = dA/dA_pq * K);
  /// - wrt w: I ⊗ φ(x) per image and group (MatConvNet §6.1: d vec y / d (vec F)ᵀ = I ⊗ φ(x));
  /// - wrt b: I ⊗ 1_{H″W″} per image.
  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    let yShape = try outputShape(x.shape, p)
    guard let f = p.w else { throw ConvLabError("conv needs filters.") }
    let g = try groups(inputDepth: x.shape.d, filters: f.shape)
    let perGroup = f.shape.n / g
    let pixels = yShape.h * yShape.w
    switch v {
    case .x:
      try JacobianBudget.check(rows: yShape.count, cols: x.count)
      var j = Matrix<Double>(rows: yShape.count, cols: x.count)
      var noBias = p
      noBias.b = nil
      var unit = Tensor<Double>(shape: x.shape)
      for column in 0..<x.count {
        WorkProgress.step(column, of: x.count)
        unit.storage[column] = 1
        let response = try literalForward(unit, noBias)
        unit.storage[column] = 0
        j.storage.replaceSubrange(column * j.rows..<(column + 1) * j.rows, with: response.storage)
      }
      return j
    case .w:
      try JacobianBudget.check(rows: yShape.count, cols: f.count)
      var j = Matrix<Double>(rows: yShape.count, cols: f.count)
      let q = f.shape.h * f.shape.w * f.shape.d
      for n in 0..<x.shape.n {
        for group in 0..<g {
          let block = kron(Matrix<Double>.identity(perGroup), try phi(x, image: n, group: group, filters: f.shape))
          let rowOffset = yShape.index(0, 0, group * perGroup, n)
          let colOffset = q * group * perGroup
          for c in 0..<block.cols { for r in 0..<block.rows { j[rowOffset + r, colOffset + c] = block[r, c] } }
        }
      }
      return j
    case .b:
      guard p.b != nil else { throw ConvLabError.missingInput(block: "conv", inputs: ["b"], what: "biases, to differentiate with respect to them") }
      let perImage = kron(Matrix<Double>.identity(f.shape.n), Matrix<Double>.ones(pixels, 1))
      var j = Matrix<Double>(rows: yShape.count, cols: f.shape.n)
      for n in 0..<x.shape.n {
        for c in 0..<perImage.cols { for r in 0..<perImage.rows { j[n * perImage.rows + r, c] = perImage[r, c] } }
      }
      return j
    }
  }

  /// The Kronecker form of the input Jacobian for one image and one group,
  /// d vec y / d (vec x)ᵀ = (Fᵀ ⊗ I) H (MatConvNet §6.1), built from the explicit 0/1 matrix H.
  public func kroneckerJacobian(at x: Tensor<Double>, _ p: Parameters<Double>) throws -> Matrix<Double> {
    guard let f = p.w, x.shape.n == 1, f.shape.d == x.shape.d else {
      throw ConvLabError("the Kronecker form is shown for one image without filter groups.")
    }
    let op = try Im2Row(geometry: geometry(kh: f.shape.h, kw: f.shape.w), h: x.shape.h, w: x.shape.w, d: x.shape.d)
    try JacobianBudget.check(rows: op.patchCount * f.shape.n, cols: op.patchCount * op.patchSize)
    try JacobianBudget.check(rows: op.patchCount * op.patchSize, cols: x.count)
    return kron(filterMatrix(f, group: 0, groups: 1).transposed, Matrix<Double>.identity(op.patchCount)) * op.matrixH(Double.self)
  }

  // MARK: Fast path — im2row of a batch of images into one reused buffer + one GEMM per group
  // (Milisavljevic (1)–(2), MatConvNet §6.1). Images are stacked as row blocks of one
  // (b·H″W″) × (H′W′D′) matrix so that each GEMM is large enough for BLAS to run at speed;
  // im2row/row2im run in parallel over images while BLAS threads are idle, and vice versa.

  /// What the fast forward and backward passes share: shapes, groups and the patch layout.
  struct FastPlan {
    let yShape: Shape
    let filters: Shape
    let groups: Int
    let perGroup: Int
    let patches: PatchMatrix
    /// Images per batch: the patch matrix is kept under 8 M elements (32 MiB in Float32).
    let chunk: Int
    var rows: Int { patches.rows }
    var cols: Int { patches.cols }
  }

  func fastPlan<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> FastPlan {
    let yShape = try outputShape(x.shape, p)
    guard let f = p.w?.shape else { throw ConvLabError("conv needs filters.") }
    let g = try groups(inputDepth: x.shape.d, filters: f)
    let patches = try PatchMatrix(geometry: geometry(kh: f.h, kw: f.w), h: x.shape.h, w: x.shape.w, d: f.d)
    let chunk = max(1, min(x.shape.n, (8 << 20) / max(1, patches.rows * patches.cols)))
    return FastPlan(yShape: yShape, filters: f, groups: g, perGroup: f.n / g, patches: patches, chunk: chunk)
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    let plan = try fastPlan(x, p)
    guard let f = p.w else { throw ConvLabError("conv needs filters.") }
    switch forwardKernel(x: x.shape, filters: f.shape, scalar: S.self) {
    case .direct: return SmallConvolution.convForward(x, filters: f, bias: p.b, pad: pad, output: plan.yShape)
    case .blocked:
      // `forwardKernel` chose blocked only where the scalar is Float32.
      if let single = S.singlePrecision {
        return single.result(
          BlockedConvolution.forward(
            single.tensor(x), filters: single.tensor(f), bias: p.b.map(single.tensor), patches: plan.patches, groups: plan.groups,
            output: plan.yShape))
      }
    case .automatic, .gemm: break
    }
    let (yShape, g, perGroup, patches, rows, cols, chunk) = (plan.yShape, plan.groups, plan.perGroup, plan.patches, plan.rows, plan.cols, plan.chunk)
    let wholeImage = patches.plan()  // im2row's fills, the same for every image and channel
    var y = Tensor<S>(shape: yShape)
    Workspace.shared.withBuffer(chunk * rows * cols, of: S.self) { phi in
      Workspace.shared.withBuffer(chunk * rows * perGroup, of: S.self) { out in
        x.storage.withUnsafeBufferPointer { xp in
          f.storage.withUnsafeBufferPointer { fp in
            y.storage.withUnsafeMutableBufferPointer { yp in
              guard let xb = xp.baseAddress, let fb = fp.baseAddress, let yb = yp.baseAddress else { return }
              for start in Swift.stride(from: 0, to: x.shape.n, by: chunk) {
                let b = min(chunk, x.shape.n - start)
                let ld = b * rows
                for group in 0..<g {
                  let source = SendableRef(UnsafeMutablePointer(mutating: xb))
                  let target = SendableRef(phi)
                  Parallel.forEach(b) { i in
                    patches.im2row(
                      source.pointer + x.shape.index(0, 0, group * f.shape.d, start + i), plan: wholeImage,
                      into: target.pointer + i * rows, ld: ld)
                  }
                  S.gemm(
                    transA: false, transB: false, m: ld, n: perGroup, k: cols, alpha: 1, a: phi, lda: ld,
                    b: fb + cols * group * perGroup, ldb: cols, beta: 0, c: out, ldc: ld)
                  // Row block i of column k belongs to image start + i, channel group·perGroup + k.
                  for k in 0..<perGroup {
                    for i in 0..<b {
                      (yb + yShape.index(0, 0, group * perGroup + k, start + i)).update(from: out + k * ld + i * rows, count: rows)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    if let b = p.b { ChannelBias.add(b, to: &y) }
    return y
  }

  /// dz/dF = φ(x)ᵀ dz/dY, dz/dX = φ*(dz/dY Fᵀ), dz/db = Σ dz/dY (MatConvNet §6.1).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    try backward(x, p, dzdy, inputGradient: true)
  }

  /// As above; without `inputGradient` the second GEMM and row2im are skipped (dz/dx stays zero).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>, inputGradient: Bool) throws -> Gradients<S> {
    let plan = try fastPlan(x, p)
    guard let f = p.w else { throw ConvLabError("conv needs filters.") }
    try requireDzdy(dzdy, plan.yShape)
    let dzdb = p.b.map { ChannelBias.gradient(dzdy, shape: $0.shape) }
    switch backwardKernel(x: x.shape, filters: f.shape, scalar: S.self) {
    case .direct:
      let (dx, dw) = SmallConvolution.convBackward(x, filters: f, dzdy, pad: pad, inputGradient: inputGradient)
      return Gradients(dzdx: dx, dzdw: dw, dzdb: dzdb)
    case .blocked:
      // `backwardKernel` chose blocked only where the scalar is Float32.
      if let single = S.singlePrecision {
        let (dx, dw) = BlockedBackward.backward(
          single.tensor(x), filters: single.tensor(f), single.tensor(dzdy), patches: plan.patches, groups: plan.groups, inputGradient: inputGradient)
        return Gradients(dzdx: single.result(dx), dzdw: single.result(dw), dzdb: dzdb)
      }
    case .automatic, .gemm: break
    }
    let (dx, dw) = gemmBackward(x, filters: f, dzdy, plan: plan, inputGradient: inputGradient)
    return Gradients(dzdx: dx, dzdw: dw, dzdb: dzdb)
  }

  /// The kernel the fast backward pass runs (as `forwardKernel`): direct for few taps per pixel,
  /// blocked for Float32 where the micro-kernel runs, else im2row + BLAS.
  public func backwardKernel<S: Scalar>(x: Shape, filters f: Shape, scalar _: S.Type) -> Kernel {
    if usesDirectKernel(x: x, filters: f) { return .direct }
    let blocked = (kernel == .automatic || kernel == .blocked) && S.singlePrecision != nil && BlockedConvolution.available
    return blocked ? .blocked : .gemm
  }

  /// dz/dF = φ(x)ᵀ dz/dY and dz/dX = φ*(dz/dY Fᵀ) with im2row of `plan.chunk` images at a time
  /// and two BLAS GEMMs per group (MatConvNet §6.1): the teaching path, and Float64's.
  func gemmBackward<S: Scalar>(
    _ x: Tensor<S>, filters f: Tensor<S>, _ dzdy: Tensor<S>, plan: FastPlan,
    inputGradient: Bool
  ) -> (dzdx: Tensor<S>, dzdw: Tensor<S>) {
    let (rows, cols, perGroup, chunk) = (plan.rows, plan.cols, plan.perGroup, plan.chunk)
    var dx = Tensor<S>(shape: x.shape)
    var dw = Tensor<S>(shape: f.shape)
    // One workspace buffer: φ of a chunk of images, then the chunk's rows of dz/dY.
    Workspace.shared.withBuffer(chunk * rows * (cols + perGroup), of: S.self) { scratch in
      x.storage.withUnsafeBufferPointer { xp in
        f.storage.withUnsafeBufferPointer { fp in
          dzdy.storage.withUnsafeBufferPointer { gp in
            dx.storage.withUnsafeMutableBufferPointer { dxp in
              dw.storage.withUnsafeMutableBufferPointer { dwp in
                guard let xb = xp.baseAddress, let fb = fp.baseAddress, let gb = gp.baseAddress, let dxb = dxp.baseAddress,
                  let dwb = dwp.baseAddress
                else { return }
                let step = GEMMBackwardStep(
                  x: x.shape, y: plan.yShape, filterDepth: f.shape.d, plan: plan, wholeImage: plan.patches.plan(),
                  phi: scratch, dY: scratch + chunk * rows * cols, inputGradient: inputGradient)
                for start in Swift.stride(from: 0, to: x.shape.n, by: chunk) {
                  for group in 0..<plan.groups {
                    step.run(images: start..<min(x.shape.n, start + chunk), group: group, x: xb, filters: fb, dzdy: gb, dx: dxb, dw: dwb)
                  }
                }
              }
            }
          }
        }
      }
    }
    return (dx, dw)
  }

  /// One chunk of images and one group of `gemmBackward`: im2row, dF_g += φᵀ dY, and (with the
  /// input gradient) dΦ = dY Fᵀ, row2im.
  struct GEMMBackwardStep<S: Scalar> {
    let x: Shape, y: Shape, filterDepth: Int
    let plan: FastPlan
    let wholeImage: PatchMatrix.Plan
    let phi: UnsafeMutablePointer<S>, dY: UnsafeMutablePointer<S>
    let inputGradient: Bool

    func run(
      images: Range<Int>, group: Int, x xb: UnsafePointer<S>, filters fb: UnsafePointer<S>, dzdy gb: UnsafePointer<S>,
      dx dxb: UnsafeMutablePointer<S>, dw dwb: UnsafeMutablePointer<S>
    ) {
      let (rows, cols, perGroup, patches) = (plan.rows, plan.cols, plan.perGroup, plan.patches)
      let (b, start, ld, fOffset) = (images.count, images.lowerBound, images.count * plan.rows, cols * group * perGroup)
      let (x, y, wholeImage, depth) = (self.x, self.y, self.wholeImage, filterDepth)
      let source = SendableRef(UnsafeMutablePointer(mutating: xb))
      let matrix = SendableRef(phi)
      let gradient = SendableRef(dxb)
      Parallel.forEach(b) { i in
        patches.im2row(source.pointer + x.index(0, 0, group * depth, start + i), plan: wholeImage, into: matrix.pointer + i * rows, ld: ld)
      }
      for k in 0..<perGroup {
        for i in 0..<b { (dY + k * ld + i * rows).update(from: gb + y.index(0, 0, group * perGroup + k, start + i), count: rows) }
      }
      // dF_g += φᵀ dY, accumulated over chunks.
      S.gemm(
        transA: true, transB: false, m: cols, n: perGroup, k: ld, alpha: 1, a: phi, lda: ld, b: dY, ldb: ld, beta: 1,
        c: dwb + fOffset, ldc: cols)
      guard inputGradient else { return }
      // dΦ = dY Fᵀ overwrites φ; row2im adds each image's rows back to its pixels.
      S.gemm(
        transA: false, transB: true, m: ld, n: cols, k: perGroup, alpha: 1, a: dY, lda: ld, b: fb + fOffset, ldb: cols, beta: 0,
        c: phi, ldc: ld)
      Parallel.forEach(b) { i in
        patches.row2imAdd(matrix.pointer + i * rows, plan: wholeImage, ld: ld, into: gradient.pointer + x.index(0, 0, group * depth, start + i))
      }
    }
  }
}

/// True convolution, as MATLAB's `conv2`/`convn` and the papers compute it (Xu (1), Murugan
/// (3.8)): every filter slice rotated by 180° before MatConvNet's correlation,
/// y = x ∗ f = x ⋆ rot180(f) with rot180(k) = J k J (Xu (14)); padding, stride and dilation as
/// for `Conv`. `convlab block conv --flip`, `flip` in a net spec.
///
/// Gradients: dz/dx is the correlation's with the rotated filters; dz/df = J (dz/df′) J, the
/// correlation's filter gradient rotated back (Xu (14): dE/dk = J(x ∗ JδJ)J).
public struct FlippedConv: Block {
  /// The correlation that runs with the rotated filters.
  public var conv: Conv

  public init(pad: [Int] = [0, 0, 0, 0], stride: (Int, Int) = (1, 1), dilate: (Int, Int) = (1, 1)) {
    conv = Conv(pad: pad, stride: stride, dilate: dilate)
  }

  /// MatConvNet's name: a flipped conv is still `conv` (with `--flip`).
  public var name: String { "conv" }

  /// x, w, and b when biases are given, as for `Conv`.
  public func variables<S: Scalar>(_ p: Parameters<S>) -> [Variable] { conv.variables(p) }

  /// The output shape of the correlation (MatConvNet §5.1): rotating the filters changes no size.
  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape { try conv.outputShape(x, p) }

  public func structure(wrt v: Variable) -> String {
    switch v {
    case .x: return "block-Toeplitz of the rotated filters J f J (Xu (14)): vec y = (rot180(F)ᵀ ⊗ I) H vec x (MatConvNet §6.1)"
    case .w: return "(I ⊗ φ(x)) (I ⊗ J_W′ ⊗ J_H′): the correlation's Jacobian with its columns reversed within each filter slice (Xu (14))"
    case .b: return "I_{D″} ⊗ 1_{H″W″} per image: bias k reaches every pixel of channel k"
    }
  }

  // MARK: Fast path — the rotation as an index reversal

  /// Every H′×W′ slice of f rotated by 180° (entry (i, j) ↔ (H′−1−i, W′−1−j)).
  static func rotated<S: Scalar>(_ f: Tensor<S>) -> Tensor<S> {
    let s = f.shape
    return Tensor(shape: s) { i, j, d, n in f[s.h - 1 - i, s.w - 1 - j, d, n] }
  }

  func withRotatedFilters<S: Scalar>(_ p: Parameters<S>) throws -> Parameters<S> {
    guard let f = p.w else { throw ConvLabError.missingInput(block: "conv", inputs: ["w"], what: "filters of shape H′×W′×D′×D″") }
    var q = p
    q.w = Self.rotated(f)
    return q
  }

  /// y = x ⋆ rot180(f) + b on the correlation's fast path (im2row + GEMM, MatConvNet §6.1).
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    try conv.forward(x, try withRotatedFilters(p))
  }

  /// (dz/dx, dz/df, dz/db): the correlation's at rot180(f), dz/df rotated back (Xu (14)).
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    try backward(x, p, dzdy, inputGradient: true)
  }

  /// As above; without `inputGradient` dz/dx may be left as zeros (the first layer of a network).
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>, inputGradient: Bool) throws -> Gradients<S> {
    var g = try conv.backward(x, try withRotatedFilters(p), dzdy, inputGradient: inputGradient)
    g.dzdw = g.dzdw.map { Self.rotated($0) }  // Xu (14): dE/dk = J (dE/dk′) J
    return g
  }

  // MARK: Literal path — rot180(k) = J k J with explicit exchange matrices (Xu (14))

  /// The filters with every slice replaced by J_H′ f_{dk} J_W′.
  func literalRotated(_ f: Tensor<Double>) -> Tensor<Double> {
    var out = f
    for n in 0..<f.shape.n {
      for d in 0..<f.shape.d { out.setChannel(d, image: n, rot180(f.channel(d, image: n))) }
    }
    return out
  }

  /// vec y = vec(φ(x) F′) + b with F′ built from J_H′ f J_W′ (Xu (14), MatConvNet §6.1).
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    guard let f = p.w else { throw ConvLabError.missingInput(block: "conv", inputs: ["w"], what: "filters of shape H′×W′×D′×D″") }
    var q = p
    q.w = literalRotated(f)
    return try conv.literalForward(x, q)
  }

  /// wrt x and b: the correlation's Jacobians at J f J. wrt f: by the chain rule through
  /// f′ = rot180(f), d vec y / d (vec f)ᵀ = (d vec y / d (vec f′)ᵀ) (I ⊗ J_W′ ⊗ J_H′), since
  /// vec(J_H′ A J_W′) = (J_W′ ⊗ J_H′) vec A; the block-diagonal factor is applied slice by slice.
  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard let f = p.w else { throw ConvLabError.missingInput(block: "conv", inputs: ["w"], what: "filters of shape H′×W′×D′×D″") }
    var q = p
    q.w = literalRotated(f)
    let j = try conv.jacobian(at: x, q, wrt: v)
    guard v == .w else { return j }
    let area = f.shape.h * f.shape.w
    let slice = kron(exchange(f.shape.w, Double.self), exchange(f.shape.h, Double.self))
    var out = Matrix<Double>(rows: j.rows, cols: j.cols)
    for s in 0..<(f.shape.d * f.shape.n) {
      for c in 0..<area {
        for c2 in 0..<area where slice[c2, c] != 0 {
          for r in 0..<j.rows { out[r, s * area + c] += j[r, s * area + c2] * slice[c2, c] }
        }
      }
    }
    return out
  }
}
