import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import Foundation

/// PyTorch on the CPU (oneDNN) as a peer process for `convlab bench --torch` and
/// `convlab bench torch`: scripts/bench_torch.py answers one JSON record per request line, so
/// ConvLab's and PyTorch's timings of each shape alternate within one run.
final class TorchPeer {
  private let process = Process()
  private let input = Pipe(), output = Pipe()
  private var buffered = Data()
  /// PyTorch's version, as the peer reports it.
  private(set) var version = ""

  /// Starts the peer with `threads` intra-op threads; nil (with the reason on stderr) when
  /// python3, the script or PyTorch is missing.
  init?(threads: Int, progress: (String) -> Void) {
    guard let python = SystemInfo.which("python3") else {
      progress("python3 not found: skipping PyTorch (make bench-torch installs it)")
      return nil
    }
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("scripts/bench_torch.py").path
    guard FileManager.default.fileExists(atPath: script) else {
      progress("scripts/bench_torch.py not found next to the sources: skipping PyTorch")
      return nil
    }
    guard let probe = SystemInfo.run(python, ["-c", "import torch; print(torch.__version__)"]), !probe.contains("Error") else {
      progress("PyTorch not installed: skipping the PyTorch comparison (make bench-torch installs it)")
      return nil
    }
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script, "--threads", "\(threads)"]
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.standardError
    do { try process.run() } catch {
      progress("could not start \(python) \(script): \(error.localizedDescription); skipping PyTorch")
      return nil
    }
    version = probe.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  deinit {
    try? input.fileHandleForWriting.close()
    process.waitUntilExit()
  }

  /// One request, one JSON answer line.
  func request(_ fields: [String: Any]) throws -> Data {
    let line = try JSONSerialization.data(withJSONObject: fields) + Data("\n".utf8)
    try input.fileHandleForWriting.write(contentsOf: line)
    while true {
      if let end = buffered.firstIndex(of: UInt8(ascii: "\n")) {
        let answer = buffered[buffered.startIndex..<end]
        buffered = Data(buffered[(end + 1)...])
        if let object = try? JSONSerialization.jsonObject(with: answer) as? [String: Any], let error = object["error"] as? String {
          throw ConvLabError("scripts/bench_torch.py could not run the request: \(error)")
        }
        return Data(answer)
      }
      let chunk = output.fileHandleForReading.availableData
      guard !chunk.isEmpty else { throw ConvLabError("scripts/bench_torch.py stopped before answering (see its error above).") }
      buffered.append(chunk)
    }
  }

  /// PyTorch's median time of a conv shape, forward or forward + backward.
  func conv(_ s: Benchmark.ConvShape, backward: Bool, repeats: Int) throws -> Benchmark.Record {
    try JSONDecoder().decode(
      Benchmark.Record.self,
      from: request([
        "op": "conv", "shape": [s.n, s.h, s.w, s.d, s.k, s.fh, s.fw, s.stride, s.pad], "backward": backward, "repeats": repeats,
      ]))
  }

  /// PyTorch's median time of one LeNet-5 training step (batch 64).
  func lenet(repeats: Int) throws -> Benchmark.Record {
    try JSONDecoder().decode(Benchmark.Record.self, from: request(["op": "lenet", "repeats": repeats]))
  }
}

/// The side-by-side comparison: rounds in which every measurement is taken by ConvLab and then
/// by PyTorch, so both see the same load on a shared machine; per measurement the medians over
/// rounds and the range of the per-round ratios (PyTorch time / ConvLab time, > 1: ConvLab faster).
struct TorchComparison {
  struct Row {
    let name: String
    let op: String
    var convlab: [Double] = [], torch: [Double] = []
    var shape: Benchmark.ConvShape?

    static func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
    var ratios: [Double] { zip(torch, convlab).map { $0 / $1 } }
  }

  var rows: [Row] = []
  let rounds: Int

  /// Each conv measurement runs for about this long (see `measure`): `--repeats` runs, or more, up
  /// to `maximumRepeats`, where that is too short.
  static let minimumSeconds = 0.1
  static let maximumRepeats = 400

  /// Runs `rounds` rounds over the standard conv shapes (forward, forward + backward) and the
  /// LeNet-5 step.
  static func measure(
    peer: TorchPeer, rounds: Int, repeats: Int, lenetStep: () throws -> Double,
    progress: (String) -> Void
  ) throws -> TorchComparison {
    var table = TorchComparison(rounds: rounds)
    for s in Benchmark.ConvShape.standard {
      for backward in [false, true] { table.rows.append(Row(name: s.name, op: backward ? "conv-fwd-bwd" : "conv-fwd", shape: s)) }
    }
    table.rows.append(Row(name: "LeNet-5 step, batch 64", op: "lenet5-train-step"))
    // Repeats per shape, the same for both sides: at least `repeats`, and enough for about
    // `minimumSeconds` of ConvLab's runs. After each call PyTorch's OpenMP workers spin for ~10 ms
    // of CPU time (getrusage around a sleep, this 2-core machine), and ConvLab's next measurement
    // starts at once: with 7 runs of a 0.25 ms shape (LeNet C3) every run shared a core with
    // them; with 0.1 s of runs, those first milliseconds stay below the median.
    progress("timing one run of each shape to choose the repeats")
    let counts = try table.rows.map { row -> Int in
      guard let s = row.shape else { return repeats }
      let ms = try Benchmark.conv(s, path: "fast", backward: row.op == "conv-fwd-bwd", sgemm: nil, repeats: 3).medianMs
      return max(repeats, min(maximumRepeats, Int((minimumSeconds * 1e3 / max(ms, 1e-3)).rounded(.up))))
    }
    for round in 1...rounds {
      progress("round \(round) of \(rounds): ConvLab and PyTorch \(peer.version), shape by shape")
      for i in table.rows.indices {
        if let s = table.rows[i].shape {
          let backward = table.rows[i].op == "conv-fwd-bwd"
          table.rows[i].convlab.append(try Benchmark.conv(s, path: "fast", backward: backward, sgemm: nil, repeats: counts[i]).medianMs)
          table.rows[i].torch.append(try peer.conv(s, backward: backward, repeats: counts[i]).medianMs)
        } else {
          table.rows[i].convlab.append(try lenetStep())
          table.rows[i].torch.append(try peer.lenet(repeats: max(repeats, 11)).medianMs)
        }
      }
    }
    return table
  }

  /// Both medians as records (path fast and torch), for --json.
  var records: [Benchmark.Record] {
    rows.flatMap { row -> [Benchmark.Record] in
      let s = row.shape ?? Benchmark.ConvShape(n: 64, h: 28, w: 28, d: 1, k: 0, fh: 0, fw: 0)
      return [("fast", row.convlab), ("torch", row.torch)].map { path, times in
        let ms = Row.median(times)
        let flops = row.shape.map { (row.op == "conv-fwd-bwd" ? 3 : 1) * $0.forwardFlops }
        return Benchmark.Record(
          op: row.op, path: path, n: s.n, h: s.h, w: s.w, d: s.d, k: s.k, fh: s.fh, fw: s.fw,
          stride: s.stride, pad: s.pad, medianMs: ms, gflops: flops.map { $0 / ms / 1e6 })
      }
    }
  }

  /// The table: medians over rounds and the per-round ratio's median and range.
  var lines: [String] {
    var out = [
      "ConvLab against PyTorch \(rounds > 1 ? "(\(rounds) interleaved rounds; ratio = PyTorch time / ConvLab time, > 1: ConvLab faster)" : "(ratio = PyTorch time / ConvLab time)")",
      "op            shape                                 ConvLab ms  PyTorch ms   ratio   range",
    ]
    for row in rows {
      let shape = row.shape.map { "N\($0.n) \($0.h)×\($0.w)×\($0.d)→\($0.k) \($0.fh)×\($0.fw) s\($0.stride) p\($0.pad)" } ?? row.name
      let ratios = row.ratios
      let range = String(format: "%.2f–%.2f", ratios.min() ?? 0, ratios.max() ?? 0)
      out.append(
        [
          row.op.padding(toLength: 13, withPad: " ", startingAt: 0), shape.padding(toLength: 36, withPad: " ", startingAt: 0),
          MatrixFormat.pad(String(format: "%.3f", Row.median(row.convlab)), 11), MatrixFormat.pad(String(format: "%.3f", Row.median(row.torch)), 11),
          MatrixFormat.pad(String(format: "%.2f×", Row.median(ratios)), 7), MatrixFormat.pad(range, 11),
        ].joined(separator: " "))
    }
    return out
  }
}
