import ArgumentParser
import ConvLabBlocks
import ConvLabCUDA
import ConvLabChecks
import ConvLabCore
import ConvLabDevice
import ConvLabNetworks
import Foundation

extension ConvLab {
  /// `convlab bench [conv --shape …] [--json]`.
  struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Time the fast path against this machine's ceilings (sgemm, memcpy), naive loops, JAX and PyTorch.",
      discussion: """
        `convlab bench` runs the standard table; `convlab bench conv --shape N,H,W,D,K,FH,FW,STRIDE,PAD` \
        times one convolution. Float32, warm-up then the median of repeats. With --json, prints an \
        array of records {op, path, n, h, w, d, k, fh, fw, stride, pad, median_ms, gflops, gbps, \
        percent_of_ceiling}. JAX is timed when `python3 -c "import jax"` works (Benchmarks/jax_conv.py). \
        `--device cuda` times the GPU instead (CUDA events; % of cuBLAS sgemm 4096³ measured in the \
        same run); Benchmarks/torch_conv.py times PyTorch/cuDNN on the same shapes for the ratios. \
        `--torch` (or `convlab bench torch` alone) then times PyTorch on the CPU (oneDNN, \
        scripts/bench_torch.py) side by side with ConvLab: --rounds rounds, each shape by ConvLab \
        and then by PyTorch, 2 threads each; ratio = PyTorch time / ConvLab time.
        """)

    @Argument(help: "all, conv, memory (memcpy and the memory-bound blocks), lenet (the LeNet-5 step) or torch (only the side-by-side comparison with PyTorch).") var what = "all"
    @Option(help: "conv only: N,H,W,D,K,FH,FW,STRIDE,PAD.") var shape: String?
    @Option(help: "conv only: fast (the kernels conv chooses), gemm, direct or blocked (that CPU kernel), naive, cuda (the GPU) or host (the GPU's code on the CPU).") var path = "fast"
    @Option(help: "all only: cpu, cuda (the GPU table) or host (the GPU's code on the CPU, small shapes only make sense).") var device: DeviceChoice = .cpu
    @Flag(help: "cuda only: let cuBLAS use TF32 tensor cores (reported as path cuda-tf32; never the default).") var tf32 = false
    @Flag(help: "conv only: forward + backward instead of forward.") var backward = false
    @Flag(help: "Print JSON records instead of a table.") var json = false
    @Flag(help: "Then profile (to stderr): on the CPU the LeNet-5 step layer by layer; with --device the conv shapes and the step kernel by kernel.") var profile = false
    @Flag(help: "Skip the JAX comparison.") var noJax = false
    @Flag(help: "all: then compare with PyTorch on the CPU, shape by shape in alternation (needs `import torch`).") var torch = false
    @Option(help: "torch: interleaved rounds (the ratio's range is over them).") var rounds = 3
    @Option(help: "torch: threads for PyTorch (torch.set_num_threads); ConvLab uses one per core.") var torchThreads = 2
    @Option(help: "Repeats per measurement (median).") var repeats = 7

    func run() throws {
      switch what {
      case "conv":
        guard let shape else { throw ConvLabError("bench conv needs --shape N,H,W,D,K,FH,FW,STRIDE,PAD.") }
        let s = try Benchmark.ConvShape(parsing: shape)
        if let engine = try engine(path) {
          let sgemm = try DeviceBenchmark.sgemmCeiling(engine, n: path == "host" ? 512 : 4096)
          let label = tf32 && path == "cuda" ? "cuda-tf32" : path
          try emit([
            try DeviceBenchmark.conv(
              s, engine: engine, path: label, backward: backward, sgemm: sgemm, repeats: repeats,
              tolerance: verificationTolerance)
          ])
          return
        }
        let sgemm = Benchmark.sgemmCeiling()
        let record = try Benchmark.conv(s, path: path, backward: backward, sgemm: sgemm, repeats: repeats)
        try emit([record])
      case "torch":
        try runTorch(required: true)
      case "all", "memory", "lenet":
        if let engine = try engine(device == .cpu ? "fast" : device.rawValue) {
          guard what == "all" else { throw ConvLabError("bench \(what) runs on the CPU; use bench all --device \(device.rawValue).") }
          return try runDevice(engine)
        }
        try runCPU(what)
      default:
        throw ConvLabError("unknown benchmark '\(what)'; use all, conv, memory, lenet or torch.")
      }
    }

    /// How closely the device's conv must match the CPU's (DeviceBenchmark.agree): looser with TF32.
    var verificationTolerance: Double { tf32 ? DeviceBenchmark.tf32Tolerance : 1e-4 }

    /// The engine for a path (cuda or host), nil for the CPU's paths.
    func engine(_ path: String) throws -> (any ComputeEngine)? {
      switch path {
      case "cuda": return try CUDAEngine(tf32: tf32)
      case "host": return HostEngine()
      case "fast", "gemm", "direct", "blocked", "naive", "cpu": return nil
      default: throw ConvLabError("'\(path)' is not one of fast, gemm, direct, blocked, naive, cuda, host.")
      }
    }

    /// The GPU table: cuBLAS sgemm, every standard conv shape, one LeNet-5 training step.
    func runDevice(_ engine: any ComputeEngine) throws {
      progress("device: \(engine.name); ceiling: cuBLAS sgemm 4096³")
      let path = tf32 ? "cuda-tf32" : device.rawValue
      let sgemm = try DeviceBenchmark.sgemmCeiling(engine, n: path == "host" ? 512 : 4096)
      var records = [Benchmark.Record(op: "sgemm-4096", path: path, medianMs: 2 * pow(4096, 3) / sgemm / 1e6, gflops: sgemm, percentOfCeiling: 100)]
      // GPU timings are short and cheap: more repeats than the CPU's default (as Benchmarks/torch_conv.py).
      let repeats = max(self.repeats, 51)
      for s in Benchmark.ConvShape.standard {
        progress("conv \(s.name)")
        for backward in [false, true] {
          records.append(
            try DeviceBenchmark.conv(
              s, engine: engine, path: path, backward: backward, sgemm: sgemm, repeats: repeats,
              tolerance: verificationTolerance))
        }
      }
      progress("one LeNet-5 training step (batch 64) on the device")
      var trainer = try lenetTrainer()
      try trainer.useDevice(engine)
      let (x, labels) = lenetBatch()
      let seconds = try DeviceBenchmark.median(engine, repeats: max(repeats, 11)) { try trainer.step(x, labels: labels, eta: 0.01, mu: 0.9, lambda: 5e-4) }
      records.append(Benchmark.Record(op: "lenet5-train-step", path: path, n: 64, h: 28, w: 28, d: 1, medianMs: seconds * 1e3))
      try emit(records)
      if profile { try profileDevice(engine, records: records) }
    }

    /// Each conv shape (forward + backward) and the LeNet-5 step again, through a
    /// `ProfilingEngine`: where the time goes, kernel by kernel.
    func profileDevice(_ engine: any ComputeEngine, records: [Benchmark.Record]) throws {
      let profiler = ProfilingEngine(engine)
      let repeats = 3
      let runs = 5 + repeats  // DeviceBenchmark.median's warm-up runs count too
      func report(_ title: String, wall: Double?) {
        let lines = ["", "profile: \(title)"] + profiler.report(runs: runs, wall: wall)
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
      }
      for s in Benchmark.ConvShape.standard {
        profiler.reset()
        _ = try DeviceBenchmark.conv(s, engine: profiler, path: "profile", backward: true, sgemm: nil, repeats: repeats, verify: false)
        let wall = records.first { $0.op == "conv-fwd-bwd" && $0.n == s.n && $0.h == s.h && $0.d == s.d && $0.k == s.k }?.medianMs
        report("conv forward + backward, \(s.name)", wall: wall.map { $0 / 1e3 })
      }
      var trainer = try lenetTrainer()
      try trainer.useDevice(profiler)
      let (x, labels) = lenetBatch()
      for _ in 0..<2 { try trainer.step(x, labels: labels, eta: 0.01, mu: 0.9, lambda: 5e-4) }
      profiler.reset()
      for _ in 0..<runs { try trainer.step(x, labels: labels, eta: 0.01, mu: 0.9, lambda: 5e-4) }
      report("one LeNet-5 training step (batch 64)", wall: records.last { $0.op == "lenet5-train-step" }.map { $0.medianMs / 1e3 })
    }

    func emit(_ records: [Benchmark.Record]) throws {
      if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(records), as: UTF8.self))
        return
      }
      print("op            path     shape                               median ms    GFLOP/s    GB/s   % ceiling")
      for r in records {
        let shape =
          r.k > 0
          ? "N\(r.n) \(r.h)×\(r.w)×\(r.d)→\(r.k) \(r.fh)×\(r.fw) s\(r.stride) p\(r.pad)"
          : (r.n > 0 ? "\(r.h)×\(r.w)×\(r.d)×\(r.n)" : "—")
        let cols = [
          r.op.padding(toLength: 13, withPad: " ", startingAt: 0), r.path.padding(toLength: 8, withPad: " ", startingAt: 0),
          shape.padding(toLength: 34, withPad: " ", startingAt: 0), MatrixFormat.pad(String(format: "%.3f", r.medianMs), 10),
          MatrixFormat.pad(r.gflops.map { String(format: "%.1f", $0) } ?? "", 10), MatrixFormat.pad(r.gbps.map { String(format: "%.1f", $0) } ?? "", 7),
          MatrixFormat.pad(r.percentOfCeiling.map { String(format: "%.0f%%", $0) } ?? "", 10),
        ]
        print(cols.joined(separator: " "))
      }
    }

    func progress(_ text: String) {
      if !json { FileHandle.standardError.write(Data("… \(text)\n".utf8)) }
    }

    /// The standard table (`all`), or one of its parts: `memory` (memcpy and the memory-bound
    /// blocks), `lenet` (the LeNet-5 training step). `--profile` then times the step layer by layer.
    func runCPU(_ part: String) throws {
      var records: [Benchmark.Record] = []
      if part == "all" {
        progress("ceilings: sgemm 2048³ and a 256 MiB memcpy")
        let sgemm = Benchmark.sgemmCeiling()
        let bandwidth = Benchmark.memcpyBandwidth()
        records.append(Benchmark.Record(op: "sgemm-2048", path: "openblas", medianMs: 2 * pow(2048, 3) / sgemm / 1e6, gflops: sgemm, gbps: nil, percentOfCeiling: 100))
        records.append(memcpyRecord(bandwidth))
        for s in Benchmark.ConvShape.standard {
          progress("conv \(s.name)")
          if s.forwardFlops < 2e9 { records.append(try Benchmark.conv(s, path: "naive", backward: false, sgemm: sgemm)) }
          // The teaching path (im2row + one OpenBLAS GEMM) beside the kernels `fast` chooses.
          records.append(try Benchmark.conv(s, path: "gemm", backward: false, sgemm: sgemm, repeats: repeats))
          records.append(try Benchmark.conv(s, path: "fast", backward: false, sgemm: sgemm, repeats: repeats))
          records.append(try Benchmark.conv(s, path: "fast", backward: true, sgemm: sgemm, repeats: repeats))
        }
        records += try memoryRecords(bandwidth: bandwidth)
        progress("explicit Jacobians of conv 28×28×1 → 24×24×6, 5×5 (Double): literal and finite differences")
        let (literal, fd) = try Benchmark.jacobians()
        records.append(Benchmark.Record(op: "jacobian-lit", path: "literal", n: 1, h: 28, w: 28, d: 1, k: 6, fh: 5, fw: 5, medianMs: literal * 1e3))
        records.append(Benchmark.Record(op: "jacobian-fd", path: "central", n: 1, h: 28, w: 28, d: 1, k: 6, fh: 5, fw: 5, medianMs: fd * 1e3))
      } else if part == "memory" {
        progress("ceiling: a 256 MiB memcpy")
        let bandwidth = Benchmark.memcpyBandwidth()
        records = [memcpyRecord(bandwidth)] + (try memoryRecords(bandwidth: bandwidth))
      }
      if part != "memory" {
        progress("one LeNet-5 training step (batch 64: forward, backward, SGD update)")
        records.append(try lenetStep())
      }
      if !noJax, part != "memory", let jax = try jaxRecords(sgemm: records.first?.gflops, only: part) { records += jax }
      let comparison = torch && part == "all" ? try compareWithTorch(required: false) : nil
      try emit(records + (json ? comparison?.records ?? [] : []))
      if !json { print(String(format: "peak resident memory of this run: %.0f MiB (getrusage)", Benchmark.peakResidentMiB)) }
      if profile && part != "memory" { try profileLeNet() }
      if let comparison, !json { print("\n" + comparison.lines.joined(separator: "\n")) }
    }

    /// The side-by-side comparison with PyTorch on the CPU (`TorchComparison`). Without PyTorch:
    /// an error for `bench torch`, a note for `bench --torch`.
    func runTorch(required: Bool) throws {
      guard let table = try compareWithTorch(required: required) else { return }
      if json { return try emit(table.records) }
      print(table.lines.joined(separator: "\n"))
    }

    /// The comparison's measurements; nil when PyTorch is missing and not `required`.
    func compareWithTorch(required: Bool) throws -> TorchComparison? {
      guard rounds >= 1, rounds <= 100, repeats >= 1, torchThreads >= 1, torchThreads <= 256 else {
        throw ConvLabError("--rounds must be 1…100, --repeats at least 1 and --torch-threads 1…256 (got \(rounds), \(repeats), \(torchThreads)).")
      }
      guard let peer = TorchPeer(threads: torchThreads, progress: progress) else {
        if required { throw ConvLabError("PyTorch is not available to python3; `make bench-torch` installs it (pip install torch).") }
        return nil
      }
      var trainer = try lenetTrainer()
      let (x, labels) = lenetBatch()
      return try TorchComparison.measure(
        peer: peer, rounds: rounds, repeats: repeats,
        lenetStep: {
          try Benchmark.median(repeats: max(repeats, 11)) { try trainer.step(x, labels: labels, eta: 0.01, mu: 0.9, lambda: 5e-4) } * 1e3
        }, progress: progress)
    }

    func memcpyRecord(_ bandwidth: Double) -> Benchmark.Record {
      Benchmark.Record(op: "memcpy-256MiB", path: "libc", medianMs: 2 * 268_435_456 / bandwidth / 1e6, gflops: nil, gbps: bandwidth, percentOfCeiling: 100)
    }

    /// ReLU, sigmoid, pooling and batch norm on 64×64×64×16 (Float32), against the memcpy rate.
    func memoryRecords(bandwidth: Double) throws -> [Benchmark.Record] {
      progress("memory-bound blocks on 64×64×64×16")
      var records: [Benchmark.Record] = []
      let big = Shape(64, 64, 64, 16)
      let readWrite: (Shape, Shape) -> Int = { x, y in 4 * (x.count + y.count) }
      records.append(try Benchmark.memoryBound("relu", ReLU(), shape: big, bytes: readWrite, bandwidth: bandwidth, repeats: repeats))
      records.append(try Benchmark.memoryBound("sigmoid", Sigmoid(), shape: big, bytes: readWrite, bandwidth: bandwidth, repeats: repeats))
      records.append(try Benchmark.memoryBound("pool-max-2", Pool(method: .max, size: (2, 2), stride: (2, 2)), shape: big, bytes: readWrite, bandwidth: bandwidth, repeats: repeats))
      records.append(try Benchmark.memoryBound("pool-avg-2", Pool(method: .avg, size: (2, 2), stride: (2, 2)), shape: big, bytes: readWrite, bandwidth: bandwidth, repeats: repeats))
      let gains = Parameters<Float>(w: Tensor(shape: Shape(1, 1, 64), repeating: 1), b: Tensor(shape: Shape(1, 1, 64)))
      // bnorm reads x twice (moments, then normalisation) and writes y once.
      records.append(try Benchmark.memoryBound("bnorm", BatchNorm(), shape: big, parameters: gains, bytes: { x, y in 4 * (2 * x.count + y.count) }, bandwidth: bandwidth, repeats: repeats))
      // Backward: max pooling reads x and dz/dy and writes dz/dx; bnorm reads x three times and dz/dy twice, writes dz/dx.
      records.append(
        try Benchmark.memoryBound(
          "pool-max-2-bwd", Pool(method: .max, size: (2, 2), stride: (2, 2)), shape: big, backward: true,
          bytes: { x, y in 4 * (2 * x.count + y.count) }, bandwidth: bandwidth, repeats: repeats))
      records.append(
        try Benchmark.memoryBound(
          "bnorm-bwd", BatchNorm(), shape: big, parameters: gains, backward: true,
          bytes: { x, _ in 4 * 6 * x.count }, bandwidth: bandwidth, repeats: repeats))
      return records
    }

    /// The LeNet-5 step's layers timed one by one (to stderr): which layer a change must attack.
    func profileLeNet() throws {
      let (x, labels) = lenetBatch()
      let profile = try LayerProfile(try lenetTrainer().network, x, labels: labels, repeats: max(repeats, 11))
      let lines = ["", "profile: one LeNet-5 training step (batch 64), layer by layer, median of \(max(repeats, 11))"] + profile.lines
      FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// One LeNet-5 SGD step on a batch of 64 28×28 images (Float32), median of repeats.
    func lenetStep() throws -> Benchmark.Record {
      var trainer = try lenetTrainer()
      let (x, labels) = lenetBatch()
      let seconds = try Benchmark.median(repeats: max(repeats, 11)) { try trainer.step(x, labels: labels, eta: 0.01, mu: 0.9, lambda: 5e-4) }
      return Benchmark.Record(op: "lenet5-train-step", path: "fast", n: 64, h: 28, w: 28, d: 1, medianMs: seconds * 1e3)
    }

    func lenetTrainer() throws -> Trainer<Float> {
      Trainer(network: try Network<Float>(spec: try Models.spec("lenet5"), input: Shape(28, 28), classes: 10, seed: 1), options: TrainingOptions())
    }

    /// A fixed batch of 64 normal images with labels 0…9 repeating.
    func lenetBatch() -> (Tensor<Float>, [Int]) {
      var rng = SeededGenerator(seed: 3)
      return (Tensor<Float>.normal(Shape(28, 28, 1, 64), using: &rng), (0..<64).map { $0 % 10 })
    }

    /// Runs Benchmarks/jax_conv.py when JAX is importable; nil when it is not.
    /// `only`: all (every conv shape and the LeNet-5 step) or lenet (the step alone).
    func jaxRecords(sgemm: Double?, only: String = "all") throws -> [Benchmark.Record]? {
      guard let python = SystemInfo.which("python3"),
        let probe = SystemInfo.run(python, ["-c", "import jax; print(jax.__version__)"]), !probe.contains("Error")
      else {
        progress("JAX not installed: skipping the JAX comparison (make bench installs it)")
        return nil
      }
      let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Benchmarks/jax_conv.py").path
      guard FileManager.default.fileExists(atPath: script) else {
        progress("Benchmarks/jax_conv.py not found next to the sources: skipping JAX")
        return nil
      }
      progress("JAX \(probe.trimmingCharacters(in: .whitespacesAndNewlines)) on the same shapes")
      guard let output = SystemInfo.run(python, [script, "--repeats", "\(repeats)", "--only", only] + (sgemm.map { ["--sgemm", "\($0)"] } ?? [])),
        let start = output.firstIndex(of: "[")
      else {
        throw ConvLabError("Benchmarks/jax_conv.py did not print JSON records.")
      }
      return try JSONDecoder().decode([Benchmark.Record].self, from: Data(output[start...].utf8))
    }
  }
}
