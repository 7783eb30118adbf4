import ConvLabBlocks
import ConvLabCUDA
import ConvLabChecks
import ConvLabCore
import ConvLabDevice
import ConvLabNetworks
import Testing

/// Whether this machine has an NVIDIA GPU the CUDA path can open (driver, NVRTC and cuBLAS).
let gpu: CUDAEngine? = try? CUDAEngine()

/// The CUDA path on a real GPU. CI has none, so these are skipped there with the reason; on a
/// GPU machine `swift test --filter GPUTests` runs them (the same library calls as
/// `convlab check all --path cuda`, `check training --path cuda` and `bench --device cuda`,
/// whose results on an H100 are in Benchmarks/results/).
@Suite("On the GPU", .enabled(if: gpu != nil, "no usable NVIDIA GPU on this machine (`convlab info` says why)"))
struct GPUTests {
  /// Every block, three random configurations each: Double within 1e-9 of the literal and fast
  /// paths, Float32 within 1e-4 of the literal path (DeviceCheck's tolerances).
  @Test(arguments: CheckCase.blockNames)
  func everyBlockAgreesWithTheCPU(name: String) throws {
    let engine = try #require(gpu)
    for seed in 1...3 as ClosedRange<UInt64> {
      let c = try CheckCase.random(name, seed: seed)
      let report = try DeviceCheck(c.block, x: c.x, c.parameters, configuration: c.configuration, seed: seed, engine: engine)
      #expect(report.passed, "\(name) seed \(seed): \(c.configuration)")
    }
  }

  /// LeNet-5 trained on the GPU and on the CPU stays together in Float64 (measured 9e-15 after
  /// 500 steps on an H100), so 1e-12 after 20 steps leaves room only for rounding.
  @Test func trainingAgreesWithTheCPUInDouble() throws {
    let engine = try #require(gpu)
    for step in try TrainingAgreement.run(Double.self, engine: engine, steps: 20, compareAfter: [1, 20]) {
      #expect(step.weights <= 1e-12, "step \(step.step): \(step.weights)")
    }
  }

  /// A large conv (grid-stride loops, every block of the GPU busy) against the CPU's fast path:
  /// `DeviceBenchmark.conv` throws when the two differ by more than 1e-4.
  @Test func aLargeConvolutionIsRight() throws {
    let engine = try #require(gpu)
    let shape = Benchmark.ConvShape("Milisavljevic", n: 100, h: 14, w: 14, d: 64, k: 64, fh: 3, fw: 3, pad: 1)
    _ = try DeviceBenchmark.conv(shape, engine: engine, path: "cuda", backward: true, sgemm: nil, repeats: 1)
  }

  /// Out of device memory is one line with the bytes requested.
  @Test func outOfMemoryIsOneLine() throws {
    let engine = try #require(gpu)
    let error = #expect(throws: ConvLabError.self) { _ = try engine.allocate(1 << 52) }
    #expect(error?.description.contains("out of memory") == true)
    #expect(error?.description.contains("\(1 << 52) bytes") == true)
    #expect(error?.description.contains("\n") == false)
  }
}
