import ConvLabBlocks
import ConvLabCore
import ConvLabData
import ConvLabExercises
import ConvLabNetworks
import ConvLabNotation
import Foundation

// One libFuzzer binary for every parser of outside input: `convlab-fuzz TARGET [libFuzzer flags]`
// (`convlab-fuzz --seeds DIR` writes the seed corpora). Each target feeds the bytes to a public
// entry point exactly as a user's file or option reaches it; a thrown ConvLabError is the
// expected outcome for bad input, anything else (a trap, an ASan report, a leak, a hang, an
// error of another type) is a finding.

/// The targets, by name.
let targets: [String: @Sendable (Data) throws -> Void] = [
  "npy": fuzzNPY,
  "csv": fuzzCSV,
  "idx": fuzzIDX,
  "netspec": fuzzNetSpec,
  "geometry": fuzzGeometry,
  "blockoptions": fuzzBlockOptions,
  "packet": fuzzPacket,
  "roster": fuzzRoster,
  "checkpoint": fuzzCheckpoint,
  "studentoutput": fuzzStudentOutput,
]

nonisolated(unsafe) var selected: (Data) throws -> Void = { _ in }

/// A private scratch folder for the targets that read files (one per process: libFuzzer forks
/// workers with -jobs, each its own process).
let scratch: String = {
  let path = NSTemporaryDirectory() + "convlab-fuzz-\(getpid())"
  try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "convlab-fuzz-\(getpid())") }
  return path
}()

func file(_ name: String, _ data: Data) -> String {
  let path = scratch + "/" + name
  // A plain write(2), not an atomic one: the scratch folder is this process's own, and the
  // file-based targets spend most of their time here.
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  guard fd >= 0 else { fatalError("convlab-fuzz: cannot write \(path)") }
  data.withUnsafeBytes { raw in
    var done = 0
    while done < raw.count {
      let n = write(fd, raw.baseAddress! + done, raw.count - done)
      guard n > 0 else { fatalError("convlab-fuzz: cannot write \(path)") }
      done += n
    }
  }
  close(fd)
  return path
}

func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

func warn(_ message: String) { FileHandle.standardError.write(Data((message + "\n").utf8)) }

// MARK: Targets

func fuzzNPY(_ data: Data) throws {
  let array = try NPYArray(data: data, name: "fuzz.npy")
  _ = try? array.tensor(Double.self)
  _ = try? array.matrix(Double.self)
  // Through a file too: the bounded reader and its size limit.
  _ = try NPYArray(contentsOf: file("x.npy", data), maxBytes: 1 << 16)
}

func fuzzCSV(_ data: Data) throws {
  _ = try CSV.read(file("part.csv", data), maxBytes: 1 << 16)
}

func fuzzIDX(_ data: Data) throws {
  // The file path: gzip (inflated against the header's declared size) or plain IDX.
  let idx = try IDXArray(path: file("fuzz-idx", data))
  _ = try idx.values().count
  _ = try? idx.unsignedBytes(name: "fuzz-idx")
}

func fuzzNetSpec(_ data: Data) throws {
  let spec = try NetSpec(parsing: text(data))
  _ = spec.description
  _ = try NetSpec(parsing: spec.description)
}

/// First line: the input size (`--input`); the rest: the layer stack.
func fuzzGeometry(_ data: Data) throws {
  let s = text(data)
  let split = s.firstIndex(of: "\n") ?? s.endIndex
  let size = try Shape(parsing: String(s[..<split]))
  let stack = try LayerStack(parsing: String(s[split...]).trimmingCharacters(in: .newlines))
  for row in try stack.trace(h: size.h, w: size.w) {
    _ = row.rows.description + row.cols.description
    _ = row.rows.inputRange(ofOutput: 1)
  }
}

/// First line: a block name; then `key=value` lines (the CLI's options without dashes).
func fuzzBlockOptions(_ data: Data) throws {
  var lines = text(data).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  guard !lines.isEmpty else { return }
  let name = lines.removeFirst()
  var options: [String: String] = [:]
  for line in lines {
    guard let eq = line.firstIndex(of: "=") else { continue }
    options[String(line[..<eq])] = String(line[line.index(after: eq)...])
  }
  _ = try BlockOptions(options).block(named: name)
}

/// `exercise.json` in a packet folder that also holds a small valid `x.npy`.
func fuzzPacket(_ data: Data) throws {
  let folder = scratch + "/packet"
  try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  if !FileManager.default.fileExists(atPath: folder + "/x.npy") {
    try NPYArray(shape: [2, 2], values: [1, 2, 3, 4]).write(to: folder + "/x.npy")
  }
  _ = file("packet/exercise.json", data)
  _ = try Packet.read(folder)
}

func fuzzRoster(_ data: Data) throws {
  _ = try Classroom.readRoster(file("roster.csv", data))
}

/// Input that starts with the checkpoint's first line is read as it is (the checksum must
/// match); anything else is sealed with a correct checksum first, so the fuzzer also explores
/// the header and tensors behind it.
func fuzzCheckpoint(_ data: Data) throws {
  let prefix = Data("convlab-checkpoint".utf8)
  var bytes = data
  if !data.starts(with: prefix) {
    bytes = Data("convlab-checkpoint-2 crc32=\(String(format: "%08x", CRC32.checksum(data)))\n".utf8) + data
  }
  _ = try Checkpoint.read(file("run.ckpt", bytes), as: Float.self)
}

/// First byte: how many results are expected (0–7); the rest: the program's standard output.
func fuzzStudentOutput(_ data: Data) throws {
  guard let first = data.first else { return }
  _ = try StudentOutput.parse(data.dropFirst(), expected: Int(first % 8), maxBytes: 1 << 16)
}

// MARK: Seeds

/// Writes seed inputs made by the library itself (valid files to mutate) to DIR/TARGET/.
func writeSeeds(_ dir: String) throws {
  func put(_ target: String, _ name: String, _ data: Data) throws {
    try FileManager.default.createDirectory(atPath: "\(dir)/\(target)", withIntermediateDirectories: true)
    try data.write(to: URL(fileURLWithPath: "\(dir)/\(target)/\(name)"))
  }
  var rng = SeededGenerator(seed: 17)
  let t = Tensor<Double>.normal(Shape(3, 2, 2, 1), sigma: 1, using: &rng)
  try put("npy", "f8-fortran.npy", NPYArray(t).encoded())
  try put("npy", "f4.npy", NPYArray(Tensor<Float>.normal(Shape(2, 3), sigma: 1, using: &rng)).encoded())
  var c = NPYArray(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]).encoded()
  c = Data(String(decoding: c, as: UTF8.self).replacingOccurrences(of: "True", with: "False").utf8)
  try put("npy", "c-order.npy", c)
  try put("npy", "overflow-shape.npy", npyHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"))
  try put("csv", "matrix.csv", Data(CSV.encode(Matrix(rows: 3, cols: 2, storage: t.storage.prefix(6).map { $0 })).utf8))
  try put("csv", "excel-crlf-bom.csv", Data("\u{FEFF}1,2,3\r\n4,5,6\r\n".utf8))
  try put("csv", "ragged.csv", Data("1 2 3\n4 5\n".utf8))
  var idx = Data([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3])
  idx.append(contentsOf: (0..<18).map { UInt8($0 * 13) })
  try put("idx", "images.idx", idx)
  try put("idx", "labels.idx", Data([0, 0, 8, 1, 0, 0, 0, 4, 0, 1, 9, 200]))
  try put("idx", "images.idx.gz", gzip(idx))
  try put("idx", "bomb-header.idx.gz", gzip(Data([0, 0, 8, 3, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]) + Data(count: 4096)))
  try put("netspec", "lenet.txt", Data("conv 5x5x6; relu; pool max 2 stride 2; conv 5x5x16 table; relu; pool avg 2 stride 2; dense 10; loss softmaxlog".utf8))
  try put("netspec", "options.txt", Data("conv 3x3x4 pad 1 stride 2 dilate 2; leaky 0.1; subsample 2; dense 10".utf8))
  try put("geometry", "stack.txt", Data("32x32\nconv 5x5; pool 2x2 stride 2; conv 3x3x64 pad 1 dilate 2; relu; convt 4x4 upsample 2 crop 1".utf8))
  try put("geometry", "ceil.txt", Data("7x9\npool 3x3 stride 2 pad 1 ceil avg".utf8))
  try put("blockoptions", "conv.txt", Data("conv\npad=1,0,2,1\nstride=2\ndilate=2,1".utf8))
  try put("blockoptions", "normalize.txt", Data("normalize\nparam=5,1,0.0001,0.75".utf8))
  try put("blockoptions", "pool.txt", Data("pool\nmethod=avg\npool-size=3,2\nstride=2".utf8))
  let exercise = try Exercises.named("conv-backward")
  let instance = try exercise.instance(seed: 5)
  let packet = scratch + "/seed-packet"
  try Packet.write(exercise, student: "s01", instance: instance, to: packet)
  try put("packet", "exercise.json", try Data(contentsOf: URL(fileURLWithPath: packet + "/exercise.json")))
  try put("roster", "header.csv", Data("id,name\ns01,Ada Lovelace\ns02,Alan Turing\n".utf8))
  try put("roster", "plain.csv", Data("\u{FEFF}s01\r\ns02\r\n".utf8))
  let network = try Network<Float>(spec: try NetSpec(parsing: "conv 3x3x2; relu; dense 3"), input: Shape(5, 5, 1), classes: 3, seed: 1)
  let path = scratch + "/seed.ckpt"
  try Checkpoint.write(Trainer(network: network, options: TrainingOptions()), data: ["folder": "x"], to: path)
  let sealed = try Data(contentsOf: URL(fileURLWithPath: path))
  try put("checkpoint", "sealed.ckpt", sealed)
  try put("checkpoint", "body.ckpt", sealed.drop(while: { $0 != 0x0A }).dropFirst())
  try put("studentoutput", "two.txt", Data([2]) + Data("out 2 2 1 1\n1 2 3 4\nout 1 1 1 1\n-0.5\n".utf8))
  try put("studentoutput", "huge.txt", Data([1]) + Data("out 9223372036854775807 2 1 1\n1 2\n".utf8))
}

func npyHeader(_ dict: String) -> Data {
  var header = dict
  header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
  var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
  d.append(contentsOf: Array(header.utf8))
  return d
}

/// gzip through the gzip program (the seeds are made once, on a developer's machine).
func gzip(_ data: Data) throws -> Data {
  let input = file("seed-gzip-input", data)
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/gzip")
  process.arguments = ["-9", "-c", "-n", input]
  let pipe = Pipe()
  process.standardOutput = pipe
  try process.run()
  let out = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return out
}

// MARK: The driver

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let data = bytes.map { Data(bytes: $0, count: size) } ?? Data()
  do {
    try selected(data)
  } catch is ConvLabError {
    // The expected answer to bad input.
  } catch {
    // Any other error escaping a parser is a finding: it would reach the user unexplained.
    warn("non-ConvLabError escaped: \(error)")
    abort()
  }
  return 0
}

/// SwiftPM links executables with `main` aliased to `convlab_fuzz_main`; it hands over to
/// libFuzzer's driver with the target's name removed from the arguments.
@_cdecl("convlab_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  let args = (0..<Int(argc)).map { argv?[$0].map { String(cString: $0) } ?? "" }
  if args.count >= 3 && args[1] == "--seeds" {
    do { try writeSeeds(args[2]) } catch {
      warn("convlab-fuzz: \(error)")
      return 1
    }
    return 0
  }
  guard args.count >= 2, let target = targets[args[1]] else {
    warn("usage: convlab-fuzz TARGET [libFuzzer flags and corpus folders]\n       convlab-fuzz --seeds DIR\ntargets: \(targets.keys.sorted().joined(separator: " "))")
    return 2
  }
  selected = target
  // Error messages are built and dropped by the million; keep the memory limit small so the
  // library refuses big allocations long before libFuzzer's malloc limit.
  MemoryLimit.set(64 << 20)
  var rest: [UnsafeMutablePointer<CChar>?] = [argv?[0]] + (2..<Int(argc)).map { argv?[$0] } + [nil]
  var count = CInt(rest.count - 1)
  return rest.withUnsafeMutableBufferPointer { buffer in
    var pointer = buffer.baseAddress
    return runDriver(&count, &pointer, testOneInput)
  }
}
