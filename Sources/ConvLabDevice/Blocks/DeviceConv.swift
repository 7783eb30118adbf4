import CConvLabKernels
import ConvLabBlocks
import ConvLabCore

/// Convolution on the device as on the CPU's fast path: φ(x) by the im2row kernel, one GEMM
/// per filter group, the result scattered into y with the bias (Milisavljevic eq. 1–2,
/// MatConvNet §6.1); backward dz/dF = φᵀ dY, dz/dX = φ*(dY Fᵀ) by the row2im gather.
extension Conv: DeviceBlock {
  /// The launch geometry of one group: d = D′ channels read from images D channels apart.
  func kernelGeometry(x: Shape, filters f: Shape, y: Shape) -> cl_conv_geometry {
    cl_conv_geometry(h: Int32(x.h), w: Int32(x.w), d: Int32(f.d), n: Int32(x.n), kh: Int32(f.h), kw: Int32(f.w),
                     sh: Int32(stride.0), sw: Int32(stride.1), pt: Int32(pad[0]), pb: Int32(pad[1]), pl: Int32(pad[2]), pr: Int32(pad[3]),
                     dh: Int32(dilate.0), dw: Int32(dilate.1), oh: Int32(y.h), ow: Int32(y.w), ds: Int32(x.d))
  }

  /// Shapes and sizes shared by forward and backward.
  struct DevicePlan {
    let y: Shape, f: Shape, groups: Int, perGroup: Int, rows: Int, cols: Int, geometry: cl_conv_geometry

    /// Group g's channels of y (or dz/dy) as the (N·H″W″) × perGroup GEMM matrix.
    func layout(_ group: Int) -> cl_slab_layout {
      cl_slab_layout(area: y.h * y.w, k: Int32(perGroup), offset: Int32(group * perGroup), channels: Int32(y.d), n: Int32(y.n))
    }
  }

  func devicePlan<S: Scalar>(_ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DevicePlan {
    let y = try outputShape(x.shape, try p.shapes())
    guard let f = p.w?.shape else { throw ConvLabError("conv needs filters.") }
    let groups = x.shape.d / f.d
    return DevicePlan(y: y, f: f, groups: groups, perGroup: f.n / groups, rows: y.h * y.w * x.shape.n, cols: f.h * f.w * f.d,
                      geometry: kernelGeometry(x: x.shape, filters: f, y: y))
  }

  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let plan = try devicePlan(x, p), k = Kernels<S>(engine)
    guard let f = p.w else { throw ConvLabError("conv needs filters.") }
    let phi = try k.empty(Shape(plan.rows, plan.cols)), out = try k.empty(Shape(plan.rows, plan.perGroup)), y = try k.empty(plan.y)
    let plane = x.shape.h * x.shape.w
    for group in 0..<plan.groups {
      try k.run("im2row", plan.rows * plan.cols, .address(k.offset(x, group * f.shape.d * plane)), .tensor(phi), .value(plan.geometry))
      try k.gemm(m: plan.rows, n: plan.perGroup, k: plan.cols, a: phi.address, lda: plan.rows,
                 b: k.offset(f, plan.cols * group * plan.perGroup), ldb: plan.cols, c: out.address, ldc: plan.rows)
      try k.run("slab_from_rows", plan.rows * plan.perGroup, .tensor(out), .tensor(y), .tensor(p.b), .value(plan.layout(group)))
    }
    return y
  }

  public func backward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
                                  inputGradient: Bool) throws -> DeviceGradients<S> {
    let plan = try devicePlan(x, p), k = Kernels<S>(engine)
    guard let f = p.w else { throw ConvLabError("conv needs filters.") }
    try requireDeviceDzdy(dzdy, plan.y)
    let phi = try k.empty(Shape(plan.rows, plan.cols)), dY = try k.empty(Shape(plan.rows, plan.perGroup))
    let dx: DeviceTensor<S> = inputGradient ? try k.empty(x.shape) : try k.zeros(x.shape), dw = try k.empty(f.shape)
    let plane = x.shape.h * x.shape.w
    for group in 0..<plan.groups {
      let fOffset = plan.cols * group * plan.perGroup
      try k.run("im2row", plan.rows * plan.cols, .address(k.offset(x, group * f.shape.d * plane)), .tensor(phi), .value(plan.geometry))
      try k.run("slab_to_rows", plan.rows * plan.perGroup, .tensor(dzdy), .tensor(dY), .value(plan.layout(group)))
      try k.gemm(transA: true, m: plan.cols, n: plan.perGroup, k: plan.rows, a: phi.address, lda: plan.rows,
                 b: dY.address, ldb: plan.rows, c: k.offset(dw, fOffset), ldc: plan.cols)
      guard inputGradient else { continue }
      // dΦ = dY Fᵀ overwrites φ; row2im gathers it back onto the group's channels of dz/dx.
      try k.gemm(transB: true, m: plan.rows, n: plan.cols, k: plan.perGroup, a: dY.address, lda: plan.rows,
                 b: k.offset(f, fOffset), ldb: plan.cols, c: phi.address, ldc: plan.rows)
      try k.run("row2im", plane * f.shape.d * x.shape.n, .tensor(phi), .address(k.offset(dx, group * f.shape.d * plane)), .value(plan.geometry))
    }
    var db: DeviceTensor<S>? = nil
    if let b = p.b {
      let sums = try k.empty(b.shape)
      try k.run("channel_sum", plan.y.d, .tensor(dzdy), .tensor(sums), .long(plan.y.h * plan.y.w), .int(plan.y.d), .int(plan.y.n))
      db = sums
    }
    return DeviceGradients(dzdx: dx, dzdw: dw, dzdb: db)
  }
}

/// Dense is the GEMM Y = W X on x's storage seen as an HWD × N matrix (Murugan eq. 3.10).
extension Dense: DeviceBlock {
  public func forward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>) throws -> DeviceTensor<S> {
    let yShape = try outputShape(x.shape, try p.shapes()), k = Kernels<S>(engine)
    guard let w = p.w else { throw ConvLabError("dense needs --w.") }
    let outputs = yShape.d, inputs = w.shape.w, y = try k.empty(yShape)
    try k.gemm(m: outputs, n: x.shape.n, k: inputs, a: w.address, lda: outputs, b: x.address, ldb: inputs, c: y.address, ldc: outputs)
    if let b = p.b { try k.run("add_channel_bias", y.count, .tensor(y), .tensor(b), .long(1), .int(outputs)) }
    return y
  }

  /// dz/dx = Wᵀ dz/dy, dz/dW = dz/dy xᵀ, dz/db = Σ dz/dy (Murugan eq. 3.28–3.59).
  public func backward<S: Scalar>(on engine: any ComputeEngine, _ x: DeviceTensor<S>, _ p: DeviceParameters<S>, _ dzdy: DeviceTensor<S>,
                                  inputGradient: Bool) throws -> DeviceGradients<S> {
    let yShape = try outputShape(x.shape, try p.shapes()), k = Kernels<S>(engine)
    try requireDeviceDzdy(dzdy, yShape)
    guard let w = p.w else { throw ConvLabError("dense needs --w.") }
    let outputs = yShape.d, inputs = w.shape.w, count = x.shape.n
    let dx = try k.empty(x.shape), dw = try k.empty(w.shape)
    try k.gemm(transA: true, m: inputs, n: count, k: outputs, a: w.address, lda: outputs, b: dzdy.address, ldb: outputs, c: dx.address, ldc: inputs)
    try k.gemm(transB: true, m: outputs, n: inputs, k: count, a: dzdy.address, lda: outputs, b: x.address, ldb: inputs, c: dw.address, ldc: outputs)
    var db: DeviceTensor<S>? = nil
    if let b = p.b {
      let sums = try k.empty(b.shape)
      try k.run("channel_sum", outputs, .tensor(dzdy), .tensor(sums), .long(1), .int(outputs), .int(count))
      db = sums
    }
    return DeviceGradients(dzdx: dx, dzdw: dw, dzdb: db)
  }
}
