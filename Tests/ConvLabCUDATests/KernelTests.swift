import CConvLabKernels
import ConvLabBlocks
import ConvLabCUDA
import ConvLabChecks
import ConvLabCore
import ConvLabDevice
import ConvLabNetworks
import ConvLabNotation
import Foundation
import Testing

/// The CUDA kernels compiled for the CPU and launched through `HostEngine` — the same `void **`
/// argument arrays cuLaunchKernel receives — against ConvLab's own CPU paths, so the index
/// arithmetic of every gather is checked without a GPU. Exact equality for gathers (they
/// copy); sums are compared to 1e-12 relative (Double round-off).
@Suite("CUDA kernels on the CPU")
struct KernelBodyTests {
  let engine = HostEngine()

  static func convGeometry(_ seed: UInt64) -> (cl_conv_geometry, Im2Row, Shape) {
    var rng = SeededGenerator(seed: seed)
    func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    let kh = int(1...3)
    let kw = int(1...3)
    let sh = int(1...3)
    let sw = int(1...2)
    let dh = int(1...2)
    let dw = int(1...2)
    let pad = [int(0...2), int(0...2), int(0...2), int(0...2)]
    let h = dh * (kh - 1) + 1 + int(0...4)
    let w = dw * (kw - 1) + 1 + int(0...4)
    let d = int(1...3)
    let n = int(1...3)
    let geometry = FilterGeometry(kh: kh, kw: kw, stride: (sh, sw), pad: pad, dilation: (dh, dw))
    // Safe: the sizes above always fit the (dilated) filter.
    let map = try! Im2Row(geometry: geometry, h: h, w: w, d: d)
    let g = cl_conv_geometry(
      h: Int32(h), w: Int32(w), d: Int32(d), n: Int32(n), kh: Int32(kh), kw: Int32(kw), sh: Int32(sh), sw: Int32(sw),
      pt: Int32(pad[0]), pb: Int32(pad[1]), pl: Int32(pad[2]), pr: Int32(pad[3]), dh: Int32(dh), dw: Int32(dw),
      oh: Int32(map.outH), ow: Int32(map.outW), ds: Int32(d))
    return (g, map, Shape(h, w, d, n))
  }

  /// Runs kernel `name` (f64) on host tensors; returns the output tensor `out` after the launch.
  func run(_ name: String, total: Int, inputs: [Tensor<Double>], output shape: Shape, _ extra: [KernelArgument]) throws -> Tensor<Double> {
    let device = try inputs.map { try DeviceTensor($0, on: engine) }
    let out = try DeviceTensor<Double>(shape: shape, on: engine)
    try engine.launch("\(name)_f64", total: total, device.map { KernelArgument.tensor($0) } + [.tensor(out)] + extra)
    return try out.host()
  }

  /// im2row gathers exactly MatConvNet §6.1's φ(x), image by image.
  @Test(arguments: 1...25 as ClosedRange<UInt64>)
  func im2rowMatchesPhi(seed: UInt64) throws {
    let (g, map, shape) = Self.convGeometry(seed)
    var rng = SeededGenerator(seed: seed + 100)
    let x = Tensor<Double>.uniform(shape, using: &rng)
    let rows = map.patchCount * shape.n
    let cols = map.patchSize
    // One index per (row, channel): each writes the row's kh·kw entries for that channel.
    let phi = try run("im2row", total: rows * shape.d, inputs: [x], output: Shape(rows, cols), [.value(g)])
    for image in 0..<shape.n {
      let expected = map.phi(x, image: image)
      for q in 0..<cols {
        for p in 0..<map.patchCount {
          #expect(phi.storage[q * rows + image * map.patchCount + p] == expected[p, q], "seed \(seed): φ(\(p), \(q)) of image \(image)")
        }
      }
    }
  }

  /// row2im as a gather equals φ*, the adjoint that scatters and adds overlaps.
  @Test(arguments: 1...25 as ClosedRange<UInt64>)
  func row2imMatchesPhiStar(seed: UInt64) throws {
    let (g, map, shape) = Self.convGeometry(seed)
    var rng = SeededGenerator(seed: seed + 200)
    let rows = map.patchCount * shape.n
    let cols = map.patchSize
    let phi = Tensor<Double>.uniform(Shape(rows, cols), using: &rng)
    let dx = try run("row2im", total: shape.count, inputs: [phi], output: shape, [.value(g)])
    for image in 0..<shape.n {
      let block = Matrix<Double>(rows: map.patchCount, cols: cols) { p, q in phi.storage[q * rows + image * map.patchCount + p] }
      let expected = map.phiStar(block)
      let got = Array(dx.storage[(image * expected.count)..<((image + 1) * expected.count)])
      #expect(Comparison(got, expected.storage).relativeError < 1e-12, "seed \(seed), image \(image)")
    }
  }

  /// Pooling forward and backward (gather form, no atomics) against the pool block, over max,
  /// average and max+average, padding, overlap and Caffe's ceil mode.
  @Test(arguments: 1...30 as ClosedRange<UInt64>)
  func poolingMatchesThePoolBlock(seed: UInt64) throws {
    var rng = SeededGenerator(seed: seed)
    func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    let kh = int(1...3)
    let kw = int(1...3)
    let sh = int(1...3)
    let sw = int(1...3)
    let pad = [int(0...kh - 1), int(0...kh - 1), int(0...kw - 1), int(0...kw - 1)]
    let method = Pool.Method.allCases[int(0...2)]
    let pool = Pool(method: method, size: (kh, kw), pad: pad, stride: (sh, sw), caffeCeil: int(0...3) == 0)
    let x = Tensor<Double>.uniform(Shape(kh + int(0...5), kw + int(0...5), int(1...2), int(1...2)), using: &rng)
    let y = try pool.forward(x, Parameters())
    let g = cl_pool_geometry(
      h: Int32(x.shape.h), w: Int32(x.shape.w), slabs: Int32(x.shape.d * x.shape.n), kh: Int32(kh), kw: Int32(kw),
      sh: Int32(sh), sw: Int32(sw), pt: Int32(pad[0]), pl: Int32(pad[2]), oh: Int32(y.shape.h), ow: Int32(y.shape.w))
    let code = method == .max ? 0 : method == .avg ? 1 : 2
    let out = try run("pool_forward", total: y.count, inputs: [x], output: y.shape, [.value(g), .int(code)])
    #expect(Comparison(out.storage, y.storage).relativeError < 1e-12, "forward, seed \(seed): \(pool.method) \(kh)×\(kw) pad \(pad) stride \(sh),\(sw)")
    let dzdy = Tensor<Double>.uniform(y.shape, using: &rng)
    let expected = try pool.backward(x, Parameters(), dzdy).dzdx
    let dx = try run("pool_backward", total: x.count, inputs: [x, dzdy], output: x.shape, [.value(g), .int(code)])
    #expect(Comparison(dx.storage, expected.storage).relativeError < 1e-12, "backward, seed \(seed)")
  }

  /// The launcher refuses a kernel the source does not define, in one line.
  @Test func anUnknownKernelIsAnError() {
    #expect(throws: ConvLabError("no kernel named nonexistent_f64 in ConvLab's kernel source.")) {
      try engine.launch("nonexistent_f64", total: 1, [])
    }
  }

  /// Both precisions of every kernel are registered, in pairs.
  @Test func everyKernelExistsInBothPrecisions() {
    let names = Set(HostEngine.kernelNames)
    #expect(names.count >= 70)
    for name in names where name.hasSuffix("_f32") { #expect(names.contains(String(name.dropLast(4)) + "_f64"), "\(name) has no f64 twin") }
  }
}

/// Every block's device implementation on `HostEngine` against the literal and fast paths on
/// random configurations (the generator of `convlab check`): Double within 1e-9 of both, Float32
/// within 1e-4 of the literal path (see `DeviceCheck` for why these bounds).
@Suite("Device path on the CPU")
struct DeviceBlockTests {
  @Test(arguments: CheckCase.blockNames)
  func everyBlockAgreesWithTheCPUPaths(name: String) throws {
    let engine = HostEngine()
    for seed in 1...25 as ClosedRange<UInt64> {
      let c = try CheckCase.random(name, seed: seed)
      let r = try DeviceCheck(c.block, x: c.x, c.parameters, configuration: c.configuration, seed: seed, engine: engine)
      #expect(r.passed, "\(name) seed \(seed) (\(c.configuration)): f64↔literal \(r.doubleVsLiteral), f64↔fast \(r.doubleVsFast), f32↔literal \(r.floatVsLiteral)")
    }
  }

  /// A block without a device implementation would be named in the error; every block has one.
  @Test func everyBlockHasADeviceImplementation() throws {
    for name in CheckCase.blockNames {
      let block = try CheckCase.random(name, seed: 1).block
      #expect(block is any DeviceBlock, "\(name)")
    }
  }

  /// Shape errors on the device path are the CPU's own messages.
  @Test func badShapesGiveTheCPUsMessage() throws {
    let engine = HostEngine()
    let x = try DeviceTensor(Tensor<Double>(shape: Shape(4, 4, 3, 1)), on: engine)
    let w = try DeviceTensor(Tensor<Double>(shape: Shape(3, 3, 2, 4)), on: engine)
    let cpu = #expect(throws: ConvLabError.self) { try Conv().forward(Tensor<Double>(shape: Shape(4, 4, 3, 1)), Parameters(w: Tensor(shape: Shape(3, 3, 2, 4)))) }
    let device = #expect(throws: ConvLabError.self) { try Conv().forward(on: engine, x, DeviceParameters(w: w)) }
    #expect(cpu == device)
  }

  /// Freed buffers are reused by size (no driver call per step on the GPU), and handed out again
  /// filled with garbage on the CPU so that an unwritten element still shows.
  @Test func freedBuffersAreReusedBySize() throws {
    let engine = HostEngine()
    var first: UInt64 = 0
    do { first = try DeviceTensor<Float>(shape: Shape(7, 3), on: engine).address }
    #expect(engine.cache.parkedBytes == 84)
    let again = try DeviceTensor<Float>(shape: Shape(3, 7), on: engine)
    #expect(again.address == first)
    #expect(try again.host().storage.allSatisfy { $0 > 1e38 })
    #expect(engine.cache.parkedBytes == 0)
    let other = try DeviceTensor<Float>(shape: Shape(5, 1), on: engine)
    #expect(other.address != first)
  }

  /// An allocation that cannot succeed is one line with the size, not a crash.
  @Test func anImpossibleAllocationIsAnError() {
    #expect(throws: ConvLabError.self) { _ = try HostEngine().allocate(1 << 62) }
  }

  /// Without an NVIDIA driver, `--path cuda` says why in one line.
  @Test(.enabled(if: (try? CUDALibraries.shared.driver.get()) == nil, "an NVIDIA driver is present"))
  func theCUDAPathWithoutADriverSaysWhy() throws {
    let error = #expect(throws: ConvLabError.self) {
      try ReLU().evaluate(Tensor<Double>(shape: Shape(2, 2)), Parameters(), path: .device(DeviceAccelerator(engine: try CUDAEngine())))
    }
    #expect(error?.description.contains("libcuda.so.1") == true)
  }
}

/// Every kernel compiles with NVRTC for a recent architecture (PTX needs no GPU). `make test`
/// installs NVRTC from PyPI (`nvidia-cuda-nvrtc`) and points CONVLAB_CUDA_LIB_PATH at it.
@Suite("NVRTC compiles every kernel", .enabled(if: (try? NVRTC.version()) != nil, "NVRTC (libnvrtc.so.13/.12) is not installed; `make test` installs it with pip"))
struct NVRTCTests {
  @Test func everyKernelCompilesToPTX() throws {
    let ptx = try KernelSources.compileAll(architecture: "compute_80")
    #expect(!ptx.isEmpty)
    // The PTX's entry points are exactly the kernels the CPU build registered.
    let entries = Set(
      ptx.values.joined().split(separator: "\n").compactMap { line -> String? in
        guard line.hasPrefix(".visible .entry ") else { return nil }
        return String(line.dropFirst(".visible .entry ".count).prefix { $0 != "(" })
      })
    #expect(entries == Set(HostEngine.kernelNames))
  }

  /// The PTX cache: a first call compiles and stores the file, a second returns the same text
  /// from it; another architecture or driver is another file.
  @Test func ptxIsCachedOnDisk() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-ptx-\(getpid())").path
    setenv("CONVLAB_CACHE_DIR", folder, 1)
    defer {
      unsetenv("CONVLAB_CACHE_DIR")
      try? FileManager.default.removeItem(atPath: folder)
    }
    let sources = try KernelSources.all()
    let file = PTXCache.path(sources: sources, architecture: "compute_80", driver: 13000)
    #expect(!FileManager.default.fileExists(atPath: file))
    let first = try PTXCache.convlabPTX(architecture: "compute_80", driver: 13000)
    #expect(FileManager.default.fileExists(atPath: file))
    #expect(try PTXCache.convlabPTX(architecture: "compute_80", driver: 13000) == first)
    #expect(PTXCache.path(sources: sources, architecture: "compute_90", driver: 13000) != file)
    #expect(PTXCache.path(sources: sources, architecture: "compute_80", driver: 12080) != file)
  }

  @Test func aCompileErrorReturnsTheLog() throws {
    #expect {
      _ = try NVRTC.compile("__global__ void broken() { undefined_symbol(); }", name: "broken.cu", architecture: "compute_80")
    } throws: { error in
      "\(error)".contains("broken.cu") && "\(error)".contains("undefined")
    }
  }
}

/// Training through the device path (HostEngine) follows the CPU's fast path step for step:
/// LeNet-5 (conv with the S2→C3 table mask, Xu's β-layer, pooling, dense, softmax log-loss).
/// Both compute in Float32 with sums in different orders, so after a few SGD steps the weights
/// agree to about 1e-6 relative; 1e-4 leaves room without hiding a wrong gradient (one wrong
/// term changes a step by ~1e-2).
@Suite("Device training on the CPU")
struct DeviceTrainingTests {
  @Test func stepsMatchTheCPU() throws {
    let network = try Network<Float>(spec: try Models.spec("lenet5"), input: Shape(28, 28, 1), classes: 10, seed: 3)
    var options = TrainingOptions()
    options.batchSize = 8
    var cpu = Trainer(network: network, options: options)
    var device = Trainer(network: network, options: options)
    try device.useDevice(HostEngine())
    var rng = SeededGenerator(seed: 9)
    for _ in 0..<3 {
      let x: Tensor<Float> = Tensor<Double>.uniform(Shape(28, 28, 1, 8), using: &rng).converted()
      let labels = (0..<8).map { _ in Int.random(in: 0..<10, using: &rng) }
      let a = try cpu.step(x, labels: labels, eta: 0.05, mu: 0.9, lambda: 5e-4)
      let b = try device.step(x, labels: labels, eta: 0.05, mu: 0.9, lambda: 5e-4)
      #expect(abs(a.loss - b.loss) <= 1e-5 * abs(a.loss))
      #expect(a.correct == b.correct)
    }
    try device.device?.download(into: &device.network, velocity: &device.velocity)
    for (l, layer) in cpu.network.chain.layers.enumerated() {
      for (name, p, q) in [("w", layer.parameters.w, device.network.chain.layers[l].parameters.w), ("b", layer.parameters.b, device.network.chain.layers[l].parameters.b)] {
        guard let p, let q else {
          #expect(p == nil && q == nil)
          continue
        }
        let error = Comparison(p.storage.map(Double.init), q.storage.map(Double.init)).relativeError
        #expect(error <= 1e-4, "layer \(l + 1) \(layer.block.name) \(name): \(error)")
      }
    }
  }

  /// The GPU benchmark checks its own answer against the CPU: it passes on correct kernels and
  /// its comparison rejects a result off by one part in a thousand.
  @Test func theConvBenchmarkVerifiesItsResult() throws {
    let shape = Benchmark.ConvShape("small", n: 3, h: 9, w: 8, d: 4, k: 5, fh: 3, fw: 3, pad: 1)
    let record = try DeviceBenchmark.conv(shape, engine: HostEngine(), path: "host", backward: true, sgemm: nil, repeats: 1)
    #expect(record.op == "conv-fwd-bwd" && record.medianMs > 0)
    var rng = SeededGenerator(seed: 4)
    let a = Tensor<Float>.uniform(Shape(6, 7), using: &rng)
    var b = a
    b.storage[5] += 1e-3 * a.storage.map(abs).max()!
    #expect(throws: ConvLabError.self) { try DeviceBenchmark.agree(b, a, "y", shape) }
    try DeviceBenchmark.agree(a, a, "y", shape)
  }

  /// The profiler charges each launch, GEMM and copy to its own line, once per call.
  @Test func theProfilerCountsEveryOperation() throws {
    let profiler = ProfilingEngine(HostEngine())
    let shape = Benchmark.ConvShape("small", n: 2, h: 6, w: 6, d: 3, k: 4, fh: 3, fw: 3)
    _ = try DeviceBenchmark.conv(shape, engine: profiler, path: "host", backward: false, sgemm: nil, repeats: 1, verify: false)
    let report = profiler.report(runs: 6).joined(separator: "\n")  // 5 warm-up runs + 1
    #expect(report.contains("1.0  im2row_f32"), "\(report)")
    #expect(report.contains("1.0  sgemm NN 32×4×27"), "\(report)")
    #expect(report.contains("1.0  slab_from_rows_f32"), "\(report)")
    profiler.reset()
    #expect(profiler.report().count == 2)  // the header and the total
  }

  /// `convlab check training`'s comparison: in Float64 the device and the CPU stay together to
  /// ~1e-14 over many steps (measured 2e-14 after 500), so 1e-12 after 20 steps catches any
  /// difference beyond rounding; in Float32 the first steps agree to ~1e-6 (tolerance 1e-4).
  @Test func trainingAgreesStepByStep() throws {
    let engine = HostEngine()
    let double = try TrainingAgreement.run(Double.self, engine: engine, steps: 20, compareAfter: [1, 10, 20])
    #expect(double.count == 3)
    for r in double {
      #expect(r.weights <= 1e-12, "Float64 step \(r.step): \(r.weights)")
      #expect(r.loss <= 1e-12, "Float64 step \(r.step) loss: \(r.cpuLoss) vs \(r.deviceLoss)")
    }
    let float = try TrainingAgreement.run(Float.self, engine: engine, steps: 3, compareAfter: [1, 3])
    for r in float { #expect(r.weights <= 1e-4, "Float32 step \(r.step): \(r.weights)") }
  }
}
