import ConvLabCore
import ConvLabNotation

/// A fully connected layer (Murugan (3.10), 3.15): every image's entries, stacked in vec order
/// into a column x⃗ of length HWD, map to y = W x⃗ + b with W ∈ R^{K×HWD} (given as a K×HWD
/// matrix) and b ∈ R^K; y is 1×1×K×N. MatConvNet treats this as a convolution whose filter
/// covers the whole input (§4.1, "fully connected layers").
public struct Dense: Block {
  public init() {}

  public var name: String { "dense" }

  public func variables<S: Scalar>(_ p: Parameters<S>) -> [Variable] { p.b == nil ? [.x, .w] : [.x, .w, .b] }

  /// Dense's inputs, typed: weights W ∈ R^{K×HWD} and an optional bias b ∈ R^K (Murugan (3.28)).
  public func inputs<P: ParameterSet>(_ p: P) throws -> WeightInputs<P.Array> {
    try WeightInputs(p, block: "dense", what: "weights W as a K×(H·W·D) matrix")
  }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    let entries = x.h * x.w * x.d
    let w = try inputs(p).w
    guard w.shape.d == 1, w.shape.n == 1, w.shape.w == entries else {
      throw ConvLabError.missingInput(block: "dense", inputs: ["w"], what: "weights W as a K×\(entries) matrix for inputs of \(entries) entries per image, got \(w.shape)")
    }
    if let b = p.b, b.count != w.shape.h { throw ConvLabError("dense has \(w.shape.h) outputs but \(b.count) biases.") }
    return Shape(1, 1, w.shape.h, x.n)
  }

  public func structure(wrt v: Variable) -> String {
    switch v {
    case .x: return "block-diagonal over images, each block W (Murugan (3.28))"
    case .w: return "x⃗ᵀ ⊗ I_K per image: vec(W x⃗) = (x⃗ᵀ ⊗ I) vec W (Magnus–Neudecker)"
    case .b: return "I_K per image"
    }
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    let yShape = try outputShape(x.shape, p)
    let w = try inputs(p).w
    let k = yShape.d
    let inputs = w.shape.w
    var y = Tensor<S>(shape: yShape)
    // Y (K × N) = W (K × HWD) · X (HWD × N): x's storage is already the HWD × N matrix.
    x.storage.withUnsafeBufferPointer { xp in
      w.storage.withUnsafeBufferPointer { wp in
        y.storage.withUnsafeMutableBufferPointer { yp in
          guard let xb = xp.baseAddress, let wb = wp.baseAddress, let yb = yp.baseAddress else { return }
          S.gemm(transA: false, transB: false, m: k, n: x.shape.n, k: inputs, alpha: 1, a: wb, lda: k, b: xb, ldb: inputs, beta: 0, c: yb, ldc: k)
        }
      }
    }
    if let b = p.b { for n in 0..<yShape.n { for i in 0..<k { y.storage[n * k + i] += b.storage[i] } } }
    return y
  }

  /// dz/dx = Wᵀ dz/dy, dz/dW = dz/dy x⃗ᵀ summed over images, dz/db = Σ dz/dy (Murugan (3.28)–(3.59)).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    let yShape = try outputShape(x.shape, p)
    try requireDzdy(dzdy, yShape)
    let w = try inputs(p).w
    let k = yShape.d
    let inputs = w.shape.w
    let count = x.shape.n
    var dx = Tensor<S>(shape: x.shape)
    var dw = Tensor<S>(shape: w.shape)
    x.storage.withUnsafeBufferPointer { xp in
      w.storage.withUnsafeBufferPointer { wp in
        dzdy.storage.withUnsafeBufferPointer { gp in
          dx.storage.withUnsafeMutableBufferPointer { dxp in
            dw.storage.withUnsafeMutableBufferPointer { dwp in
              guard let xb = xp.baseAddress, let wb = wp.baseAddress, let gb = gp.baseAddress, let dxb = dxp.baseAddress, let dwb = dwp.baseAddress else { return }
              S.gemm(transA: true, transB: false, m: inputs, n: count, k: k, alpha: 1, a: wb, lda: k, b: gb, ldb: k, beta: 0, c: dxb, ldc: inputs)
              S.gemm(transA: false, transB: true, m: k, n: inputs, k: count, alpha: 1, a: gb, lda: k, b: xb, ldb: inputs, beta: 0, c: dwb, ldc: k)
            }
          }
        }
      }
    }
    let db: Tensor<S>? = p.b.map { b in
      Tensor(shape: b.shape, storage: (0..<k).map { i in (0..<count).reduce(S(0)) { $0 + dzdy.storage[$1 * k + i] } })
    }
    return Gradients(dzdx: dx, dzdw: dw, dzdb: db)
  }

  /// y_n = W x⃗_n + b as matrix–vector products, image by image.
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    let yShape = try outputShape(x.shape, p)
    let w = try inputs(p).w
    let weights = Matrix(rows: w.shape.h, cols: w.shape.w, storage: w.storage)
    var y = Tensor<Double>(shape: yShape)
    for n in 0..<x.shape.n {
      let out = weights * vec(x.image(n))
      for i in 0..<yShape.d { y[0, 0, i, n] = out[i, 0] + (p.b?.storage[i] ?? 0) }
    }
    return y
  }

  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    let yShape = try outputShape(x.shape, p)
    let w = try inputs(p).w
    let k = yShape.d
    let inputs = w.shape.w
    let blocks: [Matrix<Double>]
    switch v {
    case .x: blocks = (0..<x.shape.n).map { _ in Matrix(rows: k, cols: inputs, storage: w.storage) }
    case .w: blocks = (0..<x.shape.n).map { kron(vec(x.image($0)).transposed, Matrix<Double>.identity(k)) }
    case .b:
      guard p.b != nil else { throw ConvLabError.missingInput(block: "dense", inputs: ["b"], what: "biases, to differentiate with respect to them") }
      blocks = (0..<x.shape.n).map { _ in Matrix<Double>.identity(k) }
    }
    // Images stack vertically (rows of y); for x they also move right (block-diagonal).
    let cols = v == .x ? x.count : blocks[0].cols
    try JacobianBudget.check(rows: yShape.count, cols: cols)
    var j = Matrix<Double>(rows: yShape.count, cols: cols)
    for (n, block) in blocks.enumerated() {
      let c0 = v == .x ? n * inputs : 0
      for c in 0..<block.cols { for r in 0..<block.rows { j[n * k + r, c0 + c] = block[r, c] } }
    }
    return j
  }
}
