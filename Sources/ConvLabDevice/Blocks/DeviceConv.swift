import CConvLabKernels
import ConvLabBlocks
import ConvLabCore

/// Convolution on the device as on the CPU's fast path: φ(x) by the im2row kernel, one GEMM
/// per filter group, the result scattered into y with the bias (Milisavljevic (1)–(2),
/// MatConvNet §6.1); backward dz/dF = φᵀ dY, dz/dX = φ*(dY Fᵀ) by the row2im gather.
extension Conv: DeviceBlock {
  /// The launch geometry of one group: d = D′ channels read from images D channels apart.
  func kernelGeometry(x: Shape, filters f: Shape, y: Shape) -> cl_conv_geometry {
    cl_conv_geometry(
      h: Int32(x.h), w: Int32(x.w), d: Int32(f.d), n: Int32(x.n), kh: Int32(f.h), kw: Int32(f.w),
      sh: Int32(stride.0), sw: Int32(stride.1), pt: Int32(pad[0]), pb: Int32(pad[1]), pl: Int32(pad[2]), pr: Int32(pad[3]),
      dh: Int32(dilate.0), dw: Int32(dilate.1), oh: Int32(y.h), ow: Int32(y.w), ds: Int32(x.d))
  }

  /// Shapes and sizes shared by forward and backward.
  struct DevicePlan {
    let y: Shape, f: Shape, groups: Int, perGroup: Int, rows: Int, cols: Int, geometry: cl_conv_geometry

    /// The launch size of slab_from_rows / slab_to_rows: one element per row and block of
    /// CL_SLAB_CHUNK channels.
    var slabElements: Int { rows * ((perGroup + Int(CL_SLAB_CHUNK) - 1) / Int(CL_SLAB_CHUNK)) }

    /// Group g's channels of y (or dz/dy) as the (N·H″W″) × perGroup GEMM matrix.
    func layout(_ group: Int) -> cl_slab_layout {
      cl_slab_layout(area: y.h * y.w, k: Int32(perGroup), offset: Int32(group * perGroup), channels: Int32(y.d), n: Int32(y.n))
    }
  }

  /// The plan for input shape x and filters f (already validated by `outputShape`).
  func devicePlan(x: Shape, filters f: Shape) throws -> DevicePlan {
    let (h, w) = try geometry(kh: f.h, kw: f.w).outputSize(h: x.h, w: x.w)
    let y = Shape(h, w, f.n, x.n)
    let groups = x.d / f.d
    return DevicePlan(
      y: y, f: f, groups: groups, perGroup: f.n / groups, rows: y.h * y.w * x.n, cols: f.h * f.w * f.d,
      geometry: kernelGeometry(x: x, filters: f, y: y))
  }

  /// y = x * f (+ b): im2row, one GEMM per group, scatter with the bias.
  func deviceConvolve<S: Scalar>(_ k: Kernels<S>, _ x: DeviceTensor<S>, _ f: DeviceTensor<S>, _ b: DeviceTensor<S>?) throws -> DeviceTensor<S> {
    let plan = try devicePlan(x: x.shape, filters: f.shape)
    let phi = try k.empty(Shape(plan.rows, plan.cols))
    let out = try k.empty(Shape(plan.rows, plan.perGroup))
    let y = try k.empty(plan.y)
    let plane = x.shape.h * x.shape.w
    for group in 0..<plan.groups {
      try k.run("im2row", plan.rows * f.shape.d, .tensor(x.from(group * f.shape.d * plane)), .tensor(phi), .value(plan.geometry))
      try k.gemm(
        m: plan.rows, n: plan.perGroup, k: plan.cols, a: phi, lda: plan.rows,
        b: f.from(plan.cols * group * plan.perGroup), ldb: plan.cols, c: out, ldc: plan.rows)
      try k.run("slab_from_rows", plan.slabElements, .tensor(out), .tensor(y), .tensor(b), .value(plan.layout(group)))
    }
    return y
  }

  /// dz/dF = φ(x)ᵀ dY (when `filter`) and dz/dX = φ*(dY Fᵀ) (when `input`; zeros otherwise) for an
  /// input of shape `xShape`; `x` is read only for dz/dF.
  func deviceGradients<S: Scalar>(
    _ k: Kernels<S>, xShape: Shape, _ x: DeviceTensor<S>?, _ f: DeviceTensor<S>, _ dzdy: DeviceTensor<S>,
    input: Bool, filter: Bool
  ) throws -> (dx: DeviceTensor<S>, dw: DeviceTensor<S>?) {
    let plan = try devicePlan(x: xShape, filters: f.shape)
    try requireDeviceDzdy(dzdy, plan.y)
    let phi = try k.empty(Shape(plan.rows, plan.cols))
    let dY = try k.empty(Shape(plan.rows, plan.perGroup))
    let dx: DeviceTensor<S> = input ? try k.empty(xShape) : try k.zeros(xShape)
    let dw: DeviceTensor<S>? = filter ? try k.empty(f.shape) : nil
    let plane = xShape.h * xShape.w
    for group in 0..<plan.groups {
      let fOffset = plan.cols * group * plan.perGroup
      try k.run("slab_to_rows", plan.slabElements, .tensor(dzdy), .tensor(dY), .value(plan.layout(group)))
      if let dw, let x {
        try k.run("im2row", plan.rows * f.shape.d, .tensor(x.from(group * f.shape.d * plane)), .tensor(phi), .value(plan.geometry))
        try k.gemm(
          transA: true, m: plan.cols, n: plan.perGroup, k: plan.rows, a: phi, lda: plan.rows,
          b: dY, ldb: plan.rows, c: dw.from(fOffset), ldc: plan.cols)
      }
      guard input else { continue }
      // dΦ = dY Fᵀ (into φ's buffer); row2im gathers it back onto the group's channels of dz/dx.
      try k.gemm(
        transB: true, m: plan.rows, n: plan.cols, k: plan.perGroup, a: dY, lda: plan.rows,
        b: f.from(fOffset), ldb: plan.cols, c: phi, ldc: plan.rows)
      try k.run("row2im", plane * f.shape.d * xShape.n, .tensor(phi), .tensor(dx.from(group * f.shape.d * plane)), .value(plan.geometry))
    }
    return (dx, dw)
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    _ = try outputShape(x.shape, try p.shapes())
    let f = try inputs(p).w
    return try deviceConvolve(Kernels(engine), x, f, p.b)
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    _ = try outputShape(x.shape, try p.shapes())
    let f = try inputs(p).w
    let k = Kernels<S>(engine)
    let (dx, dw) = try deviceGradients(k, xShape: x.shape, x, f, dzdy, input: inputGradient, filter: true)
    return DeviceGradients(dzdx: dx, dzdw: dw, dzdb: try p.b.map { try channelSums(k, dzdy, shape: $0.shape) })
  }
}

/// dz/db_k = Σ over pixels and images of dz/dy(:, :, k, :) (Xu (9)–(10)), shaped like b.
func channelSums<S: Scalar>(_ k: Kernels<S>, _ dzdy: DeviceTensor<S>, shape: Shape) throws -> DeviceTensor<S> {
  let s = dzdy.shape
  let sums = try k.empty(shape)
  try k.reduce("channel_sum", s.d, .tensor(dzdy), .tensor(sums), .long(s.h * s.w), .int(s.d), .int(s.n))
  return sums
}

/// Convolution transpose (MatConvNet §4.2) as the CPU computes it: the convolution's
/// backward-data pass is convt's forward, its forward is convt's dz/dx, and its filter gradient
/// with x and dz/dy exchanged is convt's dz/dF.
extension ConvTranspose: DeviceBlock {
  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let yShape = try outputShape(x.shape, try p.shapes())
    let f = try inputs(p).w
    let k = Kernels<S>(engine)
    let y = try transposedConvolution.deviceGradients(k, xShape: yShape, nil, f, x, input: true, filter: false).dx
    if let b = p.b { try k.run("add_channel_bias", y.count, .tensor(y), .tensor(b), .long(yShape.h * yShape.w), .int(yShape.d)) }
    return y
  }

  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    let yShape = try outputShape(x.shape, try p.shapes())
    try requireDeviceDzdy(dzdy, yShape)
    let f = try inputs(p).w
    let k = Kernels<S>(engine)
    let conv = transposedConvolution
    let dx = try conv.deviceConvolve(k, dzdy, f, nil)
    let dw = try conv.deviceGradients(k, xShape: yShape, dzdy, f, x, input: false, filter: true).dw
    return DeviceGradients(dzdx: dx, dzdw: dw, dzdb: try p.b.map { try channelSums(k, dzdy, shape: $0.shape) })
  }
}

/// Dense is the GEMM Y = W X on x's storage seen as an HWD × N matrix (Murugan (3.10)).
extension Dense: DeviceBlock {
  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let yShape = try outputShape(x.shape, try p.shapes())
    let k = Kernels<S>(engine)
    let w = try inputs(p).w
    let outputs = yShape.d
    let inputs = w.shape.w
    let y = try k.empty(yShape)
    try k.gemm(m: outputs, n: x.shape.n, k: inputs, a: w, lda: outputs, b: x, ldb: inputs, c: y, ldc: outputs)
    if let b = p.b { try k.run("add_channel_bias", y.count, .tensor(y), .tensor(b), .long(1), .int(outputs)) }
    return y
  }

  /// dz/dx = Wᵀ dz/dy, dz/dW = dz/dy xᵀ, dz/db = Σ dz/dy (Murugan (3.28)–(3.59)).
  public func backward<S: Scalar>(
    on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
    inputGradient: Bool
  ) throws -> DeviceGradients<S> {
    let yShape = try outputShape(x.shape, try p.shapes())
    let k = Kernels<S>(engine)
    try requireDeviceDzdy(dzdy, yShape)
    let w = try inputs(p).w
    let outputs = yShape.d
    let inputs = w.shape.w
    let count = x.shape.n
    let dx = try k.empty(x.shape)
    let dw = try k.empty(w.shape)
    try k.gemm(transA: true, m: inputs, n: count, k: outputs, a: w, lda: outputs, b: dzdy, ldb: outputs, c: dx, ldc: inputs)
    try k.gemm(transB: true, m: outputs, n: inputs, k: count, a: dzdy, lda: outputs, b: x, ldb: inputs, c: dw, ldc: outputs)
    return DeviceGradients(dzdx: dx, dzdw: dw, dzdb: try p.b.map { try channelSums(k, dzdy, shape: $0.shape) })
  }
}
