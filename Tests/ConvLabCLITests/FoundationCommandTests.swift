import ConvLabBlocks
import ConvLabCore
import Foundation
import Testing

@Suite(.serialized) struct FoundationCommandTests {
  @Test func infoReportsAKernelThatMatchesTheCPU() throws {
    // The choice under test is ConvLab's own: a core type forced in the environment (some CI
    // images set OPENBLAS_CORETYPE) is covered by the next test.
    let r = try CLI.run(["info", "--no-measure"], removing: ["OPENBLAS_CORETYPE"])
    #expect(r.status == 0)
    let cpu = CPUFeatures.current
    let line = r.stdout.split(separator: "\n").first { $0.contains("OpenBLAS") }.map(String.init) ?? ""
    // The kernel class must match the widest vector unit the CPU really has.
    if cpu.hasSkylakeXSet {
      #expect(["SkylakeX", "Cooperlake", "SapphireRapids"].contains { line.contains("kernel \($0)") }, "\(line)")
    } else if cpu.avx2 && cpu.fma {
      #expect(["Haswell", "Zen", "Excavator"].contains { line.contains("kernel \($0)") }, "\(line)")
    }
    #expect(r.stdout.contains("gnuplot"))
    #expect(r.stdout.contains("CUDA"))
    // The conv kernels named are the ones the library runs here: the direct kernel's AVX-512
    // tile and the 32-row GEMM tile exactly where the CPU has AVX-512, its AVX2 tile elsewhere.
    #expect(Conv.float32Kernels.allSatisfy { r.stdout.contains($0) }, "\(r.stdout)")
    #expect(r.stdout.contains("direct: 16 filters per AVX-512 vector") == cpu.avx512f, "\(r.stdout)")
    #expect(r.stdout.contains("direct: 16 filters in two AVX2 vectors") == (!cpu.avx512f && cpu.avx2 && cpu.fma), "\(r.stdout)")
    #expect(r.stdout.contains("AVX-512 32 × 6 tile") == cpu.avx512f, "\(r.stdout)")
    // Each conv line, indented by 15 columns, fits a 79-column terminal.
    #expect(Conv.float32Kernels.allSatisfy { 15 + $0.count <= 79 }, "\(Conv.float32Kernels)")
  }

  @Test func aUsersCoreTypeIsNeverOverridden() throws {
    let r = try CLI.run(["info", "--no-measure"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
    #expect(r.stdout.contains("kernel Prescott (OPENBLAS_CORETYPE=Prescott set by the user)"))
  }

  @Test func notationUpShowsKroneckerWithOnesAndThePrintedFormFailing() throws {
    let r = try CLI.run(["notation", "up", "--n", "2"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("up(x) = x ⊗ 1₂ₓ₂"))
    #expect(r.stdout.contains("1₂ₓ₂\n⎡ 1 1 ⎤\n⎣ 1 1 ⎦"))
    #expect(r.stdout.contains("✗"))
  }

  @Test(arguments: ["vec", "unvec", "kron", "down", "average", "exchange", "rot180", "conv2", "xcorr2", "hadamard", "indicator", "im2row", "row2im", "kronforms"])
  func everyNotationTourRunsAndItsIdentitiesHold(op: String) throws {
    let r = try CLI.run(["notation", op, "--n", "2"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!r.stdout.contains("✗"), "\(op): \(r.stdout)")
  }

  @Test func unknownNotationIsOneLineAndNonZero() throws {
    let r = try CLI.run(["notation", "frobnicate"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("no notation tour for 'frobnicate'"))
    #expect(r.stderr.split(separator: "\n").count == 1)
  }

  @Test func lenetDerivesTheCounts() throws {
    let r = try CLI.run(["lenet"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("Parameters = kernels·K² + biases = 60·5·5 + 16 = 1516"))
    #expect(r.stdout.contains("M_0 = {0, 4, 5, 6, 9, 10, 11, 12, 14, 15}"))
  }

  @Test func geometryPrintsSizesAndFields() throws {
    let r = try CLI.run(["geometry", "conv 5x5; pool 2x2 stride 2; conv 5x5; pool 2x2 stride 2", "--input", "32x32"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("5×5"))
    #expect(r.stdout.contains("α=4 β=17/2 Δ=16"))
    let bad = try CLI.run(["geometry", "conv 9x9", "--input", "4x4"])
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("layer 1 (conv 9x9)"))
  }
}

@Suite(.serialized) struct BlockCommandTests {
  @Test func blockWritesOutputsAndGradientsThatMatchTheLiteralPath() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var rng = SeededGenerator(seed: 11)
    try NPYArray(Tensor<Double>.uniform(Shape(5, 4, 2), using: &rng)).write(to: "\(dir)/x.npy")
    try NPYArray(Tensor<Double>.uniform(Shape(2, 2, 2, 3), using: &rng)).write(to: "\(dir)/w.npy")
    try NPYArray(Tensor<Double>.uniform(Shape(1, 3), using: &rng)).write(to: "\(dir)/b.npy")
    try NPYArray(Tensor<Double>.uniform(Shape(2, 4, 3), using: &rng)).write(to: "\(dir)/g.npy")
    var outputs: [String: [String: Tensor<Double>]] = [:]
    for path in ["fast", "literal"] {
      let r = try CLI.run([
        "block", "conv", "--x", "\(dir)/x.npy", "--w", "\(dir)/w.npy", "--b", "\(dir)/b.npy",
        "--dzdy", "\(dir)/g.npy", "--stride", "2,1", "--pad", "0,0,0,1", "--out", "\(dir)/\(path)", "--path", path,
      ])
      #expect(r.status == 0, "\(r.stderr)")
      outputs[path] = try Dictionary(uniqueKeysWithValues: ["y", "dzdx", "dzdw", "dzdb"].map { ($0, try readTensor("\(dir)/\(path)/\($0).npy", as: Double.self)) })
    }
    #expect(outputs["fast"]?["y"]?.shape == Shape(2, 4, 3))  // (5−2)/2+1 × (4+1−2)/1+1
    for name in ["y", "dzdx", "dzdw", "dzdb"] {
      let fast = try #require(outputs["fast"]?[name])
      let literal = try #require(outputs["literal"]?[name])
      #expect(relativeError(fast, literal) < 1e-12, "\(name)")
    }
  }

  @Test func blockReportsBadInputInOneLine() throws {
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data("not numpy".utf8).write(to: URL(fileURLWithPath: "\(dir)/bad.npy"))
    let r = try CLI.run(["block", "relu", "--x", "\(dir)/bad.npy", "--out", dir])
    #expect(r.status != 0)
    #expect(r.stderr.contains("bad magic") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    let pool = try CLI.run(["block", "pool", "--x", "\(dir)/bad.npy", "--out", dir, "--method", "median"])
    // Refused by the parser (exit 64) before the file is read, naming the allowed values.
    #expect(pool.status != 0 && pool.stderr.contains("'median' is invalid for '--method <method>'") && pool.stderr.contains("'max', 'avg' or 'maxavg'"), "\(pool.stderr)")
    #expect(!FileManager.default.fileExists(atPath: "\(dir)/y.npy"))
  }

  @Test func jacobianPrintsStructureAndPassesItsChecks() throws {
    let r = try CLI.run(["jacobian", "conv", "--x", "4x4", "--k", "2x2", "--stride", "2"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("d vec y / d (vec x)ᵀ of conv: 4×16"))
    #expect(r.stdout.contains("x₁₁") && r.stdout.contains("y₂₂"))
    #expect(r.stdout.contains("(Fᵀ ⊗ I) H") && !r.stdout.contains("✗"))
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let saved = try CLI.run(["jacobian", "pool", "--x", "4x4", "--pool-size", "2", "--stride", "2", "--out", "\(dir)/J.npy"])
    #expect(saved.status == 0)
    let j: Matrix<Double> = try NPYArray(contentsOf: "\(dir)/J.npy").matrix()
    #expect(j.rows == 4 && j.cols == 16 && j.nonzeroCount == 4)
  }

  @Test func checkRunsEveryBlockAndExitsZero() throws {
    let r = try CLI.run(["check", "all", "--cases", "2"])
    #expect(r.status == 0, "\(r.stdout)")
    #expect(r.stdout.contains("passed, 0 failed"))
    let bad = try CLI.run(["check", "frobnicate"])
    #expect(bad.status != 0 && bad.stderr.contains("'frobnicate' is invalid for '<target>'") && bad.stderr.contains("conv, convt, pool"), "\(bad.stderr)")
    #expect(bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
  }
}

@Suite(.serialized) struct CheckNetCommandTests {
  @Test func checkNetShowsTheAvoidedJacobiansAndPasses() throws {
    let r = try CLI.run(["check", "net"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("512 × 512  2.0 MiB"))
    #expect(!r.stdout.contains("✗"))
  }
}

@Suite struct NotesDriftTests {
  /// The repository root, found from this source file's path.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  @Test func committedNotationNoteMatchesTheCode() throws {
    let committed = try String(contentsOf: Self.root.appendingPathComponent("Notes/notation.md"), encoding: .utf8)
    let r = try CLI.run(["notation", "--markdown"])
    #expect(r.status == 0)
    // The note is a fixed header followed by exactly what the command prints.
    #expect(committed.hasSuffix(r.stdout), "Notes/notation.md is out of date: run `make notes`")
  }
}

@Suite(.serialized) struct DeriveCommandTests {
  @Test func listAndWalkAndExport() throws {
    let list = try CLI.run(["derive", "--list"])
    #expect(list.status == 0 && list.stdout.contains("xu-avgpool"))
    let dir = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["derive", "xu-avgpool", "--all", "--export", dir])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("up(δˡ⁺¹) = δˡ⁺¹ ⊗ 1₂ₓ₂"))
    #expect(r.stdout.contains("as printed it fails"))
    let files = try FileManager.default.contentsOfDirectory(atPath: dir)
    #expect(files.contains { $0.hasSuffix(".npy") } && files.contains { $0.hasSuffix(".csv") })
    let bad = try CLI.run(["derive", "nonsense"])
    #expect(bad.status != 0 && bad.stderr.contains("no derivation 'nonsense'"))
  }
}

@Suite struct DerivationNotesDriftTests {
  /// Each paper's note ends with exactly `convlab derive ID --markdown` for its derivations,
  /// then `convlab audit --paper P --markdown` (the verdicts, from the claim inventory).
  @Test(arguments: [("xu", "xu.md"), ("murugan", "murugan.md"), ("vardhan", "vardhan.md"), ("milisavljevic", "milisavljevic.md"), ("matconvnet", "matconvnet.md")])
  func committedNoteMatchesTheCode(prefix: String, file: String) throws {
    let committed = try String(contentsOf: NotesDriftTests.root.appendingPathComponent("Notes/\(file)"), encoding: .utf8)
    // One derivation per line "  ID  TITLE (REFERENCE)"; a long title continues on lines indented further.
    let ids = try CLI.run(["derive", "--list"]).stdout.split(separator: "\n").filter { !$0.hasPrefix("   ") }
      .compactMap { $0.split(separator: " ").first.map(String.init) }.filter { $0.hasPrefix(prefix + "-") }
    #expect(!ids.isEmpty)
    var generated = ""
    for id in ids { generated += try CLI.run(["derive", id, "--markdown"]).stdout }
    generated += try CLI.run(["audit", "--paper", prefix, "--markdown"]).stdout
    #expect(committed.hasSuffix(generated), "Notes/\(file) is out of date: run `make notes`")
  }
}

@Suite struct AuditCommandTests {
  @Test func committedErrataMatchTheAudit() throws {
    let committed = try String(contentsOf: NotesDriftTests.root.appendingPathComponent("Notes/ERRATA.md"), encoding: .utf8)
    let r = try CLI.run(["audit", "--markdown"])
    #expect(r.status == 0)
    #expect(committed.hasSuffix(r.stdout), "Notes/ERRATA.md is out of date: run `make notes`")
  }

  @Test func theAuditTableEndsWithTheCountsAndExitsZero() throws {
    let r = try CLI.run(["audit"])
    #expect(r.status == 0, "\(r.stderr)")
    // One line per claim led by its verdict, the intended form under it, the summary last.
    #expect(r.stdout.contains("✗ Murugan Table 1 (sigmoid)  (§2.2, table or caption) — wrong in the source\n"))
    #expect(r.stdout.contains("    intended  f′(x) = f(x)(1 − f(x))\n"))
    #expect(r.stdout.split(separator: "\n").last?.hasSuffix("every verdict reproduced by its check") == true)
    let bad = try CLI.run(["audit", "--paper", "Nobody"])
    #expect(bad.status != 0 && bad.stderr.contains("no audited paper"))
  }
}

@Suite struct DeriveAllCommandTests {
  /// Every derivation runs with --all and ends with every check as expected.
  @Test func everyDerivationRunsToTheEnd() throws {
    // One derivation per line "  ID  TITLE (REFERENCE)"; a long title continues on lines indented further.
    let ids = try CLI.run(["derive", "--list"]).stdout.split(separator: "\n").filter { !$0.hasPrefix("   ") }
      .compactMap { $0.split(separator: " ").first.map(String.init) }
    #expect(ids.count >= 28)
    for id in ids {
      let r = try CLI.run(["derive", id, "--all"])
      #expect(r.status == 0 && r.stdout.contains("checks as expected ✓"), "\(id): \(r.stdout.suffix(200)) \(r.stderr)")
    }
    let coverage = try CLI.run(["audit", "--coverage"])
    #expect(coverage.status == 0 && coverage.stdout.contains("| Murugan | §3.2 |"), "\(coverage.stdout.suffix(300))")
  }
}
