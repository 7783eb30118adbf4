import ConvLabCore
import ConvLabNotation

/// Convolution transpose (MatConvNet §4.2, §6.2): if a convolution with upsampling factor U as
/// its stride and crops C as its padding is vec a = M vec y, then convt computes
/// vec y = Mᵀ vec x (MatConvNet (4.1) is the same map written with indices).
///
/// Filters f ∈ R^{H′×W′×K′×D} (the last dimension matches x's depth D) give K = g·K′ output
/// channels for g groups (`numGroups`); the output height is H″ = U(H − 1) + H′ − C⁻ − C⁺ (§5.3).
public struct ConvTranspose: Block {
  public var upsample: (Int, Int)
  public var crop: [Int]
  public var numGroups: Int

  public init(upsample: (Int, Int) = (1, 1), crop: [Int] = [0, 0, 0, 0], numGroups: Int = 1) {
    self.upsample = upsample
    self.crop = crop
    self.numGroups = numGroups
  }

  public var name: String { "convt" }

  public func variables<S: Scalar>(_ p: Parameters<S>) -> [Variable] { p.b == nil ? [.x, .w] : [.x, .w, .b] }

  /// The convolution whose transpose this is: stride U, padding C.
  public var transposedConvolution: Conv { Conv(pad: crop, stride: upsample) }

  /// Convt's inputs, typed: filters F ∈ R^{H′×W′×K′×D}, D the input depth, and an optional
  /// bias b ∈ R^{K′} (MatConvNet §4.2).
  public func inputs<P: ParameterSet>(_ p: P) throws -> WeightInputs<P.Array> {
    try WeightInputs(p, block: "convt", what: "filters of shape H′×W′×K′×D with D = the input depth")
  }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    let f = try inputs(p).w.shape
    guard crop.count == 4, crop.allSatisfy({ $0 >= 0 }) else { throw ConvLabError("convt crop must be four non-negative numbers (top, bottom, left, right), got \(crop).") }
    guard numGroups >= 1, f.n % numGroups == 0, f.n == x.d else {
      throw ConvLabError.worded("convt filters have \(f.n) as their last dimension but x has depth \(x.d); and \(setting: "num-groups") \(numGroups) must divide it.")
    }
    let h = try ConvTransposeAxis(rows: FilterAxis(size: f.h, stride: upsample.0, padBefore: crop[0], padAfter: crop[1])).outputLength(x.h)
    let w = try ConvTransposeAxis(rows: FilterAxis(size: f.w, stride: upsample.1, padBefore: crop[2], padAfter: crop[3])).outputLength(x.w)
    let k = numGroups * f.d
    if let b = p.b, b.count != k { throw ConvLabError("convt produces \(k) channels but \(b.count) biases were given.") }
    return Shape(h, w, k, x.n)
  }

  public func structure(wrt v: Variable) -> String {
    switch v {
    case .x: return "Mᵀ, the transpose of the block-Toeplitz convolution matrix with stride U and padding C (MatConvNet §4.2)"
    case .w: return "the convolution's filter Jacobian with input and output roles exchanged"
    case .b: return "I_K ⊗ 1_{H″W″} per image"
    }
  }

  /// The (unused) input of the transposed convolution: shaped like convt's output.
  func convInput<S: Scalar>(_ y: Shape) -> Tensor<S> { Tensor(shape: Shape(y.h, y.w, y.d, y.n)) }

  /// y = Mᵀ x: the convolution's backward pass with x as its dz/dy.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    let yShape = try outputShape(x.shape, p)
    var y = try transposedConvolution.backward(convInput(yShape), Parameters(w: p.w), x).dzdx
    if let b = p.b { ChannelBias.add(b, to: &y) }
    return y
  }

  /// dz/dx = M dz/dy (the convolution forward); dz/df from the convolution's filter gradient with
  /// a = dz/dy as input and x as its dz/dy.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    let yShape = try outputShape(x.shape, p)
    try requireDzdy(dzdy, yShape)
    let conv = transposedConvolution
    let dx = try conv.forward(dzdy, Parameters(w: p.w))
    let dw = try conv.backward(dzdy, Parameters(w: p.w), x).dzdw
    return Gradients(dzdx: dx, dzdw: dw, dzdb: p.b.map { ChannelBias.gradient(dzdy, shape: $0.shape) })
  }

  /// vec y = Mᵀ vec x with M the convolution's literal Jacobian (built column by column).
  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    let yShape = try outputShape(x.shape, p)
    let m = try jacobian(at: x, p, wrt: .x)
    var y = Tensor(shape: yShape, storage: (m * Matrix(rows: x.count, cols: 1, storage: x.storage)).storage)
    if let b = p.b { ChannelBias.add(b, to: &y) }
    return y
  }

  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    let yShape = try outputShape(x.shape, p)
    switch v {
    case .x:
      // M = d vec a / d (vec y)ᵀ of the convolution; convt's Jacobian is its transpose.
      return try transposedConvolution.jacobian(at: convInput(yShape), Parameters(w: p.w), wrt: .x).transposed
    case .w:
      // y = Mᵀ(f) x is linear in f: column (filter entry e) = Mᵀ(E_e) x.
      let f = try inputs(p).w
      try JacobianBudget.check(rows: yShape.count, cols: f.count)
      var j = Matrix<Double>(rows: yShape.count, cols: f.count)
      var unit = Tensor<Double>(shape: f.shape)
      let xColumn = Matrix(rows: x.count, cols: 1, storage: x.storage)
      for e in 0..<f.count {
        unit.storage[e] = 1
        let column = try transposedConvolution.jacobian(at: convInput(yShape), Parameters(w: unit), wrt: .x).transposed * xColumn
        unit.storage[e] = 0
        j.storage.replaceSubrange(e * j.rows..<(e + 1) * j.rows, with: column.storage)
      }
      return j
    case .b:
      guard p.b != nil else { throw ConvLabError.missingInput(block: "convt", inputs: ["b"], what: "biases, to differentiate with respect to them") }
      let perImage = kron(Matrix<Double>.identity(yShape.d), Matrix<Double>.ones(yShape.h * yShape.w, 1))
      var j = Matrix<Double>(rows: yShape.count, cols: yShape.d)
      for n in 0..<yShape.n { for c in 0..<perImage.cols { for r in 0..<perImage.rows { j[n * perImage.rows + r, c] = perImage[r, c] } } }
      return j
    }
  }
}
